#include "store/format_detect.h"

#include "common/io.h"
#include "store/case_database.h"
#include "store/sqlite_header.h"

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
    case FileFormat::Unknown: break;
    }
    return "unknown";
}

FileFormat detectFormat(std::string_view head)
{
    if (auto header = parseSqliteHeader(head))
        return header->applicationId == CaseDatabase::kApplicationId ? FileFormat::Bundle : FileFormat::OtherSqlite;
    if (head.substr(0, 8) == std::string_view("ElfFile\0", 8))
        return FileFormat::Evtx;
    std::string_view text = head;
    if (text.substr(0, 3) == "\xef\xbb\xbf")
        text.remove_prefix(3);
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r' || text.front() == '\n'))
        text.remove_prefix(1);
    if (text.empty())
        return FileFormat::Unknown;
    if (text.front() == '<')
        return FileFormat::Xml;
    if (text.front() == '{' || text.front() == '[')
        return FileFormat::Json;
    if (text.substr(0, 5) == "type=" || text.substr(0, 5) == "node=")
        return FileFormat::Auditd;
    return FileFormat::Unknown;
}

Result<FileFormat> detectFileFormat(const std::string &path)
{
    auto head = io::readFile(path, 4096);
    if (!head)
        return head.error();
    return detectFormat(head->data);
}

} // namespace loadlens::store
