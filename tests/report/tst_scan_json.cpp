// The streaming JSON writer that `scan --json` uses must say exactly what the tree-based
// scanToJson says: same keys, same values, valid JSON for hostile bytes.
#include <QtTest>

#include "fixture_process.h"
#include "report/json_report.h"
#include "report/json_scan_writer.h"
#include "report/json_stream.h"
#include "scan/scanner.h"

#include <QTemporaryDir>

using namespace loadlens;

class TestScanJson : public QObject {
    Q_OBJECT
private slots:
    void stringsAreEscapedAndRepaired_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<QString>("expected");
        QTest::addRow("plain") << QByteArray("/usr/lib/libc.so.6") << QStringLiteral("/usr/lib/libc.so.6");
        QTest::addRow("quote and backslash") << QByteArray("a\"b\\c") << QStringLiteral("a\"b\\c");
        QTest::addRow("newline and tab") << QByteArray("a\nb\tc\r") << QStringLiteral("a\nb\tc\r");
        QTest::addRow("control byte") << QByteArray("a\x01z") << QStringLiteral("a\u0001z");
        QTest::addRow("utf-8") << QByteArray("caf\xc3\xa9 \xe2\x82\xac") << QStringLiteral("caf\u00e9 \u20ac");
        QTest::addRow("invalid byte") << QByteArray("bad\xffname") << QStringLiteral("bad\ufffdname");
        QTest::addRow("truncated sequence") << QByteArray("x\xe2\x82") << QStringLiteral("x\ufffd\ufffd");
    }
    void stringsAreEscapedAndRepaired()
    {
        QFETCH(QByteArray, raw);
        QFETCH(QString, expected);
        std::string out;
        report::appendJsonString(out, std::string_view(raw.constData(), size_t(raw.size())));
        const auto parsed = nlohmann::json::parse("[" + out + "]");
        QCOMPARE(QString::fromStdString(parsed.at(0).get<std::string>()), expected);
    }

    void matchesTheTreeOutputForARealScan()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        // A library with a name that needs escaping, preloaded so that it carries reasons.
        // No spaces: LD_PRELOAD splits on them.
        const QString lib = dir.filePath(QStringLiteral("lib\"quoted\"\\name.so"));
        QVERIFY(QFile::copy(testing::fixtureLibraryPath(), lib));
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LD_PRELOAD"), lib);
        testing::FixtureProcess target;
        QVERIFY2(target.start({QStringLiteral("--memfd"), QStringLiteral("x")}, env), qPrintable(target.error()));

        scan::ScanOptions options;
        options.pid = target.pid();
        ScanResult scan = scan::runScan(options);
        scan.findings.push_back(Finding{"hidden-process", Level::High, 7, "text \"quoted\"", "T1014", "", {{"k", "v"}}});
        scan.stats.errorCounts["permission denied"] = 3;
        QVERIFY(!scan.processes.empty());

        std::string streamed;
        report::writeScanJson(streamed, scan);
        const auto fromStream = nlohmann::json::parse(streamed);
        const auto fromTree = report::scanToJson(scan);
        QVERIFY2(fromStream == fromTree, (fromStream.dump(1) + "\n---\n" + fromTree.dump(1)).substr(0, 4000).c_str());
        bool sawLibrary = false;
        for (const auto &m : fromStream["processes"][0]["modules"])
            sawLibrary = sawLibrary || m["path"] == lib.toStdString();
        QVERIFY(sawLibrary);
    }
};

QTEST_GUILESS_MAIN(TestScanJson)
#include "tst_scan_json.moc"
