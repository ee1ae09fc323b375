// The collector itself on a hostile host: loadlens-cli is a static executable, so a preload
// library that hides a process (ll_hook_proc: readdir, open, openat and fopen) cannot reach it,
// whether it comes by LD_PRELOAD or by /etc/ld.so.preload in a private mount namespace; the same
// program linked dynamically loses the process and says in its report and on stderr that it ran
// tainted.
#include <QtTest>

#include "program_run.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <unistd.h>

using loadlens::testing::ProgramRun;
using loadlens::testing::runProgram;
using nlohmann::json;

namespace {

const QString kCli = QStringLiteral(LOADLENS_CLI);
const QString kDynamicCli = QStringLiteral(LOADLENS_CLI_DYNAMIC);
const QString kHook = QStringLiteral(LOADLENS_HOOK_LIBRARY);
constexpr bool kCliIsStatic = LOADLENS_CLI_IS_STATIC;

std::set<std::string> modulePaths(const json &doc, int pid)
{
    std::set<std::string> paths;
    for (const json &p : doc["processes"])
        if (pid == 0 || p["pid"].get<int>() == pid)
            for (const json &m : p["modules"])
                paths.insert(m["path"].get<std::string>());
    return paths;
}

QString shellQuote(const QString &s)
{
    QString quoted = s;
    quoted.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

} // namespace

class TestCollector : public QObject {
    Q_OBJECT

private:
    QProcess m_victim;
    QTemporaryDir m_dir;
    std::set<std::string> m_baseline;  // the victim's modules, scanned without any preload

    QString victimPid() const { return QString::number(m_victim.processId()); }

    QStringList scanArgs() const
    {
        return {QStringLiteral("scan"), QStringLiteral("--pid"), victimPid(), QStringLiteral("--json"),
                QStringLiteral("--hash-cache"), m_dir.filePath(QStringLiteral("hash-cache.sqlite"))};
    }

    QProcessEnvironment hookEnvironment() const
    {
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LLHOOK_HIDE"), victimPid());
        // An ASan build refuses to start with another library loaded before its runtime.
        env.insert(QStringLiteral("ASAN_OPTIONS"),
                   env.value(QStringLiteral("ASAN_OPTIONS")) + QStringLiteral(":verify_asan_link_order=0"));
        return env;
    }

    static json parse(const ProgramRun &r)
    {
        return json::parse(r.out.toStdString(), nullptr, false);
    }

    // Runs `program scan` in a private mount namespace whose /etc/ld.so.preload names the hook,
    // on a sleep started in the namespace before the file appears (from a user namespace, a
    // process outside it could not be read at all). Root unshares directly; a normal user in a
    // user namespace of its own, where the kernel allows.
    ProgramRun runUnderNamespacePreload(const QString &program, QString &skipReason)
    {
        const QString root = m_dir.filePath(QStringLiteral("ns-") + QFileInfo(program).fileName());
        QDir().mkpath(root + QStringLiteral("/etc"));
        const QString command =
            QStringLiteral("cp -a /etc/. %1/etc/ 2>/dev/null; "
                           "printf '%s\\n' %2 > %1/etc/ld.so.preload || exit 97; "
                           "/bin/sleep 300 & victim=$!; "
                           "for i in $(seq 1000); do case $(readlink /proc/$victim/exe) in */sleep) break;; esac; done; "
                           "export LLHOOK_HIDE=$victim; "
                           "mount --bind %1/etc /etc || { kill $victim; exit 97; }; "
                           "%3 scan --pid $victim --json --hash-cache %4; status=$?; "
                           "kill $victim; exit $status")
                .arg(shellQuote(root), shellQuote(kHook), shellQuote(program),
                     shellQuote(m_dir.filePath(QStringLiteral("hash-cache.sqlite"))));
        QStringList unshare{QStringLiteral("--mount"), QStringLiteral("--propagation"), QStringLiteral("private")};
        if (::geteuid() != 0)
            unshare.prepend(QStringLiteral("--map-root-user"));
        const ProgramRun probe = runProgram(QStringLiteral("unshare"), unshare + QStringList{QStringLiteral("/bin/true")});
        if (probe.exitCode != 0) {
            skipReason = QStringLiteral("unshare of a mount namespace is not permitted here (") +
                         QString::fromUtf8(probe.err).trimmed() + QStringLiteral(")");
            return {};
        }
        auto env = hookEnvironment();
        env.remove(QStringLiteral("LLHOOK_HIDE"));
        return runProgram(QStringLiteral("unshare"),
                          unshare + QStringList{QStringLiteral("/bin/sh"), QStringLiteral("-c"), command}, 240000, env);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(QFile::exists(kHook));
        m_victim.start(QStringLiteral("/bin/sleep"), {QStringLiteral("300")});
        QVERIFY(m_victim.waitForStarted());
        // Wait until the kernel shows sleep's own image, not the test's forked copy.
        QTRY_VERIFY_WITH_TIMEOUT(QFile::symLinkTarget(QStringLiteral("/proc/%1/exe").arg(victimPid())).endsWith(
                                     QStringLiteral("sleep")),
                                 10000);
        const ProgramRun r = runProgram(kCli, scanArgs());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        m_baseline = modulePaths(parse(r), static_cast<int>(m_victim.processId()));
        QVERIFY2(m_baseline.size() >= 2, r.out.left(400).constData());  // sleep, libc, the loader
    }

    void cleanupTestCase()
    {
        m_victim.kill();
        m_victim.waitForFinished();
    }

    // No PT_INTERP and no DT_NEEDED: nothing of the dynamic loader runs in the static program.
    void staticProgramHasNoLoader()
    {
        if (!kCliIsStatic)
            QSKIP("this build links loadlens-cli dynamically (sanitizers, or no static archives)");
        const ProgramRun headers = runProgram(QStringLiteral("readelf"), {QStringLiteral("-lW"), kCli});
        QVERIFY2(headers.exitCode == 0, headers.err.constData());
        QVERIFY2(!headers.out.contains("INTERP"), headers.out.constData());
        const ProgramRun dynamic = runProgram(QStringLiteral("readelf"), {QStringLiteral("-dW"), kCli});
        QVERIFY2(!dynamic.out.contains("(NEEDED)"), dynamic.out.constData());
        const json doc = parse(runProgram(kCli, scanArgs()));
        QCOMPARE(doc["collector"]["linkage"].get<std::string>(), std::string("static"));
        QVERIFY(!doc["collector"]["tainted"].get<bool>());
        // The twin used below is the same program with a loader.
        const ProgramRun twin = runProgram(QStringLiteral("readelf"), {QStringLiteral("-lW"), kDynamicCli});
        QVERIFY(twin.out.contains("INTERP"));
    }

    void ldPreloadHidesTheProcessOnlyFromTheDynamicProgram()
    {
        auto env = hookEnvironment();
        env.insert(QStringLiteral("LD_PRELOAD"), kHook);
        const ProgramRun hooked = runProgram(kDynamicCli, scanArgs(), 240000, env);
        const json tainted = parse(hooked);
        QVERIFY2(!tainted.is_discarded(), hooked.out.left(400).constData());
        QCOMPARE(tainted["collector"]["linkage"].get<std::string>(), std::string("dynamic"));
        QVERIFY(tainted["collector"]["tainted"].get<bool>());
        QCOMPARE(tainted["collector"]["loader_variables"]["LD_PRELOAD"].get<std::string>(), kHook.toStdString());
        QCOMPARE(tainted["collector"]["injected_modules"], json::array({kHook.toStdString()}));
        QVERIFY2(hooked.err.contains("warning: this loadlens-cli is dynamically linked and started under LD_PRELOAD="),
                 hooked.err.constData());
        // The hook works: the dynamic program lost the victim's modules.
        QVERIFY2(modulePaths(tainted, static_cast<int>(m_victim.processId())).empty(), hooked.out.left(600).constData());

        if (!kCliIsStatic)
            QSKIP("this build links loadlens-cli dynamically (sanitizers, or no static archives)");
        const ProgramRun immune = runProgram(kCli, scanArgs(), 240000, env);
        QVERIFY2(immune.exitCode == 0, immune.err.constData());
        QVERIFY2(!immune.err.contains("dynamically linked"), immune.err.constData());
        const json clean = parse(immune);
        QCOMPARE(clean["collector"]["linkage"].get<std::string>(), std::string("static"));
        QVERIFY(!clean["collector"]["tainted"].get<bool>());
        QCOMPARE(modulePaths(clean, static_cast<int>(m_victim.processId())), m_baseline);
    }

    void namespacePreloadFileHidesTheProcessOnlyFromTheDynamicProgram()
    {
        QString skip;
        const ProgramRun hooked = runUnderNamespacePreload(kDynamicCli, skip);
        if (!skip.isEmpty())
            QSKIP(qPrintable(skip));
        const json tainted = parse(hooked);
        QVERIFY2(!tainted.is_discarded(), QByteArray(hooked.out.left(400) + hooked.err).constData());
        QCOMPARE(tainted["collector"]["ld_so_preload"], json::array({kHook.toStdString()}));
        QVERIFY(tainted["collector"]["tainted"].get<bool>());
        QCOMPARE(tainted["collector"]["injected_modules"], json::array({kHook.toStdString()}));
        QVERIFY2(hooked.err.contains(QByteArray("/etc/ld.so.preload: " + kHook.toUtf8())), hooked.err.constData());
        QVERIFY2(modulePaths(tainted, 0).empty(), hooked.out.left(600).constData());

        if (!kCliIsStatic)
            QSKIP("this build links loadlens-cli dynamically (sanitizers, or no static archives)");
        const ProgramRun immune = runUnderNamespacePreload(kCli, skip);
        QVERIFY2(immune.exitCode == 0, immune.err.constData());
        const json clean = parse(immune);
        QCOMPARE(clean["processes"].size(), std::size_t(1));
        QCOMPARE(clean["collector"]["linkage"].get<std::string>(), std::string("static"));
        QCOMPARE(clean["collector"]["ld_so_preload"], json::array({kHook.toStdString()}));
        QVERIFY(!clean["collector"]["tainted"].get<bool>());
        QCOMPARE(modulePaths(clean, 0), m_baseline);
        // The host's own file was never touched.
        QFile hostPreload(QStringLiteral("/etc/ld.so.preload"));
        QVERIFY(!hostPreload.open(QIODevice::ReadOnly) || !hostPreload.readAll().contains(kHook.toUtf8()));
    }
};

QTEST_GUILESS_MAIN(TestCollector)
#include "tst_collector.moc"
