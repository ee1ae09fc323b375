// io::openRegularFile / readRegularFile: what a path is decides, not what it points to. A
// symbolic link, a FIFO (which must not block the reader), a directory and a missing file are
// refused with what they are; a regular file is read whole or up to the limit.
#include <QtTest>

#include "common/regular_file.h"

#include <QFile>
#include <QTemporaryDir>
#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace loadlens;

class TestRegularFile : public QObject {
    Q_OBJECT

private slots:
    void readsARegularFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("file"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        const QByteArray content(100000, 'x');
        f.write(content);
        f.close();
        auto whole = io::readRegularFile(path.toStdString());
        QVERIFY(whole.ok());
        QCOMPARE(whole->data.size(), std::size_t(content.size()));
        QVERIFY(!whole->truncated);
        auto cut = io::readRegularFile(path.toStdString(), 1000);
        QVERIFY(cut.ok());
        QCOMPARE(cut->data.size(), std::size_t(1000));
        QVERIFY(cut->truncated);
        auto opened = io::openRegularFile(path.toStdString());
        QVERIFY(opened.ok());
        QCOMPARE(qint64(opened->st.st_size), qint64(content.size()));
    }

    void refusesWhatIsNotARegularFile_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("says");
        QTest::addRow("symbolic link") << "symlink" << "it is a symbolic link (not followed)";
        QTest::addRow("FIFO") << "fifo" << "not a regular file (a FIFO)";
        QTest::addRow("directory") << "directory" << "not a regular file (a directory)";
        QTest::addRow("socket") << "socket" << "cannot open";  // open(2) of a socket fails: ENXIO
        QTest::addRow("missing") << "missing" << "cannot open";
    }
    void refusesWhatIsNotARegularFile()
    {
        QFETCH(QString, kind);
        QFETCH(QString, says);
        QTemporaryDir dir;
        const QString target = dir.filePath(QStringLiteral("target"));
        {
            QFile f(target);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("secret\n");
        }
        const QString path = dir.filePath(QStringLiteral("path"));
        const QByteArray native = QFile::encodeName(path);
        int fd = -1;
        if (kind == QLatin1String("symlink"))
            QVERIFY(QFile::link(target, path));
        else if (kind == QLatin1String("fifo"))
            QCOMPARE(::mkfifo(native.constData(), 0600), 0);  // no writer: a blocking open would hang
        else if (kind == QLatin1String("directory"))
            QVERIFY(QDir().mkdir(path));
        else if (kind == QLatin1String("socket")) {
            fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
            QVERIFY(fd >= 0);
            sockaddr_un address {};
            address.sun_family = AF_UNIX;
            QVERIFY(std::size_t(native.size()) < sizeof address.sun_path);
            std::memcpy(address.sun_path, native.constData(), std::size_t(native.size()));
            QCOMPARE(::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address), 0);
        }
        auto read = io::readRegularFile(path.toStdString());
        if (fd >= 0)
            ::close(fd);
        QVERIFY(!read.ok());
        QVERIFY2(QString::fromStdString(read.error().message).contains(says), read.error().message.c_str());
        QVERIFY2(QString::fromStdString(read.error().message).contains(path), read.error().message.c_str());
    }

    void kindNames()
    {
        QCOMPARE(io::fileKindName(S_IFREG | 0644), std::string_view("a regular file"));
        QCOMPARE(io::fileKindName(S_IFCHR | 0644), std::string_view("a character device"));
        QCOMPARE(io::fileKindName(S_IFBLK | 0644), std::string_view("a block device"));
        QCOMPARE(io::fileKindName(S_IFLNK | 0777), std::string_view("a symbolic link"));
    }
};

QTEST_GUILESS_MAIN(TestRegularFile)
#include "tst_regular_file.moc"
