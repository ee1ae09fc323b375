// Differential test: every audit sample in ../shared/data read by libauparse and by our reader
// must give the same events and, line by line, the same records with the same fields.
// One documented difference: libauparse treats PROCTITLE as the end of an event and drops an
// EOE that arrives after it; we keep that EOE in its event (the README counts it too).
#include <QDir>
#include <QtTest>

#include "shared_data.h"

#include "audit/audit_reader.h"
#include "audit/audit_record.h"

#include <auparse.h>

#include <map>
#include <set>
#include <tuple>

using namespace loadlens;

namespace {

using EventKey = std::tuple<std::string, std::int64_t, std::uint32_t, std::uint64_t>;  // node, sec, ms, serial

struct LineRecord {
    EventKey key;
    std::string type;
    std::vector<std::pair<std::string, std::string>> fields;
    bool afterProctitle = false;
};

std::map<unsigned, LineRecord> readWithLibauparse(const QString &path, QString &error)
{
    std::map<unsigned, LineRecord> lines;
    const QByteArray file = path.toLocal8Bit();
    auparse_state_t *au = auparse_init(AUSOURCE_FILE, file.constData());
    if (!au) {
        error = QStringLiteral("auparse_init failed for ") + path;
        return lines;
    }
    while (auparse_next_event(au) > 0) {
        const au_event_t *stamp = auparse_get_timestamp(au);
        const EventKey key{stamp->host ? stamp->host : "", std::int64_t(stamp->sec), stamp->milli, stamp->serial};
        do {
            LineRecord record{key, auparse_get_type_name(au) ? auparse_get_type_name(au) : "", {}, false};
            if (auparse_first_field(au) > 0) {
                do {
                    const char *name = auparse_get_field_name(au);
                    const char *value = auparse_get_field_str(au);
                    record.fields.emplace_back(name ? name : "", value ? value : "");
                } while (auparse_next_field(au) > 0);
            }
            // libauparse lists node= and type= as fields; ours are the header.
            auto &f = record.fields;
            if (!f.empty() && f.front().first == "node")
                f.erase(f.begin());
            if (!f.empty() && f.front().first == "type")
                f.erase(f.begin());
            lines[auparse_get_line_number(au)] = std::move(record);
        } while (auparse_next_record(au) > 0);
    }
    auparse_destroy(au);
    return lines;
}

std::map<unsigned, LineRecord> readWithOurs(const QString &path, std::set<EventKey> &events)
{
    std::map<unsigned, LineRecord> lines;
    audit::FieldSplitter splitter;
    ImportReport report;
    const CancelToken cancel;
    (void)audit::forEachAuditEvent(
        path.toStdString(),
        [&](const audit::AuditEvent &event) {
            const EventKey key{std::string(event.node), event.seconds, event.millis, event.serial};
            events.insert(key);
            bool sawProctitle = false;
            for (const auto &r : event.records) {
                LineRecord record{key, std::string(r.type), {}, sawProctitle};
                splitter.forEach(r.type, r.body, [&](std::string_view n, std::string_view v) {
                    record.fields.emplace_back(n, v);
                });
                sawProctitle = sawProctitle || r.type == "PROCTITLE";
                lines[unsigned(r.lineNumber)] = std::move(record);
            }
            return true;
        },
        report, {}, cancel);
    return lines;
}

QString describe(const LineRecord &r)
{
    QString text = QString::fromStdString(r.type) + QStringLiteral(" ");
    for (const auto &[n, v] : r.fields)
        text += QString::fromStdString(n) + QStringLiteral("=") + QString::fromStdString(v) + QStringLiteral(" ");
    return text;
}

} // namespace

class TestAuditLibauparse : public QObject {
    Q_OBJECT

private slots:
    void sameRecordsAsLibauparse_data()
    {
        QTest::addColumn<QString>("path");
        const QString root = testing::sharedDataDir();
        int rows = 0;
        for (const QString &folder : {QStringLiteral("auditd"), QStringLiteral("damaged")}) {
            const QDir dir(root + QStringLiteral("/") + folder);
            const QStringList filters = folder == QStringLiteral("auditd")
                                            ? QStringList{QStringLiteral("*.log"), QStringLiteral("*.txt")}
                                            : QStringList{QStringLiteral("*.log")};
            for (const QString &name : dir.entryList(filters, QDir::Files, QDir::Name)) {
                QTest::addRow("%s/%s", qPrintable(folder), qPrintable(name)) << dir.filePath(name);
                ++rows;
            }
        }
        if (rows == 0)
            QTest::addRow("no samples") << QString();
    }

    void sameRecordsAsLibauparse()
    {
        QFETCH(QString, path);
        if (path.isEmpty())
            QSKIP(qPrintable(QStringLiteral("shared sample data not found in ") + testing::sharedDataDir()));
        QString error;
        const std::map<unsigned, LineRecord> theirs = readWithLibauparse(path, error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        std::set<EventKey> ourEvents;
        const std::map<unsigned, LineRecord> ours = readWithOurs(path, ourEvents);
        QVERIFY(!theirs.empty());

        for (const auto &[lineNumber, record] : theirs) {
            const auto it = ours.find(lineNumber);
            QVERIFY2(it != ours.end(), qPrintable(QStringLiteral("line %1 read by libauparse only: ").arg(lineNumber) +
                                                  describe(record)));
            QVERIFY2(it->second.key == record.key, qPrintable(QStringLiteral("line %1: other event").arg(lineNumber)));
            QCOMPARE(it->second.type, record.type);
            QVERIFY2(it->second.fields == record.fields,
                     qPrintable(QStringLiteral("line %1\n  ours:   ").arg(lineNumber) + describe(it->second) +
                                QStringLiteral("\n  theirs: ") + describe(record)));
        }
        std::set<EventKey> theirEvents;
        for (const auto &[lineNumber, record] : theirs)
            theirEvents.insert(record.key);
        for (const auto &[lineNumber, record] : ours) {
            if (theirs.count(lineNumber))
                continue;
            QVERIFY2(record.type == "EOE" && record.afterProctitle,
                     qPrintable(QStringLiteral("line %1 read by us only: ").arg(lineNumber) + describe(record)));
            theirEvents.insert(record.key);
        }
        // libauparse may split one stamp into several events; distinct stamps must agree.
        QVERIFY(ourEvents == theirEvents);
    }
};

QTEST_GUILESS_MAIN(TestAuditLibauparse)
#include "tst_audit_libauparse.moc"
