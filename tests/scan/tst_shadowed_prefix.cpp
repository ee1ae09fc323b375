// A pyenv, conda or virtualenv-style prefix: the interpreter's own DT_RUNPATH ($ORIGIN/../lib)
// names the prefix's lib/, which holds a library named like a system one (libz.so.1 here, as
// libpython and its companions there). When one non-root user owns the program, the library and
// the directories and nobody else can write them, shadowed-system-library is info; when any of
// that fails it stays high. The layout is real: the test copies a program it built and a library
// with SONAME libz.so.1 into a temporary prefix and runs it.
#include <QtTest>

#include "fixture_process.h"
#include "scan/scanner.h"

#include <QTemporaryDir>
#include <sys/stat.h>
#include <unistd.h>

using namespace loadlens;
using loadlens::testing::FixtureProcess;

namespace {

constexpr uid_t kPrefixOwner = 65534;  // nobody: a normal user, when the test runs as root
constexpr uid_t kOtherUser = 65533;

bool copyWithMode(const QString &from, const QString &to, mode_t mode)
{
    QFile::remove(to);
    return QFile::copy(from, to) && ::chmod(to.toLocal8Bit().constData(), mode) == 0;
}

bool chownTree(const QString &path, uid_t uid)
{
    if (::lchown(path.toLocal8Bit().constData(), uid, static_cast<gid_t>(-1)) != 0)
        return false;
    if (QFileInfo(path).isDir() && !QFileInfo(path).isSymLink())
        for (const QString &entry : QDir(path).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System))
            if (!chownTree(path + QLatin1Char('/') + entry, uid))
                return false;
    return true;
}

} // namespace

class TestShadowedPrefix : public QObject {
    Q_OBJECT
private slots:
    void ownPrefixIsInfo_data()
    {
        QTest::addColumn<QString>("variant");
        QTest::addColumn<Level>("expected");
        QTest::newRow("own prefix, one owner") << QStringLiteral("own") << Level::Info;
        QTest::newRow("program of another owner") << QStringLiteral("other-owner") << Level::High;
        QTest::newRow("lib/ writable by others") << QStringLiteral("writable") << Level::High;
        QTest::newRow("found through LD_LIBRARY_PATH") << QStringLiteral("library-path") << Level::High;
        QTest::newRow("dlopen by path, not the program's RUNPATH") << QStringLiteral("dlopen") << Level::High;
    }

    void ownPrefixIsInfo()
    {
        QFETCH(QString, variant);
        QFETCH(Level, expected);
        if (!QFileInfo::exists(QStringLiteral("/etc/ld.so.cache")))
            QSKIP("this host has no ld.so.cache to hold a system libz.so.1");
        const bool root = ::geteuid() == 0;
        if (variant == QLatin1String("other-owner") && !root)
            QSKIP("giving the program another owner than the library needs root (chown)");
        QTemporaryDir base;
        QVERIFY(base.isValid());
        const QString prefix = base.filePath(QStringLiteral("prefix"));
        QVERIFY(QDir().mkpath(prefix + QStringLiteral("/bin")));
        QVERIFY(QDir().mkpath(prefix + QStringLiteral("/lib")));
        QVERIFY(QDir().mkpath(base.filePath(QStringLiteral("other"))));
        for (const QString &dir : QStringList{prefix, prefix + QStringLiteral("/bin"), prefix + QStringLiteral("/lib"),
                                   base.filePath(QStringLiteral("other"))})
            QVERIFY(::chmod(dir.toLocal8Bit().constData(), 0755) == 0);
        const QString program = prefix + QStringLiteral("/bin/python3");
        const QString library = prefix + QStringLiteral("/lib/libz.so.1");
        QVERIFY(copyWithMode(QStringLiteral(LOADLENS_PREFIX_PROGRAM), program, 0755));
        QVERIFY(copyWithMode(QStringLiteral(LOADLENS_FAKE_ZLIB), library, 0755));
        QVERIFY(copyWithMode(QStringLiteral(LOADLENS_FAKE_ZLIB), base.filePath(QStringLiteral("other/libz.so.1")), 0755));
        if (root) {
            QVERIFY(chownTree(prefix, kPrefixOwner));
            QVERIFY(chownTree(base.filePath(QStringLiteral("other")), kPrefixOwner));
        }
        if (variant == QLatin1String("other-owner"))
            QVERIFY(::lchown(program.toLocal8Bit().constData(), kOtherUser, static_cast<gid_t>(-1)) == 0);
        if (variant == QLatin1String("writable"))
            QVERIFY(::chmod((prefix + QStringLiteral("/lib")).toLocal8Bit().constData(), 0777) == 0);

        QProcessEnvironment env;
        env.insert(QStringLiteral("PATH"), QStringLiteral("/usr/bin:/bin"));
        QString expectedPath = library;
        FixtureProcess target;
        if (variant == QLatin1String("library-path")) {
            env.insert(QStringLiteral("LD_LIBRARY_PATH"), base.filePath(QStringLiteral("other")));
            expectedPath = base.filePath(QStringLiteral("other/libz.so.1"));
            QVERIFY2(target.start({}, env, program), qPrintable(target.error()));
        } else if (variant == QLatin1String("dlopen")) {
            QVERIFY2(target.start({QStringLiteral("--dlopen"), library}, env), qPrintable(target.error()));
        } else {
            QVERIFY2(target.start({}, env, program), qPrintable(target.error()));
        }

        scan::ScanOptions options;
        options.pid = target.pid();
        options.probeHiddenPids = false;
        const ScanResult scan = scan::runScan(options);
        QCOMPARE(scan.processes.size(), std::size_t(1));
        const ModuleRecord *module = nullptr;
        QString seen;
        for (const auto &m : scan.processes.front().modules) {
            seen += QString::fromStdString(m.path) + QLatin1Char('\n');
            if (QString::fromStdString(m.path) == QFileInfo(expectedPath).canonicalFilePath())
                module = &m;
        }
        QVERIFY2(module, qPrintable(seen));
        const Reason *shadowed = nullptr;
        QString reasons;
        for (const auto &r : module->verdict.reasons) {
            reasons += QString::fromStdString(r.code + ": " + r.text) + QLatin1Char('\n');
            if (r.code == "shadowed-system-library")
                shadowed = &r;
        }
        QVERIFY2(shadowed, qPrintable(reasons));
        QVERIFY2(shadowed->level == expected, qPrintable(QString::fromStdString(std::string(levelName(shadowed->level))) +
                                                         QStringLiteral(": ") + reasons));
        if (expected == Level::Info) {
            QVERIFY2(shadowed->text.find("pyenv, conda") != std::string::npos, shadowed->text.c_str());
            bool owner = false;
            for (const auto &[k, v] : shadowed->evidence)
                owner = owner || k == "prefix_owner";
            QVERIFY(owner);
        }
    }
};

QTEST_GUILESS_MAIN(TestShadowedPrefix)
#include "tst_shadowed_prefix.moc"
