#include "arg_parser.h"

#include <charconv>

namespace loadlens::cli {

ArgParser &ArgParser::flag(const std::string &name)
{
    m_flags.insert(name);
    return *this;
}

ArgParser &ArgParser::option(const std::string &name)
{
    m_options.insert(name);
    return *this;
}

Status ArgParser::parse(const std::vector<std::string> &args)
{
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string arg = args[i];
        if (arg == "--") {
            m_positional.insert(m_positional.end(), args.begin() + static_cast<long>(i) + 1, args.end());
            break;
        }
        if (arg.size() < 2 || arg[0] != '-' || arg == "-") {
            m_positional.push_back(arg);
            continue;
        }
        std::optional<std::string> inlineValue;
        if (auto eq = arg.find('='); eq != std::string::npos) {
            inlineValue = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
        }
        if (m_flags.count(arg) && !inlineValue) {
            m_seenFlags.insert(arg);
        } else if (m_options.count(arg)) {
            if (!inlineValue) {
                if (i + 1 >= args.size())
                    return Error{EINVAL, arg + " needs a value"};
                inlineValue = args[++i];
            }
            m_values[arg].push_back(*inlineValue);
        } else {
            return Error{EINVAL, "unknown option '" + args[i] + "'"};
        }
    }
    return Ok{};
}

bool ArgParser::has(const std::string &name) const { return m_seenFlags.count(name) || m_values.count(name); }

std::optional<std::string> ArgParser::value(const std::string &name) const
{
    auto it = m_values.find(name);
    if (it == m_values.end() || it->second.empty())
        return std::nullopt;
    return it->second.back();
}

std::vector<std::string> ArgParser::values(const std::string &name) const
{
    auto it = m_values.find(name);
    return it == m_values.end() ? std::vector<std::string>{} : it->second;
}

Result<std::optional<long long>> ArgParser::integer(const std::string &name) const
{
    auto v = value(name);
    if (!v)
        return std::optional<long long>{};
    long long out = 0;
    auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    if (ec != std::errc() || ptr != v->data() + v->size())
        return Error{EINVAL, name + " needs a whole number, not '" + *v + "'"};
    return std::optional<long long>{out};
}

} // namespace loadlens::cli
