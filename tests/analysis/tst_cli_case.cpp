// loadlens-cli round trips: collect -> import -> case / stack / diff / who-loads --case, and
// the messages for files import cannot take.
#include <QtTest>

#include "program_run.h"

#include "fixture_process.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using loadlens::testing::FixtureProcess;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QString err;
};

Run cli(const QStringList &args)
{
    const auto run = loadlens::testing::runProgram(QStringLiteral(LOADLENS_CLI_PATH), args, 180000);
    return Run{run.exitCode, run.out, QString::fromUtf8(run.err)};
}

bool hasPath(const QJsonArray &array, const QString &key, const QString &path)
{
    for (const auto &v : array)
        if (v.toObject().value(key).toString() == path)
            return true;
    return false;
}

} // namespace

class TestCliCase : public QObject {
    Q_OBJECT

private slots:
    void collectImportAndAsk()
    {
        QTemporaryDir dir;
        const QString casePath = dir.filePath(QStringLiteral("case.sqlite"));
        const QString before = dir.filePath(QStringLiteral("before.llsnap"));
        const QString after = dir.filePath(QStringLiteral("after.llsnap"));
        const QString extra = dir.filePath(QStringLiteral("lib/libextra.so"));
        QVERIFY(QDir().mkpath(QFileInfo(extra).path()));
        QVERIFY(QFile::copy(loadlens::testing::fixtureLibraryPath(), extra));

        FixtureProcess plain;
        QVERIFY2(plain.start({}), qPrintable(plain.error()));
        Run r = cli({QStringLiteral("collect"), QStringLiteral("--pid"), QString::number(plain.pid()),
                     QStringLiteral("--no-hash-cache"), QStringLiteral("-o"), before});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.err.contains(QLatin1String("1 processes")));
        QVERIFY(!QFile::exists(before + QStringLiteral(".partial")));
        // Snapshots of one host are told apart by their scan time (seconds).
        QThread::msleep(1100);
        FixtureProcess loading;
        QVERIFY2(loading.start({QStringLiteral("--dlopen"), extra}), qPrintable(loading.error()));
        r = cli({QStringLiteral("collect"), QStringLiteral("--pid"), QString::number(loading.pid()),
                 QStringLiteral("--no-hash-cache"), QStringLiteral("--output"), after});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = cli({QStringLiteral("collect"), QStringLiteral("-o"), after});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains(QLatin1String("already exists")));

        r = cli({QStringLiteral("import"), QStringLiteral("--case"), casePath, QStringLiteral("--json"), before, after});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + QString::fromUtf8(r.out)));
        QJsonArray reports = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(reports.size(), 2);
        for (const auto &v : reports) {
            QCOMPARE(v.toObject().value(QStringLiteral("format")).toString(), QStringLiteral("bundle"));
            QVERIFY(v.toObject().value(QStringLiteral("imported")).toInteger() > 0);
        }
        r = cli({QStringLiteral("import"), QStringLiteral("--case"), casePath, QStringLiteral("--json"), before});
        QCOMPARE(r.exitCode, 0);
        reports = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(reports.first().toObject().value(QStringLiteral("imported")).toInteger(), 0);
        QVERIFY(reports.first().toObject().value(QStringLiteral("duplicates")).toInteger() > 0);

        r = cli({QStringLiteral("case"), QStringLiteral("--case"), casePath, QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray snapshots = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(snapshots.size(), 2);
        const QString first = QString::number(snapshots.at(0).toObject().value(QStringLiteral("id")).toInteger());
        const QString second = QString::number(snapshots.at(1).toObject().value(QStringLiteral("id")).toInteger());
        r = cli({QStringLiteral("case"), QStringLiteral("check"), QStringLiteral("--case"), casePath});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out.trimmed(), QByteArray("ok"));

        r = cli({QStringLiteral("diff"), QStringLiteral("--case"), casePath, QStringLiteral("--json"), first, second});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QJsonObject diff = QJsonDocument::fromJson(r.out).object();
        QVERIFY(hasPath(diff.value(QStringLiteral("process_modules")).toArray(), QStringLiteral("path"), extra));
        // The same from the two bundle files, without a case.
        r = cli({QStringLiteral("diff"), QStringLiteral("--json"), before, after});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        diff = QJsonDocument::fromJson(r.out).object();
        QVERIFY(hasPath(diff.value(QStringLiteral("host_modules")).toArray(), QStringLiteral("path"), extra));
        r = cli({QStringLiteral("diff"), QStringLiteral("--case"), casePath, first, after});
        QCOMPARE(r.exitCode, 2);

        r = cli({QStringLiteral("stack"), QStringLiteral("--case"), casePath, QStringLiteral("--json"),
                 QStringLiteral("--all-snapshots"), QStringLiteral("--by"), QStringLiteral("name")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject stack = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(stack.value(QStringLiteral("hosts_in_case")).toInteger(), 1);
        QVERIFY(hasPath(stack.value(QStringLiteral("modules")).toArray(), QStringLiteral("name"), QStringLiteral("libextra.so")));
        r = cli({QStringLiteral("stack"), QStringLiteral("--case"), casePath, QStringLiteral("--by"), QStringLiteral("size")});
        QCOMPARE(r.exitCode, 2);

        r = cli({QStringLiteral("who-loads"), QStringLiteral("libextra"), QStringLiteral("--case"), casePath, QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonArray hits = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(hits.size(), 1);
        QCOMPARE(hits.first().toObject().value(QStringLiteral("pid")).toInt(), loading.pid());
    }

    void importNamesWhatItCannotTake()
    {
        QTemporaryDir dir;
        const QString casePath = dir.filePath(QStringLiteral("case.sqlite"));
        const QString evtx = dir.filePath(QStringLiteral("Security.evtx"));
        const QString text = dir.filePath(QStringLiteral("notes.txt"));
        QFile f(evtx);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray("ElfFile\0", 8) + QByteArray(4088, '\0'));
        f.close();
        QFile t(text);
        QVERIFY(t.open(QIODevice::WriteOnly));
        t.write("just some notes\n");
        t.close();
        Run r = cli({QStringLiteral("import"), QStringLiteral("--case"), casePath, evtx, text});
        QCOMPARE(r.exitCode, 1);
        const QString out = QString::fromUtf8(r.out);
        QVERIFY2(out.contains(evtx + QStringLiteral(" (evtx)")), qPrintable(out));
        // The per-file results on stdout; what could not be imported on stderr.
        QVERIFY2(out.contains(text + QStringLiteral(" (unknown)")), qPrintable(out));
        QVERIFY2(!out.contains(QLatin1String("not recognised")), qPrintable(out));
        QVERIFY2(r.err.contains(text + QStringLiteral(": the format is not recognised")), qPrintable(r.err));

        r = cli({QStringLiteral("stack"), QStringLiteral("--case"), dir.filePath(QStringLiteral("none.sqlite"))});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains(dir.filePath(QStringLiteral("none.sqlite"))));
        r = cli({QStringLiteral("import"), QStringLiteral("--case"), casePath});
        QCOMPARE(r.exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestCliCase)
#include "tst_cli_case.moc"
