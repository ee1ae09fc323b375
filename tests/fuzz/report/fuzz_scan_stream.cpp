// Feeds arbitrary bytes, line by line, to the scan stream reader: the GUI reads this stream
// from a helper process, so nothing in it may crash the reader or be half-believed. A stream
// the reader accepts whole is written back and read again; the two must say the same thing.
#include "report/json_scan_writer.h"
#include "report/scan_stream_reader.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using loadlens::report::ScanStreamReader;

namespace {

std::string rewrite(const loadlens::ScanResult &scan)
{
    std::string out;
    const loadlens::report::FactsLookup facts = [&scan](const loadlens::FileKey &key) -> const loadlens::FileFacts * {
        auto it = scan.files.find(key);
        return it != scan.files.end() ? &it->second : nullptr;
    };
    for (const auto &p : scan.processes)
        loadlens::report::writeStreamProcess(out, p, facts);
    for (const auto &f : scan.findings)
        loadlens::report::writeStreamFinding(out, f);
    loadlens::report::writeStreamSummary(out, scan);
    return out;
}

// Feeds every line; false at the first one the reader refuses.
bool readAll(std::string_view text, ScanStreamReader &reader)
{
    std::size_t processes = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos)
            end = text.size();
        const auto line = reader.feed(text.substr(pos, end - pos));
        pos = end + 1;
        if (!line.ok())
            return false;
        if (line->kind == ScanStreamReader::Kind::Process)
            ++processes;
        if (reader.processCount() != processes)
            std::abort();  // a process line that was accepted must be there, once
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    ScanStreamReader reader;
    if (!readAll(text, reader) || !reader.complete())
        return 0;
    const loadlens::ScanResult first = reader.take();
    const std::string again = rewrite(first);
    ScanStreamReader second;
    if (!readAll(again, second) || !second.complete())
        std::abort();  // what LoadLens writes, LoadLens reads
    std::string a;
    std::string b;
    loadlens::report::writeScanJson(a, first);
    loadlens::report::writeScanJson(b, second.result());
    if (a != b)
        std::abort();
    return 0;
}
