#pragma once
// Small formatting pieces every export format shares: RFC 3339 times, file names, modes,
// reason lists and Sysmon's "SHA256=...,MD5=..." hash strings.
#include "common/types.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::exporting {

// "2024-05-01T12:00:00.123Z" (fractionDigits 3) or "...00.123456Z" (6); 0 gives whole seconds.
std::string rfc3339FromMicros(std::int64_t micros, int fractionDigits);
std::string rfc3339FromSeconds(std::int64_t seconds, int fractionDigits);

// The last path component; both '/' and '\' separate, so Windows paths from Sysmon work too.
std::string fileNameOf(std::string_view path);
// Everything before the last separator ("/" for "/x"); empty when there is none.
std::string directoryOf(std::string_view path);

std::string octalMode(std::uint32_t mode);  // permission bits as "0755"
std::string moduleFlags(const ModuleRecord &module);  // "deleted,memfd,anonymous-exec,pseudo"
std::vector<std::string> reasonCodes(const Verdict &verdict);
std::string joined(const std::vector<std::string> &parts, std::string_view separator);
std::string evidenceText(const Evidence &evidence);  // "path=/tmp/x; mode=0777"

// Sysmon Hashes field: "SHA256=AB..,MD5=CD..,IMPHASH=.." -> {"sha256": "ab..", "md5": "cd..", ...}
// (algorithm names lower-cased, digests lower-cased hex); malformed parts are skipped.
std::map<std::string, std::string> parseSysmonHashes(std::string_view hashes);

// The process and file facts behind a module in a scan; nullptr when not surveyed.
const FileFacts *factsFor(const ScanResult &scan, const ModuleRecord &module);

} // namespace loadlens::exporting
