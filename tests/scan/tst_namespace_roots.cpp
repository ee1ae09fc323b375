// A process in another mount namespace is judged against its own root, seen from the host: a
// private /etc whose ld.so.preload names a library, a private dpkg database that owns one
// library and not the C library, and a private tmpfs where a deleted library was replaced by
// the package's version. No container runtime: `unshare --mount` (as a normal user inside a user
// namespace of its own) and bind mounts, never the host's /etc.
#include <QtTest>

#include "fixture_process.h"
#include "scan/scanner.h"

#include <QCryptographicHash>
#include <QTemporaryDir>

#include <csignal>
#include <sys/stat.h>
#include <unistd.h>

using namespace loadlens;
using loadlens::testing::FixtureProcess;

namespace {

const ProcessInfo *processOf(const ScanResult &scan, int pid)
{
    for (const auto &p : scan.processes)
        if (p.pid == pid)
            return &p;
    return nullptr;
}

const ModuleRecord *moduleNamed(const ProcessInfo &p, const QString &suffix)
{
    for (const auto &m : p.modules)
        if (QString::fromStdString(m.path).endsWith(suffix))
            return &m;
    return nullptr;
}

const Reason *reasonOf(const ModuleRecord &m, const std::string &code)
{
    for (const auto &r : m.verdict.reasons)
        if (r.code == code)
            return &r;
    return nullptr;
}

std::string evidenceOf(const Reason &r, const std::string &key)
{
    for (const auto &[k, v] : r.evidence)
        if (k == key)
            return v;
    return {};
}

QString describe(const ProcessInfo *p)
{
    if (!p)
        return QStringLiteral("process not in the scan");
    QString out;
    for (const auto &e : p->errors)
        out += QStringLiteral("error: ") + QString::fromStdString(e) + QLatin1Char('\n');
    for (const auto &m : p->modules) {
        out += QString::fromStdString(m.path) + QStringLiteral(" [");
        for (const auto &r : m.verdict.reasons)
            out += QString::fromStdString(r.code) + QLatin1Char('/') +
                   QString::fromLatin1(levelName(r.level).data()) + QLatin1Char(' ');
        out += QStringLiteral("]\n");
    }
    return out;
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(content) == content.size();
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QByteArray md5Hex(const QByteArray &content)
{
    return QCryptographicHash::hash(content, QCryptographicHash::Md5).toHex();
}

// The mount namespace's commands, run by /bin/sh with the scratch directory as $1 and the
// fixture program as $2 before it becomes the fixture itself (same pid).
const char *kNamespaceScript =
    "set -e; D=$1; shift; "
    "mount --bind \"$D/etc\" /etc; "
    "mount --bind \"$D/dpkg\" /var/lib/dpkg; "
    "mount -t tmpfs tmpfs \"$D/private\"; "
    "cp \"$D/lib/libdel.so\" \"$D/private/libdel.so\"; "
    "exec \"$@\"";

} // namespace

class TestNamespaceRoots : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_root;  // the scratch directory, the same path in both namespaces
    QByteArray m_replacement;
    QStringList m_unshare;
    QString m_skip;

    QString path(const QString &relative) const { return m_root + QLatin1Char('/') + relative; }

    // Starts the fixture in a new mount namespace built by kNamespaceScript.
    bool startInNamespace(FixtureProcess &target, const QStringList &fixtureArgs)
    {
        QStringList args = m_unshare;
        args << QStringLiteral("/bin/sh") << QStringLiteral("-c") << QString::fromLatin1(kNamespaceScript)
             << QStringLiteral("sh") << m_root << testing::fixtureTargetPath() << fixtureArgs;
        return target.start(args, QProcessEnvironment::systemEnvironment(), QStringLiteral("unshare"));
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_root = m_dir.path();
        QVERIFY(::chmod(m_root.toLocal8Bit().constData(), 0755) == 0);
        m_unshare = {QStringLiteral("--mount"), QStringLiteral("--propagation"), QStringLiteral("private")};
        if (::geteuid() != 0)
            m_unshare.prepend(QStringLiteral("--map-root-user"));
        QProcess probe;
        probe.start(QStringLiteral("unshare"), m_unshare + QStringList{QStringLiteral("/bin/true")});
        if (!probe.waitForFinished(30000) || probe.exitStatus() != QProcess::NormalExit || probe.exitCode() != 0) {
            m_skip = QStringLiteral("unshare of a mount namespace is not permitted here (") +
                     QString::fromUtf8(probe.readAllStandardError()).trimmed() + QStringLiteral(")");
            return;
        }

        // The private root's pieces: the libraries (same path from both sides), its /etc with
        // an ld.so.preload, its dpkg database, and a directory only the namespace mounts over.
        for (const char *dir : {"lib", "etc", "dpkg/info", "private"})
            QVERIFY(QDir().mkpath(path(QString::fromLatin1(dir))));
        const QByteArray library = readFile(testing::fixtureLibraryPath());
        QVERIFY(!library.isEmpty());
        for (const char *name : {"lib/libpre.so", "lib/libowned.so", "lib/libdel.so"})
            QVERIFY(writeFile(path(QString::fromLatin1(name)), library));
        for (const char *name : {"ld.so.cache", "passwd", "group"})
            QVERIFY(QFile::copy(QStringLiteral("/etc/") + QString::fromLatin1(name),
                                path(QStringLiteral("etc/") + QString::fromLatin1(name))));
        QVERIFY(writeFile(path(QStringLiteral("etc/ld.so.preload")), path(QStringLiteral("lib/libpre.so")).toUtf8() + '\n'));

        // The namespace's own package nsfixture owns libowned.so (as it is) and the path of
        // libdel.so, whose deleted copy is replaced by this content. It does not own the C library.
        m_replacement = QByteArrayLiteral("the package's version of libdel.so\n");
        const QByteArray owned = path(QStringLiteral("lib/libowned.so")).toUtf8();
        const QByteArray deleted = path(QStringLiteral("private/libdel.so")).toUtf8();
        QVERIFY(writeFile(path(QStringLiteral("dpkg/status")),
                          "Package: nsfixture\nStatus: install ok installed\nVersion: 1\n\n"));
        QVERIFY(writeFile(path(QStringLiteral("dpkg/info/nsfixture.list")), owned + '\n' + deleted + '\n'));
        QVERIFY(writeFile(path(QStringLiteral("dpkg/info/nsfixture.md5sums")),
                          md5Hex(library) + "  " + owned.mid(1) + '\n' + md5Hex(m_replacement) + "  " +
                              deleted.mid(1) + '\n'));
    }

    void processIsJudgedInItsOwnRoot()
    {
        if (!m_skip.isEmpty())
            QSKIP(qPrintable(m_skip));
        FixtureProcess inside;
        QVERIFY2(startInNamespace(inside, {QStringLiteral("--dlopen"), path(QStringLiteral("lib/libowned.so")),
                                           QStringLiteral("--map-deleted"), path(QStringLiteral("private/libdel.so"))}),
                 qPrintable(inside.error()));
        // The package's file is now at the deleted library's path, in the namespace only.
        const QString replaced =
            QStringLiteral("/proc/%1/root").arg(inside.pid()) + path(QStringLiteral("private/libdel.so"));
        QVERIFY2(writeFile(replaced, m_replacement), qPrintable(replaced));
        QVERIFY(!QFileInfo::exists(path(QStringLiteral("private/libdel.so"))));

        // A host process with the same library: judged against the host's own files.
        FixtureProcess outside;
        QVERIFY2(outside.start({QStringLiteral("--dlopen"), path(QStringLiteral("lib/libowned.so"))}),
                 qPrintable(outside.error()));

        scan::ScanOptions options;
        const ScanResult scan = scan::runScan(options);
        const ProcessInfo *p = processOf(scan, inside.pid());
        QVERIFY2(p, "the namespaced fixture is missing from the scan");
        const ProcessInfo *host = processOf(scan, outside.pid());
        QVERIFY(host);

        // Namespace fields: its own mount namespace, not ours; no container runtime here.
        QVERIFY(p->mountNamespace != 0);
        QVERIFY(!p->namespaceHint.empty());
        QVERIFY(host->namespaceHint.empty());
        QVERIFY(host->mountNamespace != p->mountNamespace);
        QVERIFY(p->container.empty());

        // Its ld.so.preload, and its package database that does not know libpre.so: high.
        const ModuleRecord *pre = moduleNamed(*p, QStringLiteral("/lib/libpre.so"));
        QVERIFY2(pre, qPrintable(describe(p)));
        const Reason *preload = reasonOf(*pre, "preload-file");
        QVERIFY2(preload, qPrintable(describe(p)));
        QCOMPARE(preload->level, Level::High);
        QVERIFY2(reasonOf(*pre, "unowned"), qPrintable(describe(p)));
        QVERIFY(QString::fromStdString(evidenceOf(*preload, "file")).endsWith(QStringLiteral("/root/etc/ld.so.preload")));

        // Its package database owns libowned.so: verified there, unowned on the host.
        const ModuleRecord *owned = moduleNamed(*p, QStringLiteral("/lib/libowned.so"));
        QVERIFY2(owned, qPrintable(describe(p)));
        const Reason *verified = reasonOf(*owned, "package-verified");
        QVERIFY2(verified, qPrintable(describe(p)));
        QCOMPARE(evidenceOf(*verified, "package"), std::string("nsfixture"));
        // ... and does not own the C library, which the host's database does.
        const ModuleRecord *libc = moduleNamed(*p, QStringLiteral("/libc.so.6"));
        QVERIFY2(libc && reasonOf(*libc, "unowned"), qPrintable(describe(p)));

        // The deleted library's path holds the namespace package's file: an upgrade, not an attack.
        const ModuleRecord *del = moduleNamed(*p, QStringLiteral("/private/libdel.so"));
        QVERIFY2(del && del->deleted, qPrintable(describe(p)));
        QVERIFY2(reasonOf(*del, "deleted-upgraded") && !reasonOf(*del, "deleted"), qPrintable(describe(p)));

        // The host's process: host database, no preload.
        const ModuleRecord *hostOwned = moduleNamed(*host, QStringLiteral("/lib/libowned.so"));
        QVERIFY2(hostOwned && reasonOf(*hostOwned, "unowned") && !reasonOf(*hostOwned, "package-verified"),
                 qPrintable(describe(host)));
        for (const auto &m : host->modules)
            QVERIFY2(!reasonOf(m, "preload-file"), qPrintable(describe(host)));
        const ModuleRecord *hostLibc = moduleNamed(*host, QStringLiteral("/libc.so.6"));
        if (QFileInfo::exists(QStringLiteral("/var/lib/dpkg/status")))
            QVERIFY2(hostLibc && reasonOf(*hostLibc, "package-verified"), qPrintable(describe(host)));
        for (const auto &f : scan.findings)
            QVERIFY2(f.code != "namespace-root-unreadable" || f.pid != inside.pid(), f.text.c_str());
    }

    // The namespace's only process is gone by the time its root is wanted: one finding for the
    // namespace, and its modules say what was left out instead of being judged as the host's.
    void unreadableRootIsOneFinding()
    {
        if (!m_skip.isEmpty())
            QSKIP(qPrintable(m_skip));
        FixtureProcess inside;
        QVERIFY2(startInNamespace(inside, {QStringLiteral("--dlopen"), path(QStringLiteral("lib/libowned.so"))}),
                 qPrintable(inside.error()));
        const int pid = inside.pid();
        scan::ScanOptions options;  // the whole host: a scan of one pid reports no progress
        // After the inventory, before the roots are looked up: kill it (a zombie has no root).
        bool killed = false;
        const ProgressFn progress = [&](std::size_t, std::size_t, const std::string &what) {
            if (killed || what != "done")
                return;
            killed = true;
            ::kill(pid, SIGKILL);
            const QByteArray root = QStringLiteral("/proc/%1/root/").arg(pid).toLocal8Bit();
            for (int i = 0; i < 500 && ::access(root.constData(), X_OK) == 0; ++i)
                ::usleep(10000);
        };
        const ScanResult scan = scan::runScan(options, progress);
        QVERIFY(killed);
        const ProcessInfo *p = processOf(scan, pid);
        QVERIFY(p && !p->modules.empty());
        int findings = 0;
        for (const auto &f : scan.findings)
            if (f.code == "namespace-root-unreadable") {
                ++findings;
                QCOMPARE(f.pid, pid);
            }
        QCOMPARE(findings, 1);
        const ModuleRecord *owned = moduleNamed(*p, QStringLiteral("/lib/libowned.so"));
        QVERIFY2(owned, qPrintable(describe(p)));
        QVERIFY2(reasonOf(*owned, "own-root-unreadable"), qPrintable(describe(p)));
        QVERIFY2(!reasonOf(*owned, "unowned") && !reasonOf(*owned, "package-verified"), qPrintable(describe(p)));
        QVERIFY2(reasonOf(*owned, "no-package-database"), qPrintable(describe(p)));
    }
};

QTEST_GUILESS_MAIN(TestNamespaceRoots)
#include "tst_namespace_roots.moc"
