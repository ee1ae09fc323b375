// ld.so.preload and ld.so.conf: the loader's text rules, and reading a root tree with includes,
// globs, loops, missing and unreadable files.
#include "pathsec/ld_config.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace loadlens::pathsec;
using namespace Qt::StringLiterals;

namespace {

bool writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(content) == content.size();
}

QStringList toList(const std::vector<std::string> &items)
{
    QStringList out;
    for (const auto &i : items)
        out << QString::fromStdString(i);
    return out;
}

QString kindName(LdSoConfLine::Kind kind)
{
    switch (kind) {
    case LdSoConfLine::Kind::Directory: return QStringLiteral("dir");
    case LdSoConfLine::Kind::Include: return QStringLiteral("include");
    case LdSoConfLine::Kind::Hwcap: return QStringLiteral("hwcap");
    }
    return {};
}

bool anyContains(const std::vector<std::string> &items, const QString &part)
{
    for (const auto &i : items)
        if (QString::fromStdString(i).contains(part))
            return true;
    return false;
}

} // namespace

class TestLdConfig : public QObject {
    Q_OBJECT
private slots:
    void preloadText_data();
    void preloadText();
    void confText();
    void preloadFile();
    void preloadAbsentIsEmpty();
    void preloadUnreadableIsError();
    void confTreeWithIncludes();
    void confIncludeDepthIsLimited();
    void confAbsentIsEmpty();
    void confUnreadableIsError();
    void confUnreadableIncludeIsReported();
    void systemConfReads();
};

void TestLdConfig::preloadText_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QStringList>("names");
    QTest::addRow("empty") << QByteArray() << QStringList{};
    QTest::addRow("one per line") << QByteArray("/lib/a.so\n/lib/b.so\n") << QStringList{u"/lib/a.so"_s, u"/lib/b.so"_s};
    QTest::addRow("mixed separators") << QByteArray("/a.so /b.so:/c.so\t/d.so")
                                      << QStringList{u"/a.so"_s, u"/b.so"_s, u"/c.so"_s, u"/d.so"_s};
    QTest::addRow("comments") << QByteArray("# first /x.so\n/a.so # trailing /y.so\n") << QStringList{u"/a.so"_s};
    QTest::addRow("comment glued to a name") << QByteArray("/a.so#c:/z.so\n/b.so") << QStringList{u"/a.so"_s, u"/b.so"_s};
    QTest::addRow("empty fields") << QByteArray("::/a.so::\n\n") << QStringList{u"/a.so"_s};
    QTest::addRow("no trailing newline") << QByteArray("/a.so") << QStringList{u"/a.so"_s};
    QTest::addRow("CR is part of the name") << QByteArray("/a.so\r\n") << QStringList{u"/a.so\r"_s};
    QTest::addRow("NUL ends the text") << QByteArray("/a.so /b\0c.so", 13) << QStringList{u"/a.so"_s, u"/b"_s};
    QTest::addRow("space splits a name") << QByteArray("/with space.so") << QStringList{u"/with"_s, u"space.so"_s};
    QTest::addRow("duplicates kept") << QByteArray("/a.so /a.so") << QStringList{u"/a.so"_s, u"/a.so"_s};
}

void TestLdConfig::preloadText()
{
    QFETCH(QByteArray, text);
    QFETCH(QStringList, names);
    QCOMPARE(toList(parseLdSoPreload(std::string_view(text.constData(), std::size_t(text.size())))), names);
}

void TestLdConfig::confText()
{
    const std::string text = "# comment\n"
                             "/usr/local/lib\n"
                             "  /opt/lib/   # trailing\n"
                             "include /etc/ld.so.conf.d/*.conf\n"
                             "include\tfoo.conf  bar/*.conf\n"
                             "hwcap 1 nosegneg\n"
                             "HWCAP 0 x\n"
                             "/lib32=libc6\n"
                             "includes/dir\n"
                             "include\n"
                             "/path with space\r\n"
                             "/\n"
                             "/after/nul\0ignored\n";
    QStringList got;
    for (const auto &l : parseLdSoConfText(std::string_view(text.data(), text.size())))
        got << QStringLiteral("%1:%2:%3").arg(l.line).arg(kindName(l.kind), QString::fromStdString(l.value));
    const QStringList expected{
        u"2:dir:/usr/local/lib"_s, u"3:dir:/opt/lib"_s, u"4:include:/etc/ld.so.conf.d/*.conf"_s, u"5:include:foo.conf"_s,
        u"5:include:bar/*.conf"_s, u"6:hwcap:hwcap 1 nosegneg"_s, u"7:hwcap:HWCAP 0 x"_s, u"8:dir:/lib32"_s,
        u"9:dir:includes/dir"_s, u"10:dir:include"_s, u"11:dir:/path with space"_s, u"13:dir:/after/nul"_s};
    QCOMPARE(got, expected);
}

void TestLdConfig::preloadFile()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    QVERIFY(writeFile(root.filePath(QStringLiteral("etc/ld.so.preload")), "# forced\n/usr/lib/libhook.so\n"));
    const auto r = readLdSoPreload(root.path().toStdString());
    QVERIFY(r.ok());
    QCOMPARE(toList(*r), QStringList{u"/usr/lib/libhook.so"_s});
}

void TestLdConfig::preloadAbsentIsEmpty()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    const auto r = readLdSoPreload(root.path().toStdString());
    QVERIFY(r.ok());
    QVERIFY(r->empty());
}

void TestLdConfig::preloadUnreadableIsError()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    // A directory in its place cannot be read, even by root.
    QVERIFY(QDir(root.path()).mkpath(QStringLiteral("etc/ld.so.preload")));
    const auto r = readLdSoPreload(root.path().toStdString());
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, EISDIR);
    QVERIFY(QString::fromStdString(r.error().message).contains(root.filePath(QStringLiteral("etc/ld.so.preload"))));
}

void TestLdConfig::confTreeWithIncludes()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    // Glob characters in the root must be taken literally.
    const QString root = tmp.filePath(QStringLiteral("we[ir]d*root"));
    QVERIFY(writeFile(root + u"/etc/ld.so.conf"_s, "# main\n"
                                                "include /etc/ld.so.conf.d/*.conf\n"
                                                "/usr/local/lib\n"
                                                "include rel/*.conf\n"
                                                "include /etc/none/*.conf\n"
                                                "hwcap 0 nosegneg\n"));
    QVERIFY(writeFile(root + u"/etc/ld.so.conf.d/b.conf"_s, "/opt/b\n"));
    QVERIFY(writeFile(root + u"/etc/ld.so.conf.d/a.conf"_s, "/opt/a\ninclude /etc/ld.so.conf.d/a.conf\n"));
    QVERIFY(writeFile(root + u"/etc/ld.so.conf.d/Z.conf"_s, "/opt/Z/\n"));
    QVERIFY(writeFile(root + u"/etc/ld.so.conf.d/c.txt"_s, "/opt/not-conf\n"));
    QVERIFY(writeFile(root + u"/etc/rel/r.conf"_s, "\n\n/opt/rel\n"));

    const auto r = readLdSoConf(root.toStdString());
    QVERIFY(r.ok());
    QVERIFY(r->present);
    QStringList dirs;
    for (const auto &d : r->directories)
        dirs << QStringLiteral("%1 %2:%3").arg(QString::fromStdString(d.path), QString::fromStdString(d.sourceFile)).arg(d.line);
    const QStringList expected{u"/opt/Z /etc/ld.so.conf.d/Z.conf:1"_s, u"/opt/a /etc/ld.so.conf.d/a.conf:1"_s,
                               u"/opt/b /etc/ld.so.conf.d/b.conf:1"_s, u"/usr/local/lib /etc/ld.so.conf:3"_s,
                               u"/opt/rel /etc/rel/r.conf:3"_s};
    QCOMPARE(dirs, expected);
    QCOMPARE(toList(r->filesRead),
             (QStringList{u"/etc/ld.so.conf"_s, u"/etc/ld.so.conf.d/Z.conf"_s, u"/etc/ld.so.conf.d/a.conf"_s,
                          u"/etc/ld.so.conf.d/b.conf"_s, u"/etc/rel/r.conf"_s}));
    QCOMPARE(r->errors.size(), std::size_t(1));
    QVERIFY2(anyContains(r->errors, QStringLiteral("/etc/ld.so.conf.d/a.conf:2: include of /etc/ld.so.conf.d/a.conf")),
             r->errors.front().c_str());
    QVERIFY(anyContains(r->notes, QStringLiteral("/etc/ld.so.conf:6: hwcap directive ignored")));
    QVERIFY(anyContains(r->notes, QStringLiteral("/etc/none/*.conf matches no file")));
}

void TestLdConfig::confIncludeDepthIsLimited()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    QVERIFY(writeFile(root.filePath(QStringLiteral("etc/ld.so.conf")), "/d0\ninclude /etc/c1.conf\n"));
    QVERIFY(writeFile(root.filePath(QStringLiteral("etc/c1.conf")), "/d1\ninclude c2.conf\n"));
    QVERIFY(writeFile(root.filePath(QStringLiteral("etc/c2.conf")), "/d2\ninclude c3.conf\n"));
    QVERIFY(writeFile(root.filePath(QStringLiteral("etc/c3.conf")), "/d3\n"));
    const auto r = readLdSoConf(root.path().toStdString(), 2);
    QVERIFY(r.ok());
    QCOMPARE(r->directories.size(), std::size_t(3));
    QCOMPARE(r->directories.back().path, std::string("/d2"));
    QCOMPARE(r->errors.size(), std::size_t(1));
    QVERIFY2(anyContains(r->errors, QStringLiteral("/etc/c2.conf:2: include c3.conf not followed")), r->errors.front().c_str());
    const auto full = readLdSoConf(root.path().toStdString());
    QVERIFY(full.ok());
    QCOMPARE(full->directories.size(), std::size_t(4));
    QVERIFY(full->errors.empty());
}

void TestLdConfig::confAbsentIsEmpty()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    const auto r = readLdSoConf(root.path().toStdString());
    QVERIFY(r.ok());
    QVERIFY(!r->present);
    QVERIFY(r->directories.empty());
    QVERIFY(r->errors.empty());
}

void TestLdConfig::confUnreadableIsError()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    QVERIFY(QDir(root.path()).mkpath(QStringLiteral("etc/ld.so.conf")));
    const auto r = readLdSoConf(root.path().toStdString());
    QVERIFY(!r.ok());
    QVERIFY(QString::fromStdString(r.error().message).contains(QStringLiteral("etc/ld.so.conf")));
}

void TestLdConfig::confUnreadableIncludeIsReported()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    QVERIFY(writeFile(root.filePath(QStringLiteral("etc/ld.so.conf")), "include /etc/ld.so.conf.d/*.conf\n/after\n"));
    QVERIFY(QDir(root.path()).mkpath(QStringLiteral("etc/ld.so.conf.d/dir.conf")));
    QVERIFY(writeFile(root.filePath(QStringLiteral("etc/ld.so.conf.d/ok.conf")), "/ok\n"));
    const auto r = readLdSoConf(root.path().toStdString());
    QVERIFY(r.ok());
    QCOMPARE(r->directories.size(), std::size_t(2));  // the rest is still read
    QCOMPARE(r->errors.size(), std::size_t(1));
    QVERIFY2(anyContains(r->errors, QStringLiteral("dir.conf")), r->errors.front().c_str());
}

void TestLdConfig::systemConfReads()
{
    if (!QFileInfo::exists(QStringLiteral("/etc/ld.so.conf")))
        QSKIP("no /etc/ld.so.conf on this system");
    const auto r = readLdSoConf();
    QVERIFY(r.ok());
    QVERIFY(r->present);
    QVERIFY2(r->errors.empty(), r->errors.empty() ? "" : r->errors.front().c_str());
    QCOMPARE(r->filesRead.front(), std::string("/etc/ld.so.conf"));
}

QTEST_GUILESS_MAIN(TestLdConfig)
#include "tst_ld_config.moc"
