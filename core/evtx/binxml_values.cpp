#include "evtx/binxml_values.h"

#include "evtx/evtx_bytes.h"

#include <charconv>
#include <functional>
#include <algorithm>

namespace loadlens::evtx {

namespace {

constexpr char kHexUpper[] = "0123456789ABCDEF";
constexpr std::int64_t kFileTimeUnixEpoch = 116444736000000000LL;  // 1970-01-01 in FILETIME ticks

void appendCodePoint(std::string &out, std::uint32_t cp)
{
    if (cp < 0x80) {
        out.push_back(char(cp));
    } else if (cp < 0x800) {
        out.push_back(char(0xC0 | (cp >> 6)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(char(0xE0 | (cp >> 12)));
        out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(char(0xF0 | (cp >> 18)));
        out.push_back(char(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    }
}

template<typename T>
void appendNumber(std::string &out, T value)
{
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, res.ptr);
}

constexpr char kHexLower[] = "0123456789abcdef";

// Fixed-width hex digits, most significant first (no prefix).
void appendHexDigits(std::string &out, std::uint64_t value, int digits, const char *alphabet)
{
    char buf[16];
    for (int i = digits - 1; i >= 0; --i, value >>= 4)
        buf[i] = alphabet[value & 15];
    out.append(buf, std::size_t(digits));
}

// "0x" and at least `digits` lower-case digits, as libevtx prints hexadecimal integers.
void appendHex(std::string &out, std::uint64_t value, int digits)
{
    int needed = 1;
    while (needed < 16 && (value >> (4 * needed)))
        ++needed;
    out += "0x";
    appendHexDigits(out, value, std::max(digits, needed), kHexLower);
}

// Zero-padded decimal of exactly `digits` digits.
void appendPadded(std::string &out, unsigned value, int digits)
{
    char buf[10];
    for (int i = digits - 1; i >= 0; --i, value /= 10)
        buf[i] = char('0' + value % 10);
    out.append(buf, std::size_t(digits));
}

void appendIsoTime(std::string &out, int year, unsigned month, unsigned day, unsigned hour, unsigned minute,
                   unsigned second, unsigned nanoseconds)
{
    appendPadded(out, unsigned(year < 0 ? 0 : year), 4);
    out += '-';
    appendPadded(out, month, 2);
    out += '-';
    appendPadded(out, day, 2);
    out += 'T';
    appendPadded(out, hour, 2);
    out += ':';
    appendPadded(out, minute, 2);
    out += ':';
    appendPadded(out, second, 2);
    out += '.';
    appendPadded(out, nanoseconds, 9);
    out += 'Z';
}

// Days since 1970-01-01 to a civil date (proleptic Gregorian), H. Hinnant's algorithm.
void civilFromDays(std::int64_t z, int &year, unsigned &month, unsigned &day)
{
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = unsigned(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y = std::int64_t(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    day = doy - (153 * mp + 2) / 5 + 1;
    month = mp < 10 ? mp + 3 : mp - 9;
    year = int(y + (month <= 2));
}

std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = unsigned(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + std::int64_t(doe) - 719468;
}

void appendFileTime(std::string &out, std::uint64_t ft)
{
    const std::uint64_t secondsSince1601 = ft / 10000000ULL;
    const unsigned fraction = unsigned(ft % 10000000ULL);
    const std::int64_t unixSeconds = std::int64_t(secondsSince1601) - 11644473600LL;
    std::int64_t days = unixSeconds / 86400;
    std::int64_t rem = unixSeconds % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    int year;
    unsigned month, day;
    civilFromDays(days, year, month, day);
    appendIsoTime(out, year, month, day, unsigned(rem / 3600), unsigned(rem / 60 % 60), unsigned(rem % 60),
                  fraction * 100);
}

void appendSystemTime(std::string &out, const std::uint8_t *p)
{
    appendIsoTime(out, le16(p), std::min(le16(p + 2), std::uint16_t(99)), std::min(le16(p + 6), std::uint16_t(99)),
                  std::min(le16(p + 8), std::uint16_t(99)), std::min(le16(p + 10), std::uint16_t(99)),
                  std::min(le16(p + 12), std::uint16_t(99)), std::min(le16(p + 14), std::uint16_t(999)) * 1000000u);
}

void appendGuid(std::string &out, const std::uint8_t *p)
{
    out += '{';
    appendHexDigits(out, le32(p), 8, kHexUpper);
    out += '-';
    appendHexDigits(out, le16(p + 4), 4, kHexUpper);
    out += '-';
    appendHexDigits(out, le16(p + 6), 4, kHexUpper);
    out += '-';
    appendHexDigits(out, std::uint64_t(p[8]) << 8 | p[9], 4, kHexUpper);
    out += '-';
    for (int i = 10; i < 16; ++i)
        appendHexDigits(out, p[i], 2, kHexUpper);
    out += '}';
}

// Returns the bytes used, or 0 when the SID does not fit in `size`.
std::size_t appendSid(std::string &out, const std::uint8_t *p, std::size_t size)
{
    if (size < 8)
        return 0;
    const unsigned subCount = p[1];
    const std::size_t need = 8 + 4 * std::size_t(subCount);
    if (size < need)
        return 0;
    std::uint64_t authority = 0;
    for (int i = 2; i < 8; ++i)
        authority = (authority << 8) | p[i];
    out += "S-";
    appendNumber(out, unsigned(p[0]));
    out += '-';
    if (authority >> 32)
        appendHex(out, authority, 12);
    else
        appendNumber(out, authority);
    for (unsigned i = 0; i < subCount; ++i) {
        out += '-';
        appendNumber(out, le32(p + 8 + 4 * i));
    }
    return need;
}

// Fixed-size scalar types: their size, or 0 for variable-size types.
std::size_t scalarSize(std::uint8_t type)
{
    switch (type) {
    case vt::Int8: case vt::UInt8: return 1;
    case vt::Int16: case vt::UInt16: return 2;
    case vt::Int32: case vt::UInt32: case vt::Real32: case vt::Bool: case vt::HexInt32: return 4;
    case vt::Int64: case vt::UInt64: case vt::Real64: case vt::FileTime: case vt::HexInt64: return 8;
    case vt::Guid: case vt::SysTime: return 16;
    default: return 0;
    }
}

void appendScalar(std::string &out, std::uint8_t type, const std::uint8_t *p)
{
    switch (type) {
    case vt::Int8: appendNumber(out, int(std::int8_t(p[0]))); break;
    case vt::UInt8: appendNumber(out, unsigned(p[0])); break;
    case vt::Int16: appendNumber(out, int(std::int16_t(le16(p)))); break;
    case vt::UInt16: appendNumber(out, unsigned(le16(p))); break;
    case vt::Int32: appendNumber(out, std::int32_t(le32(p))); break;
    case vt::UInt32: appendNumber(out, le32(p)); break;
    case vt::Int64: appendNumber(out, std::int64_t(le64(p))); break;
    case vt::UInt64: appendNumber(out, le64(p)); break;
    case vt::Real32: {
        float f;
        std::memcpy(&f, p, 4);
        appendNumber(out, f);
        break;
    }
    case vt::Real64: {
        double d;
        std::memcpy(&d, p, 8);
        appendNumber(out, d);
        break;
    }
    case vt::Bool: out += le32(p) ? "true" : "false"; break;
    case vt::HexInt32: appendHex(out, le32(p), 8); break;
    case vt::HexInt64: appendHex(out, le64(p), 16); break;
    case vt::FileTime: appendFileTime(out, le64(p)); break;
    case vt::SysTime: appendSystemTime(out, p); break;
    case vt::Guid: appendGuid(out, p); break;
    default: break;
    }
}

} // namespace

void appendUtf16(std::string &out, const std::uint8_t *data, std::size_t units)
{
    // Written in place: one UTF-16 unit never needs more than three UTF-8 bytes (a surrogate
    // pair, two units, needs four).
    const std::size_t old = out.size();
    out.resize(old + 3 * units);
    char *w = out.data() + old;
    for (std::size_t i = 0; i < units; ++i) {
        std::uint32_t c = le16(data + 2 * i);
        if (c < 0x80) {
            if (c == 0)
                break;
            *w++ = char(c);
            continue;
        }
        if (c < 0x800) {
            *w++ = char(0xC0 | (c >> 6));
            *w++ = char(0x80 | (c & 0x3F));
            continue;
        }
        if (c >= 0xD800 && c <= 0xDFFF) {
            const std::uint32_t low = i + 1 < units ? le16(data + 2 * (i + 1)) : 0;
            if (c <= 0xDBFF && low >= 0xDC00 && low <= 0xDFFF) {
                const std::uint32_t cp = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
                *w++ = char(0xF0 | (cp >> 18));
                *w++ = char(0x80 | ((cp >> 12) & 0x3F));
                *w++ = char(0x80 | ((cp >> 6) & 0x3F));
                *w++ = char(0x80 | (cp & 0x3F));
                ++i;
                continue;
            }
            c = 0xFFFD;
        }
        *w++ = char(0xE0 | (c >> 12));
        *w++ = char(0x80 | ((c >> 6) & 0x3F));
        *w++ = char(0x80 | (c & 0x3F));
    }
    out.resize(std::size_t(w - out.data()));
}

void appendValueText(std::string &out, std::uint8_t type, const std::uint8_t *data, std::size_t size)
{
    switch (type) {
    case vt::Null: case vt::BinXml: case vt::EvtHandle: case vt::EvtXml: return;
    case vt::String: appendUtf16(out, data, size / 2); return;
    case vt::AnsiString:
        for (std::size_t i = 0; i < size && data[i]; ++i)
            appendCodePoint(out, data[i]);  // code page 1252 and Latin-1 agree on letters
        return;
    case vt::Binary:
        for (std::size_t i = 0; i < size; ++i) {
            out.push_back(kHexUpper[data[i] >> 4]);
            out.push_back(kHexUpper[data[i] & 15]);
        }
        return;
    case vt::SizeT:
        if (size == 8)
            appendHex(out, le64(data), 16);
        else if (size == 4)
            appendHex(out, le32(data), 8);
        return;
    case vt::Sid: appendSid(out, data, size); return;
    default: break;
    }
    if (type & vt::ArrayFlag) {
        bool first = true;
        forEachArrayItem(type, data, size, [&](std::string_view item) {
            if (!first)
                out += ',';
            out += item;
            first = false;
        });
        return;
    }
    const std::size_t each = scalarSize(type);
    if (each != 0 && size >= each)
        appendScalar(out, type, data);
}

void forEachArrayItem(std::uint8_t type, const std::uint8_t *data, std::size_t size,
                      const std::function<void(std::string_view)> &item)
{
    std::string text;
    const std::uint8_t base = type & std::uint8_t(~vt::ArrayFlag);
    if (base == vt::String) {
        const std::size_t units = size / 2;
        std::size_t start = 0;
        for (std::size_t i = 0; i <= units; ++i) {
            if (i < units && le16(data + 2 * i) != 0)
                continue;
            if (i == units && i == start)
                break;  // no empty item after a final terminator
            text.clear();
            appendUtf16(text, data + 2 * start, i - start);
            item(text);
            start = i + 1;
        }
        return;
    }
    if (base == vt::Sid) {
        while (size > 0) {
            text.clear();
            const std::size_t used = appendSid(text, data, size);
            if (used == 0)
                return;
            item(text);
            data += used;
            size -= used;
        }
        return;
    }
    const std::size_t each = scalarSize(base);
    if (each == 0)
        return;
    for (std::size_t off = 0; off + each <= size; off += each) {
        text.clear();
        appendScalar(text, base, data + off);
        item(text);
    }
}

std::int64_t fileTimeToUnixUs(std::uint64_t fileTime)
{
    constexpr std::uint64_t epoch = std::uint64_t(kFileTimeUnixEpoch);
    if (fileTime >= epoch)
        return std::int64_t((fileTime - epoch) / 10);
    return -std::int64_t((epoch - fileTime + 9) / 10);  // floor, as for times after 1970
}

bool parseIsoTimeUs(std::string_view s, std::int64_t &us)
{
    auto digits = [&](std::size_t at, std::size_t n, unsigned &v) {
        if (at + n > s.size())
            return false;
        v = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (s[i] < '0' || s[i] > '9')
                return false;
            v = v * 10 + unsigned(s[i] - '0');
        }
        return true;
    };
    unsigned y, mo, d, h, mi, sec;
    if (!digits(0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(5, 2, mo) || s[7] != '-' || !digits(8, 2, d) ||
        (s[10] != 'T' && s[10] != ' ') || !digits(11, 2, h) || s[13] != ':' || !digits(14, 2, mi) || s[16] != ':' ||
        !digits(17, 2, sec))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return false;
    std::int64_t micro = 0;
    std::size_t i = 19;
    if (i < s.size() && s[i] == '.') {
        ++i;
        int n = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            if (n < 6) {
                micro = micro * 10 + (s[i] - '0');
                ++n;
            }
            ++i;
        }
        for (; n < 6; ++n)
            micro *= 10;
    }
    const std::int64_t days = daysFromCivil(y, mo, d);
    us = ((days * 86400) + h * 3600 + mi * 60 + sec) * 1000000LL + micro;
    return true;
}

} // namespace loadlens::evtx
