#pragma once
// Lexical path helpers. They never touch the filesystem: ".." is kept as written because only a
// walk that resolves symlinks can say where it leads.
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::pathsec {

// Collapses "//" and "/./", drops a trailing "/" (except for "/" itself) and a leading "./".
// An empty input stays empty.
std::string normalizePath(std::string_view path);

// The non-empty components of `path` ("/usr//lib/" -> {"usr", "lib"}); "." and ".." are kept.
std::vector<std::string> splitComponents(std::string_view path);

// "/" for "/x" and "/"; "/a" for "/a/b"; "." for a bare name.
std::string parentPath(std::string_view path);

// `dir` + "/" + `name` without doubling the slash.
std::string joinPath(std::string_view dir, std::string_view name);

// True when `path` equals `prefix` or lies below it, comparing whole components.
bool isSameOrBelow(std::string_view path, std::string_view prefix);

// strerror text starting in lower case ("permission denied"), for messages built mid-sentence.
std::string errnoText(int err);

} // namespace loadlens::pathsec
