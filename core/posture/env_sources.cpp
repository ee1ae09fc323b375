#include "posture/env_sources.h"

#include "posture/posture_fs.h"

#include <cctype>

namespace loadlens::posture {

namespace {

bool isNameChar(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Text before a '#' that starts a shell comment (at the start or after a blank, outside quotes).
std::string stripShellComment(std::string_view line)
{
    char quote = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quote) {
            if (c == quote)
                quote = 0;
            else if (c == '\\' && quote == '"')
                ++i;
            continue;
        }
        if (c == '\\') {
            ++i;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '#' && (i == 0 || std::isspace(static_cast<unsigned char>(line[i - 1])))) {
            return std::string(line.substr(0, i));
        }
    }
    return std::string(line);
}

// Splits at ; & | ( ) ` outside quotes: each piece starts a simple command.
std::vector<std::string> shellStatements(std::string_view text)
{
    std::vector<std::string> out;
    std::string current;
    char quote = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quote) {
            current += c;
            if (c == quote)
                quote = 0;
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            current += c;
        } else if (c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '`') {
            out.push_back(std::move(current));
            current.clear();
        } else {
            current += c;
        }
    }
    out.push_back(std::move(current));
    return out;
}

// Whitespace-separated words; quoted stretches stay inside their word.
std::vector<std::string> shellWords(std::string_view text)
{
    std::vector<std::string> words;
    std::string current;
    char quote = 0;
    bool inWord = false;
    for (const char c : text) {
        if (quote) {
            current += c;
            if (c == quote)
                quote = 0;
            continue;
        }
        if (std::isspace(static_cast<unsigned char>(c))) {
            if (inWord)
                words.push_back(std::move(current));
            current.clear();
            inWord = false;
            continue;
        }
        if (c == '\'' || c == '"')
            quote = c;
        current += c;
        inWord = true;
    }
    if (inWord)
        words.push_back(std::move(current));
    return words;
}

// "NAME=..." or "NAME+=..." -> NAME; empty when the word is no assignment.
std::string assignedName(std::string_view word)
{
    std::size_t i = 0;
    while (i < word.size() && isNameChar(word[i]))
        ++i;
    if (i == 0 || std::isdigit(static_cast<unsigned char>(word[0])))
        return {};
    if (i < word.size() && word[i] == '=')
        return std::string(word.substr(0, i));
    if (i + 1 < word.size() && word[i] == '+' && word[i + 1] == '=')
        return std::string(word.substr(0, i));
    return {};
}

std::string unquote(std::string_view text)
{
    std::string out;
    char quote = 0;
    for (const char c : text) {
        if (quote) {
            if (c == quote)
                quote = 0;
            else
                out += c;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace

bool isLoaderVariable(std::string_view name)
{
    if (name.size() <= 3 || name.substr(0, 3) != "LD_")
        return false;
    for (const char c : name)
        if (!isNameChar(c))
            return false;
    return true;
}

std::vector<VariableHit> findInShellScript(const std::vector<std::string> &lines)
{
    std::vector<VariableHit> hits;
    for (const auto &[number, raw] : joinContinuationLines(lines)) {
        const std::string code = stripShellComment(raw);
        if (code.find("LD_") == std::string::npos)
            continue;
        for (const auto &statement : shellStatements(code)) {
            auto words = shellWords(statement);
            std::size_t i = 0;
            // Keywords that may open a simple command in start-up files.
            while (i < words.size() && (words[i] == "then" || words[i] == "do" || words[i] == "else" ||
                                        words[i] == "{" || words[i] == "!" || words[i] == "env"))
                ++i;
            if (i >= words.size())
                continue;
            const std::string &head = words[i];
            if (head == "export" || head == "declare" || head == "typeset" || head == "readonly" ||
                head == "local") {
                bool exported = head == "export";
                for (std::size_t j = i + 1; j < words.size(); ++j) {
                    const std::string &w = words[j];
                    if (!w.empty() && w.front() == '-') {
                        exported = exported || w.find('x') != std::string::npos;
                        continue;
                    }
                    std::string name = assignedName(w);
                    if (name.empty())
                        name = w;
                    if (isLoaderVariable(name))
                        hits.push_back({name, number, exported ? "exported" : "assigned", trim(raw)});
                }
                continue;
            }
            for (; i < words.size(); ++i) {
                const std::string name = assignedName(words[i]);
                if (name.empty())
                    break;
                if (isLoaderVariable(name))
                    hits.push_back({name, number, "assigned", trim(raw)});
            }
        }
    }
    return hits;
}

std::vector<VariableHit> findInEnvironmentFile(const std::vector<std::string> &lines)
{
    std::vector<VariableHit> hits;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string line = trim(lines[i]);
        if (line.empty() || line.front() == '#' || line.front() == ';')
            continue;
        if (line.rfind("export ", 0) == 0)
            line = trim(line.substr(7));
        const std::string name = assignedName(line);
        if (isLoaderVariable(name))
            hits.push_back({name, static_cast<int>(i) + 1, "set", trim(lines[i])});
    }
    return hits;
}

std::vector<VariableHit> findInPamEnvConf(const std::vector<std::string> &lines)
{
    std::vector<VariableHit> hits;
    for (const auto &[number, raw] : joinContinuationLines(lines)) {
        const std::string line = trim(raw);
        if (line.empty() || line.front() == '#')
            continue;
        const auto words = shellWords(line);
        if (!words.empty() && isLoaderVariable(words.front()))
            hits.push_back({words.front(), number, "pam_env", line});
    }
    return hits;
}

UnitEnvironment findInSystemdUnit(const std::vector<std::string> &lines)
{
    UnitEnvironment out;
    for (const auto &[number, raw] : joinContinuationLines(lines)) {
        const std::string line = trim(raw);
        if (line.empty() || line.front() == '#' || line.front() == ';' || line.front() == '[')
            continue;
        const auto eq = line.find('=');
        if (eq == std::string::npos)
            continue;
        const std::string key = trim(std::string_view(line).substr(0, eq));
        const std::string value = trim(std::string_view(line).substr(eq + 1));
        if (key == "Environment" || key == "DefaultEnvironment") {
            for (const auto &word : shellWords(value)) {
                const std::string name = assignedName(unquote(word));
                if (isLoaderVariable(name))
                    out.hits.push_back({name, number, key + "=", line});
            }
        } else if (key == "PassEnvironment") {
            for (const auto &word : shellWords(value))
                if (isLoaderVariable(unquote(word)))
                    out.hits.push_back({unquote(word), number, key + "=", line});
        } else if (key == "EnvironmentFile" && !value.empty()) {
            UnitEnvironment::FileRef ref;
            ref.optional = value.front() == '-';
            ref.path = trim(ref.optional ? value.substr(1) : value);
            ref.line = number;
            out.environmentFiles.push_back(std::move(ref));
        }
    }
    return out;
}

} // namespace loadlens::posture
