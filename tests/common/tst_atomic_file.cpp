// io::writeFileAtomically on real files: new and replaced files, a write that fails half way
// (RLIMIT_FSIZE), directories that take no files, links, pipes; never a temporary file left.
#include "common/atomic_file.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace loadlens;

namespace {

QStringList entriesOf(const QString &dir)
{
    return QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
}

QByteArray contentOf(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<unreadable>");
}

bool writeText(const QString &path, const QByteArray &text)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(text) == text.size();
}

// Sets RLIMIT_FSIZE for the lifetime of the object, so that writes past `bytes` fail with EFBIG
// (SIGXFSZ ignored meanwhile); restores both afterwards.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes)
    {
        ::getrlimit(RLIMIT_FSIZE, &m_old);
        m_oldHandler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit = m_old;
        limit.rlim_cur = bytes;
        m_ok = ::setrlimit(RLIMIT_FSIZE, &limit) == 0;
    }
    ~FileSizeLimit()
    {
        ::setrlimit(RLIMIT_FSIZE, &m_old);
        std::signal(SIGXFSZ, m_oldHandler);
    }
    bool ok() const { return m_ok; }

private:
    rlimit m_old{};
    void (*m_oldHandler)(int) = nullptr;
    bool m_ok = false;
};

} // namespace

class TestAtomicFile : public QObject {
    Q_OBJECT
private:
    mode_t m_savedUmask = 0;

private slots:
    void initTestCase() { m_savedUmask = ::umask(022); }
    void cleanupTestCase() { ::umask(m_savedUmask); }

    void newFileHasContentAndUmaskMode()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("report.json"));
        auto s = io::writeFileAtomically(path.toStdString(), "{\"a\":1}\n");
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        QCOMPARE(contentOf(path), QByteArray("{\"a\":1}\n"));
        struct stat st {};
        QCOMPARE(::stat(QFile::encodeName(path).constData(), &st), 0);
        QCOMPARE(int(st.st_mode & 07777), 0644);
        QCOMPARE(entriesOf(dir.path()), QStringList{QStringLiteral("report.json")});
    }

    void otherUmaskIsHonoured()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("private.txt"));
        ::umask(077);
        auto s = io::writeFileAtomically(path.toStdString(), "x");
        ::umask(022);
        QVERIFY(s.ok());
        struct stat st {};
        QCOMPARE(::stat(QFile::encodeName(path).constData(), &st), 0);
        QCOMPARE(int(st.st_mode & 07777), 0600);
    }

    void existingFileIsReplacedWholeAndKeepsItsMode()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("out.txt"));
        QVERIFY(writeText(path, "old content\n"));
        QCOMPARE(::chmod(QFile::encodeName(path).constData(), 0640), 0);
        // A reader that opened the old file keeps reading the old file: the new one is a
        // different inode put in place by rename, not the old one rewritten.
        const int reader = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
        QVERIFY(reader >= 0);
        struct stat before {};
        QCOMPARE(::fstat(reader, &before), 0);

        auto s = io::writeFileAtomically(path.toStdString(), "new\n");
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        QCOMPARE(contentOf(path), QByteArray("new\n"));
        struct stat after {};
        QCOMPARE(::stat(QFile::encodeName(path).constData(), &after), 0);
        QVERIFY(after.st_ino != before.st_ino);
        QCOMPARE(int(after.st_mode & 07777), 0640);
        char buffer[32] = {};
        QCOMPARE(::pread(reader, buffer, sizeof buffer - 1, 0), ssize_t(12));
        QCOMPARE(QByteArray(buffer), QByteArray("old content\n"));
        ::close(reader);
        QCOMPARE(entriesOf(dir.path()), QStringList{QStringLiteral("out.txt")});
    }

    void failedWriteLeavesTargetAndNoTemporaryFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("scan.json"));
        QVERIFY(writeText(path, "previous report\n"));
        const std::string big(256 * 1024, 'x');
        Status s = Ok{};
        {
            FileSizeLimit limit(8192);
            QVERIFY2(limit.ok(), "setrlimit(RLIMIT_FSIZE) failed");
            s = io::writeFileAtomically(path.toStdString(), big);
        }
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, EFBIG);
        QVERIFY2(QString::fromStdString(s.error().message).contains(path), s.error().message.c_str());
        QCOMPARE(contentOf(path), QByteArray("previous report\n"));
        QCOMPARE(entriesOf(dir.path()), QStringList{QStringLiteral("scan.json")});
    }

    void failedWriteOfNewFileLeavesNothing()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("new.json"));
        Status s = Ok{};
        {
            FileSizeLimit limit(4096);
            QVERIFY(limit.ok());
            s = io::writeFileAtomically(path.toStdString(), std::string(64 * 1024, 'y'));
        }
        QVERIFY(!s.ok());
        QVERIFY(!QFile::exists(path));
        QVERIFY2(entriesOf(dir.path()).isEmpty(), qPrintable(entriesOf(dir.path()).join(u' ')));
    }

    void directoryThatTakesNoFiles()
    {
        // procfs takes no new files, for root too.
        const std::string path = "/proc/loadlens-atomic-test.json";
        auto s = io::writeFileAtomically(path, "{}");
        QVERIFY(!s.ok());
        QVERIFY2(QString::fromStdString(s.error().message).contains(QStringLiteral("/proc")), s.error().message.c_str());
        QVERIFY(!QFile::exists(QString::fromStdString(path)));
        QVERIFY(!io::checkWritableAtomically(path).ok());
    }

    void readOnlyDirectoryByPermissions()
    {
        if (::geteuid() == 0)
            QSKIP("root writes into a directory whatever its mode; the procfs case covers root");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString sub = dir.filePath(QStringLiteral("ro"));
        QVERIFY(QDir().mkdir(sub));
        QVERIFY(writeText(sub + QStringLiteral("/kept.txt"), "kept\n"));
        QCOMPARE(::chmod(QFile::encodeName(sub).constData(), 0555), 0);
        const QString path = sub + QStringLiteral("/kept.txt");
        auto s = io::writeFileAtomically(path.toStdString(), "replaced\n");
        const bool refused = !io::checkWritableAtomically(path.toStdString()).ok();
        ::chmod(QFile::encodeName(sub).constData(), 0755);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, EACCES);
        QVERIFY(refused);
        QCOMPARE(contentOf(path), QByteArray("kept\n"));
        QCOMPARE(entriesOf(sub), QStringList{QStringLiteral("kept.txt")});
    }

    void missingDirectoryAndDirectoryTarget()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string missing = dir.filePath(QStringLiteral("no/such/dir/out.json")).toStdString();
        auto s = io::writeFileAtomically(missing, "{}");
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ENOENT);
        QVERIFY(!io::checkWritableAtomically(missing).ok());

        auto d = io::writeFileAtomically(dir.path().toStdString(), "{}");
        QVERIFY(!d.ok());
        QCOMPARE(d.error().code, EISDIR);
        QVERIFY(!io::checkWritableAtomically(dir.path().toStdString() + "/").ok());
        QVERIFY(entriesOf(dir.path()).isEmpty());
    }

    void checkLeavesNothingBehind()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto s = io::checkWritableAtomically(dir.filePath(QStringLiteral("later.json")).toStdString());
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        QVERIFY(entriesOf(dir.path()).isEmpty());
    }

    void symlinkIsReplacedNotFollowed()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString victim = dir.filePath(QStringLiteral("victim"));
        const QString link = dir.filePath(QStringLiteral("out.json"));
        QVERIFY(writeText(victim, "do not touch\n"));
        QVERIFY(QFile::link(victim, link));
        QVERIFY(io::writeFileAtomically(link.toStdString(), "report\n").ok());
        QCOMPARE(contentOf(victim), QByteArray("do not touch\n"));
        QVERIFY(!QFileInfo(link).isSymLink());
        QCOMPARE(contentOf(link), QByteArray("report\n"));
    }

    void pipeIsWrittenInPlace()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QByteArray fifo = QFile::encodeName(dir.filePath(QStringLiteral("fifo")));
        QCOMPARE(::mkfifo(fifo.constData(), 0600), 0);
        const int reader = ::open(fifo.constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        QVERIFY(reader >= 0);
        auto s = io::writeFileAtomically(fifo.toStdString(), "through the pipe\n");
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        char buffer[64] = {};
        QCOMPARE(::read(reader, buffer, sizeof buffer - 1), ssize_t(17));
        ::close(reader);
        QCOMPARE(QByteArray(buffer), QByteArray("through the pipe\n"));
        struct stat st {};
        QCOMPARE(::lstat(fifo.constData(), &st), 0);
        QVERIFY(S_ISFIFO(st.st_mode));
        QCOMPARE(entriesOf(dir.path()), QStringList{QStringLiteral("fifo")});
    }
};

QTEST_GUILESS_MAIN(TestAtomicFile)
#include "tst_atomic_file.moc"
