#pragma once
// A small option parser for subcommands: --flag, --option VALUE (or --option=VALUE) and
// positional arguments; unknown options are errors.
#include "common/result.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace loadlens::cli {

class ArgParser {
public:
    ArgParser &flag(const std::string &name);    // declares --name
    ArgParser &option(const std::string &name);  // declares --name VALUE (repeatable)

    // Parses `args`; the error names the offending argument.
    Status parse(const std::vector<std::string> &args);

    bool has(const std::string &name) const;
    std::optional<std::string> value(const std::string &name) const;  // last given
    std::vector<std::string> values(const std::string &name) const;    // all given
    const std::vector<std::string> &positional() const { return m_positional; }

    // Typed helpers; the error says which option and why.
    Result<std::optional<long long>> integer(const std::string &name) const;

private:
    std::set<std::string> m_flags;
    std::set<std::string> m_options;
    std::set<std::string> m_seenFlags;
    std::map<std::string, std::vector<std::string>> m_values;
    std::vector<std::string> m_positional;
};

} // namespace loadlens::cli
