// loadlens-cli as a user runs it: a real process to scan, the JSON shape scripts rely on,
// the table, who-loads, explain, and clear errors on bad arguments.
#include <QtTest>

#include "fixture_process.h"
#include "program_run.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

using loadlens::testing::FixtureProcess;

namespace {

using CliRun = loadlens::testing::ProgramRun;

CliRun runCli(const QStringList &args)
{
    return loadlens::testing::runProgram(QStringLiteral(LOADLENS_CLI), args, 120000);
}

} // namespace

class TestCliScan : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    FixtureProcess m_target;
    QString m_library;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_library = m_dir.filePath(QStringLiteral("libcli-lab.so"));
        QVERIFY(QFile::copy(loadlens::testing::fixtureLibraryPath(), m_library));
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LD_PRELOAD"), m_library);
        env.insert(QStringLiteral("UNRELATED_SECRET"), QStringLiteral("must-not-appear"));
        QVERIFY2(m_target.start({}, env), qPrintable(m_target.error()));
    }

    void jsonShapeForOneProcess()
    {
        const auto r = runCli({QStringLiteral("scan"), QStringLiteral("--pid"), QString::number(m_target.pid()),
                               QStringLiteral("--json"), QStringLiteral("--no-hash-cache")});
        QCOMPARE(r.exitCode, 0);
        QJsonParseError error;
        const auto doc = QJsonDocument::fromJson(r.out, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        const QJsonObject root = doc.object();
        for (const char *key : {"host", "scanned_at", "processes", "findings", "stats"})
            QVERIFY2(root.contains(QLatin1String(key)), key);
        QVERIFY(root[QStringLiteral("host")].toObject().contains(QStringLiteral("hostname")));
        const QJsonArray processes = root[QStringLiteral("processes")].toArray();
        QCOMPARE(processes.size(), 1);
        const QJsonObject proc = processes.first().toObject();
        QCOMPARE(proc[QStringLiteral("pid")].toInt(), m_target.pid());
        for (const char *key : {"ppid", "user", "exe", "cmdline", "start_time", "loader_env", "errors", "modules"})
            QVERIFY2(proc.contains(QLatin1String(key)), key);
        const QJsonObject env = proc[QStringLiteral("loader_env")].toObject();
        QCOMPARE(env[QStringLiteral("LD_PRELOAD")].toString(), m_library);
        QVERIFY(!env.contains(QStringLiteral("UNRELATED_SECRET")));

        bool sawPreloaded = false;
        for (const auto &value : proc[QStringLiteral("modules")].toArray()) {
            const QJsonObject m = value.toObject();
            for (const char *key : {"path", "dev", "inode", "deleted", "memfd", "anonymous_exec", "ranges", "verdict"})
                QVERIFY2(m.contains(QLatin1String(key)), key);
            const QJsonObject verdict = m[QStringLiteral("verdict")].toObject();
            QVERIFY(QStringList({QStringLiteral("ok"), QStringLiteral("info"), QStringLiteral("low"),
                                 QStringLiteral("medium"), QStringLiteral("high")})
                        .contains(verdict[QStringLiteral("level")].toString()));
            if (m[QStringLiteral("path")].toString() != m_library)
                continue;
            sawPreloaded = true;
            QCOMPARE(verdict[QStringLiteral("level")].toString(), QStringLiteral("high"));
            QStringList codes;
            for (const auto &reason : verdict[QStringLiteral("reasons")].toArray()) {
                const QJsonObject o = reason.toObject();
                for (const char *key : {"code", "text", "technique", "evidence"})
                    QVERIFY2(o.contains(QLatin1String(key)), key);
                codes << o[QStringLiteral("code")].toString();
                if (o[QStringLiteral("code")].toString() == QStringLiteral("preload-env"))
                    QCOMPARE(o[QStringLiteral("technique")].toString(), QStringLiteral("T1574.006"));
            }
            QVERIFY2(codes.contains(QStringLiteral("preload-env")), qPrintable(codes.join(u',')));
            QCOMPARE(m[QStringLiteral("file")].toObject()[QStringLiteral("sha256")].toString().size(), 64);
        }
        QVERIFY(sawPreloaded);
    }

    void tableAndFilters()
    {
        const auto r = runCli({QStringLiteral("scan"), QStringLiteral("--pid"), QString::number(m_target.pid()),
                               QStringLiteral("--min-level"), QStringLiteral("high"), QStringLiteral("--no-hash-cache")});
        QCOMPARE(r.exitCode, 0);
        const QString text = QString::fromUtf8(r.out);
        QVERIFY2(text.contains(m_library), qPrintable(text));
        QVERIFY2(!text.contains(QStringLiteral("libc.so.6")), "min-level high must hide package-verified libc");
        QVERIFY(text.contains(QStringLiteral("preload-env")));
    }

    void unsignedOnlyHidesPackageFiles()
    {
        const auto r = runCli({QStringLiteral("scan"), QStringLiteral("--pid"), QString::number(m_target.pid()),
                               QStringLiteral("--unsigned-only"), QStringLiteral("--json"),
                               QStringLiteral("--no-hash-cache")});
        QCOMPARE(r.exitCode, 0);
        const auto modules = QJsonDocument::fromJson(r.out)
                                 .object()[QStringLiteral("processes")].toArray().first().toObject()[QStringLiteral("modules")]
                                 .toArray();
        QVERIFY(!modules.isEmpty());
        for (const auto &m : modules)
            for (const auto &reason : m.toObject()[QStringLiteral("verdict")].toObject()[QStringLiteral("reasons")].toArray())
                QVERIFY(reason.toObject()[QStringLiteral("code")].toString() != QStringLiteral("package-verified"));
    }

    void whoLoadsFindsTheFixture()
    {
        const auto r = runCli({QStringLiteral("who-loads"), QStringLiteral("libcli-lab"), QStringLiteral("--json"),
                               QStringLiteral("--no-hash-cache")});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray hits = QJsonDocument::fromJson(r.out).array();
        bool found = false;
        for (const auto &h : hits)
            found = found || h.toObject()[QStringLiteral("pid")].toInt() == m_target.pid();
        QVERIFY2(found, r.out.constData());
    }

    void explainShowsEvidence()
    {
        const auto r = runCli({QStringLiteral("explain"), QString::number(m_target.pid()), QStringLiteral("libcli-lab"),
                               QStringLiteral("--no-hash-cache")});
        QCOMPARE(r.exitCode, 0);
        const QString text = QString::fromUtf8(r.out);
        for (const char *part : {"preload-env", "T1574.006", "M1044 measure", "LD_PRELOAD", "SHA-256"})
            QVERIFY2(text.contains(QLatin1String(part)), part);
    }

    void badArguments_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::addRow("unknown command") << QStringList{QStringLiteral("scna")} << QStringLiteral("unknown command");
        QTest::addRow("pid not a number") << QStringList{QStringLiteral("scan"), QStringLiteral("--pid"), QStringLiteral("x")}
                                          << QStringLiteral("--pid");
        QTest::addRow("bad level") << QStringList{QStringLiteral("scan"), QStringLiteral("--min-level"), QStringLiteral("severe")}
                                   << QStringLiteral("--min-level");
        QTest::addRow("bad regex") << QStringList{QStringLiteral("scan"), QStringLiteral("--module"), QStringLiteral("(")}
                                   << QStringLiteral("invalid --module pattern");
        QTest::addRow("unknown option") << QStringList{QStringLiteral("scan"), QStringLiteral("--frobnicate")}
                                        << QStringLiteral("unknown option");
        QTest::addRow("explain needs two") << QStringList{QStringLiteral("explain"), QStringLiteral("1")}
                                           << QStringLiteral("explain needs");
    }
    void badArguments()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const auto r = runCli(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }

    void missingPidIsAnErrorNotACrash()
    {
        const auto r = runCli({QStringLiteral("scan"), QStringLiteral("--pid"), QStringLiteral("999999999")});
        QVERIFY(r.exitCode == 0 || r.exitCode == 1);
        QVERIFY2(!r.out.isEmpty() || !r.err.isEmpty(), "a missing pid must be explained");
    }

    // A pid whose process the test started and collected: explain says it has exited.
    void explainExitedProcess()
    {
        QProcess shell;
        shell.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("echo $$")});
        QVERIFY(shell.waitForFinished(10000));
        const int pid = QString::fromLatin1(shell.readAllStandardOutput()).trimmed().toInt();
        QVERIFY(pid > 0);
        const auto r = runCli({QStringLiteral("explain"), QString::number(pid), QStringLiteral("libc"),
                               QStringLiteral("--no-hash-cache")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(QString::fromUtf8(r.err).contains(QStringLiteral("process %1 has exited").arg(pid)), r.err.constData());
        QVERIFY2(!r.err.contains("no module matching"), r.err.constData());
    }

    // A zombie: the shell starts a child that exits a moment later, after the shell has become
    // `sleep`, which never collects it (a child that exits before the exec may be collected by the
    // shell itself).
    void explainZombieProcess()
    {
        QProcess parent;
        parent.start(QStringLiteral("/bin/sh"),
                     {QStringLiteral("-c"), QStringLiteral("sleep 1 & echo $!; exec sleep 30")});
        QVERIFY(parent.waitForReadyRead(10000));
        const int pid = QString::fromLatin1(parent.readLine()).trimmed().toInt();
        QVERIFY(pid > 0);
        const QString statPath = QStringLiteral("/proc/%1/stat").arg(pid);
        auto state = [&statPath] {
            QFile stat(statPath);
            if (!stat.open(QIODevice::ReadOnly))
                return QByteArray();
            const QByteArray text = stat.readAll();
            const int close = text.lastIndexOf(')');
            return close > 0 ? text.mid(close + 2, 1) : QByteArray();
        };
        QTRY_COMPARE_WITH_TIMEOUT(state(), QByteArray("Z"), 10000);
        const auto r = runCli({QStringLiteral("explain"), QString::number(pid), QStringLiteral("libc"),
                               QStringLiteral("--no-hash-cache")});
        parent.kill();
        parent.waitForFinished(10000);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(QString::fromUtf8(r.err).contains(QStringLiteral("process %1 is a zombie: its memory maps are gone").arg(pid)),
                 r.err.constData());
    }

    // A deleted file is known only through the mapping, and still names its owner and group.
    void explainDeletedKeepsOwnerNames()
    {
        // Following /proc/PID/map_files needs CAP_SYS_ADMIN (CAP_CHECKPOINT_RESTORE since 5.9).
        const QDir mapFiles(QStringLiteral("/proc/self/map_files"));
        const QStringList entries = mapFiles.entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot);
        QFile probe(entries.isEmpty() ? QString() : mapFiles.filePath(entries.first()));
        if (!probe.open(QIODevice::ReadOnly))
            QSKIP("a deleted file is read through /proc/PID/map_files, which needs CAP_SYS_ADMIN (run as root)");
        probe.close();
        const QString path = m_dir.filePath(QStringLiteral("deleted-blob.bin"));
        QFile blob(path);
        QVERIFY(blob.open(QIODevice::WriteOnly));
        blob.write(QByteArray(8192, 'x'));
        blob.close();
        FixtureProcess target;
        QVERIFY2(target.start({QStringLiteral("--map-deleted"), path}), qPrintable(target.error()));
        const auto r = runCli({QStringLiteral("explain"), QString::number(target.pid()), QStringLiteral("deleted-blob"),
                               QStringLiteral("--json"), QStringLiteral("--no-hash-cache")});
        target.stop();
        QCOMPARE(r.exitCode, 0);
        const QJsonObject module = QJsonDocument::fromJson(r.out).object();
        QVERIFY2(module[QStringLiteral("deleted")].toBool(), r.out.constData());
        const QJsonObject file = module[QStringLiteral("file")].toObject();
        const QString owner = QString::fromLocal8Bit(::getpwuid(::getuid()) ? ::getpwuid(::getuid())->pw_name : "");
        const QString group = QString::fromLocal8Bit(::getgrgid(::getgid()) ? ::getgrgid(::getgid())->gr_name : "");
        QCOMPARE(file[QStringLiteral("owner")].toString(), owner.isEmpty() ? QString::number(::getuid()) : owner);
        QCOMPARE(file[QStringLiteral("group")].toString(), group.isEmpty() ? QString::number(::getgid()) : group);
        QCOMPARE(file[QStringLiteral("size")].toInt(), 8192);
    }

    void cleanupTestCase() { m_target.stop(); }
};

QTEST_GUILESS_MAIN(TestCliScan)
#include "tst_cli_scan.moc"
