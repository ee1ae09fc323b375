#include "report/json_stream.h"

#include <charconv>

namespace loadlens::report {

namespace {

std::size_t utf8SequenceLength(std::string_view s, std::size_t i)
{
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || i + len > s.size())
        return 0;
    for (std::size_t k = 1; k < len; ++k)
        if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2)
            return 0;
    return len;
}

} // namespace

void appendJsonString(std::string &out, std::string_view text)
{
    static const char hex[] = "0123456789abcdef";
    out += '"';
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            // Copy the run of plain ASCII in one go.
            std::size_t j = i + 1;
            while (j < text.size()) {
                const auto d = static_cast<unsigned char>(text[j]);
                if (d < 0x20 || d >= 0x80 || d == '"' || d == '\\')
                    break;
                ++j;
            }
            out.append(text.data() + i, j - i);
            i = j;
            continue;
        }
        switch (c) {
        case '"': out += "\\\""; ++i; continue;
        case '\\': out += "\\\\"; ++i; continue;
        case '\n': out += "\\n"; ++i; continue;
        case '\r': out += "\\r"; ++i; continue;
        case '\t': out += "\\t"; ++i; continue;
        default: break;
        }
        if (c < 0x20) {
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 0xf];
            ++i;
            continue;
        }
        const std::size_t len = utf8SequenceLength(text, i);
        if (len == 0) {
            out += "\xef\xbf\xbd";
            ++i;
        } else {
            out.append(text.data() + i, len);
            i += len;
        }
    }
    out += '"';
}

void JsonStream::separate()
{
    if (m_afterKey) {
        m_afterKey = false;
        return;
    }
    if (!m_first.empty()) {
        if (!m_first.back())
            m_out += ',';
        m_first.back() = false;
    }
}

JsonStream &JsonStream::beginObject()
{
    separate();
    m_out += '{';
    m_first.push_back(true);
    return *this;
}

JsonStream &JsonStream::endObject()
{
    m_out += '}';
    m_first.pop_back();
    return *this;
}

JsonStream &JsonStream::beginArray()
{
    separate();
    m_out += '[';
    m_first.push_back(true);
    return *this;
}

JsonStream &JsonStream::endArray()
{
    m_out += ']';
    m_first.pop_back();
    return *this;
}

JsonStream &JsonStream::key(std::string_view name)
{
    separate();
    appendJsonString(m_out, name);
    m_out += ':';
    m_afterKey = true;
    return *this;
}

JsonStream &JsonStream::value(std::string_view text)
{
    separate();
    appendJsonString(m_out, text);
    return *this;
}

JsonStream &JsonStream::value(bool b)
{
    separate();
    m_out += b ? "true" : "false";
    return *this;
}

JsonStream &JsonStream::null()
{
    separate();
    m_out += "null";
    return *this;
}

JsonStream &JsonStream::value(std::int64_t n)
{
    separate();
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
    m_out.append(buf, end);
    return *this;
}

JsonStream &JsonStream::value(std::uint64_t n)
{
    separate();
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
    m_out.append(buf, end);
    return *this;
}

} // namespace loadlens::report
