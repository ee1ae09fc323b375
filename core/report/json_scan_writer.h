#pragma once
// The scan's JSON (same shape as json_report.h's scanToJson) written straight into a buffer:
// what `loadlens-cli scan --json` prints, fast enough for hosts with thousands of processes.
// Described by docs/scan.schema.json.
//
// The same objects also go out one per line (`scan --json --stream`, read back by
// scan_stream_reader.h), each with a "type":
//   {"type":"progress","done":N,"total":M,"step":"hashing"}      any number, any time
//   {"type":"process", ...one entry of "processes"...}          as each process is judged
//   {"type":"finding", ...one entry of "findings"...}           after the processes
//   {"type":"summary","host":{...},"scanned_at":N,"stats":{...}} last line of a finished scan
//   {"type":"error","message":"..."}                            last line when it could not finish
#include "common/types.h"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace loadlens::report {

void writeScanJson(std::string &out, const ScanResult &scan);

// The facts of a mapped file, or null when there are none.
using FactsLookup = std::function<const FileFacts *(const FileKey &)>;

// Each appends one line, newline included.
void writeStreamProcess(std::string &out, const ProcessInfo &process, const FactsLookup &facts);
void writeStreamFinding(std::string &out, const Finding &finding);
void writeStreamSummary(std::string &out, const ScanResult &scan);
void writeStreamProgress(std::string &out, std::uint64_t done, std::uint64_t total, std::string_view step);
void writeStreamError(std::string &out, std::string_view message);

} // namespace loadlens::report
