// The loader search order for a DT_NEEDED name, as glibc's ld.so walks it: DT_RPATH chain,
// LD_LIBRARY_PATH, DT_RUNPATH, ld.so.cache, default directories.
#include "elf/elf_reader.h"
#include "elf/search_order.h"
#include "ld_cache_builder.h"
#include "shared_data.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>

using namespace loadlens;
using namespace loadlens::elf;

Q_DECLARE_METATYPE(std::function<void(loadlens::elf::SearchRequest &)>)

namespace {

using Setup = std::function<void(SearchRequest &)>;

ElfInfo object(const char *rpath, const char *runpath, std::uint64_t flags1 = 0)
{
    ElfInfo info;
    if (rpath) {
        info.hasRpath = true;
        info.rpath = rpath;
    }
    if (runpath) {
        info.hasRunpath = true;
        info.runpath = runpath;
    }
    info.flags1 = flags1;
    return info;
}

const LdCache &testCache()
{
    static const LdCache cache = [] {
        const auto bytes = elftest::buildNewLdCache({
            {"libfoo.so.1", "/usr/lib/x86_64-linux-gnu/libfoo.so.1", 0x0303, 0},
            {"libbar.so.2", "/opt/bar/lib/libbar.so.2", 0x0303, 0},
        });
        return *parseLdCache({bytes.data(), bytes.size()});
    }();
    return cache;
}

// requester /opt/app/lib/libplugin.so loaded by /opt/app/bin/app; no paths anywhere.
SearchRequest baseRequest()
{
    SearchRequest r;
    r.neededName = "libfoo.so.1";
    r.requester = {"/opt/app/lib/libplugin.so", object(nullptr, nullptr)};
    r.loaders = {{"/opt/app/bin/app", object(nullptr, nullptr)}};
    r.cache = &testCache();
    return r;
}

QStringList describe(const std::vector<SearchStep> &steps)
{
    QStringList out;
    for (const auto &s : steps)
        out << QString::fromUtf8(searchSourceName(s.source).data()) + QLatin1Char(' ') +
                   QString::fromStdString(s.directory) + (s.relative ? QStringLiteral(" (relative)") : QString());
    return out;
}

QStringList lines(std::initializer_list<const char *> list)
{
    QStringList out;
    for (const char *s : list)
        out << QString::fromUtf8(s);
    return out;
}

const char *kDefaults[] = {"default directory /lib/x86_64-linux-gnu",
                           "default directory /usr/lib/x86_64-linux-gnu", "default directory /lib",
                           "default directory /usr/lib"};

QStringList withDefaults(QStringList head)
{
    for (const char *d : kDefaults)
        head << QString::fromUtf8(d);
    return head;
}

} // namespace

class TestSearchOrder : public QObject {
    Q_OBJECT
private slots:
    void order_data()
    {
        QTest::addColumn<Setup>("setup");
        QTest::addColumn<QStringList>("expected");

        QTest::addRow("no paths: cache then defaults")
            << Setup([](SearchRequest &) {})
            << withDefaults(lines({"ld.so.cache /usr/lib/x86_64-linux-gnu"}));
        QTest::addRow("RPATH of requester, then of the executable, each with its own $ORIGIN")
            << Setup([](SearchRequest &r) {
                   r.requester.info = object("$ORIGIN:/opt/plug", nullptr);
                   r.loaders.back().info = object("$ORIGIN/../lib64", nullptr);
                   r.ldLibraryPath = "/env/a";
               })
            << withDefaults(lines({"DT_RPATH /opt/app/lib", "DT_RPATH /opt/plug",
                                   "DT_RPATH /opt/app/bin/../lib64", "LD_LIBRARY_PATH /env/a",
                                   "ld.so.cache /usr/lib/x86_64-linux-gnu"}));
        QTest::addRow("RUNPATH of requester silences the whole RPATH chain")
            << Setup([](SearchRequest &r) {
                   r.requester.info = object("/ignored/own", "/opt/run");
                   r.loaders.back().info = object("/ignored/exe", nullptr);
                   r.ldLibraryPath = "/env/a";
               })
            << withDefaults(lines({"LD_LIBRARY_PATH /env/a", "DT_RUNPATH /opt/run",
                                   "ld.so.cache /usr/lib/x86_64-linux-gnu"}));
        QTest::addRow("a loader's own RUNPATH drops its RPATH; its RUNPATH is not inherited")
            << Setup([](SearchRequest &r) {
                   r.requester.info = object("/req/rpath", nullptr);
                   r.loaders.insert(r.loaders.begin(),
                                    LoadingObject{"/opt/app/lib/libmid.so", object("/mid/rpath", "/mid/run")});
                   r.loaders.back().info = object("/exe/rpath", nullptr);
               })
            << withDefaults(lines({"DT_RPATH /req/rpath", "DT_RPATH /exe/rpath",
                                   "ld.so.cache /usr/lib/x86_64-linux-gnu"}));
        QTest::addRow("LD_LIBRARY_PATH before RUNPATH, ';' separates, empty means cwd")
            << Setup([](SearchRequest &r) {
                   r.requester.info = object(nullptr, "/opt/run");
                   r.ldLibraryPath = "/env/a;/env/b::$ORIGIN/x";
               })
            << withDefaults(lines({"LD_LIBRARY_PATH /env/a", "LD_LIBRARY_PATH /env/b",
                                   "LD_LIBRARY_PATH  (relative)", "LD_LIBRARY_PATH /opt/app/bin/x",
                                   "DT_RUNPATH /opt/run", "ld.so.cache /usr/lib/x86_64-linux-gnu"}));
        QTest::addRow("empty LD_LIBRARY_PATH adds nothing")
            << Setup([](SearchRequest &r) { r.ldLibraryPath = ""; })
            << withDefaults(lines({"ld.so.cache /usr/lib/x86_64-linux-gnu"}));
        QTest::addRow("secure execution ignores LD_LIBRARY_PATH and inner $ORIGIN")
            << Setup([](SearchRequest &r) {
                   r.secureExecution = true;
                   r.ldLibraryPath = "/tmp/evil";
                   r.requester.info = object(nullptr, "$ORIGIN/ok:/x/$ORIGIN/bad");
               })
            << withDefaults(lines({"DT_RUNPATH /opt/app/lib/ok", "ld.so.cache /usr/lib/x86_64-linux-gnu"}));
        QTest::addRow("NODEFLIB drops defaults and a cache hit inside them")
            << Setup([](SearchRequest &r) { r.requester.info = object(nullptr, "/opt/run", kDf1NoDefLib); })
            << lines({"DT_RUNPATH /opt/run"});
        QTest::addRow("NODEFLIB keeps a cache hit outside the defaults")
            << Setup([](SearchRequest &r) {
                   r.neededName = "libbar.so.2";
                   r.requester.info = object(nullptr, nullptr, kDf1NoDefLib);
               })
            << lines({"ld.so.cache /opt/bar/lib"});
        QTest::addRow("NODEFLIB of a loader does not matter")
            << Setup([](SearchRequest &r) { r.loaders.back().info = object(nullptr, nullptr, kDf1NoDefLib); })
            << withDefaults(lines({"ld.so.cache /usr/lib/x86_64-linux-gnu"}));
        QTest::addRow("no cache entry, no cache step")
            << Setup([](SearchRequest &r) { r.neededName = "libmissing.so"; }) << withDefaults({});
        QTest::addRow("no cache given")
            << Setup([](SearchRequest &r) { r.cache = nullptr; }) << withDefaults({});
        QTest::addRow("relative and repeated entries")
            << Setup([](SearchRequest &r) { r.requester.info = object(nullptr, "lib:/a:/a/:lib:"); })
            << withDefaults(lines({"DT_RUNPATH lib (relative)", "DT_RUNPATH /a", "DT_RUNPATH  (relative)",
                                   "ld.so.cache /usr/lib/x86_64-linux-gnu"}));
        QTest::addRow("empty RUNPATH string adds nothing but still silences RPATH")
            << Setup([](SearchRequest &r) { r.requester.info = object("/r", ""); })
            << withDefaults(lines({"ld.so.cache /usr/lib/x86_64-linux-gnu"}));
        QTest::addRow("requester is the executable")
            << Setup([](SearchRequest &r) {
                   r.loaders.clear();
                   r.requester = {"/usr/bin/tool", object("$ORIGIN/../$LIB", nullptr)};
               })
            << withDefaults(lines({"DT_RPATH /usr/bin/../lib/x86_64-linux-gnu",
                                   "ld.so.cache /usr/lib/x86_64-linux-gnu"}));
        QTest::addRow("name with a slash is not searched")
            << Setup([](SearchRequest &r) { r.neededName = "./libfoo.so.1"; }) << QStringList();
    }
    void order()
    {
        QFETCH(Setup, setup);
        QFETCH(QStringList, expected);
        SearchRequest request = baseRequest();
        setup(request);
        QCOMPARE(describe(searchOrder(request)), expected);
    }

    void stepsNameTheirOrigin()
    {
        SearchRequest r = baseRequest();
        r.requester.info = object("$ORIGIN", nullptr);
        r.loaders.back().info = object("/exe/dir", nullptr);
        const auto steps = searchOrder(r);
        QCOMPARE(steps.at(0).rawEntry, std::string("$ORIGIN"));
        QCOMPARE(steps.at(0).objectPath, std::string("/opt/app/lib/libplugin.so"));
        QCOMPARE(steps.at(1).objectPath, std::string("/opt/app/bin/app"));
        QCOMPARE(steps.at(2).rawEntry, std::string("/usr/lib/x86_64-linux-gnu/libfoo.so.1"));
        QVERIFY(steps.at(2).objectPath.empty());
    }

    // Real samples: the sharp addon's five $ORIGIN RPATH entries and manconv's RUNPATH.
    void sharpAddonRpath()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(path, "elf/npm_img-sharp-linux-x64_0.34.5_sharp-linux-x64.node");
        auto info = readElf(path.toStdString());
        QVERIFY(info.ok());
        SearchRequest r;
        r.neededName = "libvips-cpp.so.8.17.3";
        r.requester = {"/srv/app/node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64.node", *info};
        r.loaders = {{"/usr/bin/node", ElfInfo()}};
        const auto steps = searchOrder(r);
        QCOMPARE(steps.size(), std::size_t(5 + 4));
        const std::string origin = "/srv/app/node_modules/@img/sharp-linux-x64/lib";
        QCOMPARE(steps[0].directory, origin + "/../../sharp-libvips-linux-x64/lib");
        QCOMPARE(steps[4].directory, origin + "/../../../../../@img-sharp-libvips-linux-x64-npm-1.2.4-105fd6d44d/"
                                              "node_modules/@img/sharp-libvips-linux-x64/lib");
        for (std::size_t i = 0; i < 5; ++i) {
            QCOMPARE(steps[i].source, SearchSource::Rpath);
            QVERIFY(!steps[i].relative);
        }
    }

    void manconvRunpathWinsBeforeDefaults()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(path, "elf/debian_man-db_manconv");
        auto info = readElf(path.toStdString());
        QVERIFY(info.ok());
        SearchRequest r;
        r.neededName = "libman-2.11.2.so";
        r.requester = {"/usr/libexec/man-db/manconv", *info};
        r.ldLibraryPath = "/home/user/lib";
        const auto steps = searchOrder(r);
        QCOMPARE(describe(steps), withDefaults(lines({"LD_LIBRARY_PATH /home/user/lib", "DT_RUNPATH /usr/lib/man-db"})));
        QCOMPARE(stepIndexForDirectory(steps, "/usr/lib/man-db/"), std::optional<std::size_t>(1));
        QCOMPARE(stepIndexForDirectory(steps, "/usr/lib/./man-db"), std::optional<std::size_t>(1));
        QCOMPARE(stepIndexForDirectory(steps, "/nowhere"), std::nullopt);
    }

    void stepIndexFollowsSymlinkedDirectories()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("usr/lib")));
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("other")));
        QVERIFY(QFile::link(QStringLiteral("usr/lib"), dir.filePath(QStringLiteral("lib"))));
        std::vector<SearchStep> steps(3);
        steps[0].directory = dir.filePath(QStringLiteral("other")).toStdString();
        steps[1].directory = dir.filePath(QStringLiteral("lib")).toStdString();
        steps[2].directory = dir.filePath(QStringLiteral("usr/lib")).toStdString();
        const std::string real = dir.filePath(QStringLiteral("usr/lib")).toStdString();
        QCOMPARE(stepIndexForDirectory(steps, real), std::optional<std::size_t>(1));

        std::vector<SearchStep> relative(1);
        relative[0].directory = "usr/lib";
        relative[0].relative = true;
        QCOMPARE(stepIndexForDirectory(relative, real), std::nullopt);
        relative[0].directory = "";
        QCOMPARE(stepIndexForDirectory(relative, ""), std::optional<std::size_t>(0));
    }
};

QTEST_GUILESS_MAIN(TestSearchOrder)
#include "tst_search_order.moc"
