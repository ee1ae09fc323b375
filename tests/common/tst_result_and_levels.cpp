#include "common/io.h"
#include "common/result.h"
#include "common/types.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace loadlens;

class TestResultAndLevels : public QObject {
    Q_OBJECT
private slots:
    void levelNamesRoundTrip_data()
    {
        QTest::addColumn<int>("level");
        QTest::addColumn<QString>("name");
        QTest::addRow("ok") << int(Level::Ok) << QStringLiteral("ok");
        QTest::addRow("info") << int(Level::Info) << QStringLiteral("info");
        QTest::addRow("low") << int(Level::Low) << QStringLiteral("low");
        QTest::addRow("medium") << int(Level::Medium) << QStringLiteral("medium");
        QTest::addRow("high") << int(Level::High) << QStringLiteral("high");
    }
    void levelNamesRoundTrip()
    {
        QFETCH(int, level);
        QFETCH(QString, name);
        QCOMPARE(QString::fromUtf8(levelName(Level(level)).data()), name);
        QCOMPARE(int(*parseLevel(name.toStdString())), level);
    }
    void unknownLevelIsRejected() { QVERIFY(!parseLevel("severe")); }

    void verdictTakesWorstReason()
    {
        Verdict v;
        v.add(Reason{"package-verified", Level::Info, {}, {}, {}, {}});
        v.add(Reason{"writable-path", Level::High, {}, {}, {}, {}});
        v.add(Reason{"untrusted-location", Level::Medium, {}, {}, {}, {}});
        QCOMPARE(v.level, Level::High);
        QVERIFY(v.has("writable-path"));
        QVERIFY(!v.has("deleted"));
    }

    void readFileNamesPathAndCause()
    {
        auto r = io::readFile("/nonexistent/loadlens/file");
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ENOENT);
        QVERIFY(r.error().message.find("/nonexistent/loadlens/file") != std::string::npos);
        QVERIFY(r.error().message.find("No such file") != std::string::npos);
    }

    void readFileReadsWholeFileAndStopsAtLimit()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("f"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QByteArray big(100000, 'x');
        f.write(big);
        f.close();
        auto all = io::readFile(path.toStdString());
        QVERIFY(all.ok());
        QCOMPARE(all->data.size(), size_t(100000));
        QVERIFY(!all->truncated);
        auto part = io::readFile(path.toStdString(), 1000);
        QVERIFY(part.ok());
        QCOMPARE(part->data.size(), size_t(1000));
        QVERIFY(part->truncated);
    }
};

QTEST_GUILESS_MAIN(TestResultAndLevels)
#include "tst_result_and_levels.moc"
