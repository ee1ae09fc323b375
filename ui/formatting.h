#pragma once
// Text for values shown in several places (tables, details, status line). Pure functions,
// so the models and the details pane say the same thing and tests can check it directly.
#include "common/types.h"

#include <QString>

namespace loadlens::ui {

QString sizeText(std::uint64_t bytes);                 // "1.2 MiB", "512 bytes"
QString ownerModeText(const FileFacts &facts);         // "root:root 0755"
QString moduleFlagsText(const ModuleRecord &module);   // "deleted, memfd, anon-exec"
std::uint64_t mappedBytes(const ModuleRecord &module); // sum of the mapped ranges
QString shortHash(const std::string &hexDigest);       // first 12 hex digits, "" when none

// UTC times as the case stores them: "2024-05-01 13:02:07" (seconds) or with milliseconds.
QString timeTextSeconds(std::int64_t unixSeconds);
QString timeTextUs(std::int64_t unixMicroseconds);

// "1 process", "2 processes", "no processes".
QString countText(qsizetype count, const QString &singular, const QString &plural);
// What a filtered view shows: "85 processes" when nothing is hidden, "7 of 85 processes shown"
// when a filter hides some.
QString shownText(qsizetype shown, qsizetype total, const QString &singular, const QString &plural);

// The status line after a scan: counts, unreadable processes with their causes, hidden ones.
// `privileged`: the scan ran as root (the administrator helper, or a root test run).
QString scanStatusText(const ScanResult &result, bool privileged);

} // namespace loadlens::ui
