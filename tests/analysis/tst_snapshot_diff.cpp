// diffSnapshots on bundles from real scans: a process that loads one more library, a library
// rewritten in place (new SHA-256), an ld.so.preload that appeared (fact and finding).
#include <QtTest>

#include "analysis/snapshot_diff.h"
#include "case_test_support.h"
#include "fixture_process.h"
#include "scan/scanner.h"
#include "store/bundle_import.h"

#include <QCryptographicHash>
#include <QDir>
#include <QTemporaryDir>

using namespace loadlens;
using analysis::ChangeKind;
using loadlens::testing::FixtureProcess;

namespace {

ScanResult scanWithRoot(int pid, const QString &root)
{
    scan::ScanOptions options;
    options.pid = pid;
    options.rootDir = root.toStdString();
    return scan::runScan(options);
}

QString sha256Of(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromLatin1(QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex());
}

const analysis::ModuleChange *findChange(const std::vector<analysis::ModuleChange> &changes, ChangeKind kind,
                                         const QString &path)
{
    for (const auto &c : changes)
        if (c.kind == kind && QString::fromStdString(c.path) == path)
            return &c;
    return nullptr;
}

bool writeText(const QString &path, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(text) == text.size();
}

} // namespace

class TestSnapshotDiff : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::optional<store::CaseDatabase> m_db;
    int m_snapshots = 0;

    // Imports `scan` as the next snapshot of host "lab" (one second apart) and returns its id.
    std::int64_t add(ScanResult scan, const QString &root)
    {
        scan.host.hostname = "lab";
        scan.scannedAt = 1700000000 + (++m_snapshots);
        const auto facts = store::collectHostFacts(scan.host, root.toStdString());
        const QString bundle = m_dir.filePath(QStringLiteral("s%1.llsnap").arg(m_snapshots));
        if (!loadlens::testing::writeBundle(bundle, scan, facts).isEmpty())
            return 0;
        if (!store::importBundle(*m_db, bundle.toStdString()).errors.empty())
            return 0;
        auto id = m_db->queryInt("SELECT max(id) FROM snapshots");
        return id ? *id : 0;
    }

private slots:
    void initTestCase()
    {
        auto db = store::CaseDatabase::open(m_dir.filePath(QStringLiteral("case.sqlite")).toStdString());
        QVERIFY(db.ok());
        m_db.emplace(std::move(*db));
    }

    void libraryAddedRewrittenAndPreloadAppeared()
    {
        const QString rootA = m_dir.filePath(QStringLiteral("rootA"));
        const QString rootB = m_dir.filePath(QStringLiteral("rootB"));
        QVERIFY(writeText(rootA + QStringLiteral("/etc/ld.so.conf"), "/usr/local/lib\n"));
        QVERIFY(writeText(rootB + QStringLiteral("/etc/ld.so.conf"), "/usr/local/lib\n/opt/vendor/lib\n"));
        QVERIFY(writeText(rootB + QStringLiteral("/etc/ld.so.preload"), "/opt/vendor/lib/libhook.so\n"));
        const QString extra = m_dir.filePath(QStringLiteral("lib/libextra.so"));
        QVERIFY(QDir().mkpath(QFileInfo(extra).path()));
        QVERIFY(QFile::copy(loadlens::testing::fixtureLibraryPath(), extra));

        FixtureProcess plain;
        QVERIFY2(plain.start({}), qPrintable(plain.error()));
        const std::int64_t a = add(scanWithRoot(plain.pid(), rootA), rootA);
        QVERIFY(a > 0);
        plain.stop();

        std::int64_t b = 0;
        {
            FixtureProcess loading;
            QVERIFY2(loading.start({QStringLiteral("--dlopen"), extra}), qPrintable(loading.error()));
            b = add(scanWithRoot(loading.pid(), rootB), rootB);
            QVERIFY(b > 0);
        }

        auto diff = analysis::diffSnapshots(*m_db, a, b);
        QVERIFY2(diff.ok(), diff.ok() ? "" : diff.error().message.c_str());
        const auto *added = findChange(diff->processModules, ChangeKind::Added, extra);
        QVERIFY2(added, "libextra.so not reported as added to the process");
        QVERIFY(QString::fromStdString(added->executable).endsWith(QLatin1String("ll_fixture_target")));
        QCOMPARE(added->processesAfter, std::int64_t(1));
        const auto *hostAdded = findChange(diff->hostModules, ChangeKind::Added, extra);
        QVERIFY(hostAdded);
        QCOMPARE(hostAdded->hashesAfter, std::vector<std::string>{sha256Of(extra).toStdString()});
        // The executable and libc are in both: not reported.
        for (const auto &c : diff->hostModules)
            QVERIFY2(c.kind != ChangeKind::Removed, c.path.c_str());

        QMap<QString, QString> facts;
        for (const auto &f : diff->facts)
            facts[QString::fromStdString(f.key)] = QString::fromStdString(f.after.value_or("(none)"));
        QCOMPARE(facts.value(QStringLiteral("ld.so.preload")), QStringLiteral("/opt/vendor/lib/libhook.so\n"));
        QCOMPARE(facts.value(QStringLiteral("ld.so.conf:/etc/ld.so.conf")), QStringLiteral("/usr/local/lib\n/opt/vendor/lib\n"));
        QVERIFY(!facts.contains(QStringLiteral("kernel")));
        bool preloadFinding = false;
        for (const auto &f : diff->newFindings)
            preloadFinding = preloadFinding || f.code == "preload-file-present";
        QVERIFY(preloadFinding);
        QVERIFY(diff->resolvedFindings.empty());

        // Reverse direction: the library is removed, the finding resolved.
        auto back = analysis::diffSnapshots(*m_db, b, a);
        QVERIFY(findChange(back->processModules, ChangeKind::Removed, extra));
        QCOMPARE(back->resolvedFindings.size(), diff->newFindings.size());

        // Same path, new content.
        const QString oldHash = sha256Of(extra);
        {
            QFile f(extra);
            QVERIFY(f.open(QIODevice::Append));
            f.write(QByteArray(64, 'z'));
        }
        QVERIFY(sha256Of(extra) != oldHash);
        FixtureProcess rewritten;
        QVERIFY2(rewritten.start({QStringLiteral("--dlopen"), extra}), qPrintable(rewritten.error()));
        const std::int64_t c = add(scanWithRoot(rewritten.pid(), rootB), rootB);
        QVERIFY(c > 0);
        auto changed = analysis::diffSnapshots(*m_db, b, c);
        QVERIFY(changed.ok());
        const auto *processChange = findChange(changed->processModules, ChangeKind::HashChanged, extra);
        QVERIFY2(processChange, "rewritten library not reported");
        QCOMPARE(processChange->hashesBefore, std::vector<std::string>{oldHash.toStdString()});
        QCOMPARE(processChange->hashesAfter, std::vector<std::string>{sha256Of(extra).toStdString()});
        QVERIFY(findChange(changed->hostModules, ChangeKind::HashChanged, extra));
        QCOMPARE(changed->processModules.size(), std::size_t(1));
        QVERIFY(changed->facts.empty());
    }

    void refusesUnknownAndIncompleteSnapshots()
    {
        auto missing = analysis::diffSnapshots(*m_db, 1, 999);
        QVERIFY(!missing.ok());
        QVERIFY(QString::fromStdString(missing.error().message).contains(QLatin1String("no snapshot 999")));
        QVERIFY(m_db->exec("UPDATE snapshots SET complete = 0 WHERE id = 1").ok());
        auto incomplete = analysis::diffSnapshots(*m_db, 1, 2);
        QVERIFY(!incomplete.ok());
        QVERIFY(QString::fromStdString(incomplete.error().message).contains(QLatin1String("incomplete")));
        QVERIFY(m_db->exec("UPDATE snapshots SET complete = 1 WHERE id = 1").ok());
    }
};

QTEST_GUILESS_MAIN(TestSnapshotDiff)
#include "tst_snapshot_diff.moc"
