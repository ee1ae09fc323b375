#include "audit/audit_record.h"

#include "audit/audit_values.h"

#include <cstring>

namespace loadlens::audit {

namespace {

bool startsWith(std::string_view text, std::string_view prefix)
{
    return text.size() >= prefix.size() && std::memcmp(text.data(), prefix.data(), prefix.size()) == 0;
}

// Parses decimal digits at `pos`; false when there are none or the value overflows.
bool parseDigits(std::string_view text, std::size_t &pos, std::uint64_t &value, std::size_t maxDigits)
{
    const std::size_t start = pos;
    value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (pos - start >= maxDigits)
            return false;
        value = value * 10 + std::uint64_t(text[pos] - '0');
        ++pos;
    }
    return pos > start;
}

bool isBlank(std::string_view line)
{
    for (char c : line)
        if (c != ' ' && c != '\t' && c != '\r')
            return false;
    return true;
}

} // namespace

std::string_view nextToken(std::string_view text, std::size_t &pos)
{
    while (pos < text.size() && text[pos] == ' ')
        ++pos;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] != ' ')
        ++pos;
    return text.substr(start, pos - start);
}

LineKind parseRecordLine(std::string_view line, RecordHeader &header, std::string_view &why)
{
    if (line.empty() || line.front() == '#' || isBlank(line))
        return LineKind::Ignored;
    std::size_t pos = 0;
    header.node = {};
    if (startsWith(line, "node=")) {
        const std::size_t space = line.find(' ');
        if (space == std::string_view::npos) {
            why = "node= without a record after it";
            return LineKind::Malformed;
        }
        header.node = line.substr(5, space - 5);
        pos = space + 1;
    }
    if (!startsWith(line.substr(pos), "type=")) {
        why = "no type= at the start of the line";
        return LineKind::Malformed;
    }
    pos += 5;
    const std::size_t typeEnd = line.find(' ', pos);
    if (typeEnd == std::string_view::npos || typeEnd == pos) {
        why = "no msg=audit(...) after type=";
        return LineKind::Malformed;
    }
    header.type = line.substr(pos, typeEnd - pos);
    pos = typeEnd + 1;
    if (!startsWith(line.substr(pos), "msg=audit(")) {
        why = "no msg=audit(SECONDS.MILLIS:SERIAL) after type=";
        return LineKind::Malformed;
    }
    pos += 10;
    std::uint64_t seconds = 0;
    std::uint64_t millis = 0;
    std::uint64_t serial = 0;
    if (!parseDigits(line, pos, seconds, 18) || pos >= line.size() || line[pos] != '.' ||
        !parseDigits(line, ++pos, millis, 9) || pos >= line.size() || line[pos] != ':' ||
        !parseDigits(line, ++pos, serial, 19) || pos >= line.size() || line[pos] != ')') {
        why = "malformed audit(SECONDS.MILLIS:SERIAL) stamp";
        return LineKind::Malformed;
    }
    // Times are kept in microseconds and events keyed by milliseconds in 64 bits; a stamp past
    // the year 9999 is no real clock and would overflow them.
    if (seconds > kMaxAuditSeconds) {
        why = "audit(SECONDS...) stamp after the year 9999; the record is skipped";
        return LineKind::Malformed;
    }
    ++pos;
    // The fields start after the next space, as in auparse, which drops the whole
    // "msg=audit(...):" token even when something is glued to it.
    const std::size_t space = line.find(' ', pos);
    header.body = line.substr(space == std::string_view::npos ? line.size() : space + 1);
    header.seconds = std::int64_t(seconds);
    header.millis = std::uint32_t(millis);
    header.serial = serial;
    return LineKind::Record;
}

std::string_view rawFields(std::string_view body)
{
    const std::size_t sep = body.find(kEnrichedSeparator);
    return sep == std::string_view::npos ? body : body.substr(0, sep);
}

std::string_view enrichedFields(std::string_view body)
{
    const std::size_t sep = body.find(kEnrichedSeparator);
    return sep == std::string_view::npos ? std::string_view() : body.substr(sep + 1);
}

FieldSplitter::Step FieldSplitter::prepare(std::string_view token, std::size_t fieldsSoFar, bool avc,
                                           std::string_view &name, std::string_view &value)
{
    std::size_t eq = token.find('=');
    if (eq == std::string_view::npos) {
        if (!avc)
            return Step::Skip;
        // SELinux AVC messages leave the result and the permissions unlabelled.
        if (fieldsSoFar == 0) {
            if (startsWith(token, "avc"))
                return Step::Skip;
            name = "seresult";
            value = token;
            return Step::Emit;
        }
        if (fieldsSoFar == 1) {
            if (token.front() == '{')
                return Step::Seperms;
            name = {};
            value = token;
            return Step::Emit;
        }
        return Step::Skip;
    }
    if (startsWith(token, "msg=")) {
        if (token.size() > 4 && token[4] == 'a')
            return Step::Skip;
        if (token.size() > 4 && token[4] == '\'') {
            token.remove_prefix(5);
            eq = token.find('=');
            if (eq == std::string_view::npos)
                return Step::Skip;
        }
    }
    name = token.substr(0, eq);
    value = token.substr(eq + 1);
    if (value.empty())
        return Step::Skip;  // auparse drops "mac=" and the like; a value emptied by trimming stays
    if (!name.empty() && name.front() == '(')
        name.remove_prefix(1);
    for (char trailing : {':', ',', '\''})
        if (!value.empty() && value.back() == trailing)
            value.remove_suffix(1);
    if (!value.empty() && value.back() == ')' && value != "(none)" && value != "(null)")
        value.remove_suffix(1);
    return Step::Emit;
}

bool FieldSplitter::splitKey(std::string_view value)
{
    if (value.empty() || value.front() == '(' || value.front() == '"')
        return false;
    std::size_t hexLength = 0;
    while (hexLength < value.size() && hexDigitValue(value[hexLength]) >= 0)
        ++hexLength;
    if (hexLength < 2)
        return false;
    m_scratch.clear();
    for (std::size_t i = 0; i < hexLength; i += 2) {
        const int high = hexDigitValue(value[i]);
        const int low = i + 1 < hexLength ? hexDigitValue(value[i + 1]) : 0;
        m_scratch += char((high << 4) | low);
    }
    // auparse stops the decoded text at the first NUL and splits it on 0x01 separators.
    m_scratch.resize(std::strlen(m_scratch.c_str()));
    m_keys.clear();
    std::size_t at = 0;
    while (at <= m_scratch.size()) {
        std::size_t end = m_scratch.find('\x01', at);
        if (end == std::string::npos)
            end = m_scratch.size();
        const std::string_view part = std::string_view(m_scratch).substr(at, end - at);
        at = end + 1;
        if (part.empty())
            continue;
        bool needsHex = false;
        for (unsigned char c : part)
            if (c == '"' || c < 0x21 || c > 0x7f)
                needsHex = true;
        if (needsHex) {
            static const char digits[] = "0123456789ABCDEF";
            for (unsigned char c : part) {
                m_keys += digits[c >> 4];
                m_keys += digits[c & 0x0f];
            }
        } else {
            m_keys += '"';
            m_keys += part;
            m_keys += '"';
        }
        m_keys += '\0';
    }
    return true;
}

} // namespace loadlens::audit
