// Stacking and who-loads across hosts, on bundles from real scans: a library only one host
// loads comes first; the executable every host runs comes last.
#include <QtTest>

#include "analysis/case_queries.h"
#include "case_test_support.h"
#include "fixture_process.h"
#include "store/bundle_import.h"

#include <QDir>
#include <QTemporaryDir>

using namespace loadlens;
using loadlens::testing::FixtureProcess;

class TestCaseStack : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::optional<store::CaseDatabase> m_db;
    QString m_extra;
    int m_bundles = 0;

    bool add(ScanResult scan, const char *host, std::int64_t at)
    {
        scan.host.hostname = host;
        scan.scannedAt = at;
        const QString bundle = m_dir.filePath(QStringLiteral("b%1.llsnap").arg(++m_bundles));
        return loadlens::testing::writeBundle(bundle, scan).isEmpty() &&
               store::importBundle(*m_db, bundle.toStdString()).errors.empty();
    }

    const analysis::StackEntry *entryFor(const analysis::StackResult &r, const QString &module)
    {
        for (const auto &e : r.entries)
            if (QString::fromStdString(e.module) == module)
                return &e;
        return nullptr;
    }

private slots:
    void initTestCase()
    {
        auto db = store::CaseDatabase::open(m_dir.filePath(QStringLiteral("case.sqlite")).toStdString());
        QVERIFY(db.ok());
        m_db.emplace(std::move(*db));
        m_extra = m_dir.filePath(QStringLiteral("plugins/libextra.so"));
        QVERIFY(QDir().mkpath(QFileInfo(m_extra).path()));
        QVERIFY(QFile::copy(loadlens::testing::fixtureLibraryPath(), m_extra));

        FixtureProcess plain;
        QVERIFY2(plain.start({}), qPrintable(plain.error()));
        const ScanResult plainScan = loadlens::testing::scanPid(plain.pid());
        FixtureProcess loading;
        QVERIFY2(loading.start({QStringLiteral("--dlopen"), m_extra}), qPrintable(loading.error()));
        const ScanResult loadingScan = loadlens::testing::scanPid(loading.pid());
        QVERIFY(add(plainScan, "h1", 100));
        QVERIFY(add(plainScan, "h2", 100));
        QVERIFY(add(loadingScan, "h3", 100));
    }

    void rareModulesComeFirst()
    {
        auto all = analysis::stack(*m_db);
        QVERIFY(all.ok());
        QCOMPARE(all->hostsInCase, std::int64_t(3));
        QVERIFY(all->entries.size() >= 3);
        QCOMPARE(QString::fromStdString(all->entries.front().module), m_extra);
        QCOMPARE(all->entries.front().hosts, std::int64_t(1));
        QCOMPARE(all->entries.front().sha256.size(), std::size_t(64));
        QCOMPARE(all->entries.back().hosts, std::int64_t(3));
        for (std::size_t i = 1; i < all->entries.size(); ++i)
            QVERIFY(all->entries[i - 1].hosts <= all->entries[i].hosts);

        auto rare = analysis::stack(*m_db, {analysis::StackBy::Hash, 1, 0, false});
        QCOMPARE(rare->entries.size(), std::size_t(1));
        auto limited = analysis::stack(*m_db, {analysis::StackBy::Hash, std::nullopt, 2, false});
        QCOMPARE(limited->entries.size(), std::size_t(2));

        auto byName = analysis::stack(*m_db, {analysis::StackBy::Name, std::nullopt, 0, false});
        const auto *name = entryFor(*byName, QStringLiteral("libextra.so"));
        QVERIFY(name);
        QCOMPARE(name->hosts, std::int64_t(1));
        QCOMPARE(name->variants, std::int64_t(1));
        const auto *exe = entryFor(*byName, QStringLiteral("ll_fixture_target"));
        QVERIFY(exe);
        QCOMPARE(exe->hosts, std::int64_t(3));
        QCOMPARE(exe->processes, std::int64_t(3));
    }

    void latestSnapshotPerHostUnlessAll()
    {
        // h3 is scanned again later without the library: the latest snapshot no longer has it.
        FixtureProcess plain;
        QVERIFY2(plain.start({}), qPrintable(plain.error()));
        QVERIFY(add(loadlens::testing::scanPid(plain.pid()), "h3", 200));
        auto latest = analysis::stack(*m_db);
        QVERIFY(!entryFor(*latest, m_extra));
        QCOMPARE(latest->snapshotsCounted, std::int64_t(3));
        auto all = analysis::stack(*m_db, {analysis::StackBy::Hash, std::nullopt, 0, true});
        QCOMPARE(all->snapshotsCounted, std::int64_t(4));
        QVERIFY(entryFor(*all, m_extra));

        auto hits = analysis::whoLoads(*m_db, "libextra");
        QVERIFY(hits.ok());
        QVERIFY(hits->empty());
        auto history = analysis::whoLoads(*m_db, "libextra", true);
        QCOMPARE(history->size(), std::size_t(1));
        QCOMPARE(history->front().host, std::string("h3"));
        QCOMPARE(QString::fromStdString(history->front().path), m_extra);
        QCOMPARE(history->front().sha256.size(), std::size_t(64));
        QVERIFY(QString::fromStdString(history->front().executable).endsWith(QLatin1String("ll_fixture_target")));

        auto everywhere = analysis::whoLoads(*m_db, "ll_fixture_target");
        QCOMPARE(everywhere->size(), std::size_t(3));
        QVERIFY(!analysis::whoLoads(*m_db, "").ok());
    }
};

QTEST_GUILESS_MAIN(TestCaseStack)
#include "tst_case_stack.moc"
