#pragma once
// Opening a file LoadLens inspects: never through a final symbolic link (O_NOFOLLOW), never
// blocking on a FIFO (O_NONBLOCK), never becoming a controlling terminal, and only a regular
// file. A scanned root, a collected Windows image or a hostile host decides what its paths
// are; these calls read what the path itself is, and say what it was when it was not a file.
#include "common/io.h"
#include "common/result.h"

#include <string>
#include <string_view>
#include <sys/stat.h>

namespace loadlens::io {

struct RegularFile {
    UniqueFd fd;
    struct stat st {};
};

// "a FIFO", "a directory", "a character device", "a block device", "a socket", "a symbolic
// link", "a regular file", or "not a regular file".
std::string_view fileKindName(mode_t mode);

// Errors: "cannot open PATH: <cause>", "cannot read PATH: it is a symbolic link (not
// followed)", "cannot read PATH: not a regular file (a FIFO)".
Result<RegularFile> openRegularFile(const std::string &path);

// The whole regular file, up to maxBytes (then `truncated` is set).
Result<FileContent> readRegularFile(const std::string &path, std::size_t maxBytes = 64u << 20);

// Reads an open descriptor to its end, up to maxBytes; `label` names it in errors.
Result<FileContent> readToEnd(int fd, const std::string &label, std::size_t maxBytes);

} // namespace loadlens::io
