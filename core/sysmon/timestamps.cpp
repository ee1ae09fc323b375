#include "sysmon/timestamps.h"

#include <cmath>

namespace loadlens::sysmon {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// Reads exactly `width` digits at `pos`.
bool digits(std::string_view s, std::size_t &pos, std::size_t width, int &out)
{
    if (pos + width > s.size())
        return false;
    int value = 0;
    for (std::size_t i = 0; i < width; ++i) {
        if (!isDigit(s[pos + i]))
            return false;
        value = value * 10 + (s[pos + i] - '0');
    }
    out = value;
    pos += width;
    return true;
}

bool expect(std::string_view s, std::size_t &pos, char c)
{
    if (pos < s.size() && s[pos] == c) {
        ++pos;
        return true;
    }
    return false;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '"'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '"' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

std::optional<std::int64_t> parseNumber(std::string_view s)
{
    double value = 0;
    bool any = false;
    bool fraction = false;
    double scale = 1;
    for (char c : s) {
        if (isDigit(c)) {
            any = true;
            if (fraction) {
                scale /= 10;
                value += (c - '0') * scale;
            } else {
                value = value * 10 + (c - '0');
            }
        } else if (c == '.' && !fraction) {
            fraction = true;
        } else {
            return std::nullopt;
        }
    }
    if (!any)
        return std::nullopt;
    return epochNumberToUs(value);
}

} // namespace

std::optional<std::int64_t> epochNumberToUs(double value)
{
    if (!std::isfinite(value) || value < 0 || value > 9.0e18)
        return std::nullopt;
    if (value < 1e11)
        return static_cast<std::int64_t>(std::llround(value * 1e6));
    if (value < 1e14)
        return static_cast<std::int64_t>(std::llround(value * 1e3));
    return static_cast<std::int64_t>(value);
}

std::optional<std::int64_t> parseTimestampUs(std::string_view text)
{
    const std::string_view s = trim(text);
    if (s.empty())
        return std::nullopt;
    if (s.size() < 10 || s[4] != '-')
        return parseNumber(s);

    std::size_t pos = 0;
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!digits(s, pos, 4, year) || !expect(s, pos, '-') || !digits(s, pos, 2, month) ||
        !expect(s, pos, '-') || !digits(s, pos, 2, day))
        return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || day > 31)
        return std::nullopt;
    std::int64_t micros = 0;
    if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
        ++pos;
        if (!digits(s, pos, 2, hour) || !expect(s, pos, ':') || !digits(s, pos, 2, minute))
            return std::nullopt;
        if (expect(s, pos, ':') && !digits(s, pos, 2, second))
            return std::nullopt;
        if (hour > 23 || minute > 59 || second > 60)
            return std::nullopt;
        if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
            ++pos;
            std::size_t count = 0;
            while (pos < s.size() && isDigit(s[pos])) {
                if (count < 6)
                    micros = micros * 10 + (s[pos] - '0');
                ++count;
                ++pos;
            }
            if (count == 0)
                return std::nullopt;
            for (std::size_t i = count; i < 6; ++i)
                micros *= 10;
        }
    }
    std::int64_t offsetSeconds = 0;
    if (pos < s.size()) {
        const char zone = s[pos];
        if (zone == 'Z' || zone == 'z') {
            ++pos;
        } else if (zone == '+' || zone == '-') {
            ++pos;
            int oh = 0, om = 0;
            if (!digits(s, pos, 2, oh))
                return std::nullopt;
            expect(s, pos, ':');
            if (pos < s.size() && !digits(s, pos, 2, om))
                return std::nullopt;
            if (oh > 23 || om > 59)
                return std::nullopt;
            offsetSeconds = (zone == '+' ? 1 : -1) * (oh * 3600 + om * 60);
        }
        if (pos != s.size())
            return std::nullopt;
    }
    const std::int64_t days = daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds;
    return seconds * 1000000 + micros;
}

} // namespace loadlens::sysmon
