// sudoers as sudo reads it for the environment: Defaults lines (env_keep, env_delete, env_reset,
// setenv), the SETENV command tag, and the include directives. sudo always deletes LD_* from the
// environment unless one of these lets it through (sudoers(5), "Command environment").
#include "posture/env_sources.h"

#include "posture/posture_fs.h"

#include <cctype>
#include <optional>

namespace loadlens::posture {

namespace {

// '#' starts a comment unless it opens "#include"/"#includedir" or a "#uid".
std::string stripSudoComment(const std::string &line)
{
    char quote = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quote) {
            if (c == quote)
                quote = 0;
            continue;
        }
        if (c == '"') {
            quote = c;
        } else if (c == '\\') {
            ++i;
        } else if (c == '#') {
            if (i + 1 < line.size() && std::isdigit(static_cast<unsigned char>(line[i + 1])))
                continue;
            return line.substr(0, i);
        }
    }
    return line;
}

std::vector<std::string> splitParameters(std::string_view text)
{
    std::vector<std::string> out;
    std::string current;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\\' && i + 1 < text.size()) {
            current += text[++i];
        } else if (c == '"') {
            quoted = !quoted;
            current += c;
        } else if (c == ',' && !quoted) {
            out.push_back(trim(current));
            current.clear();
        } else {
            current += c;
        }
    }
    if (!trim(current).empty())
        out.push_back(trim(current));
    return out;
}

// Does an env_keep/env_delete pattern (a trailing '*' is a wildcard) reach an LD_* variable?
bool patternReachesLoaderVariable(std::string_view pattern)
{
    if (!pattern.empty() && pattern.back() == '*') {
        const std::string_view prefix = pattern.substr(0, pattern.size() - 1);
        if (prefix.size() <= 3)
            return std::string_view("LD_").substr(0, prefix.size()) == prefix;
        return prefix.substr(0, 3) == "LD_";
    }
    const auto eq = pattern.find('=');  // env_keep may name VAR=value
    return isLoaderVariable(pattern.substr(0, eq));
}

std::vector<std::string> listWords(std::string_view value)
{
    std::vector<std::string> words;
    std::string current;
    for (const char c : value) {
        if (c == '"' || std::isspace(static_cast<unsigned char>(c))) {
            if (!current.empty())
                words.push_back(std::move(current));
            current.clear();
        } else {
            current += c;
        }
    }
    if (!current.empty())
        words.push_back(std::move(current));
    return words;
}

void analyseDefaults(const std::string &params, int number, const std::string &line, SudoersAnalysis &out)
{
    for (const auto &param : splitParameters(params)) {
        std::string name = param;
        std::string op;
        std::string value;
        if (const auto eq = param.find('='); eq != std::string::npos) {
            std::size_t nameEnd = eq;
            if (eq > 0 && (param[eq - 1] == '+' || param[eq - 1] == '-'))
                --nameEnd;
            name = trim(param.substr(0, nameEnd));
            op = param.substr(nameEnd, eq + 1 - nameEnd);
            value = param.substr(eq + 1);
        }
        if (name == "!env_reset") {
            out.notes.push_back({"", number, "!env_reset", line});
        } else if (name == "setenv") {
            out.hits.push_back({"LD_*", number, "setenv", line});
        } else if (name == "env_keep" && op != "-=") {
            for (const auto &word : listWords(value))
                if (patternReachesLoaderVariable(word))
                    out.hits.push_back({word, number, "env_keep", line});
        } else if (name == "env_delete" && (op == "-=" || op == "=")) {
            // "-=" takes LD_* off the delete list; "=" replaces the list that holds LD_*.
            if (op == "=")
                out.hits.push_back({"LD_*", number, "env_delete replaced", line});
            for (const auto &word : listWords(value))
                if (op == "-=" && patternReachesLoaderVariable(word))
                    out.hits.push_back({word, number, "env_delete -=", line});
        } else if (name == "!env_delete") {
            out.hits.push_back({"LD_*", number, "!env_delete", line});
        }
    }
}

std::optional<SudoersAnalysis::Include> parseInclude(const std::string &line, int number)
{
    for (const std::string_view directive : {"@includedir", "#includedir", "@include", "#include"}) {
        if (line.rfind(directive, 0) != 0 || line.size() <= directive.size() ||
            !std::isspace(static_cast<unsigned char>(line[directive.size()])))
            continue;
        std::string path = trim(std::string_view(line).substr(directive.size()));
        if (path.size() >= 2 && path.front() == '"' && path.back() == '"')
            path = path.substr(1, path.size() - 2);
        return SudoersAnalysis::Include{path, directive.find("dir") != std::string_view::npos, number};
    }
    return std::nullopt;
}

} // namespace

bool sudoReadsIncludedName(std::string_view name)
{
    return !name.empty() && name.back() != '~' && name.find('.') == std::string_view::npos;
}

SudoersAnalysis analyseSudoers(const std::vector<std::string> &lines)
{
    SudoersAnalysis out;
    for (const auto &[number, raw] : joinContinuationLines(lines)) {
        const std::string line = trim(raw);
        if (auto include = parseInclude(line, number)) {
            out.includes.push_back(std::move(*include));
            continue;
        }
        const std::string code = trim(stripSudoComment(line));
        if (code.empty())
            continue;
        if (code.rfind("Defaults", 0) == 0) {
            // Defaults, Defaults:user, Defaults@host, Defaults!cmd, Defaults>runas: the
            // parameters follow the first blank.
            const auto blank = code.find_first_of(" \t");
            if (blank != std::string::npos)
                analyseDefaults(code.substr(blank + 1), number, code, out);
            continue;
        }
        if (code.find("SETENV:") != std::string::npos && code.find("NOSETENV:") == std::string::npos)
            out.hits.push_back({"LD_*", number, "SETENV tag", code});
    }
    return out;
}

} // namespace loadlens::posture
