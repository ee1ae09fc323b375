// Wine's text registry files ("WINE REGISTRY Version 2"): [Key\\Path] sections with
// "Name"=... values: "text", str(2):"expand", str(7):"multi\0", dword:, hex:, hex(N):.
#include "common/io.h"
#include "common/utf16.h"
#include "winreg/registry.h"

#include <map>
#include <set>

namespace loadlens::winreg {

namespace {

constexpr std::size_t kMaxFileBytes = 256u << 20;

void appendUtf8(std::string &out, std::uint32_t c)
{
    if (c < 0x80) {
        out += char(c);
    } else if (c < 0x800) {
        out += char(0xc0 | (c >> 6));
        out += char(0x80 | (c & 0x3f));
    } else {
        out += char(0xe0 | (c >> 12));
        out += char(0x80 | ((c >> 6) & 0x3f));
        out += char(0x80 | (c & 0x3f));
    }
}

// Reads a quoted string starting at text[at] == '"'; returns it unescaped and moves `at` past
// the closing quote. Nothing when unterminated.
std::optional<std::string> quoted(const std::string &text, std::size_t &at)
{
    if (at >= text.size() || text[at] != '"')
        return std::nullopt;
    std::string out;
    for (std::size_t i = at + 1; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') {
            at = i + 1;
            return out;
        }
        if (c != '\\' || i + 1 >= text.size()) {
            out += c;
            continue;
        }
        const char e = text[++i];
        switch (e) {
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case '0': out += '\0'; break;
        case 'x': {
            std::uint32_t code = 0;
            int digits = 0;
            while (digits < 4 && i + 1 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1]))) {
                const char h = text[++i];
                code = code * 16 + std::uint32_t(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
                ++digits;
            }
            appendUtf8(out, code);
            break;
        }
        default: out += e; // \\ and \" and anything else stand for themselves
        }
    }
    return std::nullopt;
}

std::vector<std::uint8_t> hexBytes(const std::string &list)
{
    std::vector<std::uint8_t> out;
    int nibble = -1;
    for (char c : list) {
        int v = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
        if (v < 0) {
            nibble = -1;
            continue;
        }
        if (nibble < 0) {
            nibble = v;
        } else {
            out.push_back(std::uint8_t(nibble * 16 + v));
            nibble = -1;
        }
    }
    return out;
}

std::vector<std::string> splitNul(const std::string &s)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < s.size()) {
        const auto nul = s.find('\0', start);
        const std::string part = s.substr(start, nul == std::string::npos ? std::string::npos : nul - start);
        if (part.empty())
            break;
        out.push_back(part);
        if (nul == std::string::npos)
            break;
        start = nul + 1;
    }
    return out;
}

// hex(N): values: the registry type N with its raw little-endian / UTF-16 data.
void decodeTyped(Value &v, int kind)
{
    switch (kind) {
    case 1:
    case 2:
        v.type = kind == 2 ? Value::Type::ExpandString : Value::Type::String;
        v.text = utf8FromUtf16(v.data);
        v.data.clear();
        break;
    case 7: {
        v.type = Value::Type::MultiString;
        std::size_t start = 0;
        for (std::size_t i = 0; i + 1 < v.data.size(); i += 2) {
            if (v.data[i] == 0 && v.data[i + 1] == 0) {
                if (i == start)
                    break;
                v.strings.push_back(utf8FromUtf16(std::span<const std::uint8_t>(v.data).subspan(start, i - start)));
                start = i + 2;
            }
        }
        v.data.clear();
        break;
    }
    case 4:
    case 0xb:
        v.type = kind == 4 ? Value::Type::Dword : Value::Type::Qword;
        for (std::size_t i = 0; i < (kind == 4 ? 4u : 8u) && i < v.data.size(); ++i)
            v.number |= std::uint64_t(v.data[i]) << (8 * i);
        v.data.clear();
        break;
    case 3:
        v.type = Value::Type::Binary;
        break;
    default:
        v.type = kind == 0 ? Value::Type::None : Value::Type::Other;
    }
}

class WineHive final : public Hive {
public:
    explicit WineHive(std::string path) : m_path(std::move(path)) {}
    const std::string &source() const override { return m_path; }
    std::vector<std::string> problems() const override { return m_problems; }

    std::optional<Key> key(const std::string &path) const override
    {
        const auto it = m_keys.find(foldCase(path));
        if (it == m_keys.end())
            return std::nullopt;
        Key k = it->second;
        if (const auto children = m_children.find(foldCase(path)); children != m_children.end())
            k.subkeys.assign(children->second.begin(), children->second.end());
        return k;
    }

    Status parse(const std::string &text, const std::string &prefix)
    {
        if (text.rfind("WINE REGISTRY Version 2", 0) != 0)
            return Error{0, m_path + ": not a Wine registry file (no \"WINE REGISTRY Version 2\" header)"};
        const std::string foldedPrefix = foldCase(prefix);
        Key *current = nullptr;
        std::size_t lineNumber = 0;
        std::size_t at = 0;
        while (at < text.size()) {
            // One logical line: physical lines joined where they end in a backslash (hex lists).
            std::string line;
            for (;;) {
                const auto nl = text.find('\n', at);
                std::string part = text.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
                at = nl == std::string::npos ? text.size() : nl + 1;
                ++lineNumber;
                if (!part.empty() && part.back() == '\r')
                    part.pop_back();
                const bool hexValue = (line + part).find("=hex") != std::string::npos;
                if (!part.empty() && part.back() == '\\' && hexValue && at < text.size()) {
                    part.pop_back();
                    line += part;
                    continue;
                }
                line += part;
                break;
            }
            if (line.empty() || line[0] == ';' || line[0] == '#')
                continue;
            if (line[0] == '[') {
                const auto close = line.rfind(']');
                if (close == std::string::npos) {
                    problem(lineNumber, "unterminated key name");
                    current = nullptr;
                    continue;
                }
                std::string name;
                for (std::size_t i = 1; i < close; ++i) {
                    if (line[i] == '\\' && i + 1 < close && line[i + 1] == '\\')
                        ++i;
                    name += line[i];
                }
                current = enter(name, foldedPrefix);
                continue;
            }
            if (!current)
                continue;
            Value v;
            std::size_t p = 0;
            if (line[0] == '@') {
                p = 1;
            } else if (auto name = quoted(line, p)) {
                v.name = *name;
            } else {
                problem(lineNumber, "unreadable value name");
                continue;
            }
            if (p >= line.size() || line[p] != '=') {
                problem(lineNumber, "value without '='");
                continue;
            }
            ++p;
            const std::string rest = line.substr(p);
            if (!rest.empty() && rest[0] == '"') {
                std::size_t q = 0;
                const auto s = quoted(rest, q);
                if (!s) {
                    problem(lineNumber, "unterminated string");
                    continue;
                }
                v.type = Value::Type::String;
                v.text = *s;
            } else if (rest.rfind("str(", 0) == 0) {
                const auto colon = rest.find("):");
                std::size_t q = colon == std::string::npos ? rest.size() : colon + 2;
                const auto s = quoted(rest, q);
                if (!s) {
                    problem(lineNumber, "unterminated string");
                    continue;
                }
                const int kind = std::atoi(rest.c_str() + 4);
                if (kind == 7) {
                    v.type = Value::Type::MultiString;
                    v.strings = splitNul(*s);
                } else {
                    v.type = kind == 2 ? Value::Type::ExpandString : Value::Type::String;
                    v.text = s->substr(0, s->find('\0'));
                }
            } else if (rest.rfind("dword:", 0) == 0) {
                v.type = Value::Type::Dword;
                v.number = std::strtoull(rest.c_str() + 6, nullptr, 16);
            } else if (rest.rfind("hex", 0) == 0) {
                const auto colon = rest.find(':');
                v.data = hexBytes(colon == std::string::npos ? std::string() : rest.substr(colon + 1));
                const int kind = rest.rfind("hex(", 0) == 0 ? int(std::strtol(rest.c_str() + 4, nullptr, 16)) : 3;
                decodeTyped(v, kind);
            } else {
                v.type = Value::Type::Other;
                v.text = rest;
            }
            current->values.push_back(std::move(v));
        }
        return Ok{};
    }

private:
    Key *enter(const std::string &fullName, const std::string &foldedPrefix)
    {
        std::string folded = foldCase(fullName);
        std::string name = fullName;
        if (!foldedPrefix.empty()) {
            if (folded == foldedPrefix) {
                folded.clear();
                name.clear();
            } else if (folded.rfind(foldedPrefix + "\\", 0) == 0) {
                folded = folded.substr(foldedPrefix.size() + 1);
                name = name.substr(foldedPrefix.size() + 1);
            } else {
                return nullptr;
            }
        }
        // Every ancestor exists as a key and lists its child.
        std::size_t from = 0;
        std::string parent;
        m_keys.try_emplace(std::string());
        while (true) {
            const auto sep = name.find('\\', from);
            const std::string path = name.substr(0, sep);
            const std::string leaf = name.substr(from, sep == std::string::npos ? std::string::npos : sep - from);
            if (!leaf.empty()) {
                auto &k = m_keys[foldCase(path)];
                if (k.name.empty())
                    k.name = leaf;
                m_children[parent].insert(leaf);
            }
            if (sep == std::string::npos)
                break;
            parent = foldCase(path);
            from = sep + 1;
        }
        return &m_keys[folded];
    }

    void problem(std::size_t line, const std::string &what)
    {
        if (m_problems.size() < 64)
            m_problems.push_back(m_path + ":" + std::to_string(line) + ": " + what + "; the value was left out");
    }

    std::string m_path;
    std::map<std::string, Key> m_keys;                       // folded path -> key
    std::map<std::string, std::set<std::string>> m_children; // folded path -> child names
    std::vector<std::string> m_problems;
};

} // namespace

Result<std::unique_ptr<Hive>> openWineRegistry(const std::string &path, const std::string &prefix)
{
    auto content = io::readFile(path, kMaxFileBytes);
    if (!content)
        return content.error();
    if (content->truncated)
        return Error{0, path + ": larger than " + std::to_string(kMaxFileBytes >> 20) + " MiB"};
    return parseWineRegistry(content->data, path, prefix);
}

Result<std::unique_ptr<Hive>> parseWineRegistry(const std::string &text, const std::string &name, const std::string &prefix)
{
    auto hive = std::make_unique<WineHive>(name);
    if (auto s = hive->parse(text, prefix); !s)
        return s.error();
    return std::unique_ptr<Hive>(std::move(hive));
}

} // namespace loadlens::winreg
