// hashFile / hashFd / hashFiles against coreutils sha256sum and md5sum as the oracle.
#include "pkg/hash.h"
#include "pkg/md5_lanes.h"

#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <fcntl.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace loadlens;
using namespace loadlens::pkg;

namespace {

QByteArray randomBytes(qsizetype size, quint32 seed)
{
    QRandomGenerator gen(seed);
    QByteArray data(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        data[i] = char(gen.generate() & 0xff);
    return data;
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(content) == content.size();
}

// The first field of `tool FILE`, e.g. sha256sum's hex digest.
std::string oracle(const char *tool, const QString &path)
{
    QProcess p;
    p.start(QString::fromLatin1(tool), {path});
    if (!p.waitForFinished(60000) || p.exitCode() != 0)
        return "oracle failed";
    return p.readAllStandardOutput().split(' ').value(0).toStdString();
}

} // namespace

class TestHash : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("sha256sum")).isEmpty()
            || QStandardPaths::findExecutable(QStringLiteral("md5sum")).isEmpty())
            QSKIP("coreutils sha256sum/md5sum are needed as the reference");
    }

    void singleFileMatchesCoreutils_data()
    {
        QTest::addColumn<qsizetype>("size");
        // Around MD5's 55/56/64-byte padding edges, and across read chunks.
        for (qsizetype size : {0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, (1 << 20) + 17, 3 * (1 << 20) + 5})
            QTest::addRow("%lld bytes", static_cast<long long>(size)) << size;
    }
    void singleFileMatchesCoreutils()
    {
        QFETCH(qsizetype, size);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("f"));
        QVERIFY(writeFile(path, randomBytes(size, quint32(size))));
        FileStamp stamp;
        auto d = hashFile(path.toStdString(), {}, &stamp);
        QVERIFY2(d.ok(), d.ok() ? "" : d.error().message.c_str());
        QCOMPARE(d->sha256, oracle("sha256sum", path));
        QCOMPARE(d->md5, oracle("md5sum", path));
        QCOMPARE(stamp.size, std::uint64_t(size));
    }

    void manyFilesMatchCoreutils()
    {
        // Enough files of mixed sizes to keep every MD5 lane busy, refill lanes mid-pass and
        // finish files at different block counts.
        QTemporaryDir dir;
        std::vector<HashJob> jobs;
        QStringList paths;
        QRandomGenerator gen(42);
        for (int i = 0; i < 53; ++i) {
            const qsizetype size = i % 7 == 0 ? gen.bounded(300000, 900000) : gen.bounded(0, 70000);
            const QString path = dir.filePath(QStringLiteral("f%1").arg(i));
            QVERIFY(writeFile(path, randomBytes(size, quint32(1000 + i))));
            paths << path;
            jobs.push_back(HashJob{path.toStdString(), -1});
        }
        std::size_t lastDone = 0, lastTotal = 0;
        auto outcomes = hashFiles(jobs, 2, [&](std::size_t done, std::size_t total, const std::string &) {
            lastDone = done;
            lastTotal = total;
        }, CancelToken());
        QCOMPARE(outcomes.size(), jobs.size());
        for (int i = 0; i < paths.size(); ++i) {
            QVERIFY2(outcomes[i].ok(), outcomes[i].error ? outcomes[i].error->message.c_str() : "cancelled");
            QCOMPARE(outcomes[i].digests.sha256, oracle("sha256sum", paths[i]));
            QCOMPARE(outcomes[i].digests.md5, oracle("md5sum", paths[i]));
        }
        QCOMPARE(lastDone, jobs.size());
        QCOMPARE(lastTotal, jobs.size());
        qInfo("md5 lane kernel: %s", md5LaneKernelName());
    }

    void laneKernelsMatchScalar_data()
    {
        QTest::addColumn<unsigned>("width");
        QTest::addColumn<unsigned>("needs");  // md5::laneWidth() this kernel requires
        QTest::addRow("avx2 x8") << 8u << 8u;
        QTest::addRow("avx512vl x8") << 8u << 16u;
        QTest::addRow("avx512 x16") << 16u << 16u;
    }
    void laneKernelsMatchScalar()
    {
        // Each kernel on its own, whichever one hashFiles picks on this CPU.
        QFETCH(unsigned, width);
        QFETCH(unsigned, needs);
        if (md5::laneWidth() < needs)
            QSKIP("this CPU lacks the instruction set of that kernel");
        const std::size_t blocks = 37;
        const std::size_t stride = blocks * 64 + 128;  // lanes at different alignments
        const QByteArray data = randomBytes(qsizetype(stride * width), width);
        const auto *base = reinterpret_cast<const unsigned char *>(data.constData());
        std::vector<std::uint32_t> states(4 * width);
        std::uint32_t offsets[16];
        const unsigned char *rows[16];
        for (unsigned lane = 0; lane < width; ++lane) {
            offsets[lane] = std::uint32_t(lane * stride + lane * 4);
            rows[lane] = base + offsets[lane];
            for (int w = 0; w < 4; ++w)
                states[w * width + lane] = md5::kInit[w] + lane;  // distinct start states
        }
        if (width == 16)
            md5::compressX16Avx512(states.data(), rows, blocks);
        else if (needs == 16)
            md5::compressX8Avx512vl(states.data(), rows, blocks);
        else
            md5::compressX8Avx2(states.data(), rows, blocks);
        for (unsigned lane = 0; lane < width; ++lane) {
            std::uint32_t expected[4];
            for (int w = 0; w < 4; ++w)
                expected[w] = md5::kInit[w] + lane;
            md5::compressScalar(expected, base + offsets[lane], blocks);
            for (int w = 0; w < 4; ++w)
                QCOMPARE(states[w * width + lane], expected[w]);
        }
    }

    void withoutMd5OnlySha256()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("f"));
        QVERIFY(writeFile(path, randomBytes(5000, 7)));
        HashOptions options;
        options.md5 = false;
        auto outcomes = hashFiles({HashJob{path.toStdString(), -1}}, 1, {}, CancelToken(), options);
        QVERIFY(outcomes[0].ok());
        QCOMPARE(outcomes[0].digests.sha256, oracle("sha256sum", path));
        QVERIFY(outcomes[0].digests.md5.empty());
    }

    void hashesThroughCallerFd()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("f"));
        QVERIFY(writeFile(path, randomBytes(200000, 9)));
        const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
        QVERIFY(fd >= 0);
        QVERIFY(::lseek(fd, 1234, SEEK_SET) == 1234);  // the fd offset must not matter
        auto single = hashFd(fd, "label");
        auto many = hashFiles({HashJob{"label", fd}, HashJob{path.toStdString(), -1}}, 2, {}, CancelToken());
        ::close(fd);
        QVERIFY(single.ok());
        QCOMPARE(single->sha256, oracle("sha256sum", path));
        QCOMPARE(single->md5, oracle("md5sum", path));
        QVERIFY(many[0].ok() && many[1].ok());
        QCOMPARE(many[0].digests, *single);
        QCOMPARE(many[1].digests, *single);
    }

    void rejectsWhatIsNotARegularFile_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::addRow("fifo") << QStringLiteral("fifo") << QStringLiteral("FIFO");
        QTest::addRow("symlink") << QStringLiteral("symlink") << QStringLiteral("symbolic link");
        QTest::addRow("directory") << QStringLiteral("directory") << QStringLiteral("directory");
        QTest::addRow("missing") << QStringLiteral("missing") << QStringLiteral("No such file");
    }
    void rejectsWhatIsNotARegularFile()
    {
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString target = dir.filePath(QStringLiteral("target"));
        QVERIFY(writeFile(target, "content\n"));
        const QString path = dir.filePath(QStringLiteral("subject"));
        const QByteArray native = QFile::encodeName(path);
        if (kind == QLatin1String("fifo"))
            QVERIFY(::mkfifo(native.constData(), 0600) == 0);  // opening must not block on it
        else if (kind == QLatin1String("symlink"))
            QVERIFY(QFile::link(target, path));
        else if (kind == QLatin1String("directory"))
            QVERIFY(QDir().mkdir(path));
        auto single = hashFile(path.toStdString());
        QVERIFY(!single.ok());
        QVERIFY2(single.error().message.find(expected.toStdString()) != std::string::npos, single.error().message.c_str());
        QVERIFY(single.error().message.find(path.toStdString()) != std::string::npos);
        // In a batch the other files are still hashed.
        auto many = hashFiles({HashJob{target.toStdString(), -1}, HashJob{path.toStdString(), -1}}, 2, {}, CancelToken());
        QVERIFY(many[0].ok());
        QVERIFY(many[1].error);
        QVERIFY(many[1].error->message.find(expected.toStdString()) != std::string::npos);
    }

    void pseudoFileLargerThanItsSizeIsRejected()
    {
        // /proc files report st_size 0 yet return data: the read must not be trusted.
        auto d = hashFile("/proc/self/status");
        QVERIFY(!d.ok());
        QVERIFY2(d.error().message.find("changed while hashing") != std::string::npos, d.error().message.c_str());
    }

    void fileGrowingDuringHashIsRejected()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("growing"));
        QVERIFY(writeFile(path, randomBytes(8 << 20, 3)));
        const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_APPEND | O_CLOEXEC);
        QVERIFY(fd >= 0);
        std::atomic<bool> stop{false};
        std::atomic<long> appends{0};
        std::thread writer([&] {
            const char block[512] = {};
            while (!stop.load()) {
                if (::write(fd, block, sizeof block) == ssize_t(sizeof block))
                    appends.fetch_add(1);
            }
        });
        while (appends.load() == 0)
            std::this_thread::yield();
        auto single = hashFile(path.toStdString());
        auto many = hashFiles({HashJob{path.toStdString(), -1}}, 1, {}, CancelToken());
        stop = true;
        writer.join();
        ::close(fd);
        QVERIFY(!single.ok());
        QVERIFY2(single.error().message.find("changed while hashing") != std::string::npos, single.error().message.c_str());
        QVERIFY(many[0].error);
        QVERIFY(many[0].error->message.find("changed while hashing") != std::string::npos);
    }

    void cancelMidRunStopsCleanly()
    {
        QTemporaryDir dir;
        std::vector<HashJob> jobs;
        for (int i = 0; i < 40; ++i) {
            const QString path = dir.filePath(QStringLiteral("f%1").arg(i));
            QVERIFY(writeFile(path, randomBytes(2 << 20, quint32(i))));
            jobs.push_back(HashJob{path.toStdString(), -1});
        }
        CancelToken cancel;
        // The first progress report comes right after the workers start.
        auto outcomes = hashFiles(jobs, 2, [&](std::size_t, std::size_t, const std::string &) { cancel.cancel(); },
                                  cancel);
        std::size_t cancelled = 0;
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            if (outcomes[i].cancelled) {
                ++cancelled;
                continue;
            }
            QVERIFY2(outcomes[i].ok(), outcomes[i].error ? outcomes[i].error->message.c_str() : "");
            auto direct = hashFile(jobs[i].path);
            QVERIFY(direct.ok());
            QCOMPARE(outcomes[i].digests, *direct);  // what finished is complete and right
        }
        QVERIFY(cancelled > 0);
    }

    void cancelledBeforeStartHashesNothing()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("f"));
        QVERIFY(writeFile(path, "x"));
        CancelToken cancel;
        cancel.cancel();
        auto outcomes = hashFiles({HashJob{path.toStdString(), -1}, HashJob{path.toStdString(), -1}}, 2, {}, cancel);
        QCOMPARE(outcomes.size(), std::size_t(2));
        for (const auto &o : outcomes) {
            QVERIFY(o.cancelled);
            QVERIFY(o.digests.sha256.empty());
        }
    }
};

QTEST_GUILESS_MAIN(TestHash)
#include "tst_hash.moc"
