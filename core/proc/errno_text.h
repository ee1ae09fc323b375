#pragma once
// Readable causes for the per-process error list and the error counts of a scan.
#include <string>

namespace loadlens::proc {

// "permission denied": lower-case strerror text, used as the key of ScanStats::errorCounts.
std::string errnoCause(int err);
// "permission denied (EACCES)": the cause with the errno name, for ProcessInfo::errors.
std::string describeErrno(int err);
// True for the errors a process that exited (or is exiting) gives on its /proc files.
inline bool isGoneErrno(int err) { return err == 2 /*ENOENT*/ || err == 3 /*ESRCH*/; }

} // namespace loadlens::proc
