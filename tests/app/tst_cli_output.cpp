// What a script can rely on from loadlens-cli: every command that writes a report takes -o FILE
// and puts there exactly what standard output would have carried, complete or not at all; a
// library preloaded into loadlens-cli that prints banners cannot corrupt that file; results go
// to stdout and problems to stderr; export and posture show progress on a terminal unless
// --quiet; arguments that name nothing usable fail without leaving files behind.
#include <QtTest>

#include "fixture_process.h"
#include "program_run.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QThread>

#include <nlohmann/json.hpp>

using loadlens::testing::FixtureProcess;
using loadlens::testing::ProgramRun;
using nlohmann::json;

namespace {

ProgramRun cli(const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    return loadlens::testing::runProgram(QStringLiteral(LOADLENS_CLI), args, 240000, env);
}

// The same program linked dynamically (loadlens-cli itself when the build links it dynamically):
// what a preload does to a collector that has a dynamic loader.
ProgramRun dynamicCli(const QStringList &args, const QProcessEnvironment &env)
{
    return loadlens::testing::runProgram(QStringLiteral(LOADLENS_CLI_DYNAMIC), args, 240000, env);
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeAll(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

QStringList entriesOf(const QString &dir)
{
    return QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
}

QString shellQuote(const QString &s)
{
    QString out = s;
    out.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + out + QLatin1Char('\'');
}

QStringList words(std::initializer_list<const char *> list)
{
    QStringList out;
    for (const char *w : list)
        out << QString::fromUtf8(w);
    return out;
}

bool parses(const QByteArray &bytes) { return json::accept(bytes.constBegin(), bytes.constEnd()); }

} // namespace

class TestCliOutput : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    FixtureProcess m_target;
    QString m_case;
    QString m_hashCache;
    QString m_snapshotA;
    QString m_snapshotB;

    QString pid() const { return QString::number(m_target.pid()); }

    // Replaces the placeholders of a data row: PID, CASE, HASHCACHE, BUNDLE_A/B, SNAP_A/B.
    QStringList expand(QStringList args) const
    {
        for (auto &a : args) {
            if (a == QLatin1String("PID"))
                a = pid();
            else if (a == QLatin1String("CASE"))
                a = m_case;
            else if (a == QLatin1String("HASHCACHE"))
                a = m_hashCache;
            else if (a == QLatin1String("BUNDLE_A"))
                a = m_dir.filePath(QStringLiteral("a.llsnap"));
            else if (a == QLatin1String("BUNDLE_B"))
                a = m_dir.filePath(QStringLiteral("b.llsnap"));
            else if (a == QLatin1String("SNAP_A"))
                a = m_snapshotA;
            else if (a == QLatin1String("SNAP_B"))
                a = m_snapshotB;
        }
        return args;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_target.start({}), qPrintable(m_target.error()));
        m_hashCache = m_dir.filePath(QStringLiteral("hash-cache.sqlite"));
        m_case = m_dir.filePath(QStringLiteral("case.sqlite"));
        // A case with two snapshots of the fixture, for the case commands.
        for (const char *name : {"a.llsnap", "b.llsnap"}) {
            const ProgramRun r = cli({QStringLiteral("collect"), QStringLiteral("--pid"), pid(), QStringLiteral("--hash-cache"),
                                      m_hashCache, QStringLiteral("-o"), m_dir.filePath(QLatin1String(name))});
            QVERIFY2(r.exitCode == 0, r.err.constData());
            QThread::msleep(1100);  // snapshots of one host differ by their scan time (seconds)
        }
        ProgramRun r = cli({QStringLiteral("import"), QStringLiteral("--case"), m_case, m_dir.filePath(QStringLiteral("a.llsnap")),
                            m_dir.filePath(QStringLiteral("b.llsnap"))});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = cli({QStringLiteral("case"), QStringLiteral("list"), QStringLiteral("--case"), m_case, QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const json snapshots = json::parse(r.out.toStdString());
        QCOMPARE(snapshots.size(), std::size_t(2));
        m_snapshotA = QString::number(snapshots[0]["id"].get<long long>());
        m_snapshotB = QString::number(snapshots[1]["id"].get<long long>());
    }

    // A library preloaded into a dynamically linked loadlens-cli prints banners on stdout (printf
    // and write(1) from its constructor, printf from its destructor); the -o file is still exactly
    // the JSON report. The static loadlens-cli does not load the library at all.
    void preloadedBannerCannotCorruptTheReport()
    {
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LD_PRELOAD"), QStringLiteral(LOADLENS_BANNER_LIBRARY));
        // An ASan build refuses to start with another library loaded before its runtime.
        env.insert(QStringLiteral("ASAN_OPTIONS"),
                   env.value(QStringLiteral("ASAN_OPTIONS")) + QStringLiteral(":verify_asan_link_order=0"));
        const QString out = m_dir.filePath(QStringLiteral("hostile.json"));
        const QStringList scan{QStringLiteral("scan"), QStringLiteral("--pid"), pid(), QStringLiteral("--json"),
                               QStringLiteral("--hash-cache"), m_hashCache};
        const ProgramRun r = dynamicCli(scan + QStringList{QStringLiteral("-o"), out}, env);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("LL-BANNER printf"), r.out.constData());
        QVERIFY(r.out.contains("LL-BANNER write(1)"));
        QVERIFY(r.out.contains("LL-BANNER at exit"));
        QVERIFY2(r.err.contains("warning: this loadlens-cli is dynamically linked and started under LD_PRELOAD="),
                 r.err.constData());
        const QByteArray report = readAll(out);
        QVERIFY2(!report.contains("LL-BANNER"), report.left(300).constData());
        QVERIFY2(parses(report), report.left(300).constData());
        const json doc = json::parse(report.toStdString());
        QCOMPARE(doc["processes"].size(), std::size_t(1));
        QCOMPARE(doc["processes"][0]["pid"].get<int>(), m_target.pid());
        QCOMPARE(doc["collector"]["linkage"].get<std::string>(), std::string("dynamic"));
        QVERIFY(doc["collector"]["tainted"].get<bool>());
        QCOMPARE(doc["collector"]["injected_modules"], json::array({LOADLENS_BANNER_LIBRARY}));

        // Without -o the same banners land in the middle of the JSON: what -o is for.
        const ProgramRun plain = dynamicCli(scan, env);
        QCOMPARE(plain.exitCode, 0);
        QVERIFY(plain.out.contains("LL-BANNER"));
        QVERIFY(!parses(plain.out));

        if (!LOADLENS_CLI_IS_STATIC)
            QSKIP("this build links loadlens-cli dynamically (sanitizers, or no static archives): the static "
                  "program's immunity is checked in the dev and release builds");
        const ProgramRun immune = cli(scan, env);
        QVERIFY2(immune.exitCode == 0, immune.err.constData());
        QVERIFY2(!immune.out.contains("LL-BANNER") && !immune.err.contains("dynamically linked"), immune.out.left(300).constData());
        const json clean = json::parse(immune.out.toStdString());
        QCOMPARE(clean["collector"]["linkage"].get<std::string>(), std::string("static"));
        QVERIFY(!clean["collector"]["tainted"].get<bool>());
        QCOMPARE(clean["collector"]["loader_variables"]["LD_PRELOAD"].get<std::string>(),
                 std::string(LOADLENS_BANNER_LIBRARY));
        QCOMPARE(clean["collector"]["injected_modules"], json::array());
    }

    void everyReportCommandTakesOutput_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<bool>("isJson");
        QTest::addColumn<bool>("sameAsStdout");  // deterministic: compare with a run to stdout
        QTest::addRow("scan --json") << words({"scan", "--pid", "PID", "--json", "--hash-cache", "HASHCACHE"}) << true << false;
        QTest::addRow("scan table") << words({"scan", "--pid", "PID", "--hash-cache", "HASHCACHE"}) << false << false;
        QTest::addRow("who-loads") << words({"who-loads", "ll_fixture_target", "--json", "--hash-cache", "HASHCACHE"}) << true << false;
        QTest::addRow("explain") << words({"explain", "PID", "ll_fixture_target", "--json", "--hash-cache", "HASHCACHE"}) << true << false;
        QTest::addRow("posture") << words({"posture", "--no-scan", "--json"}) << true << false;
        QTest::addRow("export") << words({"export", "--format", "json", "--pid", "PID", "--hash-cache", "HASHCACHE", "--quiet"}) << true
                                << false;
        QTest::addRow("case list") << words({"case", "list", "--case", "CASE", "--json"}) << true << true;
        QTest::addRow("case check") << words({"case", "check", "--case", "CASE"}) << false << true;
        QTest::addRow("stack") << words({"stack", "--case", "CASE", "--json"}) << true << true;
        QTest::addRow("events") << words({"events", "--case", "CASE", "--json"}) << true << true;
        QTest::addRow("timeline") << words({"timeline", "--case", "CASE", "--json"}) << true << true;
        QTest::addRow("diff ids") << words({"diff", "--case", "CASE", "--json", "SNAP_A", "SNAP_B"}) << true << true;
        QTest::addRow("diff bundles") << words({"diff", "BUNDLE_A", "BUNDLE_B"}) << false << true;
        QTest::addRow("who-loads --case") << words({"who-loads", "ll_fixture_target", "--case", "CASE"}) << false << true;
    }
    void everyReportCommandTakesOutput()
    {
        QFETCH(QStringList, args);
        QFETCH(bool, isJson);
        QFETCH(bool, sameAsStdout);
        args = expand(args);
        const QString out = m_dir.filePath(QStringLiteral("report-%1.out").arg(QString::fromLatin1(QTest::currentDataTag()).replace(u' ', u'_')));
        QVERIFY(writeAll(out, "an older report that must be replaced whole\n"));
        const ProgramRun r = cli(args + QStringList{QStringLiteral("-o"), out});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.isEmpty(), r.out.left(300).constData());
        const QByteArray report = readAll(out);
        QVERIFY(!report.isEmpty());
        QVERIFY(!report.contains("an older report"));
        if (isJson)
            QVERIFY2(parses(report), report.left(300).constData());
        if (sameAsStdout) {
            const ProgramRun toStdout = cli(args);
            QCOMPARE(toStdout.exitCode, 0);
            QCOMPARE(report, toStdout.out);
        }
        // --output is the same option.
        const QString longForm = out + QStringLiteral(".long");
        QCOMPARE(cli(args + QStringList{QStringLiteral("--output"), longForm}).exitCode, 0);
        QVERIFY(QFile::exists(longForm));
    }

    void outputThatCannotBeWrittenFailsFirst_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("status");  // 1: cannot be written; 2: no file named
        // The scans would create their hash cache (beside MISSING's directory): they never start.
        QTest::addRow("scan") << words({"scan", "--pid", "PID", "--json", "--hash-cache", "SCRATCH_CACHE", "-o", "MISSING"}) << 1;
        QTest::addRow("export") << words({"export", "--format", "csv", "--pid", "PID", "--hash-cache", "SCRATCH_CACHE", "-o",
                                          "MISSING"})
                                << 1;
        QTest::addRow("posture -o") << words({"posture", "--no-scan", "-o", "MISSING"}) << 1;
        QTest::addRow("posture --html") << words({"posture", "--no-scan", "--html", "MISSING"}) << 1;
        QTest::addRow("case list") << words({"case", "list", "--case", "CASE", "-o", "MISSING"}) << 1;
        QTest::addRow("stack") << words({"stack", "--case", "CASE", "-o", "MISSING"}) << 1;
        QTest::addRow("directory") << words({"events", "--case", "CASE", "-o", "DIR"}) << 1;
        QTest::addRow("empty name") << words({"timeline", "--case", "CASE", "-o", ""}) << 2;
    }
    void outputThatCannotBeWrittenFailsFirst()
    {
        QFETCH(QStringList, args);
        QFETCH(int, status);
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        const QString missing = scratch.filePath(QStringLiteral("no-such-dir/report.out"));
        args = expand(args);
        for (auto &a : args) {
            if (a == QLatin1String("MISSING"))
                a = missing;
            else if (a == QLatin1String("DIR"))
                a = scratch.path();
            else if (a == QLatin1String("SCRATCH_CACHE"))
                a = scratch.filePath(QStringLiteral("hash-cache.sqlite"));
        }
        const ProgramRun r = cli(args);
        QCOMPARE(r.exitCode, status);
        QVERIFY(r.out.isEmpty());
        QVERIFY2(!r.err.isEmpty(), "the reason must be on stderr");
        if (args.contains(missing))
            QVERIFY2(QString::fromUtf8(r.err).contains(missing), r.err.constData());
        QVERIFY(entriesOf(scratch.path()).isEmpty());
    }

    // A write that fails half way (file size limit) leaves the previous file as it was, no
    // temporary file, and exit status 1 with the reason on stderr.
    void failedWriteKeepsThePreviousFile()
    {
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        const QString out = scratch.filePath(QStringLiteral("scan.json"));
        QVERIFY(writeAll(out, "previous\n"));
        const QString command = QStringLiteral("trap '' XFSZ; ulimit -f 2; exec %1 scan --pid %2 --json --no-hash-cache -o %3")
                                    .arg(shellQuote(QStringLiteral(LOADLENS_CLI)), pid(), shellQuote(out));
        const ProgramRun r = loadlens::testing::runProgram(QStringLiteral("/bin/bash"), {QStringLiteral("-c"), command});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("File too large") && r.err.contains(out.toUtf8()), r.err.constData());
        QCOMPARE(readAll(out), QByteArray("previous\n"));
        QCOMPARE(entriesOf(scratch.path()), QStringList{QStringLiteral("scan.json")});
    }

    // import: the per-file results on stdout, what went wrong on stderr.
    void importProblemsGoToStderr()
    {
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        const QString text = scratch.filePath(QStringLiteral("notes.txt"));
        QVERIFY(writeAll(text, "just some notes\n"));
        const QString casePath = scratch.filePath(QStringLiteral("case.sqlite"));
        for (bool asJson : {false, true}) {
            QStringList args{QStringLiteral("import"), QStringLiteral("--case"), casePath, text};
            if (asJson)
                args << QStringLiteral("--json");
            const ProgramRun r = cli(args);
            QCOMPARE(r.exitCode, 1);
            QVERIFY2(r.err.contains("not recognised"), r.err.constData());
            QVERIFY2(r.err.contains(text.toUtf8()), r.err.constData());
            if (asJson) {
                QVERIFY2(parses(r.out), r.out.constData());  // the errors are in the JSON report too
            } else {
                QVERIFY2(r.out.contains(text.toUtf8()), r.out.constData());
                QVERIFY2(!r.out.contains("not recognised") && !r.out.contains("error"), r.out.constData());
            }
        }
    }

    void hijackLibsThatIsNoDataset_data()
    {
        QTest::addColumn<QString>("what");
        QTest::addRow("missing directory") << QStringLiteral("missing");
        QTest::addRow("empty directory") << QStringLiteral("empty");
        QTest::addRow("a file") << QStringLiteral("file");
        QTest::addRow("no yml inside") << QStringLiteral("other");
    }
    void hijackLibsThatIsNoDataset()
    {
        QFETCH(QString, what);
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        const QString dataset = scratch.filePath(QStringLiteral("hijacklibs"));
        if (what != QLatin1String("missing") && what != QLatin1String("file"))
            QVERIFY(QDir().mkpath(dataset));
        if (what == QLatin1String("file"))
            QVERIFY(writeAll(dataset, "not a directory\n"));
        if (what == QLatin1String("other"))
            QVERIFY(writeAll(dataset + QStringLiteral("/README.md"), "# HijackLibs\n"));
        const QString log = scratch.filePath(QStringLiteral("notes.txt"));
        QVERIFY(writeAll(log, "just some notes\n"));
        const QString casePath = scratch.filePath(QStringLiteral("new-case.sqlite"));
        const ProgramRun r = cli({QStringLiteral("import"), QStringLiteral("--case"), casePath, QStringLiteral("--hijacklibs"),
                                  dataset, log});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--hijacklibs"), r.err.constData());
        QVERIFY(r.out.isEmpty());
        QVERIFY2(!QFile::exists(casePath), "a refused import must not create the case");
    }

    // A --case that names nothing: read-only commands say so and create nothing.
    void badCaseCreatesNothing_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addRow("case list") << words({"case", "list", "--case", "BAD"});
        QTest::addRow("case check") << words({"case", "check", "--case", "BAD"});
        QTest::addRow("stack") << words({"stack", "--case", "BAD"});
        QTest::addRow("events") << words({"events", "--case", "BAD"});
        QTest::addRow("timeline") << words({"timeline", "--case", "BAD"});
        QTest::addRow("diff") << words({"diff", "--case", "BAD", "1", "2"});
        QTest::addRow("who-loads") << words({"who-loads", "libc", "--case", "BAD"});
    }
    void badCaseCreatesNothing()
    {
        QFETCH(QStringList, args);
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        for (const QString &bad : {scratch.filePath(QStringLiteral("typo.sqlite")),
                                   scratch.filePath(QStringLiteral("no/such/dir/case.sqlite")),
                                   QStringLiteral("relative-typo-%1.sqlite").arg(QCoreApplication::applicationPid())}) {
            QStringList run = args;
            for (auto &a : run)
                if (a == QLatin1String("BAD"))
                    a = bad;
            const ProgramRun r = cli(run);
            QCOMPARE(r.exitCode, 1);
            QVERIFY2(QString::fromUtf8(r.err).contains(bad), r.err.constData());
            QVERIFY(r.out.isEmpty());
            QVERIFY2(entriesOf(scratch.path()).isEmpty(), qPrintable(entriesOf(scratch.path()).join(u' ')));
            QVERIFY(!QFile::exists(bad));
            QVERIFY(!QFile::exists(bad + QStringLiteral("-journal")) && !QFile::exists(bad + QStringLiteral("-wal")));
        }
    }

    // export and posture scan (and hash) like scan does: a progress line on a terminal's stderr,
    // none with --quiet. The terminal is a pty from script(1).
    void progressOnATerminal_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addRow("export") << words({"export", "--format", "csv", "--pid", "PID", "--hash-cache", "HASHCACHE"});
        QTest::addRow("posture") << words({"posture", "--hash-cache", "HASHCACHE"});
    }
    void progressOnATerminal()
    {
        QFETCH(QStringList, args);
        if (!QFile::exists(QStringLiteral("/usr/bin/script")))
            QSKIP("script(1) from util-linux is needed for a terminal");
        args = expand(args);
        const QString out = m_dir.filePath(QStringLiteral("progress-%1.out").arg(QString::fromLatin1(QTest::currentDataTag())));
        auto onTerminal = [&](bool quiet) {
            QString command = shellQuote(QStringLiteral(LOADLENS_CLI));
            for (const auto &a : args)
                command += QLatin1Char(' ') + shellQuote(a);
            command += QStringLiteral(" -o ") + shellQuote(out);
            if (quiet)
                command += QStringLiteral(" --quiet");
            return loadlens::testing::runProgram(QStringLiteral("/usr/bin/script"),
                                                 {QStringLiteral("-q"), QStringLiteral("-e"), QStringLiteral("-c"), command,
                                                  QStringLiteral("/dev/null")});
        };
        const ProgramRun shown = onTerminal(false);
        QVERIFY2(shown.exitCode == 0, shown.out.constData());
        QVERIFY2(shown.out.contains("judging modules"), shown.out.left(500).constData());
        QVERIFY2(shown.out.contains("\033[K"), shown.out.left(500).constData());
        const ProgramRun quiet = onTerminal(true);
        QVERIFY2(quiet.exitCode == 0, quiet.out.constData());
        QVERIFY2(!quiet.out.contains("judging modules") && !quiet.out.contains("\033[K"), quiet.out.left(500).constData());
        // Not a terminal (this test's pipes): no progress either.
        const ProgramRun piped = cli(args + QStringList{QStringLiteral("-o"), out});
        QCOMPARE(piped.exitCode, 0);
        QVERIFY2(!piped.err.contains("judging modules"), piped.err.constData());
    }

    void cleanupTestCase() { m_target.stop(); }
};

QTEST_GUILESS_MAIN(TestCliOutput)
#include "tst_cli_output.moc"
