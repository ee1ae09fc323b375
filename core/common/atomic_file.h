#pragma once
// Writing a report file so that a reader sees the old file or the whole new one, never a part:
// a temporary file beside the target (same directory, so the rename stays on one file system),
// written, fsynced, then renamed over the target. On failure the temporary file is removed and
// the target is left as it was.
#include "common/result.h"

#include <string>
#include <string_view>

namespace loadlens::io {

// Replaces `path` with `content`. A new file gets 0666 minus the umask; a file that is replaced
// keeps its permission bits (without set-id bits). A symbolic link at `path` is replaced, not
// followed. A target that exists and is not a regular file (a terminal, a pipe, /dev/null) cannot
// be renamed over: it is written directly. A directory is an error.
Status writeFileAtomically(const std::string &path, std::string_view content);

// Fails early, before a long scan, when `path` could not be written that way: its directory is
// missing or does not take new files, or `path` is a directory. Creates and removes a
// temporary file in the directory to find out.
Status checkWritableAtomically(const std::string &path);

} // namespace loadlens::io
