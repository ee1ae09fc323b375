// The trainer lab: `loadlens-cli lab start NAME` of every scenario followed by `scan --json`
// shows the scenario's expected reason codes on the expected modules, and the payload really
// ran; `lab stop --all` leaves no process, mount, namespace or file behind; dead scenarios and
// scenarios of a vanished owner are cleaned up; bad input gives an error, not a crash.
#include <QtTest>

#include "lab/lab_catalog.h"
#include "lab/lab_process.h"
#include "lab/lab_runner.h"
#include "program_run.h"
#include "shared_data.h"
#include "verdict/reason_catalog.h"

#include <QTemporaryDir>
#include <nlohmann/json.hpp>
#include <csignal>
#include <cstring>
#include <map>
#include <set>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using loadlens::testing::runProgram;
using nlohmann::json;

namespace {

QProcessEnvironment labEnvironment()
{
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LOADLENS_LAB_BINARIES"), QStringLiteral(LOADLENS_LAB_BINARIES));
    env.remove(QStringLiteral("LOADLENS_LAB_DIR"));
    return env;
}

loadlens::testing::ProgramRun cli(const QStringList &args)
{
    return runProgram(QStringLiteral(LOADLENS_CLI), args, 240000, labEnvironment());
}

QString lines(const QByteArray &a) { return QString::fromUtf8(a.left(4000)); }

// The process's modules: path -> reason codes.
std::map<std::string, std::set<std::string>> modulesOf(const json &scan, int pid)
{
    std::map<std::string, std::set<std::string>> out;
    for (const auto &p : scan.at("processes"))
        if (p.at("pid").get<int>() == pid)
            for (const auto &m : p.at("modules")) {
                auto &codes = out[m.at("path").get<std::string>()];
                for (const auto &r : m.at("verdict").at("reasons"))
                    codes.insert(r.at("code").get<std::string>());
            }
    return out;
}

// The JSON object of the module at `path` (or starting with it) of process `pid`.
json moduleOf(const json &scan, int pid, const std::string &path)
{
    for (const auto &p : scan.at("processes"))
        if (p.at("pid").get<int>() == pid)
            for (const auto &m : p.at("modules"))
                if (m.at("path").get<std::string>().rfind(path, 0) == 0)
                    return m;
    return {};
}

QString describe(const std::map<std::string, std::set<std::string>> &modules)
{
    QString s;
    for (const auto &[path, codes] : modules) {
        s += QString::fromStdString(path) + QStringLiteral(" [");
        for (const auto &c : codes)
            s += QString::fromStdString(c) + QLatin1Char(' ');
        s += QStringLiteral("]\n");
    }
    return s;
}

// "mnt:[4026532200]"; empty when the process is gone or not ours to look at.
QString namespaceOf(int pid, const char *ns)
{
    char target[128];
    const QByteArray link = "/proc/" + QByteArray::number(pid) + "/ns/" + ns;
    const ssize_t n = ::readlink(link.constData(), target, sizeof target);
    return n > 0 ? QString::fromLatin1(target, n) : QString();
}

QSet<QString> mountNamespaces()
{
    QSet<QString> out;
    for (const QString &pid : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool number = false;
        pid.toInt(&number);
        // A zombie keeps its credentials, and so its user namespace, until its parent reaps it:
        // a victim orphaned by loadlens-cli waits for init (this container's init reaps nothing).
        if (!number || !loadlens::lab::processStartTime(pid.toInt()))
            continue;
        for (const char *ns : {"mnt", "user"}) {
            const QString link = namespaceOf(pid.toInt(), ns);
            if (!link.isEmpty())
                out.insert(link);
        }
    }
    return out;
}

QStringList listing(const QString &dir)
{
    QStringList out;
    for (const QFileInfo &fi : QDir(dir).entryInfoList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot)) {
        out << fi.fileName() + QLatin1Char(' ') + QString::number(fi.lastModified().toMSecsSinceEpoch()) +
                   QLatin1Char(' ') + QString::number(fi.size());
    }
    return out;
}

// The /tmp entries a lab could have left: anything named after LoadLens or the lab, except the
// test's own temporary directory. (Other builds on the machine come and go in /tmp meanwhile.)
QStringList labEntriesInTmp(const QString &ownTemporaryDir)
{
    QStringList out;
    for (const QString &name : QDir(QStringLiteral("/tmp")).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot))
        // Other tests of the suite (tst_hijack_lab-XXXXXX, ...) come and go in parallel.
        if ((name.contains(QLatin1String("lab")) || name.contains(QLatin1String("loadlens"))) &&
            !name.startsWith(QLatin1String("tst_")) && QStringLiteral("/tmp/") + name != ownTemporaryDir)
            out << name;
    return out;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The Windows scenario needs Wine at run time and mingw-w64 at build time; `lab start` says
// which is missing and how to install it.
bool wineUnavailable(const QString &name, const loadlens::testing::ProgramRun &started)
{
    return name == QLatin1String("wine-dll-hijack") && started.exitCode != 0 &&
           (started.err.contains("needs Wine") || started.err.contains("were not built"));
}

// Live processes (not zombies) whose environment mentions `text` (a lab directory).
QList<int> processesMentioning(const QString &text)
{
    QList<int> out;
    for (const QString &pid : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool number = false;
        const int n = pid.toInt(&number);
        if (!number || n == int(::getpid()) || !loadlens::lab::processStartTime(n))
            continue;
        QFile f(QStringLiteral("/proc/%1/environ").arg(pid));
        if (f.open(QIODevice::ReadOnly) && f.readAll().contains(text.toUtf8()))
            out << n;
    }
    return out;
}

int pidOfRunning(const QString &labDir, const QString &name)
{
    const auto run = cli({QStringLiteral("lab"), QStringLiteral("status"), QStringLiteral("--json"),
                          QStringLiteral("--lab-dir"), labDir});
    if (run.exitCode != 0)
        return -1;
    for (const auto &i : json::parse(run.out.toStdString()))
        if (i.at("scenario").get<std::string>() == name.toStdString())
            return i.at("pid").get<int>();
    return 0;
}

} // namespace

class TestLab : public QObject {
    Q_OBJECT
private slots:
    void catalogueIsComplete()
    {
        QVERIFY(loadlens::lab::catalogue().size() >= 8);
        for (const auto &s : loadlens::lab::catalogue()) {
            QVERIFY2(!s.title.empty() && !s.story.empty() && !s.technique.empty() && !s.measure.empty() &&
                         !s.commands.empty() && !s.mitigation.empty() && !s.expected.empty(),
                     s.name.c_str());
            QVERIFY(s.technique.rfind("T1", 0) == 0);
            for (const auto &e : s.expected)
                for (const auto &code : e.reasons)
                    QVERIFY2(!loadlens::verdict::measureFor(code).empty(), (s.name + ": unknown reason " + code).c_str());
            QCOMPARE(loadlens::lab::findScenario(s.name), &s);
        }
        QVERIFY(!loadlens::lab::findScenario("no-such-scenario"));
    }

    void scenarioRaisesItsReasons_data()
    {
        QTest::addColumn<QString>("name");
        for (const auto &s : loadlens::lab::catalogue())
            QTest::addRow("%s", s.name.c_str()) << QString::fromStdString(s.name);
    }
    void scenarioRaisesItsReasons()
    {
        QFETCH(QString, name);
        const auto *scenario = loadlens::lab::findScenario(name.toStdString());
        QVERIFY(scenario);
        if (name == QLatin1String("library-path") && !QFileInfo::exists(QStringLiteral("/usr/lib/x86_64-linux-gnu/libz.so.1")))
            QSKIP("this host has no system libz.so.1 to shadow");
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QVERIFY(::chmod(tmp.path().toLocal8Bit().constData(), 0755) == 0);
        const QString labDir = tmp.filePath(QStringLiteral("lab"));

        const auto started = cli({QStringLiteral("lab"), QStringLiteral("start"), name, QStringLiteral("--lab-dir"), labDir});
        auto stop = qScopeGuard([&] {
            cli({QStringLiteral("lab"), QStringLiteral("stop"), QStringLiteral("--all"), QStringLiteral("--lab-dir"), labDir});
        });
        if (name == QLatin1String("preload-file") && started.exitCode != 0 && ::geteuid() != 0 &&
            started.err.contains("unshare"))
            QSKIP(qPrintable(QStringLiteral("user namespaces are not available to this user: ") + lines(started.err)));
        if (wineUnavailable(name, started))
            QSKIP(qPrintable(lines(started.err)));
        QVERIFY2(started.exitCode == 0, qPrintable(lines(started.err)));
        QVERIFY2(started.out.contains("Started: pid"), qPrintable(lines(started.out)));
        const int pid = pidOfRunning(labDir, name);
        QVERIFY2(pid > 0, "lab status does not list the started scenario");

        const auto scanned = cli({QStringLiteral("scan"), QStringLiteral("--pid"), QString::number(pid), QStringLiteral("--json"),
                                  QStringLiteral("--no-hash-cache"), QStringLiteral("--quiet")});
        QVERIFY2(scanned.exitCode == 0, qPrintable(lines(scanned.err)));
        const json scan = json::parse(scanned.out.toStdString());
        const auto modules = modulesOf(scan, pid);
        const std::string scenarioDir = QString(labDir + QLatin1Char('/') + name).toStdString();
        for (const auto &e : scenario->expected) {
            const std::string want = e.module[0] == '/' ? e.module : scenarioDir + "/" + e.module;
            const std::set<std::string> *codes = nullptr;
            for (const auto &[path, c] : modules)
                if (path == want || (e.module[0] == '/' && path.rfind(want, 0) == 0))
                    codes = &c;
            QVERIFY2(codes, qPrintable(QString::fromStdString(want) + QStringLiteral(" not mapped; modules:\n") + describe(modules)));
            for (const auto &code : e.reasons)
                QVERIFY2(codes->count(code), qPrintable(QString::fromStdString(want + ": " + code + " missing; modules:\n") +
                                                        describe(modules)));
        }
        // The module the scenario is about is judged high, and the evidence says why.
        const std::string about = scenario->expected.back().module;
        const json module = moduleOf(scan, pid, about[0] == '/' ? about : scenarioDir + "/" + about);
        QCOMPARE(QString::fromStdString(module.at("verdict").at("level").get<std::string>()), QStringLiteral("high"));
        if (name == QLatin1String("runpath-writable")) {
            bool namesPlugins = false;
            for (const auto &r : module.at("verdict").at("reasons"))
                if (r.at("code") == "search-path-hijackable")
                    namesPlugins = namesPlugins || r.at("evidence").value("writable_dir", "") == scenarioDir + "/app/plugins";
            QVERIFY2(namesPlugins, "the hijackable reason names the writable plugins directory");
        }
        if (name == QLatin1String("preload-env"))
            QCOMPARE(module.at("file").at("sha256").get<std::string>().size(), size_t(64));
        // What a preloaded library replaces is named: the hooking payload's three functions,
        // and nothing for the payload that exports no C library function.
        std::string interposes;
        for (const auto &r : module.at("verdict").at("reasons"))
            if (r.at("code") == "preload-env" || r.at("code") == "preload-file")
                interposes = r.at("evidence").value("interposes", "");
        if (name == QLatin1String("preload-hook")) {
            const QStringList names = QString::fromStdString(interposes).split(QStringLiteral(", "));
            for (const char *function : {"readdir", "opendir", "open"})
                QVERIFY2(names.contains(QLatin1String(function)), interposes.c_str());
            QCOMPARE(names.size(), 3);
        } else if (name == QLatin1String("preload-env") || name == QLatin1String("preload-file")) {
            QVERIFY2(interposes.empty(), interposes.c_str());
        }
        if (name == QLatin1String("deleted-library")) {
            QVERIFY(module.at("deleted").get<bool>());
            QVERIFY(!modules.at(module.at("path").get<std::string>()).count("package-modified"));
        }
        if (name == QLatin1String("memfd-exec"))
            QVERIFY(module.at("memfd").get<bool>());

        if (name == QLatin1String("wine-dll-hijack")) {
            // Judged as a Windows DLL: the prefix's own version.dll is named, and the prefix is the
            // lab's, owned by whoever runs the lab.
            const std::string prefix = scenarioDir + "/prefix";
            std::string system32Copy, winePrefix;
            for (const auto &r : module.at("verdict").at("reasons"))
                if (r.at("code") == "wine-dll-shadows-system32") {
                    system32Copy = r.at("evidence").value("system32_copy", "");
                    winePrefix = r.at("evidence").value("wine_prefix", "");
                    QCOMPARE(QString::fromStdString(r.at("technique").get<std::string>()), QStringLiteral("T1574.001"));
                    QVERIFY(!r.at("measure").get<std::string>().empty());
                }
            QCOMPARE(QString::fromStdString(system32Copy), QString::fromStdString(prefix + "/drive_c/windows/system32/version.dll"));
            QCOMPARE(QString::fromStdString(winePrefix), QString::fromStdString(prefix));
            struct stat st {};
            QVERIFY(::stat(prefix.c_str(), &st) == 0 && st.st_uid == ::geteuid());
            QVERIFY2(readAll(QString::fromStdString(scenarioDir + "/lab.log")).contains("payload loaded into Windows process"),
                     readAll(QString::fromStdString(scenarioDir + "/lab.log")).constData());
            // Wine's own DLLs in the same process are Windows images too, and vouched for by their package.
            bool builtinSeen = false;
            for (const auto &[path, codes] : modules)
                if (path.find("/wine/") != std::string::npos && path.ends_with("/kernel32.dll"))
                    builtinSeen = codes.count("package-verified") && !codes.count("pe-unsigned") &&
                                  !codes.count("wine-dll-shadows-system32");
            QVERIFY2(builtinSeen, qPrintable(describe(modules)));
            // With the HijackLibs dataset, the planted copy is a known hijackable DLL outside
            // %SYSTEM32%; Wine's own DLLs are not judged against it.
            const QString hijackLibs = loadlens::testing::sharedDataPath(QStringLiteral("hijacklibs"));
            if (!hijackLibs.isEmpty()) {
                const auto withDataset = cli({QStringLiteral("scan"), QStringLiteral("--pid"), QString::number(pid),
                                              QStringLiteral("--json"), QStringLiteral("--no-hash-cache"), QStringLiteral("--quiet"),
                                              QStringLiteral("--hijacklibs"), hijackLibs});
                QVERIFY2(withDataset.exitCode == 0, qPrintable(lines(withDataset.err)));
                const json judged = json::parse(withDataset.out.toStdString());
                const auto again = modulesOf(judged, pid);
                QVERIFY2(again.at(scenarioDir + "/app/version.dll").count("hijacklibs-match"), qPrintable(describe(again)));
                for (const auto &[path, codes] : again)
                    if (path.find("/wine/") != std::string::npos)
                        QVERIFY2(!codes.count("hijacklibs-match"), path.c_str());
                const json planted = moduleOf(judged, pid, scenarioDir + "/app/version.dll");
                for (const auto &r : planted.at("verdict").at("reasons"))
                    if (r.at("code") == "hijacklibs-match")
                        QVERIFY2(r.at("evidence").value("hijacklibs-entry", "").ends_with("/version.yml"), r.dump().c_str());
            }
        }
        // The payload's constructor ran (every scenario but the memfd and the not-yet-exploited
        // RUNPATH one loads it).
        else if (name != QLatin1String("memfd-exec") && name != QLatin1String("runpath-writable"))
            QVERIFY2(readAll(QString::fromStdString(scenarioDir + "/lab.log")).contains(QByteArray("payload loaded into pid " + QByteArray::number(pid))),
                     readAll(QString::fromStdString(scenarioDir + "/lab.log")).constData());

        const auto stopped = cli({QStringLiteral("lab"), QStringLiteral("stop"), name, QStringLiteral("--lab-dir"), labDir});
        QVERIFY2(stopped.exitCode == 0, qPrintable(lines(stopped.err)));
        QVERIFY(!QFileInfo::exists(QString::fromStdString(scenarioDir)));
        QTRY_VERIFY(!QFileInfo::exists(QStringLiteral("/proc/%1/exe").arg(pid)) ||
                    QFile::symLinkTarget(QStringLiteral("/proc/%1/exe").arg(pid)).isEmpty());
    }

    void mitigationThenTheAttackAgain_data()
    {
        QTest::addColumn<QString>("name");
        for (const auto &s : loadlens::lab::catalogue())
            QTest::addRow("%s", s.name.c_str()) << QString::fromStdString(s.name);
    }
    void mitigationThenTheAttackAgain()
    {
        QFETCH(QString, name);
        const auto *scenario = loadlens::lab::findScenario(name.toStdString());
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QVERIFY(::chmod(tmp.path().toLocal8Bit().constData(), 0755) == 0);
        const QString labDir = tmp.filePath(QStringLiteral("lab"));
        const QStringList mitigate{QStringLiteral("lab"), QStringLiteral("mitigate"), name, QStringLiteral("--lab-dir"), labDir};
        if (scenario->mitigationCommands.empty()) {
            const auto refused = cli(mitigate);
            QCOMPARE(refused.exitCode, 1);
            QVERIFY2(refused.err.contains("no mitigation the lab can apply"), refused.err.constData());
            return;
        }
        const auto notRunning = cli(mitigate);
        QCOMPARE(notRunning.exitCode, 1);
        QVERIFY2(notRunning.err.contains("is not running"), notRunning.err.constData());

        const auto started = cli({QStringLiteral("lab"), QStringLiteral("start"), name, QStringLiteral("--lab-dir"), labDir});
        auto stop = qScopeGuard([&] {
            cli({QStringLiteral("lab"), QStringLiteral("stop"), QStringLiteral("--all"), QStringLiteral("--lab-dir"), labDir});
        });
        if (name == QLatin1String("preload-file") && started.exitCode != 0 && ::geteuid() != 0)
            QSKIP(qPrintable(QStringLiteral("user namespaces are not available to this user: ") + lines(started.err)));
        if (wineUnavailable(name, started))
            QSKIP(qPrintable(lines(started.err)));
        QVERIFY2(started.exitCode == 0, qPrintable(lines(started.err)));
        const int before = pidOfRunning(labDir, name);
        const QString log = labDir + QLatin1Char('/') + name + QStringLiteral("/lab.log");
        const int loadsBefore = int(readAll(log).count("payload loaded"));

        const auto mitigated = cli(mitigate);
        QVERIFY2(mitigated.exitCode == 0, qPrintable(lines(mitigated.err)));
        const int after = pidOfRunning(labDir, name);
        QVERIFY(after > 0 && after != before);
        QVERIFY(!loadlens::lab::processStartTime(before));

        const auto scanned = cli({QStringLiteral("scan"), QStringLiteral("--pid"), QString::number(after), QStringLiteral("--json"),
                                  QStringLiteral("--quiet")});
        QVERIFY2(scanned.exitCode == 0, qPrintable(lines(scanned.err)));
        const auto modules = modulesOf(json::parse(scanned.out.toStdString()), after);
        QVERIFY2(!modules.empty(), "the attack ran again");
        const int loadsAfter = int(readAll(log).count("payload loaded"));
        if (name == QLatin1String("preload-file") || name == QLatin1String("search-order-plant") ||
            name == QLatin1String("wine-dll-hijack"))
            QCOMPARE(loadsAfter, loadsBefore);  // the attack fails now
        else if (name != QLatin1String("runpath-writable"))
            QCOMPARE(loadsAfter, loadsBefore + 1);  // still loads, but no longer from a writable place
        if (name == QLatin1String("wine-dll-hijack")) {
            // The program now gets the system's version.dll: Wine's, vouched for by its package.
            const std::string planted = QString(labDir + QLatin1Char('/') + name).toStdString() + "/app/version.dll";
            QVERIFY2(!modules.count(planted), qPrintable(describe(modules)));
            bool systemVersion = false;
            for (const auto &[path, codes] : modules)
                systemVersion = systemVersion || (path.ends_with("/version.dll") && codes.count("package-verified"));
            QVERIFY2(systemVersion, qPrintable(describe(modules)));
        }
        if (::geteuid() != 0 && name != QLatin1String("preload-file"))
            QSKIP("as a normal user the lab's directories stay the user's own after chmod 0755, so LoadLens still "
                  "(rightly) reports them writable by a non-root user; root-owned only when the lab runs as root");
        const std::string scenarioDir = QString(labDir + QLatin1Char('/') + name).toStdString();
        for (const auto &e : scenario->clearedByMitigation) {
            auto it = modules.find(scenarioDir + "/" + e.module);
            if (it == modules.end())
                continue;  // not loaded at all any more
            for (const auto &code : e.reasons)
                QVERIFY2(!it->second.count(code), qPrintable(QString::fromStdString(e.module + " still has " + code)));
        }
    }

    // The namespace scenario is judged against its own /etc/ld.so.preload, and the host's
    // file is never created.
    void preloadFileStaysInItsNamespace()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QVERIFY(::chmod(tmp.path().toLocal8Bit().constData(), 0755) == 0);
        const QString labDir = tmp.filePath(QStringLiteral("lab"));
        const bool hostHadFile = QFileInfo::exists(QStringLiteral("/etc/ld.so.preload"));
        const QByteArray hostBefore = readAll(QStringLiteral("/etc/ld.so.preload"));
        const auto started = cli({QStringLiteral("lab"), QStringLiteral("start"), QStringLiteral("preload-file"),
                                  QStringLiteral("--lab-dir"), labDir});
        auto stop = qScopeGuard([&] {
            cli({QStringLiteral("lab"), QStringLiteral("stop"), QStringLiteral("--all"), QStringLiteral("--lab-dir"), labDir});
        });
        if (started.exitCode != 0 && ::geteuid() != 0 && started.err.contains("unshare"))
            QSKIP(qPrintable(QStringLiteral("user namespaces are not available to this user: ") + lines(started.err)));
        QVERIFY2(started.exitCode == 0, qPrintable(lines(started.err)));
        const int pid = pidOfRunning(labDir, QStringLiteral("preload-file"));
        QVERIFY(pid > 0);
        QCOMPARE(QFileInfo::exists(QStringLiteral("/etc/ld.so.preload")), hostHadFile);
        QCOMPARE(readAll(QStringLiteral("/etc/ld.so.preload")), hostBefore);
        QVERIFY(namespaceOf(pid, "mnt") != namespaceOf(int(::getpid()), "mnt"));
        QVERIFY(!namespaceOf(pid, "mnt").isEmpty());
        const QByteArray inside = readAll(QStringLiteral("/proc/%1/root/etc/ld.so.preload").arg(pid));
        QVERIFY2(inside.contains("libll_lab_payload.so"), inside.constData());
        // The reason names the namespace's file, not the host's.
        const auto scanned = cli({QStringLiteral("scan"), QStringLiteral("--pid"), QString::number(pid), QStringLiteral("--json"),
                                  QStringLiteral("--quiet")});
        QVERIFY2(scanned.exitCode == 0, qPrintable(lines(scanned.err)));
        QVERIFY2(scanned.out.contains(QByteArray("/proc/" + QByteArray::number(pid) + "/root/etc/ld.so.preload")), "evidence names the namespace's file");
    }

    void stopAllLeavesNothingBehind()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QVERIFY(::chmod(tmp.path().toLocal8Bit().constData(), 0755) == 0);
        const QString labDir = tmp.filePath(QStringLiteral("lab"));
        const QSet<QString> namespacesBefore = mountNamespaces();
        const QStringList etcBefore = listing(QStringLiteral("/etc"));
        const QStringList tmpBefore = labEntriesInTmp(tmp.path());
        const QByteArray mountsBefore = readAll(QStringLiteral("/proc/self/mountinfo"));

        QList<int> pids;
        for (const auto &s : loadlens::lab::catalogue()) {
            const auto started = cli({QStringLiteral("lab"), QStringLiteral("start"), QString::fromStdString(s.name),
                                      QStringLiteral("--lab-dir"), labDir});
            if (started.exitCode != 0 && s.name == "preload-file" && ::geteuid() != 0)
                continue;  // no user namespaces here: scenarioRaisesItsReasons says why
            if (wineUnavailable(QString::fromStdString(s.name), started))
                continue;  // no Wine or no mingw-w64 here: scenarioRaisesItsReasons says which
            QVERIFY2(started.exitCode == 0, qPrintable(QString::fromStdString(s.name) + QStringLiteral(": ") + lines(started.err)));
            pids << pidOfRunning(labDir, QString::fromStdString(s.name));
        }
        const auto status = cli({QStringLiteral("lab"), QStringLiteral("status"), QStringLiteral("--json"),
                                 QStringLiteral("--lab-dir"), labDir});
        QCOMPARE(int(json::parse(status.out.toStdString()).size()), pids.size());
        QVERIFY(!pids.contains(0) && !pids.contains(-1));
        // The namespaces the lab made: those of its victims that the host did not have before.
        QSet<QString> labNamespaces;
        for (int pid : pids)
            for (const char *ns : {"mnt", "user"}) {
                const QString link = namespaceOf(pid, ns);
                if (!link.isEmpty() && !namespacesBefore.contains(link))
                    labNamespaces.insert(link);
            }
        if (pids.size() == int(loadlens::lab::catalogue().size()))
            QVERIFY2(!labNamespaces.isEmpty(), "the preload-file scenario runs in a namespace of its own");

        const auto stopped = cli({QStringLiteral("lab"), QStringLiteral("stop"), QStringLiteral("--all"),
                                  QStringLiteral("--lab-dir"), labDir});
        QVERIFY2(stopped.exitCode == 0, qPrintable(lines(stopped.err)));

        // No process: each victim is gone (a zombie waiting for an init that does not reap
        // holds no memory, file or mapping, and is not running), and so is every process started
        // with the lab's paths in its environment (Wine's server and services).
        for (int pid : pids)
            QVERIFY2(!loadlens::lab::processStartTime(pid), qPrintable(QStringLiteral("pid %1 still runs").arg(pid)));
        const QList<int> stillThere = processesMentioning(labDir);
        QVERIFY2(stillThere.isEmpty(), qPrintable(QStringLiteral("still running with the lab directory in their environment: %1")
                                                      .arg(QString::number(stillThere.value(0)))));
        // No namespace the lab made, no mount, no file.
        const QSet<QString> leftOver = mountNamespaces() & labNamespaces;
        QVERIFY2(leftOver.isEmpty(), qPrintable(QStringList(leftOver.begin(), leftOver.end()).join(u' ')));
        QCOMPARE(readAll(QStringLiteral("/proc/self/mountinfo")), mountsBefore);
        QVERIFY2(!QFileInfo::exists(labDir), "the lab directory is removed");
        QCOMPARE(QDir(tmp.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot), QStringList());
        QCOMPARE(listing(QStringLiteral("/etc")), etcBefore);
        QCOMPARE(labEntriesInTmp(tmp.path()), tmpBefore);
        const auto after = cli({QStringLiteral("lab"), QStringLiteral("status"), QStringLiteral("--lab-dir"), labDir});
        QCOMPARE(after.exitCode, 0);
        QVERIFY(after.out.contains("no lab scenario is running"));
    }

    void deadScenarioIsCleanedUpAtTheNextCommand()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString labDir = tmp.filePath(QStringLiteral("lab"));
        const auto started = cli({QStringLiteral("lab"), QStringLiteral("start"), QStringLiteral("memfd-exec"),
                                  QStringLiteral("--lab-dir"), labDir});
        QVERIFY2(started.exitCode == 0, qPrintable(lines(started.err)));
        const int pid = pidOfRunning(labDir, QStringLiteral("memfd-exec"));
        QVERIFY(pid > 0);
        QVERIFY(::kill(pid, SIGKILL) == 0);
        QTRY_VERIFY(!loadlens::lab::processStartTime(pid));
        QVERIFY(QFileInfo::exists(labDir + QStringLiteral("/memfd-exec/state.json")));
        const auto status = cli({QStringLiteral("lab"), QStringLiteral("status"), QStringLiteral("--lab-dir"), labDir});
        QCOMPARE(status.exitCode, 0);
        QVERIFY(status.out.contains("no lab scenario is running"));
        QVERIFY(!QFileInfo::exists(labDir + QStringLiteral("/memfd-exec")));
    }

    // A GUI starts scenarios it owns; if it dies without stopping them, the next lab command
    // stops them.
    void scenarioOfAVanishedOwnerIsStopped()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString labDir = tmp.filePath(QStringLiteral("lab"));
        qputenv("LOADLENS_LAB_BINARIES", LOADLENS_LAB_BINARIES);
        loadlens::lab::LabOptions options;
        options.labDir = labDir.toStdString();
        options.ownedByCaller = true;
        loadlens::lab::Runner runner(options);
        auto started = runner.start("deleted-library");
        QVERIFY2(started, started ? "" : started.error().message.c_str());
        QCOMPARE(started->ownerPid, int(::getpid()));
        auto running = runner.status();
        QVERIFY(running && running->size() == 1);

        // The owner is now a process that has exited.
        QProcess gone;
        gone.start(QStringLiteral("/bin/true"));
        QVERIFY(gone.waitForFinished());
        const QString state = labDir + QStringLiteral("/deleted-library/state.json");
        auto j = json::parse(readAll(state).toStdString());
        j["owner_pid"] = gone.processId() ? int(gone.processId()) : 999999;
        QFile f(state);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(QByteArray::fromStdString(j.dump()));
        f.close();

        const auto status = cli({QStringLiteral("lab"), QStringLiteral("status"), QStringLiteral("--lab-dir"), labDir});
        QCOMPARE(status.exitCode, 0);
        QVERIFY(status.out.contains("no lab scenario is running"));
        QTRY_VERIFY(!loadlens::lab::processStartTime(started->pid));
        QVERIFY(!QFileInfo::exists(labDir + QStringLiteral("/deleted-library")));
        // The victim is still this process's child (here the "vanished owner" is alive): reap
        // it, and see that it was killed.
        int wstatus = 0;
        pid_t reaped = 0;
        QTRY_VERIFY((reaped = ::waitpid(started->pid, &wstatus, WNOHANG)) != 0);
        if (reaped == started->pid)
            QVERIFY(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);
        else  // Qt's child handler got there first
            QVERIFY2(errno == ECHILD && !QFileInfo::exists(QStringLiteral("/proc/%1").arg(started->pid)), std::strerror(errno));
        QVERIFY(runner.stop("deleted-library").error().message.find("not running") != std::string::npos);
    }

    void recordSavesWhatASlideNeeds()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString labDir = tmp.filePath(QStringLiteral("lab"));
        const QString record = tmp.filePath(QStringLiteral("slides"));
        const auto started = cli({QStringLiteral("lab"), QStringLiteral("start"), QStringLiteral("preload-env"), QStringLiteral("--record"),
                                  record, QStringLiteral("--lab-dir"), labDir});
        auto stop = qScopeGuard([&] {
            cli({QStringLiteral("lab"), QStringLiteral("stop"), QStringLiteral("--all"), QStringLiteral("--lab-dir"), labDir});
        });
        const int pid = pidOfRunning(labDir, QStringLiteral("preload-env"));
        QVERIFY(pid > 0);
#ifdef LOADLENS_GUI_BUILT
        QVERIFY2(started.exitCode == 0, qPrintable(lines(started.err)));
        QVERIFY(readAll(record + QStringLiteral("/flagged-modules.png")).startsWith("\x89PNG"));
#else
        QVERIFY2(started.err.contains("no screenshot"), qPrintable(lines(started.err)));
#endif
        QVERIFY(readAll(record + QStringLiteral("/scenario.txt")).contains("LD_PRELOAD from a user-writable directory"));
        QVERIFY(readAll(record + QStringLiteral("/commands.sh")).contains(QByteArray(QByteArray("LD_PRELOAD=") + labDir.toUtf8())));
        const json before = json::parse(readAll(record + QStringLiteral("/scan-before.json")).toStdString());
        const json after = json::parse(readAll(record + QStringLiteral("/scan-after.json")).toStdString());
        QVERIFY(modulesOf(before, pid).empty());
        const std::string payload = QString(labDir + QStringLiteral("/preload-env/drop/libll_lab_payload.so")).toStdString();
        QVERIFY(modulesOf(after, pid).count(payload));
        QVERIFY(modulesOf(after, pid).at(payload).count("preload-env"));

        const auto mitigated = cli({QStringLiteral("lab"), QStringLiteral("mitigate"), QStringLiteral("preload-env"), QStringLiteral("--record"),
                                    record, QStringLiteral("--lab-dir"), labDir});
        QVERIFY(readAll(record + QStringLiteral("/mitigation.sh")).contains("chmod 0755"));
        const int again = pidOfRunning(labDir, QStringLiteral("preload-env"));
        const json afterMitigation = json::parse(readAll(record + QStringLiteral("/scan-after-mitigated.json")).toStdString());
        QVERIFY(modulesOf(afterMitigation, again).count(payload));
#ifdef LOADLENS_GUI_BUILT
        QVERIFY2(mitigated.exitCode == 0, qPrintable(lines(mitigated.err)));
        QVERIFY(readAll(record + QStringLiteral("/flagged-modules-mitigated.png")).startsWith("\x89PNG"));
#endif
        const auto unwritable = cli({QStringLiteral("lab"), QStringLiteral("start"), QStringLiteral("memfd-exec"), QStringLiteral("--record"),
                                     QStringLiteral("/proc/no-such-dir"), QStringLiteral("--lab-dir"), labDir});
        QCOMPARE(unwritable.exitCode, 1);
        QVERIFY2(unwritable.err.contains("/proc/no-such-dir"), unwritable.err.constData());
        QVERIFY(!QFileInfo::exists(labDir + QStringLiteral("/memfd-exec")));
    }

    // The Windows scenario for slides: --record saves the scans before and after (the Wine
    // process maps the planted version.dll, judged as a search-order hijack) and the screenshot;
    // stop leaves no Wine process, prefix or server directory behind.
    void recordWineScenario()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QVERIFY(::chmod(tmp.path().toLocal8Bit().constData(), 0755) == 0);
        const QString labDir = tmp.filePath(QStringLiteral("lab"));
        const QString record = tmp.filePath(QStringLiteral("slides"));
        const QString name = QStringLiteral("wine-dll-hijack");
        const QStringList tmpBefore = labEntriesInTmp(tmp.path());
        // Wine's server directory (wine-XXXXXX under TMPDIR, .wine-UID upstream) stays in the lab.
        const QStringList wineDirs{QStringLiteral("wine-*"), QStringLiteral(".wine-*")};
        const QStringList wineTmpBefore = QDir(QStringLiteral("/tmp")).entryList(wineDirs, QDir::AllEntries | QDir::Hidden);
        const auto started = cli({QStringLiteral("lab"), QStringLiteral("start"), name, QStringLiteral("--record"), record,
                                  QStringLiteral("--lab-dir"), labDir});
        auto stop = qScopeGuard([&] {
            cli({QStringLiteral("lab"), QStringLiteral("stop"), QStringLiteral("--all"), QStringLiteral("--lab-dir"), labDir});
        });
        if (wineUnavailable(name, started))
            QSKIP(qPrintable(lines(started.err)));
#ifdef LOADLENS_GUI_BUILT
        QVERIFY2(started.exitCode == 0, qPrintable(lines(started.err)));
        QVERIFY(readAll(record + QStringLiteral("/flagged-modules.png")).startsWith("\x89PNG"));
#endif
        const int pid = pidOfRunning(labDir, name);
        QVERIFY(pid > 0);
        QVERIFY(readAll(record + QStringLiteral("/commands.sh")).contains("WINEDLLOVERRIDES='version=n,b"));
        QVERIFY(readAll(record + QStringLiteral("/scenario.txt")).contains("search order"));
        const json before = json::parse(readAll(record + QStringLiteral("/scan-before.json")).toStdString());
        const json after = json::parse(readAll(record + QStringLiteral("/scan-after.json")).toStdString());
        QVERIFY(modulesOf(before, pid).empty());
        const std::string planted = QString(labDir + QLatin1Char('/') + name + QStringLiteral("/app/version.dll")).toStdString();
        const auto modules = modulesOf(after, pid);
        QVERIFY2(modules.count(planted), qPrintable(describe(modules)));
        for (const char *code : {"wine-dll-shadows-system32", "pe-unsigned", "unowned", "writable-path"})
            QVERIFY2(modules.at(planted).count(code), code);

        const auto stopped = cli({QStringLiteral("lab"), QStringLiteral("stop"), QStringLiteral("--all"), QStringLiteral("--lab-dir"), labDir});
        QVERIFY2(stopped.exitCode == 0, qPrintable(lines(stopped.err)));
        QVERIFY(!loadlens::lab::processStartTime(pid));
        QVERIFY2(processesMentioning(labDir).isEmpty(), "a Wine process of the lab still runs");
        QVERIFY(!QFileInfo::exists(labDir));
        QCOMPARE(labEntriesInTmp(tmp.path()), tmpBefore);
        QCOMPARE(QDir(QStringLiteral("/tmp")).entryList(wineDirs, QDir::AllEntries | QDir::Hidden), wineTmpBefore);
    }

    void badInputIsAClearError_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        QTest::addRow("no action") << QStringList{QStringLiteral("lab")} << 2 << QStringLiteral("needs an action");
        QTest::addRow("mitigate unknown") << QStringList{QStringLiteral("lab"), QStringLiteral("mitigate"), QStringLiteral("x")}
                                          << 2 << QStringLiteral("no lab scenario named 'x'");
        QTest::addRow("unknown action") << QStringList{QStringLiteral("lab"), QStringLiteral("explode")} << 2
                                        << QStringLiteral("unknown lab action");
        QTest::addRow("unknown scenario") << QStringList{QStringLiteral("lab"), QStringLiteral("start"), QStringLiteral("nope")}
                                          << 2 << QStringLiteral("no lab scenario named 'nope'");
        QTest::addRow("stop without name") << QStringList{QStringLiteral("lab"), QStringLiteral("stop")} << 2
                                           << QStringLiteral("a scenario name or --all");
        QTest::addRow("lab dir /") << QStringList{QStringLiteral("lab"), QStringLiteral("start"), QStringLiteral("memfd-exec"),
                                                  QStringLiteral("--lab-dir"), QStringLiteral("/")}
                                   << 1 << QStringLiteral("refusing to use /");
        QTest::addRow("relative lab dir") << QStringList{QStringLiteral("lab"), QStringLiteral("start"), QStringLiteral("memfd-exec"),
                                                         QStringLiteral("--lab-dir"), QStringLiteral("rel")}
                                          << 1 << QStringLiteral("absolute path");
        QTest::addRow("scan with no HijackLibs folder")
            << QStringList{QStringLiteral("scan"), QStringLiteral("--hijacklibs"), QStringLiteral("/proc/no-such-dir")} << 2
            << QStringLiteral("--hijacklibs needs the directory of the HijackLibs dataset");
    }
    void badInputIsAClearError()
    {
        QFETCH(QStringList, args);
        QFETCH(int, status);
        QFETCH(QString, message);
        const auto run = cli(args);
        QCOMPARE(run.exitCode, status);
        QVERIFY2(QString::fromUtf8(run.err).contains(message), run.err.constData());
        QVERIFY(run.out.isEmpty());
    }

    void missingProgramsAreNamed()
    {
        QTemporaryDir tmp;
        auto env = labEnvironment();
        env.insert(QStringLiteral("LOADLENS_LAB_BINARIES"), tmp.path());
        const auto run = runProgram(QStringLiteral(LOADLENS_CLI),
                                    {QStringLiteral("lab"), QStringLiteral("start"), QStringLiteral("preload-env"),
                                     QStringLiteral("--lab-dir"), tmp.filePath(QStringLiteral("lab"))},
                                    60000, env);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("holds no ll_lab_victim"), run.err.constData());
        QVERIFY(!QFileInfo::exists(tmp.filePath(QStringLiteral("lab/preload-env"))));
    }

    // A state file that names a process the lab did not start (here: this test) is refused.
    void forgedStateKillsNothing()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("lab/preload-env"));
        QVERIFY(QDir().mkpath(dir));
        const int self = int(::getpid());
        const json state{{"scenario", "preload-env"}, {"pid", self}, {"start_time", *loadlens::lab::processStartTime(self)}};
        QFile f(dir + QStringLiteral("/state.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray::fromStdString(state.dump()));
        f.close();
        const auto run = cli({QStringLiteral("lab"), QStringLiteral("stop"), QStringLiteral("preload-env"), QStringLiteral("--lab-dir"),
                              tmp.filePath(QStringLiteral("lab"))});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("not killed"), run.err.constData());
        QVERIFY(QFileInfo::exists(dir + QStringLiteral("/state.json")));
    }

    void damagedStateIsCleanedUp()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("lab/preload-env"));
        QVERIFY(QDir().mkpath(dir));
        QFile f(dir + QStringLiteral("/state.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"scenario\": 12, \"pid\": \"x\"");
        f.close();
        const auto run = cli({QStringLiteral("lab"), QStringLiteral("status"), QStringLiteral("--lab-dir"), tmp.filePath(QStringLiteral("lab"))});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(!QFileInfo::exists(dir));
    }
};

QTEST_GUILESS_MAIN(TestLab)
#include "tst_lab.moc"
