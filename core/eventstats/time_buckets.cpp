#include "eventstats/time_buckets.h"

#include <array>
#include <chrono>
#include <cstdio>

namespace loadlens::eventstats {

namespace {

constexpr std::int64_t kUsPerSecond = 1'000'000;
constexpr std::int64_t kDayUs = 86'400 * kUsPerSecond;
constexpr std::int64_t kMondayUs = 4 * kDayUs;  // 1970-01-05 was a Monday

std::int64_t floorTo(std::int64_t value, std::int64_t width)
{
    return value - (((value % width) + width) % width);
}

std::chrono::sys_days dayOf(std::int64_t timeUs)
{
    return std::chrono::sys_days(std::chrono::days(floorTo(timeUs, kDayUs) / kDayUs));
}

std::int64_t usOf(std::chrono::sys_days day)
{
    return static_cast<std::int64_t>(day.time_since_epoch().count()) * kDayUs;
}

struct Civil {
    int year;
    unsigned month;
    unsigned day;
    std::int64_t secondOfDay;
    std::int64_t fraction;  // microseconds
};

Civil civilOf(std::int64_t timeUs)
{
    const std::chrono::year_month_day ymd(dayOf(timeUs));
    const std::int64_t inDay = timeUs - floorTo(timeUs, kDayUs);
    return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
            inDay / kUsPerSecond, inDay % kUsPerSecond};
}

std::string dateText(const Civil &c)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", c.year, c.month, c.day);
    return buffer;
}

std::string clockText(const Civil &c, bool seconds)
{
    char buffer[16];
    const auto h = static_cast<int>(c.secondOfDay / 3600);
    const auto m = static_cast<int>(c.secondOfDay / 60 % 60);
    const auto s = static_cast<int>(c.secondOfDay % 60);
    if (seconds)
        std::snprintf(buffer, sizeof buffer, "%02d:%02d:%02d", h, m, s);
    else
        std::snprintf(buffer, sizeof buffer, "%02d:%02d", h, m);
    return buffer;
}

} // namespace

std::int64_t bucketFloorUs(const BucketWidth &width, std::int64_t timeUs)
{
    using namespace std::chrono;
    switch (width.unit) {
    case BucketUnit::Seconds: return floorTo(timeUs, std::max<std::int64_t>(1, width.seconds) * kUsPerSecond);
    case BucketUnit::Day: return floorTo(timeUs, kDayUs);
    case BucketUnit::Week: return floorTo(timeUs - kMondayUs, 7 * kDayUs) + kMondayUs;
    case BucketUnit::Month: {
        const year_month_day ymd(dayOf(timeUs));
        return usOf(sys_days(ymd.year() / ymd.month() / 1));
    }
    case BucketUnit::Year: {
        const year_month_day ymd(dayOf(timeUs));
        return usOf(sys_days(ymd.year() / January / 1));
    }
    }
    return timeUs;
}

std::int64_t bucketNextUs(const BucketWidth &width, std::int64_t startUs)
{
    using namespace std::chrono;
    switch (width.unit) {
    case BucketUnit::Seconds: return startUs + std::max<std::int64_t>(1, width.seconds) * kUsPerSecond;
    case BucketUnit::Day: return startUs + kDayUs;
    case BucketUnit::Week: return startUs + 7 * kDayUs;
    case BucketUnit::Month: {
        const year_month_day ymd(dayOf(startUs));
        return usOf(sys_days((ymd.year() / ymd.month() / 1) + months(1)));
    }
    case BucketUnit::Year: {
        const year_month_day ymd(dayOf(startUs));
        return usOf(sys_days((ymd.year() + years(1)) / January / 1));
    }
    }
    return startUs + kUsPerSecond;
}

BucketWidth bucketWidthFor(std::int64_t spanUs, int target)
{
    static constexpr std::array<std::int64_t, 12> kSeconds{1,    5,    10,        30,        60,        300,
                                                           600,  1800, 3600,      3 * 3600,  6 * 3600,  12 * 3600};
    const std::int64_t wanted = std::max<std::int64_t>(1, spanUs / kUsPerSecond / std::max(1, target));
    for (const std::int64_t seconds : kSeconds)
        if (seconds >= wanted)
            return {BucketUnit::Seconds, seconds};
    if (wanted <= 86'400)
        return {BucketUnit::Day, 0};
    if (wanted <= 7 * 86'400)
        return {BucketUnit::Week, 0};
    if (wanted <= 31 * 86'400)
        return {BucketUnit::Month, 0};
    return {BucketUnit::Year, 0};
}

std::string bucketWidthText(const BucketWidth &width)
{
    switch (width.unit) {
    case BucketUnit::Seconds:
        if (width.seconds % 3600 == 0)
            return std::to_string(width.seconds / 3600) + " h";
        if (width.seconds % 60 == 0)
            return std::to_string(width.seconds / 60) + " min";
        return std::to_string(width.seconds) + " s";
    case BucketUnit::Day: return "day";
    case BucketUnit::Week: return "week";
    case BucketUnit::Month: return "month";
    case BucketUnit::Year: return "year";
    }
    return {};
}

std::string bucketLabel(const BucketWidth &width, std::int64_t startUs, std::optional<std::int64_t> previousStartUs)
{
    const Civil start = civilOf(startUs);
    switch (width.unit) {
    case BucketUnit::Year: return std::to_string(start.year);
    case BucketUnit::Month: return dateText(start).substr(0, dateText(start).size() - 3);
    case BucketUnit::Week:
    case BucketUnit::Day: return dateText(start);
    case BucketUnit::Seconds: break;
    }
    const std::string clock = clockText(start, width.seconds < 60 || start.secondOfDay % 60 != 0);
    if (!previousStartUs || dayOf(*previousStartUs) != dayOf(startUs))
        return dateText(start) + " " + clock;
    return clock;
}

std::string utcText(std::int64_t timeUs, bool microseconds)
{
    const Civil c = civilOf(timeUs);
    std::string text = dateText(c) + " " + clockText(c, true);
    if (microseconds && c.fraction != 0) {
        char buffer[16];
        std::snprintf(buffer, sizeof buffer, ".%06lld", static_cast<long long>(c.fraction));
        text += buffer;
    }
    return text;
}

Result<std::vector<store::EventBucket>> eventBuckets(const store::CaseDatabase &db, const BucketWidth &width,
                                                     const EventQuery &query)
{
    return store::eventBuckets(db, width, query.storeFilter());
}

} // namespace loadlens::eventstats
