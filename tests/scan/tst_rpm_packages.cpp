// Package verification on RPM hosts, against a real RPM database: the test writes a spec,
// builds the package with rpmbuild and installs it with Debian's rpm into a scratch root
// (relocated there, so no chroot and no root needed), then changes and adds files.
#include <QtTest>

#include "fixture_process.h"
#include "pkg/rpm_db.h"
#include "program_run.h"
#include "scan/package_lookup.h"
#include "scan/scanner.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <sqlite3.h>

using namespace loadlens;
using loadlens::testing::FixtureProcess;

namespace {

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(content) == content.size();
}

QByteArray contentOf(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString sha256Of(const QString &path)
{
    return QString::fromLatin1(QCryptographicHash::hash(contentOf(path), QCryptographicHash::Sha256).toHex());
}

const ModuleRecord *moduleAt(const ScanResult &scan, int pid, const QString &path)
{
    for (const auto &p : scan.processes)
        if (p.pid == pid)
            for (const auto &m : p.modules)
                if (QString::fromStdString(m.path) == path)
                    return &m;
    return nullptr;
}

const Reason *reasonOf(const ModuleRecord &m, const char *code)
{
    for (const auto &r : m.verdict.reasons)
        if (r.code == code)
            return &r;
    return nullptr;
}

QString codesOf(const ModuleRecord &m)
{
    QStringList codes;
    for (const auto &r : m.verdict.reasons)
        codes << QString::fromStdString(r.code);
    return codes.join(u' ');
}

QString evidence(const Reason &r, const char *key)
{
    for (const auto &[k, v] : r.evidence)
        if (k == key)
            return QString::fromStdString(v);
    return {};
}

} // namespace

class TestRpmPackages : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_root;      // scratch root: ROOT/var/lib/rpm/rpmdb.sqlite, ROOT/opt/llrpm/...
    QString m_libDir;
    QString m_rpm;
    QString m_nevra;

    bool run(const QString &program, const QStringList &args, QString &why)
    {
        const auto r = loadlens::testing::runProgram(program, args, 180000);
        if (r.exitCode == 0)
            return true;
        why = program + QStringLiteral(" ") + args.join(u' ') + QStringLiteral(" failed (") +
              QString::number(r.exitCode) + QStringLiteral("): ") + QString::fromLocal8Bit(r.err.right(2000));
        return false;
    }

private slots:
    void initTestCase()
    {
        m_rpm = QStandardPaths::findExecutable(QStringLiteral("rpm"));
        const QString rpmbuild = QStandardPaths::findExecutable(QStringLiteral("rpmbuild"));
        if (m_rpm.isEmpty() || rpmbuild.isEmpty())
            QSKIP("rpm and rpmbuild are not installed (scripts/install-deps.sh installs Debian's rpm)");
        QVERIFY(m_dir.isValid());
        const QString top = m_dir.filePath(QStringLiteral("top"));
        const QString src = m_dir.filePath(QStringLiteral("src"));
        m_root = m_dir.filePath(QStringLiteral("root"));
        m_libDir = m_root + QStringLiteral("/opt/llrpm/lib");
        QVERIFY(QDir().mkpath(top + QStringLiteral("/SPECS")));
        QVERIFY(QDir().mkpath(src));
        QVERIFY(QDir().mkpath(m_root + QStringLiteral("/var/lib/rpm")));
        QVERIFY(QFile::copy(loadlens::testing::fixtureLibraryPath(), src + QStringLiteral("/lib.so")));

        // Two copies of a real shared library (one to be changed after installation), a config
        // file and a ghost, under a relocatable prefix.
        const QByteArray spec = QByteArrayLiteral(
            "Name: llrpm\nVersion: 1.2\nRelease: 3\nSummary: LoadLens test package\nLicense: MIT\n"
            "Prefix: /opt/llrpm\n%description\nLoadLens test package\n%install\n"
            "mkdir -p %{buildroot}/opt/llrpm/lib %{buildroot}/opt/llrpm/etc\n"
            "cp SRC/lib.so %{buildroot}/opt/llrpm/lib/libllrpm.so.1\n"
            "cp SRC/lib.so %{buildroot}/opt/llrpm/lib/libllrpm-changed.so.1\n"
            "echo 'setting = 1' > %{buildroot}/opt/llrpm/etc/llrpm.conf\n"
            "%files\n%attr(0755,root,root) /opt/llrpm/lib/libllrpm.so.1\n"
            "%attr(0755,root,root) /opt/llrpm/lib/libllrpm-changed.so.1\n"
            "%config(noreplace) /opt/llrpm/etc/llrpm.conf\n%ghost /opt/llrpm/etc/llrpm.log\n")
                                   .replace("SRC", src.toLocal8Bit());
        const QString specPath = top + QStringLiteral("/SPECS/llrpm.spec");
        QVERIFY(writeFile(specPath, spec));
        QString why;
        QVERIFY2(run(rpmbuild,
                     {QStringLiteral("-bb"), QStringLiteral("--define"), QStringLiteral("_topdir ") + top,
                      QStringLiteral("--define"), QStringLiteral("__os_install_post %{nil}"), QStringLiteral("--define"),
                      QStringLiteral("debug_package %{nil}"), QStringLiteral("--define"),
                      QStringLiteral("_build_id_links none"), specPath},
                     why),
                 qPrintable(why));
        QDirIterator it(top + QStringLiteral("/RPMS"), {QStringLiteral("*.rpm")}, QDir::Files, QDirIterator::Subdirectories);
        QVERIFY2(it.hasNext(), "rpmbuild made no package");
        const QString package = it.next();

        const QString dbpath = m_root + QStringLiteral("/var/lib/rpm");
        const QStringList db{QStringLiteral("--dbpath"), dbpath, QStringLiteral("--define"),
                             QStringLiteral("_db_backend sqlite")};
        QVERIFY2(run(m_rpm, db + QStringList{QStringLiteral("--initdb")}, why), qPrintable(why));
        QVERIFY2(run(m_rpm,
                     db + QStringList{QStringLiteral("-i"), QStringLiteral("--nodeps"), QStringLiteral("--noscripts"),
                                      QStringLiteral("--relocate"),
                                      QStringLiteral("/opt/llrpm=") + m_root + QStringLiteral("/opt/llrpm"), package},
                     why),
                 qPrintable(why));
        QVERIFY2(QFileInfo::exists(dbpath + QStringLiteral("/rpmdb.sqlite")), "rpm made no rpmdb.sqlite");
        QVERIFY(QFileInfo::exists(m_libDir + QStringLiteral("/libllrpm.so.1")));
        const auto query = loadlens::testing::runProgram(
            m_rpm, db + QStringList{QStringLiteral("-q"), QStringLiteral("--qf"),
                                    QStringLiteral("%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}"), QStringLiteral("llrpm")});
        QCOMPARE(query.exitCode, 0);
        m_nevra = QString::fromLocal8Bit(query.out).trimmed();

        // After installation: one library changed in place, one planted beside them, the
        // config file edited.
        QFile changed(m_libDir + QStringLiteral("/libllrpm-changed.so.1"));
        QVERIFY(changed.open(QIODevice::Append));
        QVERIFY(changed.write("changed after installation") > 0);
        changed.close();
        QVERIFY(QFile::copy(loadlens::testing::fixtureLibraryPath(), m_libDir + QStringLiteral("/libllrpm-extra.so.1")));
        QVERIFY(writeFile(m_root + QStringLiteral("/opt/llrpm/etc/llrpm.conf"), "setting = 2\n"));
    }

    void lookupReadsTheDatabase()
    {
        auto lookup = scan::PackageLookup::forRoot(m_root.toStdString(), {});
        QVERIFY2(lookup.available(), lookup.unavailableReason().c_str());
        const auto intact = lookup.lookup(QString(m_libDir + QStringLiteral("/libllrpm.so.1")).toStdString());
        QVERIFY(intact);
        QCOMPARE(QString::fromStdString(intact->package), m_nevra);
        QVERIFY(m_nevra.startsWith(u"llrpm-1.2-3."));
        QVERIFY(intact->fromRpm);
        QVERIFY(!intact->md5);
        QVERIFY(intact->sha256);
        QCOMPARE(QString::fromStdString(*intact->sha256), sha256Of(loadlens::testing::fixtureLibraryPath()));

        const auto conf = lookup.lookup(QString(m_root + QStringLiteral("/opt/llrpm/etc/llrpm.conf")).toStdString());
        QVERIFY(conf && conf->configFile);
        const auto ghost = lookup.lookup(QString(m_root + QStringLiteral("/opt/llrpm/etc/llrpm.log")).toStdString());
        QVERIFY(ghost && !ghost->sha256 && !ghost->md5);
        QVERIFY2(ghost->digestNote.find("%ghost") != std::string::npos, ghost->digestNote.c_str());
        QVERIFY(!lookup.lookup(QString(m_libDir + QStringLiteral("/libllrpm-extra.so.1")).toStdString()));
    }

    void scanGivesPackageVerdicts()
    {
        const QString intact = m_libDir + QStringLiteral("/libllrpm.so.1");
        const QString changed = m_libDir + QStringLiteral("/libllrpm-changed.so.1");
        const QString extra = m_libDir + QStringLiteral("/libllrpm-extra.so.1");
        FixtureProcess target;
        QVERIFY2(target.start({QStringLiteral("--dlopen"), intact, QStringLiteral("--dlopen"), changed,
                               QStringLiteral("--dlopen"), extra}),
                 qPrintable(target.error()));
        scan::ScanOptions options;
        options.pid = target.pid();
        options.rootDir = m_root.toStdString();  // its RPM database judges the files
        const ScanResult scan = scan::runScan(options);

        const ModuleRecord *m = moduleAt(scan, target.pid(), intact);
        QVERIFY2(m, "the intact library is not among the modules");
        const Reason *verified = reasonOf(*m, "package-verified");
        QVERIFY2(verified, qPrintable(codesOf(*m)));
        QCOMPARE(evidence(*verified, "package"), m_nevra);
        QVERIFY(QString::fromStdString(verified->text).contains(u"SHA-256"));

        m = moduleAt(scan, target.pid(), changed);
        QVERIFY2(m, "the changed library is not among the modules");
        const Reason *modified = reasonOf(*m, "package-modified");
        QVERIFY2(modified, qPrintable(codesOf(*m)));
        QCOMPARE(evidence(*modified, "package"), m_nevra);
        QCOMPARE(evidence(*modified, "expected_sha256"), sha256Of(loadlens::testing::fixtureLibraryPath()));
        QCOMPARE(evidence(*modified, "actual_sha256"), sha256Of(changed));
        QCOMPARE(m->verdict.level, Level::High);

        m = moduleAt(scan, target.pid(), extra);
        QVERIFY2(m, "the planted library is not among the modules");
        QVERIFY2(reasonOf(*m, "unowned"), qPrintable(codesOf(*m)));
        QVERIFY2(!reasonOf(*m, "no-package-database"), qPrintable(codesOf(*m)));
    }

    // The package-verified reason of the module at `path` in a scan --json report, or an empty
    // object; `codes` gets its reason codes.
    static QJsonObject verifiedReason(const QByteArray &json, const QString &path, QStringList &codes)
    {
        const auto processes = QJsonDocument::fromJson(json).object().value(u"processes"_qs).toArray();
        for (const auto &p : processes)
            for (const auto &m : p.toObject().value(u"modules"_qs).toArray()) {
                if (m.toObject().value(u"path"_qs).toString() != path)
                    continue;
                for (const auto &r : m.toObject().value(u"verdict"_qs).toObject().value(u"reasons"_qs).toArray()) {
                    codes << r.toObject().value(u"code"_qs).toString();
                    if (codes.back() == u"package-verified")
                        return r.toObject();
                }
            }
        return {};
    }

    void cliScanOfTheRoot()
    {
        const QString intact = m_libDir + QStringLiteral("/libllrpm.so.1");
        FixtureProcess target;
        QVERIFY2(target.start({QStringLiteral("--dlopen"), intact}), qPrintable(target.error()));
        const QStringList args{QStringLiteral("scan"), QStringLiteral("--json"), QStringLiteral("--pid"),
                               QString::number(target.pid()), QStringLiteral("--root"), m_root,
                               QStringLiteral("--hash-cache"), m_dir.filePath(QStringLiteral("cache.db"))};
        // The second scan answers from the remembered package answers, with the same verdict.
        for (int run = 0; run < 2; ++run) {
            const auto r = loadlens::testing::runProgram(QStringLiteral(LOADLENS_CLI), args);
            QVERIFY2(r.exitCode >= 0, r.err.constData());
            QStringList codes;
            const QJsonObject reason = verifiedReason(r.out, intact, codes);
            QVERIFY2(!reason.isEmpty(), qPrintable(codes.join(u' ') + u'\n' + QString::fromLocal8Bit(r.err)));
            QCOMPARE(reason.value(u"evidence"_qs).toObject().value(u"package"_qs).toString(), m_nevra);
        }
    }

    void damagedHeadersAreSkipped()
    {
        // A copy of the database with two damaged rows: the intact package is still read, each
        // damaged one is named with what is wrong.
        const QString copy = m_dir.filePath(QStringLiteral("damaged/var/lib/rpm"));
        QVERIFY(QDir().mkpath(copy));
        const QString file = copy + QStringLiteral("/rpmdb.sqlite");
        QVERIFY(QFile::copy(m_root + QStringLiteral("/var/lib/rpm/rpmdb.sqlite"), file));
        sqlite3 *db = nullptr;
        QCOMPARE(sqlite3_open(file.toLocal8Bit().constData(), &db), SQLITE_OK);
        const char *sql =
            "INSERT INTO Packages(hnum, blob) SELECT 100, substr(blob, 1, length(blob) / 2) FROM Packages WHERE hnum = 1;"
            "INSERT INTO Packages(hnum, blob) SELECT 101, x'0000ffff' || substr(blob, 5) FROM Packages WHERE hnum = 1;"
            "INSERT INTO Packages(hnum, blob) VALUES (102, x'00');";
        char *err = nullptr;
        const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
        const QString message = err ? QString::fromUtf8(err) : QString();
        sqlite3_free(err);
        sqlite3_close(db);
        QVERIFY2(rc == SQLITE_OK, qPrintable(message));

        auto index = pkg::RpmIndex::open(file.toStdString());
        QVERIFY2(index, index ? "" : index.error().message.c_str());
        QCOMPARE(index->packageCount(), std::size_t(1));
        QCOMPARE(index->warnings().badHeaders, std::size_t(3));
        QStringList examples;
        for (const auto &e : index->warnings().examples)
            examples << QString::fromStdString(e);
        const QString all = examples.join(u'\n');
        QVERIFY2(all.contains(u"header #100: header is") && all.contains(u"makes"), qPrintable(all));
        QVERIFY2(all.contains(u"header #101: header is"), qPrintable(all));
        QVERIFY2(all.contains(u"header #102: header of 1 bytes"), qPrintable(all));
        QVERIFY(index->lookup(QString(m_libDir + QStringLiteral("/libllrpm.so.1")).toStdString()));

        // Not an RPM database at all: an error naming the file.
        QVERIFY(writeFile(m_dir.filePath(QStringLiteral("not.sqlite")), "not a database"));
        auto bad = pkg::RpmIndex::open(m_dir.filePath(QStringLiteral("not.sqlite")).toStdString());
        QVERIFY(!bad);
        QVERIFY2(bad.error().message.find("not.sqlite") != std::string::npos, bad.error().message.c_str());
    }

    void olderFormatsAreNamed_data()
    {
        QTest::addColumn<QString>("dir");
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("format");
        QTest::newRow("BerkeleyDB") << u"var/lib/rpm"_qs << u"Packages"_qs << u"BerkeleyDB"_qs;
        QTest::newRow("NDB") << u"usr/lib/sysimage/rpm"_qs << u"Packages.db"_qs << u"NDB"_qs;
    }
    void olderFormatsAreNamed()
    {
        QFETCH(QString, dir);
        QFETCH(QString, file);
        QFETCH(QString, format);
        QTemporaryDir root;
        QVERIFY(QDir().mkpath(root.filePath(dir)));
        QVERIFY(writeFile(root.filePath(dir + u'/' + file), "old"));
        auto lookup = scan::PackageLookup::forRoot(root.path().toStdString(), {});
        QVERIFY(!lookup.available());
        const QString reason = QString::fromStdString(lookup.unavailableReason());
        QVERIFY2(reason.contains(format) && reason.contains(file) && reason.contains(u"rpmdb.sqlite"), qPrintable(reason));

        QTemporaryDir empty;
        auto none = scan::PackageLookup::forRoot(empty.path().toStdString(), {});
        QVERIFY(!none.available());
        QVERIFY2(QString::fromStdString(none.unavailableReason()).contains(u"no package database"),
                 none.unavailableReason().c_str());
    }
};

QTEST_GUILESS_MAIN(TestRpmPackages)
#include "tst_rpm_packages.moc"
