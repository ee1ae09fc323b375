#pragma once
// What kind of file an import was given, from its first bytes. `loadlens-cli import` chooses
// the importer from this, in one place (app/cli/cmd_import.cpp).
#include "common/result.h"

#include <string>
#include <string_view>

namespace loadlens::store {

enum class FileFormat {
    Bundle,        // SQLite with the LoadLens application_id: a snapshot bundle or a case
    OtherSqlite,   // SQLite of another application
    Evtx,          // "ElfFile\0": Windows event log
    Xml,           // '<': Event Viewer / Sysmon XML export; or syslog lines carrying <Event> (Sysmon for Linux)
    Json,          // '{' or '[': Sysmon JSON (one object per line or an array)
    Auditd,        // lines starting "type=" or "node=" (after '#' comments): Linux audit log
    WindowsTriageReport, // loadlens-cli windows-triage --json: a report, not importable (--bundle is)
    Unknown,
};

std::string_view formatName(FileFormat format);  // "bundle", "sqlite", "evtx", "xml", "json", "auditd", "windows-triage-report", "unknown"

// From the first bytes of a file (a UTF-8 byte order mark and leading whitespace are skipped
// for the text formats).
FileFormat detectFormat(std::string_view head);
// Reads the first bytes of `path`, decompressed when it is gzip (by its magic bytes, not its
// name); an unreadable file is an Error naming it.
Result<FileFormat> detectFileFormat(const std::string &path);
// Whether `path` starts with the gzip magic bytes.
bool isGzipFile(const std::string &path);

} // namespace loadlens::store
