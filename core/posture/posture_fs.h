#pragma once
// File helpers shared by the posture checks: paths below a root, whole-file reads as lines,
// sorted directory listings, symlink resolution that stays inside the root, and the builder that
// turns observations into a check status.
#include "posture/posture.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loadlens::posture {

// rootDir + path ("/" + "/etc/x" -> "/etc/x"; "/tmp/r" + "/etc/x" -> "/tmp/r/etc/x").
std::string underRoot(const std::string &rootDir, std::string_view path);

struct TextFile {
    bool exists = false;
    std::string error;               // set when it exists but could not be read
    std::vector<std::string> lines;  // without newlines
};
// Reads rootDir + path; files over 4 MiB are cut there (config files never are that big).
TextFile readTextFile(const std::string &rootDir, std::string_view path);

// Names in rootDir + dir, sorted bytewise, without "." and "..". nullopt when the directory does
// not exist; `error` is set when it exists but cannot be listed.
std::optional<std::vector<std::string>> listDirectory(const std::string &rootDir, std::string_view dir,
                                                      std::string *error = nullptr);

bool isDirectoryUnder(const std::string &rootDir, std::string_view path);
bool existsUnder(const std::string &rootDir, std::string_view path);

// `path` with every symlink inside rootDir followed (absolute targets are taken relative to
// rootDir, as a chroot would), "." and ".." removed; the part that does not exist is kept as
// written. The result is absolute as seen from rootDir.
std::string resolveUnderRoot(const std::string &rootDir, std::string_view path);

// True when `path` is `dir` or below it (both absolute, normalised).
bool isSameOrBelow(std::string_view path, std::string_view dir);

std::string trim(std::string_view text);
// Words separated by blanks (spaces and tabs); no quoting.
std::vector<std::string> splitBlanks(std::string_view text);
// Lines ending in a backslash joined with the next (the backslash becomes a blank), a trailing
// '\r' dropped; each with the 1-based number of its first physical line.
std::vector<std::pair<int, std::string>> joinContinuationLines(const std::vector<std::string> &lines);
std::string joinList(const std::vector<std::string> &items, std::string_view separator = ", ");

// Collects observations for one check and decides its status.
class CheckBuilder {
public:
    CheckBuilder(std::string_view id, std::string_view measure, std::string title);

    void pass(std::string text) { add(Status::Pass, std::move(text)); }
    void fail(std::string text) { add(Status::Fail, std::move(text)); }
    void unknown(std::string text) { add(Status::Unknown, std::move(text)); }
    void info(std::string text) { add(Status::Info, std::move(text)); }
    void add(Status status, std::string text);
    // Adds at most `limit` of `lines` with `status`, then one line counting the rest.
    void addCapped(Status status, const std::vector<std::string> &lines, std::size_t limit = 25);

    bool hasFailures() const;
    PostureCheck finish(std::string remediation);

private:
    PostureCheck m_check;
};

} // namespace loadlens::posture
