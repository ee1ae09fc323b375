// Maps entries to ModuleRecords: grouping per file, what counts as a module, and how deleted
// files and memfds are confirmed through /proc/PID/map_files (with mappings made right here).
#include "proc/maps_parser.h"
#include "proc/modules.h"

#include <QTemporaryDir>
#include <QtTest>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

using namespace loadlens;
using namespace loadlens::proc;

namespace {

std::vector<MapsEntry> parse(const char *text)
{
    ParsedMaps parsed = parseMaps(text);
    if (parsed.malformedLines != 0)
        qFatal("test maps text has malformed lines");
    return std::move(parsed.entries);
}

const ModuleRecord *findByPath(const std::vector<ModuleRecord> &modules, const std::string &path)
{
    for (const auto &m : modules)
        if (m.path == path)
            return &m;
    return nullptr;
}

// Maps `fd` read+exec into this process and returns the address, or nullptr.
void *mapExecutable(int fd)
{
    void *address = ::mmap(nullptr, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
    return address == MAP_FAILED ? nullptr : address;
}

const char *kSample =
    "55fec7623000-55fec7625000 r--p 00000000 fe:00 247498                     /usr/bin/head\n"
    "55fec7625000-55fec762b000 r-xp 00002000 fe:00 247498                     /usr/bin/head\n"
    "55fec762b000-55fec762e000 r--p 00008000 fe:00 247498                     /usr/bin/head\n"
    "5581b7c4e000-5581b7c6f000 rw-p 00000000 00:00 0                          [heap]\n"
    "7f0000000000-7f0000100000 r--p 00000000 fe:00 1000                       /usr/lib/locale/locale-archive\n"
    "7f0000100000-7f0000101000 r-xp 00000000 00:00 0 \n"
    "7f0000101000-7f0000102000 rw-p 00000000 00:00 0 \n"
    "7f0000200000-7f0000201000 r-xp 00000000 00:00 0                          [anon:jit]\n"
    "7f0000300000-7f0000301000 r-xp 00000000 fe:00 2000                       /tmp/gone.so (deleted)\n"
    "7f0000400000-7f0000401000 r-xp 00000000 00:01 3000                       /memfd:payload (deleted)\n"
    "7f0000500000-7f0000501000 r-xp 00000000 fe:00 4000                       /opt/lib.so\n"
    "7f0000600000-7f0000601000 r-xp 00000000 fe:00 4001                       /opt/lib.so\n"
    "7ffd5c5ef000-7ffd5c5f3000 r--p 00000000 00:00 0                          [vvar]\n"
    "7ffd5c5f3000-7ffd5c5f5000 r-xp 00000000 00:00 0                          [vdso]\n"
    "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";

} // namespace

class TestModules : public QObject {
    Q_OBJECT
private slots:
    void buildsOneRecordPerExecutableObject()
    {
        const auto entries = parse(kSample);
        const auto modules = buildModules(entries, MapFilesContext{});
        QStringList paths;
        for (const auto &m : modules)
            paths << QString::fromStdString(m.path);
        // Address order; the locale archive (no executable range), [heap] and [vvar] are no modules.
        QCOMPARE(paths, (QStringList{QStringLiteral("/usr/bin/head"), QString(), QStringLiteral("[anon:jit]"),
                                     QStringLiteral("/tmp/gone.so"), QStringLiteral("/memfd:payload"),
                                     QStringLiteral("/opt/lib.so"), QStringLiteral("/opt/lib.so"),
                                     QStringLiteral("[vdso]"), QStringLiteral("[vsyscall]")}));

        const ModuleRecord &head = modules[0];
        QCOMPARE(head.ranges.size(), std::size_t(3));
        QVERIFY(head.executable);
        QCOMPARE(head.file.dev, std::uint64_t(makedev(0xfe, 0)));
        QCOMPARE(head.file.inode, std::uint64_t(247498));
        QCOMPARE(head.ranges[1].perms, std::string("r-xp"));
        QCOMPARE(head.ranges[1].offset, std::uint64_t(0x2000));
        QVERIFY(!head.deleted && !head.memfd && !head.anonymousExec && !head.pseudo);
        QVERIFY(head.confirmation.empty());

        QVERIFY(modules[1].anonymousExec && modules[1].executable);
        QCOMPARE(modules[1].file, FileKey{});
        QVERIFY(modules[2].anonymousExec);
        // Same path, different inode: the file was replaced while mapped, two objects.
        QCOMPARE(modules[5].file.inode, std::uint64_t(4000));
        QCOMPARE(modules[6].file.inode, std::uint64_t(4001));
        QVERIFY(modules[7].pseudo && modules[7].executable);
        QVERIFY(modules[8].pseudo && modules[8].executable);
    }

    // Wine copies the code of a PE image whose sections are not page-aligned into anonymous
    // memory and maps only its header page from the file: the image is a module all the same.
    // Data files, and shared (not private) header-like mappings, stay out.
    void windowsImagesMappedByWineAreModules()
    {
        const auto entries = parse(
            "140000000-140001000 r--p 00000000 fe:00 11010285 /srv/lab/app/victim.exe\n"
            "14000d000-14000e000 rw-p 00009000 fe:00 11010285 /srv/lab/app/victim.exe\n"
            "1c44b0000-1c44b1000 r--p 00000000 fe:00 11010286 /srv/lab/app/VERSION.DLL\n"
            "1c44bc000-1c44bd000 r--p 00003000 fe:00 11010286 /srv/lab/app/VERSION.DLL\n"
            "1c44c0000-1c44c1000 r--s 00000000 fe:00 11010287 /usr/lib/wine/x86_64-windows/apisetschema.dll\n"
            "1c44d0000-1c44d1000 r--p 00001000 fe:00 11010288 /srv/lab/app/tail.dll\n"
            "1c44e0000-1c44e1000 r--p 00000000 fe:00 11010289 /srv/lab/app/readme.txt\n"
            "1c44f0000-1c44f1000 r-xp 00001000 fe:00 11010290 /usr/lib/wine/x86_64-windows/kernel32.dll\n");
        const auto modules = buildModules(entries, MapFilesContext{});
        QStringList paths;
        for (const auto &m : modules)
            paths << QString::fromStdString(m.path);
        QCOMPARE(paths, (QStringList{QStringLiteral("/srv/lab/app/victim.exe"), QStringLiteral("/srv/lab/app/VERSION.DLL"),
                                     QStringLiteral("/usr/lib/wine/x86_64-windows/kernel32.dll")}));
        QVERIFY(!modules[0].executable && !modules[1].executable && modules[2].executable);
        QCOMPARE(modules[1].ranges.size(), std::size_t(2));
        QVERIFY(hasWindowsImageName("/x/a.Dll") && hasWindowsImageName("/x/b.exe") && hasWindowsImageName("c.sys"));
        QVERIFY(!hasWindowsImageName("/x.dll/lib.so") && !hasWindowsImageName("/x/dll") && !hasWindowsImageName("/x/a.dll.so"));
    }

    void withoutMapFilesTheSuffixDecides()
    {
        const auto entries = parse(kSample);
        MapFilesContext context;
        context.unavailableReason = "permission denied (EACCES)";
        const auto modules = buildModules(entries, context);
        const ModuleRecord *gone = findByPath(modules, "/tmp/gone.so");
        QVERIFY(gone);
        QVERIFY(gone->deleted);
        QVERIFY(!gone->memfd);
        QCOMPARE(gone->confirmation, std::string("maps-suffix (map_files: permission denied (EACCES))"));
        const ModuleRecord *memfd = findByPath(modules, "/memfd:payload");
        QVERIFY(memfd);
        QVERIFY(memfd->memfd);
        QVERIFY(!memfd->deleted);
        QVERIFY2(memfd->confirmation.find("memfd by its /memfd: name") != std::string::npos, memfd->confirmation.c_str());
        QVERIFY(memfd->confirmation.find("permission denied (EACCES)") != std::string::npos);
    }

    void mapFilesConfirmsRealMappings()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QByteArray page(4096, '\xc3');
        // Deleted: mapped, then unlinked.
        const QString gonePath = QDir(dir.path()).canonicalPath() + QStringLiteral("/gone.so");
        // Still linked, but named like a deleted one.
        const QString trickPath = QDir(dir.path()).canonicalPath() + QStringLiteral("/trick.so (deleted)");
        for (const QString &path : {gonePath, trickPath}) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QCOMPARE(f.write(page), qint64(page.size()));
        }
        const int goneFd = ::open(QFile::encodeName(gonePath).constData(), O_RDONLY | O_CLOEXEC);
        const int trickFd = ::open(QFile::encodeName(trickPath).constData(), O_RDONLY | O_CLOEXEC);
        const int memFd = ::memfd_create("tst modules", MFD_CLOEXEC);
        QVERIFY(goneFd >= 0 && trickFd >= 0 && memFd >= 0);
        QCOMPARE(::write(memFd, page.constData(), 4096), ssize_t(4096));
        void *goneMap = mapExecutable(goneFd);
        void *trickMap = mapExecutable(trickFd);
        void *memMap = mapExecutable(memFd);
        QVERIFY2(goneMap && trickMap && memMap, "mmap PROT_EXEC failed (noexec temp dir?)");
        auto cleanup = qScopeGuard([&] {
            ::munmap(goneMap, 4096);
            ::munmap(trickMap, 4096);
            ::munmap(memMap, 4096);
            ::close(goneFd);
            ::close(trickFd);
            ::close(memFd);
        });
        QVERIFY(QFile::remove(gonePath));

        const int selfFd = ::open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        QVERIFY(selfFd >= 0);
        auto closeSelf = qScopeGuard([&] { ::close(selfFd); });
        char probe[64];
        std::snprintf(probe, sizeof probe, "map_files/%lx-%lx", reinterpret_cast<unsigned long>(goneMap),
                      reinterpret_cast<unsigned long>(goneMap) + 4096);
        struct stat st {};
        if (::fstatat(selfFd, probe, &st, 0) != 0)
            QSKIP(qPrintable(QStringLiteral("map_files cannot be followed here (needs CAP_SYS_ADMIN): ") +
                             QString::fromLocal8Bit(std::strerror(errno))));

        QFile mapsFile(QStringLiteral("/proc/self/maps"));
        QVERIFY(mapsFile.open(QIODevice::ReadOnly));
        const QByteArray text = mapsFile.readAll();
        const auto parsed = parseMaps(std::string_view(text.constData(), static_cast<std::size_t>(text.size())));
        MapFilesContext context;
        context.pidDirFd = selfFd;
        context.shmemDev = detectShmemDevice();
        QVERIFY(context.shmemDev);
        const auto modules = buildModules(parsed.entries, context);

        const ModuleRecord *gone = findByPath(modules, gonePath.toStdString());
        QVERIFY(gone);
        QVERIFY(gone->deleted);
        QCOMPARE(gone->confirmation, std::string("map_files"));

        // Its name ends in " (deleted)" but it has a link: not deleted, full name kept.
        const ModuleRecord *trick = findByPath(modules, trickPath.toStdString());
        QVERIFY2(trick, qPrintable(trickPath));
        QVERIFY(!trick->deleted);
        QCOMPARE(trick->confirmation, std::string("map_files"));

        const ModuleRecord *memfd = findByPath(modules, "/memfd:tst modules");
        QVERIFY(memfd);
        QVERIFY(memfd->memfd);
        QVERIFY(!memfd->deleted);
        QCOMPARE(memfd->confirmation, std::string("map_files"));
        struct stat memStat {};
        QCOMPARE(::fstat(memFd, &memStat), 0);
        QCOMPARE(memfd->file.inode, std::uint64_t(memStat.st_ino));
        QCOMPARE(memfd->file.dev, std::uint64_t(memStat.st_dev));
    }
};

QTEST_GUILESS_MAIN(TestModules)
#include "tst_modules.moc"
