#include "store/format_detect.h"

#include "common/compressed_input.h"
#include "store/case_database.h"
#include "store/sqlite_header.h"

#include <algorithm>

namespace loadlens::store {

std::string_view formatName(FileFormat format)
{
    switch (format) {
    case FileFormat::Bundle: return "bundle";
    case FileFormat::OtherSqlite: return "sqlite";
    case FileFormat::Evtx: return "evtx";
    case FileFormat::Xml: return "xml";
    case FileFormat::Json: return "json";
    case FileFormat::Auditd: return "auditd";
    case FileFormat::WindowsTriageReport: return "windows-triage-report";
    case FileFormat::Unknown: break;
    }
    return "unknown";
}

namespace {

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view firstLine(std::string_view text)
{
    const std::size_t end = text.find('\n');
    return end == std::string_view::npos ? text : text.substr(0, end);
}

// Sysmon for Linux through syslog: "Oct 10 12:00:00 host sysmon: <Event>...". The prefix holds
// no markup; the line carries the <Event> element.
bool isSyslogEventLine(std::string_view line)
{
    const std::size_t event = line.find("<Event>");
    const std::size_t withNs = line.find("<Event ");
    const std::size_t at = std::min(event, withNs);
    if (at == std::string_view::npos || at == 0)
        return false;
    const std::string_view prefix = line.substr(0, at);
    return prefix.find_first_of("<>{}") == std::string_view::npos && prefix.find(':') != std::string_view::npos;
}

} // namespace

FileFormat detectFormat(std::string_view head)
{
    if (auto header = parseSqliteHeader(head))
        return header->applicationId == CaseDatabase::kApplicationId ? FileFormat::Bundle : FileFormat::OtherSqlite;
    if (head.substr(0, 8) == std::string_view("ElfFile\0", 8))
        return FileFormat::Evtx;
    std::string_view text = head;
    if (text.substr(0, 3) == "\xef\xbb\xbf")
        text.remove_prefix(3);
    while (!text.empty() && isBlank(text.front()))
        text.remove_prefix(1);
    if (text.empty())
        return FileFormat::Unknown;
    if (text.front() == '<')
        return FileFormat::Xml;
    if (text.front() == '{' || text.front() == '[') {
        // windows-triage --json writes its keys in sorted order: its first key is one of these
        // (older reports began at "catalogs" or "executables"); no Sysmon layout starts with one.
        std::string_view rest = text.substr(1);
        while (!rest.empty() && isBlank(rest.front()))
            rest.remove_prefix(1);
        if (text.front() == '{')
            for (const std::string_view key : {"\"acl_sources\"", "\"catalog_sources\"", "\"catalogs\"", "\"executables\""})
                if (rest.starts_with(key))
                    return FileFormat::WindowsTriageReport;
        return FileFormat::Json;
    }
    // Line formats: blank lines and '#' comment lines (annotated or hand-edited logs) before
    // the first record are passed over.
    while (!text.empty() && text.front() == '#') {
        const std::size_t end = text.find('\n');
        if (end == std::string_view::npos)
            return FileFormat::Unknown;
        text.remove_prefix(end + 1);
        while (!text.empty() && isBlank(text.front()))
            text.remove_prefix(1);
    }
    if (text.substr(0, 5) == "type=" || text.substr(0, 5) == "node=")
        return FileFormat::Auditd;
    if (isSyslogEventLine(firstLine(text)))
        return FileFormat::Xml;
    return FileFormat::Unknown;
}

Result<FileFormat> detectFileFormat(const std::string &path)
{
    auto reader = io::TextFileReader::open(path);
    if (!reader)
        return reader.error();
    // Enough text to pass a block of comment lines; a gzip file is looked at inside.
    constexpr std::size_t kHeadBytes = 64u << 10;
    std::string head;
    std::string more;
    while (head.size() < kHeadBytes) {
        auto s = reader->read(more, kHeadBytes - head.size());
        if (!s && head.empty())
            return s.error();
        if (!s || more.empty())
            break;  // damage past the head is the reader's to report
        head += more;
    }
    return detectFormat(head);
}

bool isGzipFile(const std::string &path)
{
    auto reader = io::TextFileReader::open(path);
    return reader && reader->gzip();
}

} // namespace loadlens::store
