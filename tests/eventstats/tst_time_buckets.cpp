// Chart buckets: calendar-aligned from a day up (day, ISO week, month, year in UTC), labelled by
// their real start; the store's SQL groups events into the same buckets as the C++ arithmetic.
// Expected dates come from QDateTime, independently of the code under test.
#include <QDateTime>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include "eventstats/time_buckets.h"
#include "store/event_store.h"

#include <map>

using namespace loadlens;
using eventstats::BucketUnit;
using eventstats::BucketWidth;

Q_DECLARE_METATYPE(loadlens::store::BucketWidth)

namespace {

std::int64_t us(const char *iso)
{
    QDateTime t = QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODateWithMs);
    t.setTimeZone(QTimeZone::utc());
    return t.toMSecsSinceEpoch() * 1000;
}

LoadEvent eventAt(std::uint64_t record, std::int64_t timeUs, const std::string &source = "sysmon")
{
    LoadEvent e;
    e.source = source;
    e.eventId = source == "sysmon" ? 7 : 0;
    e.kind = source == "sysmon" ? "image-load" : "preload-config-write";
    e.timeUs = timeUs;
    e.host = "WS1";
    e.channel = source == "sysmon" ? "Microsoft-Windows-Sysmon/Operational" : "auditd";
    e.recordId = record;
    e.image = "C:\\Windows\\explorer.exe";
    e.imageLoaded = "C:\\Windows\\System32\\ntdll.dll";
    return e;
}

const BucketWidth kYear{BucketUnit::Year, 0};
const BucketWidth kMonth{BucketUnit::Month, 0};
const BucketWidth kWeek{BucketUnit::Week, 0};
const BucketWidth kDay{BucketUnit::Day, 0};

} // namespace

class TestTimeBuckets : public QObject {
    Q_OBJECT

private slots:
    void floorAndNext_data();
    void floorAndNext();
    void widthForSpan_data();
    void widthForSpan();
    void labels();
    void storeGroupsLikeTheArithmetic_data();
    void storeGroupsLikeTheArithmetic();
};

void TestTimeBuckets::floorAndNext_data()
{
    QTest::addColumn<BucketWidth>("width");
    QTest::addColumn<QString>("time");
    QTest::addColumn<QString>("start");
    QTest::addColumn<QString>("next");
    // The tester's case: a 2020 event charted with 365-day buckets landed in one starting 2019-12-20.
    QTest::addRow("year 2020") << kYear << "2020-06-15T10:00:00.000" << "2020-01-01T00:00:00.000" << "2021-01-01T00:00:00.000";
    QTest::addRow("year, first instant") << kYear << "2021-01-01T00:00:00.000" << "2021-01-01T00:00:00.000" << "2022-01-01T00:00:00.000";
    QTest::addRow("year, last instant") << kYear << "2025-12-31T23:59:59.999" << "2025-01-01T00:00:00.000" << "2026-01-01T00:00:00.000";
    QTest::addRow("year before 1970") << kYear << "1969-12-31T23:59:59.500" << "1969-01-01T00:00:00.000" << "1970-01-01T00:00:00.000";
    QTest::addRow("month, leap February") << kMonth << "2024-02-29T12:00:00.000" << "2024-02-01T00:00:00.000" << "2024-03-01T00:00:00.000";
    QTest::addRow("month, December") << kMonth << "2025-12-31T23:00:00.000" << "2025-12-01T00:00:00.000" << "2026-01-01T00:00:00.000";
    QTest::addRow("week from Monday") << kWeek << "2020-01-01T08:00:00.000" << "2019-12-30T00:00:00.000" << "2020-01-06T00:00:00.000";
    QTest::addRow("week, Sunday night") << kWeek << "2025-10-12T23:59:59.000" << "2025-10-06T00:00:00.000" << "2025-10-13T00:00:00.000";
    QTest::addRow("week, Monday") << kWeek << "2025-10-13T00:00:00.000" << "2025-10-13T00:00:00.000" << "2025-10-20T00:00:00.000";
    QTest::addRow("day") << kDay << "2025-10-07T17:30:00.000" << "2025-10-07T00:00:00.000" << "2025-10-08T00:00:00.000";
    QTest::addRow("30 min") << BucketWidth{BucketUnit::Seconds, 1800} << "2025-10-07T17:45:10.000" << "2025-10-07T17:30:00.000" << "2025-10-07T18:00:00.000";
}

void TestTimeBuckets::floorAndNext()
{
    QFETCH(BucketWidth, width);
    QFETCH(QString, time);
    QFETCH(QString, start);
    QFETCH(QString, next);
    const std::int64_t t = us(time.toLatin1().constData());
    QCOMPARE(eventstats::bucketFloorUs(width, t), us(start.toLatin1().constData()));
    QCOMPARE(eventstats::bucketNextUs(width, us(start.toLatin1().constData())), us(next.toLatin1().constData()));
}

void TestTimeBuckets::widthForSpan_data()
{
    QTest::addColumn<qint64>("spanSeconds");
    QTest::addColumn<BucketWidth>("width");
    QTest::addRow("40 min") << qint64(2400) << BucketWidth{BucketUnit::Seconds, 60};
    QTest::addRow("10 min") << qint64(600) << BucketWidth{BucketUnit::Seconds, 30};
    QTest::addRow("2 weeks") << qint64(14 * 86400) << BucketWidth{BucketUnit::Seconds, 12 * 3600};
    QTest::addRow("1 month") << qint64(30 * 86400) << BucketWidth{BucketUnit::Day, 0};
    QTest::addRow("3 months") << qint64(91 * 86400) << BucketWidth{BucketUnit::Week, 0};
    QTest::addRow("1 year") << qint64(365 * 86400) << BucketWidth{BucketUnit::Month, 0};
    QTest::addRow("3 years") << qint64(3 * 365 * 86400) << BucketWidth{BucketUnit::Month, 0};
    QTest::addRow("6 years") << qint64(6 * 365 * 86400) << BucketWidth{BucketUnit::Year, 0};
}

void TestTimeBuckets::widthForSpan()
{
    QFETCH(qint64, spanSeconds);
    QFETCH(BucketWidth, width);
    const BucketWidth chosen = eventstats::bucketWidthFor(spanSeconds * 1'000'000);
    QCOMPARE(int(chosen.unit), int(width.unit));
    QCOMPARE(chosen.seconds, width.seconds);
}

void TestTimeBuckets::labels()
{
    QCOMPARE(eventstats::bucketLabel(kYear, us("2020-01-01T00:00:00.000"), std::nullopt), std::string("2020"));
    QCOMPARE(eventstats::bucketLabel(kMonth, us("2024-02-01T00:00:00.000"), std::nullopt), std::string("2024-02"));
    QCOMPARE(eventstats::bucketLabel(kWeek, us("2019-12-30T00:00:00.000"), std::nullopt), std::string("2019-12-30"));
    QCOMPARE(eventstats::bucketLabel(kDay, us("2025-10-07T00:00:00.000"), std::nullopt), std::string("2025-10-07"));
    // Below a day: the date where the day changes (and on the first label), the time elsewhere.
    const BucketWidth halfHour{BucketUnit::Seconds, 1800};
    QCOMPARE(eventstats::bucketLabel(halfHour, us("2025-10-07T23:00:00.000"), std::nullopt), std::string("2025-10-07 23:00"));
    QCOMPARE(eventstats::bucketLabel(halfHour, us("2025-10-07T23:30:00.000"), us("2025-10-07T23:00:00.000")), std::string("23:30"));
    QCOMPARE(eventstats::bucketLabel(halfHour, us("2025-10-08T00:00:00.000"), us("2025-10-07T23:30:00.000")),
             std::string("2025-10-08 00:00"));
    const BucketWidth tenSeconds{BucketUnit::Seconds, 10};
    QCOMPARE(eventstats::bucketLabel(tenSeconds, us("2025-10-08T00:00:10.000"), us("2025-10-08T00:00:00.000")), std::string("00:00:10"));
    QCOMPARE(eventstats::bucketWidthText(halfHour), std::string("30 min"));
    QCOMPARE(eventstats::bucketWidthText(kYear), std::string("year"));
    QCOMPARE(eventstats::utcText(us("2025-10-07T17:30:00.250"), true), std::string("2025-10-07 17:30:00.250000"));
}

void TestTimeBuckets::storeGroupsLikeTheArithmetic_data()
{
    QTest::addColumn<BucketWidth>("width");
    QTest::addRow("year") << kYear;
    QTest::addRow("month") << kMonth;
    QTest::addRow("week") << kWeek;
    QTest::addRow("day") << kDay;
    QTest::addRow("6 h") << BucketWidth{BucketUnit::Seconds, 6 * 3600};
}

void TestTimeBuckets::storeGroupsLikeTheArithmetic()
{
    QFETCH(BucketWidth, width);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto db = store::CaseDatabase::open(dir.filePath(QStringLiteral("case.sqlite")).toStdString());
    QVERIFY(db.ok());
    // Bucket edges on both sides, a leap day, before 1970, and the tester's October 2025 event.
    const std::vector<std::int64_t> times{
        us("2019-12-31T23:59:59.999"), us("2020-01-01T00:00:00.000"), us("2020-02-29T12:00:00.000"),
        us("2020-03-01T00:00:00.000"), us("2020-12-20T00:00:00.000"), us("2021-06-30T23:59:59.000"),
        us("2025-10-06T00:00:00.000"), us("2025-10-07T17:30:00.250"), us("1969-12-31T23:59:59.500")};
    {
        store::EventWriter writer(*db);
        std::uint64_t record = 0;
        for (const std::int64_t t : times) {
            QVERIFY(writer.add(eventAt(++record, t)).ok());
            QVERIFY(writer.add(eventAt(++record, t, "auditd")).ok());
        }
        QVERIFY(writer.finish().ok());
    }
    std::map<std::pair<std::int64_t, std::string>, std::uint64_t> expected;
    for (const std::int64_t t : times) {
        ++expected[{eventstats::bucketFloorUs(width, t), "sysmon"}];
        ++expected[{eventstats::bucketFloorUs(width, t), "auditd"}];
    }
    auto buckets = eventstats::eventBuckets(*db, width, eventstats::EventQuery{});
    QVERIFY2(buckets.ok(), buckets.ok() ? "" : buckets.error().message.c_str());
    std::map<std::pair<std::int64_t, std::string>, std::uint64_t> got;
    for (const auto &bucket : *buckets) {
        got[{bucket.startUs, bucket.source}] += bucket.count;
        QCOMPARE(bucket.kind, std::string(bucket.source == "auditd" ? "preload-config-write" : "image-load"));
    }
    QCOMPARE(got, expected);
    if (width == kYear) {
        // The bar labelled 2020 holds the 2020 events, the one labelled 2025 the October 2025 one.
        QCOMPARE((got[{us("2020-01-01T00:00:00.000"), "sysmon"}]), std::uint64_t(4));
        QCOMPARE((got[{us("2025-01-01T00:00:00.000"), "sysmon"}]), std::uint64_t(2));
        QCOMPARE(eventstats::bucketLabel(width, us("2025-01-01T00:00:00.000"), std::nullopt), std::string("2025"));
    }
}

QTEST_MAIN(TestTimeBuckets)
#include "tst_time_buckets.moc"
