#pragma once
// Helpers shared by the audit tests: hand-written audit lines, hex spelling, and collecting
// what the reader emits.
#include <QString>
#include <QtTest>

#include "audit/audit_reader.h"

#include <string>
#include <vector>

namespace loadlens::audittest {

std::string hex(const std::string &text);

// "type=TYPE msg=audit(STAMP): FIELDS\n"
std::string line(const std::string &type, const std::string &stamp, const std::string &fields);

// A complete x86_64 syscall event: SYSCALL, CWD, the PATH items given, PROCTITLE and EOE.
struct PathItem {
    std::string name;      // as it goes into name= (already quoted or hex)
    std::string nametype;  // NORMAL, CREATE, PARENT, DELETE
};
std::string syscallEvent(const std::string &stamp, int syscall, const std::string &exe, const std::string &a2,
                         const std::vector<PathItem> &paths);

struct Collected {
    std::vector<LoadEvent> events;
    ImportReport report;
    bool ok = false;
    QString error;
};
Collected readLog(const QString &path, const audit::AuditOptions &options = {});
Collected readBuffer(const std::string &text, const audit::AuditOptions &options = {});

// Writes `content` to dir/name; returns the full path.
QString writeLog(const QTemporaryDir &dir, const QString &name, const std::string &content);

// The events and records of a file as the low-level reader groups them.
struct Grouping {
    std::uint64_t events = 0;
    std::uint64_t records = 0;
    ImportReport report;
};
Grouping group(const QString &path);

} // namespace loadlens::audittest
