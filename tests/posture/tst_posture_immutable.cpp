// immutable-loader-config: flags set for real with FS_IOC_SETFLAGS where the filesystem keeps them
// (skipped elsewhere), cleared again before the temporary tree is removed.
#include <QtTest>

#include "posture_tree.h"
#include "posture/inode_flags.h"
#include "posture/posture.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

using namespace loadlens;
using namespace loadlens::posture;
using loadlens::testing::PostureTree;

namespace {

// errno of the attempt, 0 on success.
int setImmutable(const QString &path, bool on)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return errno;
    int flags = 0;
    int result = ::ioctl(fd, FS_IOC_GETFLAGS, &flags);
    if (result == 0) {
        flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
        result = ::ioctl(fd, FS_IOC_SETFLAGS, &flags);
    }
    const int err = result == 0 ? 0 : errno;
    ::close(fd);
    return err;
}

// Clears the flag on every path it set, so QTemporaryDir can remove the tree.
class ImmutableGuard {
public:
    ~ImmutableGuard()
    {
        for (const auto &p : m_paths)
            setImmutable(p, false);
    }
    int set(const QString &path)
    {
        const int err = setImmutable(path, true);
        if (err == 0)
            m_paths.prepend(path);
        return err;
    }

private:
    QStringList m_paths;
};

} // namespace

class TestPostureImmutable : public QObject {
    Q_OBJECT
private slots:
    void flags_data();
    void flags();
    void unsupportedFilesystemIsUnknown();
};

void TestPostureImmutable::flags_data()
{
    QTest::addColumn<QStringList>("immutable");
    QTest::addColumn<bool>("preloadPresent");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("evidence");

    const QStringList all{u"/etc/ld.so.conf"_qs, u"/etc/ld.so.conf.d/a.conf"_qs, u"/etc/ld.so.conf.d"_qs};
    QTest::addRow("none set") << QStringList{} << false << "fail" << "/etc/ld.so.conf is not immutable";
    QTest::addRow("all set") << all << false << "pass" << "/etc/ld.so.conf.d is immutable";
    QTest::addRow("included file not set") << QStringList{u"/etc/ld.so.conf"_qs, u"/etc/ld.so.conf.d"_qs} << false
                                           << "fail" << "/etc/ld.so.conf.d/a.conf is not immutable";
    QTest::addRow("preload present, not set") << all << true << "fail" << "/etc/ld.so.preload is not immutable";
    QTest::addRow("preload present and set") << (QStringList{u"/etc/ld.so.preload"_qs} + all) << true << "pass"
                                             << "/etc/ld.so.preload is immutable";
}

void TestPostureImmutable::flags()
{
    QFETCH(QStringList, immutable);
    QFETCH(bool, preloadPresent);
    QFETCH(QString, status);
    QFETCH(QString, evidence);

    PostureTree tree;
    QVERIFY(tree.write(u"/etc/ld.so.conf"_qs, "include /etc/ld.so.conf.d/*.conf\n"));
    QVERIFY(tree.write(u"/etc/ld.so.conf.d/a.conf"_qs, "/usr/local/lib\n"));
    if (preloadPresent)
        QVERIFY(tree.write(u"/etc/ld.so.preload"_qs, ""));
    ImmutableGuard guard;
    for (const auto &p : immutable) {
        const int err = guard.set(tree.path(p));
        if (err == EPERM)
            QSKIP("setting the immutable flag needs CAP_LINUX_IMMUTABLE");
        if (flagsUnsupported(err))
            QSKIP("the filesystem of the temporary directory keeps no inode flags");
        QCOMPARE(err, 0);
    }
    const PostureCheck check = checkImmutableLoaderConfig(tree.options());
    if (immutable.isEmpty() && check.status == posture::Status::Unknown)
        QSKIP("the filesystem of the temporary directory keeps no inode flags");
    QVERIFY2(testing::statusText(check.status) == status, qPrintable(testing::describe(check)));
    QVERIFY2(testing::evidenceContains(check, evidence), qPrintable(testing::describe(check)));
}

void TestPostureImmutable::unsupportedFilesystemIsUnknown()
{
    // tmpfs before Linux 6.0 keeps no inode flags; newer ones do, and then there is nothing to show.
    QTemporaryDir dir(u"/dev/shm/loadlens-posture-XXXXXX"_qs);
    if (!dir.isValid())
        QSKIP("no /dev/shm to build the tree in");
    QVERIFY(QDir().mkpath(dir.path() + u"/etc/ld.so.conf.d"_qs));
    QFile f(dir.path() + u"/etc/ld.so.conf"_qs);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    auto flags = readInodeFlags(QString(dir.path() + u"/etc/ld.so.conf"_qs).toStdString());
    if (flags)
        QSKIP("tmpfs here keeps inode flags: no unsupported filesystem to try");
    QVERIFY(flagsUnsupported(flags.error().code));
    const PostureCheck check = checkImmutableLoaderConfig(PostureOptions::forRoot(dir.path().toStdString()));
    QCOMPARE(check.status, posture::Status::Unknown);
    QVERIFY2(testing::evidenceContains(check, u"the filesystem does not keep inode flags"_qs), qPrintable(testing::describe(check)));
}

QTEST_GUILESS_MAIN(TestPostureImmutable)
#include "tst_posture_immutable.moc"
