#include "posture/fim_configs.h"

#include "posture/posture_fs.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <regex>

namespace loadlens::posture {

namespace {

constexpr int kMaxAideIncludeDepth = 8;

std::string expandAideMacros(const std::string &line, const std::map<std::string, std::string> &vars)
{
    std::string out;
    std::size_t pos = 0;
    while (pos < line.size()) {
        const auto start = line.find("@@{", pos);
        if (start == std::string::npos)
            break;
        const auto end = line.find('}', start);
        if (end == std::string::npos)
            break;
        out += line.substr(pos, start - pos);
        const auto it = vars.find(line.substr(start + 3, end - start - 3));
        out += it == vars.end() ? std::string() : it->second;
        pos = end + 1;
    }
    return out + line.substr(std::min(pos, line.size()));
}

bool regexMatches(const std::string &pattern, const std::string &path, bool whole, std::vector<std::string> *errors)
{
    try {
        const std::regex re(pattern, std::regex::extended);
        if (whole)
            return std::regex_match(path, re) || std::regex_match(path + "/", re);
        return std::regex_search(path, re, std::regex_constants::match_continuous);
    } catch (const std::regex_error &) {
        if (errors)
            errors->push_back("cannot read the AIDE pattern " + pattern);
        return false;
    }
}

// Depth of `path` below `dir` (0 when equal); -1 when not below.
int depthBelow(const std::string &path, const std::string &dir)
{
    if (!isSameOrBelow(path, dir))
        return -1;
    const std::string rest = path.substr(std::min(path.size(), dir == "/" ? 0 : dir.size()));
    return static_cast<int>(std::count(rest.begin(), rest.end(), '/'));
}

} // namespace

void parseAideText(const PostureOptions &options, const std::vector<std::string> &lines, const std::string &fileName,
                   AideConfig &config, int depth)
{
    auto &vars = config.macros;
    config.filesRead.push_back(fileName);
    for (std::size_t n = 0; n < lines.size(); ++n) {
        const std::string line = trim(lines[n]);
        if (line.empty() || line.front() == '#')
            continue;
        const std::string where = fileName + ":" + std::to_string(n + 1);
        const auto words = splitBlanks(line);
        const std::string &head = words.front();
        if (head == "@@define" && words.size() >= 2) {
            vars[words[1]] = words.size() >= 3 ? expandAideMacros(words[2], vars) : std::string();
            continue;
        }
        if (head == "@@undef" && words.size() >= 2) {
            vars.erase(words[1]);
            continue;
        }
        if ((head == "@@include" || head == "@@x_include") && words.size() >= 2) {
            if (depth >= kMaxAideIncludeDepth) {
                config.errors.push_back(where + ": includes nest too deep, not followed");
                continue;
            }
            const std::string target = expandAideMacros(words[1], vars);
            if (isDirectoryUnder(options.rootDir, target)) {
                // "@@include DIR REGEX": files of DIR whose names match, in name order.
                const std::string nameRegex = words.size() >= 3 ? words[2] : "^[a-zA-Z0-9_-]+$";
                if (auto names = listDirectory(options.rootDir, target))
                    for (const auto &name : *names)
                        if (regexMatches(nameRegex, name, true, &config.errors)) {
                            const TextFile f = readTextFile(options.rootDir, target + "/" + name);
                            parseAideText(options, f.lines, target + "/" + name, config, depth + 1);
                        }
            } else {
                const TextFile f = readTextFile(options.rootDir, target);
                if (!f.exists)
                    config.errors.push_back(where + ": included " + target + " does not exist");
                else
                    parseAideText(options, f.lines, target, config, depth + 1);
            }
            continue;
        }
        if (head.rfind("@@", 0) == 0 && head.rfind("@@{", 0) != 0)
            continue;  // @@ifdef/@@ifhost/@@else/@@endif: both branches are read
        const std::string pattern = expandAideMacros(head, vars);
        if (pattern.empty())
            continue;
        AideConfig::Rule rule;
        rule.where = where;
        rule.text = line;
        if (pattern.front() == '/') {
            rule.kind = AideConfig::Rule::Kind::Select;
            rule.pattern = pattern;
        } else if (pattern.front() == '=' && pattern.size() > 1) {
            rule.kind = AideConfig::Rule::Kind::Equal;
            rule.pattern = pattern.substr(1);
        } else if (pattern.front() == '!' && pattern.size() > 1) {
            rule.kind = AideConfig::Rule::Kind::Negative;
            rule.pattern = pattern.substr(1);
        } else {
            continue;  // attribute groups ("Full = p+i+...") and settings ("database_in=...")
        }
        config.rules.push_back(std::move(rule));
    }
}

AideConfig readAideConfig(const PostureOptions &options, const std::string &mainFile)
{
    AideConfig config;
    const TextFile f = readTextFile(options.rootDir, mainFile);
    if (!f.exists)
        return config;
    if (!f.error.empty())
        config.errors.push_back(f.error);
    parseAideText(options, f.lines, mainFile, config);
    return config;
}

Coverage aideCovers(const AideConfig &config, const std::string &path, bool isDirectory)
{
    // A directory's content is what a planted library changes: probe a file inside it.
    const std::string probe = isDirectory ? (path == "/" ? "/libprobe.so" : path + "/libprobe.so") : path;
    Coverage out;
    for (const auto &rule : config.rules) {
        using Kind = AideConfig::Rule::Kind;
        if (rule.kind == Kind::Negative) {
            if (regexMatches(rule.pattern, probe, false, nullptr) || regexMatches(rule.pattern, path, true, nullptr))
                return {};
            continue;
        }
        if (out.covered)
            continue;
        const bool hit = rule.kind == Kind::Equal ? regexMatches(rule.pattern, probe, true, nullptr)
                                                  : regexMatches(rule.pattern, probe, false, nullptr);
        if (hit)
            out = {true, rule.where + ": " + rule.text};
    }
    return out;
}

SyscheckConfig parseOssecConf(const std::string &text, const std::string &fileName)
{
    SyscheckConfig config;
    std::size_t pos = 0;
    while ((pos = text.find("<syscheck>", pos)) != std::string::npos) {
        const auto end = text.find("</syscheck>", pos);
        const std::string block = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        pos = end == std::string::npos ? text.size() : end;
        config.present = true;
        for (const std::string tag : {"directories", "ignore"}) {
            std::size_t p = 0;
            while ((p = block.find("<" + tag, p)) != std::string::npos) {
                const auto close = block.find('>', p);
                const auto endTag = block.find("</" + tag + ">", p);
                if (close == std::string::npos || endTag == std::string::npos || endTag < close)
                    break;
                const std::string attrs = block.substr(p, close - p);
                const std::string value = trim(block.substr(close + 1, endTag - close - 1));
                p = endTag;
                if (tag == "ignore") {
                    if (attrs.find("type=\"sregex\"") != std::string::npos)
                        config.notes.push_back(fileName + ": ignore pattern " + value + " (sregex, not evaluated)");
                    else
                        config.ignored.push_back(value);
                    continue;
                }
                int recursion = 256;
                if (const auto r = attrs.find("recursion_level=\""); r != std::string::npos)
                    recursion = std::atoi(attrs.c_str() + r + 17);
                std::size_t start = 0;
                while (start <= value.size()) {
                    auto comma = value.find(',', start);
                    if (comma == std::string::npos)
                        comma = value.size();
                    const std::string dir = trim(value.substr(start, comma - start));
                    if (!dir.empty())
                        config.directories.push_back({dir, recursion, fileName + ": <directories> " + value});
                    start = comma + 1;
                }
            }
        }
    }
    return config;
}

Coverage syscheckCovers(const SyscheckConfig &config, const std::string &path, bool isDirectory)
{
    for (const auto &ignored : config.ignored)
        if (isSameOrBelow(path, ignored))
            return {};
    for (const auto &entry : config.directories) {
        const int depth = depthBelow(path, entry.path);
        if (depth < 0)
            continue;
        // Files directly in a watched directory are at recursion level 0.
        const int level = isDirectory ? depth : depth - 1;
        if (level <= entry.recursionLevel)
            return {true, entry.where};
    }
    return {};
}

TripwirePolicy parseTripwirePolicy(const std::vector<std::string> &lines, const std::string &fileName)
{
    TripwirePolicy policy;
    static const std::regex ruleLine(R"(^\s*(!?)\s*(/[^\s;]*)\s*(->|;))");
    for (std::size_t n = 0; n < lines.size(); ++n) {
        std::smatch m;
        if (std::regex_search(lines[n], m, ruleLine))
            policy.entries.push_back({m[2].str(), m[1].length() > 0,
                                      fileName + ":" + std::to_string(n + 1) + ": " + trim(lines[n])});
    }
    return policy;
}

Coverage tripwireCovers(const TripwirePolicy &policy, const std::string &path, bool isDirectory)
{
    (void)isDirectory;  // Tripwire recurses into directories unless told otherwise
    Coverage out;
    for (const auto &entry : policy.entries) {
        if (!isSameOrBelow(path, entry.path))
            continue;
        if (entry.stopPoint)
            return {};
        if (!out.covered)
            out = {true, entry.where};
    }
    return out;
}

} // namespace loadlens::posture
