// /proc/PID/stat and status parsing (comm is chosen by the process: spaces, parentheses),
// and the wording of errno causes used in per-process errors and error counts.
#include "proc/errno_text.h"
#include "proc/proc_stat.h"

#include <QtTest>
#include <cerrno>
#include <unistd.h>

using namespace loadlens::proc;

class TestProcStat : public QObject {
    Q_OBJECT
private slots:
    void parsesStat_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("pid");
        QTest::addColumn<QByteArray>("comm");
        QTest::addColumn<char>("state");
        QTest::addColumn<int>("ppid");
        QTest::addColumn<bool>("kernelThread");
        QTest::addColumn<quint64>("startTime");

        QTest::addRow("plain") << QByteArray("6615 (cat) R 6610 6610 3791 0 -1 4194304 101 0 0 0 0 0 0 0 20 0 1 0 "
                                             "49746 3133440 417 18446744073709551615 94051519184896\n")
                               << 6615 << QByteArray("cat") << 'R' << 6610 << false << quint64(49746);
        QTest::addRow("comm with spaces and parentheses")
            << QByteArray("42 (a) b (c)) S 1 42 42 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 777 0 0")
            << 42 << QByteArray("a) b (c)") << 'S' << 1 << false << quint64(777);
        QTest::addRow("comm that fakes fields")
            << QByteArray("43 (x) Z 99 1 1 0 -1 2097152 0 0 0 0 0 0 0 0 20 0 1 0 5) S 7 43 43 0 -1 4194304 0 0 0 0 0 "
                          "0 0 0 20 0 1 0 888 0 0")
            << 43 << QByteArray("x) Z 99 1 1 0 -1 2097152 0 0 0 0 0 0 0 0 20 0 1 0 5") << 'S' << 7 << false
            << quint64(888);
        QTest::addRow("kernel thread")
            << QByteArray("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 3 0 0")
            << 2 << QByteArray("kthreadd") << 'S' << 0 << true << quint64(3);
        QTest::addRow("empty comm") << QByteArray("44 () S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9")
                                    << 44 << QByteArray() << 'S' << 1 << false << quint64(9);
    }
    void parsesStat()
    {
        QFETCH(QByteArray, text);
        auto stat = parseProcStat(std::string_view(text.constData(), static_cast<std::size_t>(text.size())));
        QVERIFY(stat);
        QFETCH(int, pid);
        QFETCH(QByteArray, comm);
        QFETCH(char, state);
        QFETCH(int, ppid);
        QFETCH(bool, kernelThread);
        QFETCH(quint64, startTime);
        QCOMPARE(stat->pid, pid);
        QCOMPARE(QByteArray::fromStdString(stat->comm), comm);
        QCOMPARE(stat->state, state);
        QCOMPARE(stat->ppid, ppid);
        QCOMPARE(stat->kernelThread(), kernelThread);
        QCOMPARE(quint64(stat->startTime), startTime);
    }

    void rejectsBadStat_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addRow("empty") << QByteArray();
        QTest::addRow("no comm") << QByteArray("42 S 1 42 42 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 777");
        QTest::addRow("unterminated comm") << QByteArray("42 (abc S 1 42 42 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 777");
        QTest::addRow("too few fields") << QByteArray("42 (abc) S 1 42 42 0 -1 0 0 0");
        QTest::addRow("pid not a number") << QByteArray("4x2 (abc) S 1 42 42 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 777");
        QTest::addRow("state too long") << QByteArray("42 (abc) SS 1 42 42 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 777");
        QTest::addRow("negative start time") << QByteArray("42 (abc) S 1 42 42 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 -7");
        QTest::addRow("only parentheses") << QByteArray(")(");
    }
    void rejectsBadStat()
    {
        QFETCH(QByteArray, text);
        QVERIFY(!parseProcStat(std::string_view(text.constData(), static_cast<std::size_t>(text.size()))));
    }

    void parsesOwnStat()
    {
        QFile file(QStringLiteral("/proc/self/stat"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        auto stat = parseProcStat(std::string_view(text.constData(), static_cast<std::size_t>(text.size())));
        QVERIFY(stat);
        QCOMPARE(stat->pid, int(::getpid()));
        QCOMPARE(stat->ppid, int(::getppid()));
        QVERIFY(!stat->kernelThread());
        QVERIFY(stat->startTime > 0);
    }

    void parsesTgid()
    {
        QCOMPARE(parseStatusTgid("Name:\tbash\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t1234\nPid:\t1240\n"),
                 std::optional<int>(1234));
        QCOMPARE(parseStatusTgid("Name:\tTgid: 5\nTgid:\t77"), std::optional<int>(77));
        QVERIFY(!parseStatusTgid("Name:\tbash\nPid:\t1240\n"));
        QVERIFY(!parseStatusTgid("Tgid:\tabc\n"));
        QVERIFY(!parseStatusTgid("Tgid:\t\n"));
        QVERIFY(!parseStatusTgid(""));
    }

    void describesErrno()
    {
        QCOMPARE(describeErrno(EACCES), std::string("permission denied (EACCES)"));
        QCOMPARE(describeErrno(ENOENT), std::string("no such file or directory (ENOENT)"));
        QCOMPARE(errnoCause(EPERM), std::string("operation not permitted"));
        QVERIFY(isGoneErrno(ESRCH));
        QVERIFY(isGoneErrno(ENOENT));
        QVERIFY(!isGoneErrno(EACCES));
    }
};

QTEST_GUILESS_MAIN(TestProcStat)
#include "tst_proc_stat.moc"
