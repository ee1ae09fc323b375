// The inventory against real processes: fixtures that load, map, delete and hide what a
// test asks for; this test process itself; and whole-system scans.
#include "fixture_process.h"
#include "proc/inventory.h"
#include "proc/pid_listing.h"
#include "proc/process_reader.h"

#include <QTemporaryDir>
#include <QtTest>
#include <atomic>
#include <csignal>
#include <pthread.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace loadlens;
using namespace loadlens::proc;
using loadlens::testing::FixtureProcess;
using loadlens::testing::fixtureLibraryPath;

namespace {

ProcessInfo scanPid(int pid)
{
    InventoryOptions options;
    options.pid = pid;
    Inventory inventory = scanProcesses(options);
    if (inventory.processes.size() != 1)
        qFatal("a single-pid scan must give exactly one process");
    return inventory.processes.front();
}

const ModuleRecord *findModule(const ProcessInfo &info, const std::string &path)
{
    for (const auto &m : info.modules)
        if (m.path == path)
            return &m;
    return nullptr;
}

QString describe(const ProcessInfo &info)
{
    QStringList lines;
    for (const auto &m : info.modules)
        lines << QString::fromStdString(m.path) + QStringLiteral(" deleted=%1 memfd=%2 anon=%3 [%4]")
                                                      .arg(m.deleted)
                                                      .arg(m.memfd)
                                                      .arg(m.anonymousExec)
                                                      .arg(QString::fromStdString(m.confirmation));
    for (const auto &e : info.errors)
        lines << QStringLiteral("error: ") + QString::fromStdString(e);
    return lines.join(QLatin1Char('\n'));
}

// Copies the fixture library into `dir` under `name`; returns the canonical path.
QString copyLibrary(const QTemporaryDir &dir, const QString &name)
{
    const QString target = QDir(dir.path()).canonicalPath() + QLatin1Char('/') + name;
    if (!QFile::copy(fixtureLibraryPath(), target))
        return {};
    return target;
}

QProcessEnvironment environmentWithoutLoaderVariables()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &key : env.keys())
        if (key.startsWith(QLatin1String("LD_")) || key == QLatin1String("GLIBC_TUNABLES"))
            env.remove(key);
    return env;
}

// Following /proc/PID/map_files links needs CAP_SYS_ADMIN (or CAP_CHECKPOINT_RESTORE).
bool mapFilesUsable()
{
    QFile maps(QStringLiteral("/proc/self/maps"));
    if (!maps.open(QIODevice::ReadOnly))
        return false;
    // map_files lists file-backed mappings only (under a sanitizer the first lines are shadow
    // memory), and its names carry no leading zeros while maps pads low addresses.
    // Not atEnd(): /proc files report size 0, so read until readLine() comes back empty.
    for (QByteArray line = maps.readLine(); !line.isEmpty(); line = maps.readLine()) {
        if (!line.contains(" /"))
            continue;
        const QList<QByteArray> bounds = line.split(' ').constFirst().split('-');
        if (bounds.size() != 2)
            return false;
        const QByteArray range = QByteArray::number(bounds[0].toULongLong(nullptr, 16), 16) + '-' +
                                 QByteArray::number(bounds[1].toULongLong(nullptr, 16), 16);
        struct stat st {};
        return ::stat(QByteArray("/proc/self/map_files/" + range).constData(), &st) == 0;
    }
    return false;
}

std::uint64_t inodeOf(const QString &path)
{
    struct stat st {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? std::uint64_t(st.st_ino) : 0;
}

} // namespace

class TestProcessInventory : public QObject {
    Q_OBJECT
private slots:
    void dlopenedLibraryFromTempDir()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString lib = copyLibrary(dir, QStringLiteral("libcopied.so"));
        QVERIFY(!lib.isEmpty());
        FixtureProcess fixture;
        QVERIFY2(fixture.start({QStringLiteral("--dlopen"), lib}), qPrintable(fixture.error()));

        const ProcessInfo info = scanPid(fixture.pid());
        const ModuleRecord *module = findModule(info, lib.toStdString());
        QVERIFY2(module, qPrintable(describe(info)));
        struct stat st {};
        QCOMPARE(::stat(QFile::encodeName(lib).constData(), &st), 0);
        QCOMPARE(module->file.inode, std::uint64_t(st.st_ino));
        QCOMPARE(module->file.dev, std::uint64_t(st.st_dev));
        QVERIFY(module->executable);
        QVERIFY(!module->deleted && !module->memfd && !module->anonymousExec && !module->pseudo);
        QVERIFY(module->ranges.size() >= 2);  // a shared library maps its segments separately
        // The executable and the loader are modules too, and the kernel's vdso a pseudo one.
        QVERIFY(findModule(info, info.exe));
        const ModuleRecord *vdso = findModule(info, "[vdso]");
        QVERIFY(vdso && vdso->pseudo);
        QVERIFY2(info.errors.empty(), qPrintable(describe(info)));
    }

    void deletedMappedFile()
    {
        if (!mapFilesUsable())
            QSKIP("following /proc/PID/map_files needs CAP_SYS_ADMIN; run as root");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = QDir(dir.path()).canonicalPath() + QStringLiteral("/payload.bin");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QCOMPARE(f.write(QByteArray(8192, '\x90')), qint64(8192));
        f.close();
        FixtureProcess fixture;
        QVERIFY2(fixture.start({QStringLiteral("--map-deleted"), path}), qPrintable(fixture.error()));
        QVERIFY(!QFile::exists(path));

        const ProcessInfo info = scanPid(fixture.pid());
        const ModuleRecord *module = findModule(info, path.toStdString());
        QVERIFY2(module, qPrintable(describe(info)));
        QVERIFY(module->deleted);
        QVERIFY(!module->memfd);
        QCOMPARE(module->confirmation, std::string("map_files"));
    }

    void memfdMapping()
    {
        FixtureProcess fixture;
        QVERIFY2(fixture.start({QStringLiteral("--memfd"), QStringLiteral("ll-payload")}), qPrintable(fixture.error()));
        const ProcessInfo info = scanPid(fixture.pid());
        const ModuleRecord *module = findModule(info, "/memfd:ll-payload");
        QVERIFY2(module, qPrintable(describe(info)));
        QVERIFY(module->memfd);
        QVERIFY(!module->deleted);
        QVERIFY(module->executable);
        if (mapFilesUsable())
            QCOMPARE(module->confirmation, std::string("map_files"));
        else
            QVERIFY(module->confirmation.find("memfd by its /memfd: name") != std::string::npos);
    }

    void anonymousExecutableRegion()
    {
        auto countAnonymous = [](const ProcessInfo &info) {
            return std::count_if(info.modules.begin(), info.modules.end(),
                                 [](const ModuleRecord &m) { return m.anonymousExec; });
        };
        FixtureProcess plain;
        QVERIFY2(plain.start({}), qPrintable(plain.error()));
        FixtureProcess withAnon;
        QVERIFY2(withAnon.start({QStringLiteral("--anon-exec")}), qPrintable(withAnon.error()));
        const ProcessInfo base = scanPid(plain.pid());
        const ProcessInfo info = scanPid(withAnon.pid());
        QCOMPARE(countAnonymous(info), countAnonymous(base) + 1);
        for (const auto &m : info.modules) {
            if (!m.anonymousExec)
                continue;
            QVERIFY(m.executable);
            QCOMPARE(m.file, FileKey{});
            QCOMPARE(m.ranges.size(), std::size_t(1));
        }
    }

    void fileNamedLikeDeletedIsNotDeleted()
    {
        if (!mapFilesUsable())
            QSKIP("telling a real deletion from the name needs map_files (CAP_SYS_ADMIN); run as root");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString lib = copyLibrary(dir, QStringLiteral("libx.so (deleted)"));
        QVERIFY(!lib.isEmpty());
        FixtureProcess fixture;
        QVERIFY2(fixture.start({QStringLiteral("--dlopen"), lib}), qPrintable(fixture.error()));
        const ProcessInfo info = scanPid(fixture.pid());
        const ModuleRecord *module = findModule(info, lib.toStdString());
        QVERIFY2(module, qPrintable(describe(info)));
        QVERIFY(!module->deleted);
        QVERIFY(!module->memfd);
        QCOMPARE(module->confirmation, std::string("map_files"));
        QCOMPARE(module->file.inode, inodeOf(lib));
    }

    void loaderEnvironmentOnly()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString lib = copyLibrary(dir, QStringLiteral("libpreloaded.so"));
        QVERIFY(!lib.isEmpty());
        QProcessEnvironment env = environmentWithoutLoaderVariables();
        env.insert(QStringLiteral("LD_PRELOAD"), lib);
        env.insert(QStringLiteral("LD_LIBRARY_PATH"), QDir(dir.path()).canonicalPath());
        env.insert(QStringLiteral("LOADLENS_UNRELATED"), QStringLiteral("LD_PRELOAD=/not/this"));
        FixtureProcess fixture;
        QVERIFY2(fixture.start({}, env), qPrintable(fixture.error()));

        const ProcessInfo info = scanPid(fixture.pid());
        const std::map<std::string, std::string> expected{
            {"LD_LIBRARY_PATH", QDir(dir.path()).canonicalPath().toStdString()}, {"LD_PRELOAD", lib.toStdString()}};
        QCOMPARE(info.loaderEnv, expected);
        QVERIFY2(findModule(info, lib.toStdString()), qPrintable(describe(info)));
    }

    void parsesEnvironmentAndArguments()
    {
        using namespace std::string_literals;
        const std::string environ = "PATH=/bin\0LD_PRELOAD=/a.so\0LD_AUDIT=/b.so\0GLIBC_TUNABLES=glibc.x=1\0"
                                    "XLD_PRELOAD=no\0LD_PRELOAD=/c.so\0=empty\0LD_BIND_NOW\0"
                                    "WINEPREFIX=/home/u/.wine-app\0WINEDLLOVERRIDES=version=n,b\0WINEDEBUG=-all\0"s;
        const std::map<std::string, std::string> expected{
            {"GLIBC_TUNABLES", "glibc.x=1"}, {"LD_AUDIT", "/b.so"}, {"LD_PRELOAD", "/c.so"},
            {"WINEDLLOVERRIDES", "version=n,b"}, {"WINEPREFIX", "/home/u/.wine-app"}};
        QCOMPARE(loaderVariables(environ), expected);
        QVERIFY(loaderVariables("").empty());

        QCOMPARE(splitCmdline("a\0b c\0\0d\0"s), (std::vector<std::string>{"a", "b c", "", "d"}));
        QCOMPARE(splitCmdline("rewritten title with spaces"s), (std::vector<std::string>{"rewritten title with spaces"}));
        QVERIFY(splitCmdline(""s).empty());
    }

    void missingAndExitingProcesses()
    {
        // A pid nobody has.
        int free = -1;
        for (int pid = 4194303; pid > 1 && free < 0; --pid)
            if (::kill(pid, 0) != 0 && errno == ESRCH)
                free = pid;
        QVERIFY(free > 0);
        InventoryOptions options;
        options.pid = free;
        const Inventory missing = scanProcesses(options);
        QCOMPARE(missing.processes.size(), std::size_t(1));
        QCOMPARE(missing.stats.processesScanned, 0);
        QVERIFY(!missing.processes[0].errors.empty());
        QVERIFY(missing.processes[0].errors[0].find("no such process") != std::string::npos);

        // A process that is gone between the listing and the read.
        ProcessReader reader;
        QVERIFY(reader.ok());
        int exitedPid = 0;
        {
            FixtureProcess fixture;
            QVERIFY2(fixture.start({}), qPrintable(fixture.error()));
            exitedPid = fixture.pid();
        }
        ReadOutcome outcome;
        const ProcessInfo gone = reader.read(exitedPid, &outcome);
        QVERIFY(outcome.vanished);
        QCOMPARE(gone.errors, std::vector<std::string>{"process exited during the scan"});

        // A zombie: exited, not yet reaped.
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0)
            ::_exit(0);
        QTRY_VERIFY_WITH_TIMEOUT(scanPid(child).state == 'Z', 5000);
        const ProcessInfo zombie = scanPid(child);
        int status = 0;
        ::waitpid(child, &status, 0);
        QVERIFY(!zombie.kernelThread);
        QVERIFY(zombie.modules.empty());
        QCOMPARE(zombie.errors, std::vector<std::string>{"zombie: no memory maps"});
    }

    void zombieLeaderWithLiveThreadKeepsItsModules()
    {
        // The main thread exits on its own: the leader is a zombie with empty maps,
        // yet the process runs on in its other thread. Its modules must still be seen.
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            pthread_t thread;
            if (::pthread_create(&thread, nullptr, [](void *) -> void * {
                    for (;;)
                        ::pause();
                }, nullptr) != 0)
                ::_exit(3);
            // Only this thread ends (exit, not exit_group), and without unwinding the test's frames.
            ::syscall(SYS_exit, 0);
        }
        auto reap = qScopeGuard([child] {
            ::kill(child, SIGKILL);
            ::waitpid(child, nullptr, 0);
        });
        QTRY_VERIFY_WITH_TIMEOUT(scanPid(child).state == 'Z', 5000);
        const ProcessInfo info = scanPid(child);
        QVERIFY2(info.errors.empty(), qPrintable(describe(info)));
        QVERIFY(!info.modules.empty());
        QCOMPARE(QString::fromStdString(info.exe), QFileInfo(QCoreApplication::applicationFilePath()).canonicalFilePath());
        QVERIFY(findModule(info, info.exe));
    }

    void scanSurvivesProcessChurn()
    {
        std::atomic<bool> stop{false};
        std::atomic<int> spawned{0};
        std::thread churn([&] {
            while (!stop.load()) {
                const pid_t child = ::fork();
                if (child == 0)
                    ::_exit(0);
                if (child > 0) {
                    ::waitpid(child, nullptr, 0);
                    ++spawned;
                }
            }
        });
        InventoryOptions options;
        Inventory inventory;
        for (int i = 0; i < 3; ++i)
            inventory = scanProcesses(options);
        stop.store(true);
        churn.join();
        QVERIFY(spawned.load() > 0);
        QVERIFY(inventory.stats.processesScanned > 1);
        QVERIFY(inventory.findings.empty());
        for (const auto &p : inventory.processes)
            QVERIFY2(p.kernelThread || !p.modules.empty() || !p.errors.empty(),
                     qPrintable(QStringLiteral("pid %1 has neither modules nor errors").arg(p.pid)));
    }

    void ownProcess()
    {
        const ProcessInfo info = scanPid(int(::getpid()));
        QVERIFY2(info.errors.empty(), qPrintable(describe(info)));
        QCOMPARE(info.pid, int(::getpid()));
        QCOMPARE(info.ppid, int(::getppid()));
        QCOMPARE(QString::fromStdString(info.exe), QFileInfo(QCoreApplication::applicationFilePath()).canonicalFilePath());
        QVERIFY(!info.cmdline.empty());
        QCOMPARE(QString::fromStdString(info.cmdline.front()), QCoreApplication::arguments().constFirst());
        QCOMPARE(QString::fromStdString(info.name), QFileInfo(QCoreApplication::applicationFilePath()).fileName().left(15));
        QVERIFY(info.startTime > 0);
        QVERIFY(info.startTime <= bootTimeTicksNow());
        QCOMPARE(info.uid, std::uint32_t(::geteuid()));
        if (const passwd *pw = ::getpwuid(::geteuid()))
            QCOMPARE(info.user, std::string(pw->pw_name));
        QVERIFY(!info.kernelThread);
        QVERIFY(!info.hidden);
        QVERIFY(info.namespaceHint.empty());
        QVERIFY(info.state == 'R' || info.state == 'S');
        QVERIFY(findModule(info, info.exe));
        const auto libc = std::find_if(info.modules.begin(), info.modules.end(),
                                       [](const ModuleRecord &m) { return m.path.find("/libc.so") != std::string::npos; });
        QVERIFY(libc != info.modules.end());
    }

    void kernelThreadHasNoModulesAndNoErrors()
    {
        const ProcessInfo kthreadd = scanPid(2);
        if (kthreadd.errors.size() == 1 && kthreadd.errors[0].find("no such process") != std::string::npos)
            QSKIP("no kthreadd visible (pid namespace)");
        QVERIFY(kthreadd.kernelThread);
        QVERIFY(kthreadd.modules.empty());
        QVERIFY2(kthreadd.errors.empty(), qPrintable(describe(kthreadd)));
    }

    void wholeSystemFindsFixtureAndNoHiddenProcess()
    {
        FixtureProcess fixture;
        QVERIFY2(fixture.start({QStringLiteral("--anon-exec")}), qPrintable(fixture.error()));
        // This process has several threads while it scans: thread ids answer the pid probes
        // and must not be taken for hidden processes.
        std::atomic<bool> stop{false};
        std::vector<std::thread> threads;
        for (int i = 0; i < 3; ++i)
            threads.emplace_back([&] {
                while (!stop.load())
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
            });
        auto joinThreads = qScopeGuard([&] {
            stop.store(true);
            for (auto &t : threads)
                t.join();
        });
        QTest::qWait(20);

        InventoryOptions options;
        options.probeHidden = true;
        const Inventory inventory = scanProcesses(options);
        QVERIFY(inventory.stats.processesListed > 2);
        QVERIFY(inventory.stats.processesScanned >= inventory.stats.processesListed - inventory.stats.processesVanished);
        QCOMPARE(int(inventory.processes.size()), inventory.stats.processesScanned);
        QVERIFY(!inventory.stats.cancelled);
        bool sawFixture = false;
        bool sawSelf = false;
        int modules = 0;
        for (const auto &p : inventory.processes) {
            QVERIFY2(!p.hidden, qPrintable(QStringLiteral("pid %1 reported hidden").arg(p.pid)));
            sawFixture = sawFixture || p.pid == fixture.pid();
            sawSelf = sawSelf || p.pid == int(::getpid());
            modules += int(p.modules.size());
        }
        QVERIFY(sawFixture);
        QVERIFY(sawSelf);
        QCOMPARE(inventory.stats.modules, modules);
        for (const auto &f : inventory.findings)
            QVERIFY2(f.code != "hidden-process", f.text.c_str());
    }

    void cancelFromProgressStopsEarly()
    {
        CancelToken cancel;
        int calls = 0;
        const ProgressFn progress = [&](std::size_t done, std::size_t total, const std::string &step) {
            ++calls;
            QVERIFY(done <= total);
            QVERIFY(!step.empty());
            if (step.starts_with("reading process"))
                cancel.cancel();
        };
        InventoryOptions options;
        const Inventory inventory = scanProcesses(options, progress, cancel);
        QVERIFY(calls >= 1);
        QVERIFY(inventory.stats.cancelled);
        QVERIFY(inventory.stats.processesListed > 2);
        QVERIFY(inventory.stats.processesScanned < inventory.stats.processesListed);
        QCOMPARE(int(inventory.processes.size()), inventory.stats.processesScanned);
    }

    void hostInfo()
    {
        QTemporaryDir root;
        QVERIFY(root.isValid());
        QVERIFY(QDir(root.path()).mkpath(QStringLiteral("etc")));
        QFile release(root.filePath(QStringLiteral("etc/os-release")));
        QVERIFY(release.open(QIODevice::WriteOnly));
        release.write("NAME=\"Test\"\nPRETTY_NAME=\"Test Linux 1.0 \\\"quoted\\\"\"\nID=test\n");
        release.close();
        const HostInfo host = readHostInfo(root.path().toStdString());
        QCOMPARE(host.osRelease, std::string("Test Linux 1.0 \"quoted\""));
        QVERIFY(!host.hostname.empty());
        QVERIFY(!host.kernel.empty());
        QVERIFY(!host.machine.empty());
        QCOMPARE(host.bootId.size(), std::size_t(36));

        const HostInfo empty = readHostInfo(QString(root.path() + QStringLiteral("/nothing")).toStdString());
        QVERIFY(empty.osRelease.empty());
        QCOMPARE(empty.kernel, host.kernel);
    }
};

QTEST_GUILESS_MAIN(TestProcessInventory)
#include "tst_process_inventory.moc"
