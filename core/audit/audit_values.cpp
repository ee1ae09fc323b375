#include "audit/audit_values.h"

#include <algorithm>
#include <map>

namespace loadlens::audit {

namespace {

// Argument numbers and chunk indexes above this are ignored: the kernel never logs that many
// (ARG_MAX), and it bounds memory on hostile input.
constexpr std::size_t kMaxArgumentIndex = 1u << 16;

} // namespace


std::optional<std::string> decodeHex(std::string_view hex)
{
    if (hex.size() % 2 != 0)
        return std::nullopt;
    std::string out;
    out.resize(hex.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int high = hexDigitValue(hex[2 * i]);
        const int low = hexDigitValue(hex[2 * i + 1]);
        if (high < 0 || low < 0)
            return std::nullopt;
        out[i] = char((high << 4) | low);
    }
    return out;
}

std::string decodeValue(std::string_view raw)
{
    if (raw.size() >= 1 && raw.front() == '"') {
        raw.remove_prefix(1);
        if (!raw.empty() && raw.back() == '"')
            raw.remove_suffix(1);
        return std::string(raw);
    }
    if (raw.size() >= 2) {
        if (auto decoded = decodeHex(raw))
            return std::move(*decoded);
    }
    return std::string(raw);
}

std::string decodeProctitle(std::string_view raw)
{
    std::string text = decodeValue(raw);
    while (!text.empty() && text.back() == '\0')
        text.pop_back();
    std::replace(text.begin(), text.end(), '\0', ' ');
    return text;
}

std::optional<std::uint64_t> parseUnsigned(std::string_view text, int base)
{
    if (text.empty() || text.size() > (base == 16 ? 16u : 19u))
        return std::nullopt;
    std::uint64_t value = 0;
    for (char c : text) {
        const int digit = hexDigitValue(c);
        if (digit < 0 || digit >= base)
            return std::nullopt;
        value = value * std::uint64_t(base) + std::uint64_t(digit);
    }
    return value;
}

void ExecveArguments::addField(std::string_view name, std::string_view value)
{
    if (name == "argc") {
        m_argc = parseUnsigned(value).value_or(0);
        return;
    }
    if (name.size() < 2 || name.front() != 'a')
        return;
    std::size_t pos = 1;
    std::size_t argument = 0;
    while (pos < name.size() && name[pos] >= '0' && name[pos] <= '9' && argument <= kMaxArgumentIndex)
        argument = argument * 10 + std::size_t(name[pos++] - '0');
    if (pos == 1 || argument > kMaxArgumentIndex)
        return;
    if (pos == name.size()) {
        m_whole.emplace_back(argument, decodeValue(value));
        return;
    }
    if (name[pos] != '[' || name.back() != ']')
        return;  // aN_len says how long the split argument is; the chunks carry the text
    const auto index = parseUnsigned(name.substr(pos + 1, name.size() - pos - 2));
    if (!index || *index > kMaxArgumentIndex)
        return;
    m_chunks.push_back({argument, std::size_t(*index), decodeValue(value)});
}

std::vector<std::string> ExecveArguments::arguments() const
{
    std::size_t count = std::size_t(std::min<std::uint64_t>(m_argc, kMaxArgumentIndex));
    for (const auto &[argument, text] : m_whole)
        count = std::max(count, argument + 1);
    for (const auto &chunk : m_chunks)
        count = std::max(count, chunk.argument + 1);
    std::vector<std::string> out(count);
    for (const auto &[argument, text] : m_whole)
        out[argument] = text;
    std::vector<const Chunk *> ordered;
    for (const auto &chunk : m_chunks)
        ordered.push_back(&chunk);
    std::stable_sort(ordered.begin(), ordered.end(), [](const Chunk *a, const Chunk *b) {
        return a->argument != b->argument ? a->argument < b->argument : a->index < b->index;
    });
    for (const Chunk *chunk : ordered)
        out[chunk->argument] += chunk->text;
    return out;
}

std::size_t ExecveArguments::missing() const
{
    std::map<std::size_t, bool> seen;
    for (const auto &[argument, text] : m_whole)
        seen[argument] = true;
    for (const auto &chunk : m_chunks)
        seen[chunk.argument] = true;
    const std::size_t declared = std::size_t(std::min<std::uint64_t>(m_argc, kMaxArgumentIndex));
    std::size_t missing = 0;
    for (std::size_t i = 0; i < declared; ++i)
        if (!seen.count(i))
            ++missing;
    return missing;
}

std::string joinCommandLine(const std::vector<std::string> &arguments)
{
    std::string line;
    for (const auto &argument : arguments) {
        if (!line.empty())
            line += ' ';
        if (argument.find_first_of(" \t\"") != std::string::npos) {
            line += '"';
            for (char c : argument) {
                if (c == '"' || c == '\\')
                    line += '\\';
                line += c;
            }
            line += '"';
        } else {
            line += argument;
        }
    }
    return line;
}

} // namespace loadlens::audit
