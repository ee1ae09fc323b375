// CSV and JSON tables, read back: CSV through a strict RFC 4180 reader, JSON with nlohmann.
#include <QtTest>

#include "csv_reader.h"
#include "export_fixture.h"
#include "export/scan_tables.h"
#include "export/table.h"

#include <nlohmann/json.hpp>

#include <sstream>

using namespace loadlens;
using namespace loadlens::exporting;
using loadlens::testing::readCsv;

namespace {

std::string csvOf(const Table &table)
{
    std::ostringstream out;
    writeCsv(out, table);
    return out.str();
}

nlohmann::json jsonOf(const Table &table)
{
    std::ostringstream out;
    writeJson(out, table);
    return nlohmann::json::parse(out.str());
}

const std::vector<std::string> *rowWith(const testing::CsvRecords &records, std::size_t column, const std::string &value)
{
    for (const auto &r : records)
        if (column < r.size() && r[column] == value)
            return &r;
    return nullptr;
}

} // namespace

class TestTableExport : public QObject {
    Q_OBJECT
private slots:
    void csvRoundTrip_data()
    {
        QTest::addColumn<QString>("cell");
        QTest::addColumn<QString>("expected");  // what a reader gets back
        QTest::addRow("plain") << QStringLiteral("libc.so.6") << QStringLiteral("libc.so.6");
        QTest::addRow("comma") << QStringLiteral("a,b") << QStringLiteral("a,b");
        QTest::addRow("quotes") << QStringLiteral("say \"hi\"") << QStringLiteral("say \"hi\"");
        QTest::addRow("only a quote") << QStringLiteral("\"") << QStringLiteral("\"");
        QTest::addRow("newline") << QStringLiteral("line1\nline2") << QStringLiteral("line1\nline2");
        QTest::addRow("crlf inside") << QStringLiteral("a\r\nb") << QStringLiteral("a\r\nb");
        QTest::addRow("unicode") << QStringLiteral("bibliothèque-日本-🙂") << QStringLiteral("bibliothèque-日本-🙂");
        QTest::addRow("empty") << QString() << QString();
        QTest::addRow("formula =") << QStringLiteral("=HYPERLINK(\"http://x\")") << QStringLiteral("'=HYPERLINK(\"http://x\")");
        QTest::addRow("formula +") << QStringLiteral("+1+1") << QStringLiteral("'+1+1");
        QTest::addRow("formula -") << QStringLiteral("-2+3") << QStringLiteral("'-2+3");
        QTest::addRow("formula @") << QStringLiteral("@SUM(A1)") << QStringLiteral("'@SUM(A1)");
        QTest::addRow("formula tab") << QStringLiteral("\t=1") << QStringLiteral("'\t=1");
        QTest::addRow("at in the middle") << QStringLiteral("user@host") << QStringLiteral("user@host");
    }
    void csvRoundTrip()
    {
        QFETCH(QString, cell);
        QFETCH(QString, expected);
        Table table{{"before", "value", "after"}, {}};
        table.rows.push_back({Cell::integer(-7), Cell::text(cell.toStdString()), Cell::text("end")});
        table.rows.push_back({Cell::real(0.5), Cell::boolean(true)});  // short row: the rest is empty
        const std::string csv = csvOf(table);
        std::string error;
        const auto records = readCsv(csv, &error);
        QVERIFY2(records, error.c_str());
        QCOMPARE(records->size(), size_t(3));
        QCOMPARE((*records)[0], (std::vector<std::string>{"before", "value", "after"}));
        // A negative number is a typed integer, not text: it is not prefixed.
        QCOMPARE((*records)[1], (std::vector<std::string>{"-7", expected.toStdString(), "end"}));
        QCOMPARE((*records)[2], (std::vector<std::string>{"0.5", "true", ""}));
    }

    void jsonTableKeepsTypesAndColumns()
    {
        Table table{{"name", "count", "ratio", "flag", "missing"}, {}};
        table.rows.push_back({Cell::text("=x,\"y\"\n"), Cell::integer(-3), Cell::real(1.25), Cell::boolean(false)});
        const auto rows = jsonOf(table);
        QVERIFY(rows.is_array());
        QCOMPARE(rows.size(), size_t(1));
        const auto &row = rows[0];
        QCOMPARE(row.size(), size_t(5));
        QCOMPARE(row["name"].get<std::string>(), std::string("=x,\"y\"\n"));  // JSON needs no formula guard
        QVERIFY(row["count"].is_number_integer());
        QCOMPARE(row["count"].get<int>(), -3);
        QCOMPARE(row["ratio"].get<double>(), 1.25);
        QVERIFY(row["flag"].is_boolean());
        QVERIFY(row["missing"].is_null());
    }

    void realScanTables()
    {
        testing::PreloadedFixture fixture;
        QVERIFY2(fixture.start(), qPrintable(fixture.error()));
        const ScanResult &scan = fixture.scan();

        const Table modules = modulesTable(scan);
        std::string error;
        const auto records = readCsv(csvOf(modules), &error);
        QVERIFY2(records, error.c_str());
        QCOMPARE(records->size(), modules.rows.size() + 1);
        QCOMPARE(records->front(), modules.columns);
        const auto &columns = modules.columns;
        const auto col = [&](const char *name) {
            return static_cast<std::size_t>(std::find(columns.begin(), columns.end(), name) - columns.begin());
        };
        for (const char *name : {"pid", "process", "user", "path", "level", "reasons", "package", "sha256", "owner",
                                 "mode", "flags"})
            QVERIFY2(col(name) < columns.size(), name);

        const std::string preloaded = fixture.preloadedPath().toStdString();
        const auto *row = rowWith(*records, col("path"), preloaded);
        QVERIFY(row);
        QCOMPARE((*row)[col("level")], std::string("high"));
        QVERIFY((*row)[col("reasons")].find("preload-env") != std::string::npos);
        QCOMPARE((*row)[col("pid")], std::to_string(fixture.pid()));
        // The process is called "=SUM(1,2)": guarded against formula evaluation.
        QCOMPARE((*row)[col("process")], std::string("'=SUM(1,2)"));
        const auto &facts = scan.files.at(fixture.module(fixture.preloadedPath())->file);
        QCOMPARE((*row)[col("sha256")], facts.sha256);
        QVERIFY(QRegularExpression(QStringLiteral("^0[0-7]{3}$")).match(QString::fromStdString((*row)[col("mode")])).hasMatch());

        // The path with a comma, quotes, a newline and "é" comes back byte for byte.
        const std::string hostile = fixture.hostileNamePath().toStdString();
        QVERIFY2(rowWith(*records, col("path"), hostile), hostile.c_str());

        const auto json = jsonOf(modules);
        QCOMPARE(json.size(), modules.rows.size());
        bool found = false;
        for (const auto &r : json) {
            QCOMPARE(r.size(), columns.size());
            QVERIFY(r["pid"].is_number_integer());
            if (r["path"] == hostile) {
                found = true;
                QCOMPARE(r["process"].get<std::string>(), std::string("=SUM(1,2)"));
            }
        }
        QVERIFY(found);

        const auto processes = readCsv(csvOf(processesTable(scan)), &error);
        QVERIFY2(processes, error.c_str());
        QCOMPARE(processes->size(), scan.processes.size() + 1);
        const auto findings = jsonOf(findingsTable(scan));
        QCOMPARE(findings.size(), scan.findings.size());
    }

    void eventsTableFromLogEvents()
    {
        const auto events = testing::handBuiltEvents();
        const Table table = eventsTable(events);
        std::string error;
        const auto records = readCsv(csvOf(table), &error);
        QVERIFY2(records, error.c_str());
        QCOMPARE(records->size(), events.size() + 1);
        const auto json = jsonOf(table);
        QCOMPARE(json[0]["time"].get<std::string>(), std::string("2024-05-01T12:00:00.123456Z"));
        QCOMPARE(json[0]["event_id"].get<int>(), 7);
        QCOMPARE(json[0]["sha256"].get<std::string>(),
                 std::string("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"));
        QCOMPARE(json[0]["signed"].get<bool>(), false);
        QCOMPARE(json[0]["level"].get<std::string>(), std::string("high"));
        QVERIFY(json[1]["signed"].is_null());
        QCOMPARE(json[3]["time"].get<std::string>(), std::string("1969-12-31T23:59:58.500000Z"));
    }
};

QTEST_GUILESS_MAIN(TestTableExport)
#include "tst_table_export.moc"
