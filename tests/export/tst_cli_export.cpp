// loadlens-cli export against a real fixture process: every format parses back, -o writes the
// file, bad options exit with status 2 and say why.
#include <QtTest>

#include "program_run.h"

#include "fixture_process.h"

#include <QProcess>
#include <QTemporaryDir>

#include <nlohmann/json.hpp>

using loadlens::testing::FixtureProcess;
using nlohmann::json;

namespace {

using Run = loadlens::testing::ProgramRun;

Run runCli(const QStringList &args)
{
    return loadlens::testing::runProgram(QStringLiteral(LOADLENS_CLI), QStringList{QStringLiteral("export")} + args);
}

} // namespace

class TestCliExport : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_library = m_dir.filePath(QStringLiteral("libhook.so"));
        QVERIFY(QFile::copy(loadlens::testing::fixtureLibraryPath(), m_library));
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LD_PRELOAD"), m_library);
        QVERIFY2(m_target.start({}, env), qPrintable(m_target.error()));
        m_pid = QString::number(m_target.pid());
    }

    void ecsLinesAlternate()
    {
        const Run r = runCli({QStringLiteral("--format"), QStringLiteral("ecs"), QStringLiteral("--pid"), m_pid});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QVERIFY(lines.size() >= 4);
        QCOMPARE(lines.size() % 2, 0);
        bool preloaded = false;
        for (qsizetype i = 0; i < lines.size(); ++i) {
            const json line = json::parse(lines[i].toStdString());
            if (i % 2 == 0) {
                QVERIFY(line.contains("index"));
                continue;
            }
            QCOMPARE(line["process"]["pid"].get<int>(), m_target.pid());
            if (line.contains("dll") && line["dll"].value("path", "") == m_library.toStdString())
                preloaded = line["event"]["kind"] == "alert";
        }
        QVERIFY(preloaded);
    }

    void minLevelNarrowsTheCsv()
    {
        const Run r = runCli({QStringLiteral("--format"), QStringLiteral("csv"), QStringLiteral("--pid"), m_pid,
                              QStringLiteral("--min-level"), QStringLiteral("high")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QList<QByteArray> records = r.out.split('\n');
        QVERIFY(records.first().startsWith("pid,process,user,path,level"));
        QVERIFY(r.out.contains(m_library.toUtf8()));
        for (qsizetype i = 1; i < records.size(); ++i)
            if (!records[i].isEmpty())
                QVERIFY2(records[i].contains(",high,"), records[i].constData());
    }

    void stixToAFile()
    {
        const QString file = m_dir.filePath(QStringLiteral("case.stix.json"));
        const Run r = runCli({QStringLiteral("--format"), QStringLiteral("stix"), QStringLiteral("--pid"), m_pid,
                              QStringLiteral("-o"), file});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.isEmpty());
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const json bundle = json::parse(f.readAll().toStdString());
        QCOMPARE(bundle["type"].get<std::string>(), std::string("bundle"));
        bool indicator = false;
        for (const auto &o : bundle["objects"])
            indicator |= o["type"] == "indicator";
        QVERIFY(indicator);
    }

    void badArguments_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::addRow("no format") << QStringList{} << QStringLiteral("--format");
        QTest::addRow("unknown format") << QStringList{QStringLiteral("--format"), QStringLiteral("xml")}
                                        << QStringLiteral("--format");
        QTest::addRow("table with ecs") << QStringList{QStringLiteral("--format"), QStringLiteral("ecs"),
                                                       QStringLiteral("--table"), QStringLiteral("processes")}
                                        << QStringLiteral("--table");
        QTest::addRow("bad level") << QStringList{QStringLiteral("--format"), QStringLiteral("csv"),
                                                  QStringLiteral("--min-level"), QStringLiteral("severe")}
                                   << QStringLiteral("levels");
        QTest::addRow("unknown option") << QStringList{QStringLiteral("--format"), QStringLiteral("csv"),
                                                       QStringLiteral("--colour")}
                                        << QStringLiteral("--colour");
    }
    void badArguments()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = runCli(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }

    void unwritableOutputFails()
    {
        const Run r = runCli({QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--pid"), m_pid,
                              QStringLiteral("-o"), m_dir.filePath(QStringLiteral("missing/dir/out.json"))});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("missing/dir/out.json"), r.err.constData());
    }

private:
    QTemporaryDir m_dir;
    FixtureProcess m_target;
    QString m_library;
    QString m_pid;
};

QTEST_GUILESS_MAIN(TestCliExport)
#include "tst_cli_export.moc"
