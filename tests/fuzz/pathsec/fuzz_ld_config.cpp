// Feeds the same bytes to both loader-config text parsers and checks what they promise: preload
// names are non-empty and free of separators and comments; ld.so.conf directives carry non-empty
// values on increasing line numbers.
#include "pathsec/ld_config.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace loadlens::pathsec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), data ? size : 0);

    for (const auto &name : parseLdSoPreload(text)) {
        if (name.empty() || name.find_first_of(std::string_view(" \t\n:#\0", 6)) != std::string::npos)
            std::abort();
    }

    int previousLine = 0;
    for (const auto &line : parseLdSoConfText(text)) {
        if (line.value.empty() || line.line < previousLine || line.line < 1)
            std::abort();
        if (line.value.find('#') != std::string::npos || line.value.find('\0') != std::string::npos)
            std::abort();
        if (line.kind == LdSoConfLine::Kind::Include && line.value.find_first_of(" \t") != std::string::npos)
            std::abort();
        previousLine = line.line;
    }
    return 0;
}
