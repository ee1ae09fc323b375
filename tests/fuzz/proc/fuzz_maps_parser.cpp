// Feeds arbitrary bytes to the /proc text parsers: the maps of a process are text that the
// process shapes (file names), and the stat line carries a comm it chooses. The buffer is
// parsed whole, line by line, and as a stat line; results are cross-checked so a parser that
// accepts nonsense fails loudly.
#include "proc/maps_parser.h"
#include "proc/proc_stat.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    const auto parsed = loadlens::proc::parseMaps(text);
    std::size_t lines = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos)
            end = text.size();
        const std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        if (line.empty())
            continue;
        ++lines;
        if (auto entry = loadlens::proc::parseMapsLine(line)) {
            if (entry->end <= entry->start || entry->perms.size() != 4)
                std::abort();
            if (entry->path.find('\0') != std::string::npos)
                std::abort();
        }
    }
    if (parsed.entries.size() + parsed.malformedLines != lines)
        std::abort();
    (void)loadlens::proc::parseProcStat(text);
    (void)loadlens::proc::parseStatusTgid(text);
    return 0;
}
