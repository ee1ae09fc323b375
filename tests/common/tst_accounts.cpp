// /etc/passwd and /etc/group read by LoadLens itself (no NSS): the parsers on hand-made text with
// the damage real files carry, a scratch root, and this host's files against getent(1).
#include <QtTest>

#include "common/accounts.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

using namespace loadlens::accounts;

class TestAccounts : public QObject {
    Q_OBJECT

private slots:
    void passwdLines()
    {
        const auto users = parsePasswd("root:x:0:0:root:/root:/bin/bash\n"
                                       "# a comment\n"
                                       "\n"
                                       "+nisuser::::::\n"
                                       "-excluded::::::\n"
                                       "broken:x:notanumber:0::/:/bin/sh\n"
                                       "short:x:5\n"
                                       ":x:7:7::/:/bin/sh\n"
                                       "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\r\n"
                                       "toor:x:0:0::/root:/bin/sh\n"
                                       "big:x:4294967295:4294967295::/nonexistent:/usr/sbin/nologin");
        QCOMPARE(users.size(), std::size_t(4));
        QCOMPARE(users[0].name, std::string("root"));
        QCOMPARE(users[1].name, std::string("alice"));
        QCOMPARE(users[1].uid, 1000u);
        QCOMPARE(users[1].home, std::string("/home/alice"));
        QCOMPARE(users[3].uid, 4294967295u);
        const Database db(users, {});
        // The first entry of a uid names it, as getpwuid() does.
        QCOMPARE(db.userName(0).value_or(""), std::string("root"));
        QVERIFY(!db.userName(5).has_value());
        QCOMPARE(userNameOrNumber(4294967294u), std::string("4294967294"));
    }

    void groupLinesAndMembers()
    {
        const auto groups = parseGroup("root:x:0:\n"
                                       "wheel:x:10:alice,,bob\n"
                                       "bad:x:-1:\n"
                                       "nomembersfield:x:11\n"
                                       "staff:x:50:carol\n");
        QCOMPARE(groups.size(), std::size_t(3));
        QCOMPARE(groups[1].members, (std::vector<std::string>{"alice", "bob"}));
        const Database db(parsePasswd("root:x:0:0::/root:/bin/sh\n"
                                      "dave:x:1003:10::/home/dave:/bin/sh\n"
                                      "bob:x:1002:1002::/home/bob:/bin/sh\n"),
                          groups);
        // Listed members and users whose primary group it is, each once.
        QCOMPARE(db.membersOf(10), (std::vector<std::string>{"alice", "bob", "dave"}));
        QCOMPARE(db.membersOf(0), (std::vector<std::string>{"root"}));
        QCOMPARE(db.groupName(50).value_or(""), std::string("staff"));
        QVERIFY(db.membersOf(99).empty());
    }

    void readsARootAndSaysWhatIsMissing()
    {
        QTemporaryDir root;
        QVERIFY(root.isValid());
        QVERIFY(QDir(root.path()).mkpath(QStringLiteral("etc")));
        QFile passwd(root.filePath(QStringLiteral("etc/passwd")));
        QVERIFY(passwd.open(QIODevice::WriteOnly));
        passwd.write("svc:x:990:990::/var/lib/svc:/usr/sbin/nologin\n");
        passwd.close();
        const Database db = Database::read(root.path().toStdString() + "/");
        QCOMPARE(db.userName(990).value_or(""), std::string("svc"));
        QCOMPARE(db.problems().size(), std::size_t(1));  // no etc/group
        QVERIFY(db.problems().front().find("/etc/group") != std::string::npos);
        // A symlink is not followed: a container's /etc/passwd pointing at the host's is refused.
        QVERIFY(QFile::link(QStringLiteral("/etc/passwd"), root.filePath(QStringLiteral("etc/group"))));
        QVERIFY(Database::read(root.path().toStdString()).problems().front().find("/etc/group") != std::string::npos);
    }

    // What this host's files say equals what getent says through NSS for every id they hold.
    void agreesWithGetentOnThisHost()
    {
        const Database &db = Database::system();
        QVERIFY(db.problems().empty());
        QProcess getent;
        getent.start(QStringLiteral("getent"), {QStringLiteral("passwd"), QStringLiteral("0")});
        QVERIFY(getent.waitForFinished(10000));
        QCOMPARE(QString::fromUtf8(getent.readAllStandardOutput()).section(QLatin1Char(':'), 0, 0),
                 QString::fromStdString(db.userName(0).value_or("")));
        QFile file(QStringLiteral("/etc/group"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        int checked = 0;
        for (const QByteArray &line : file.readAll().split('\n')) {
            const QList<QByteArray> fields = line.split(':');
            if (fields.size() < 4)
                continue;
            QProcess group;
            group.start(QStringLiteral("getent"), {QStringLiteral("group"), QString::fromUtf8(fields[2])});
            QVERIFY(group.waitForFinished(10000));
            const QString expected = QString::fromUtf8(group.readAllStandardOutput()).section(QLatin1Char(':'), 0, 0);
            QCOMPARE(QString::fromStdString(groupNameOrNumber(fields[2].toUInt())), expected);
            ++checked;
        }
        QVERIFY(checked > 5);
    }
};

QTEST_GUILESS_MAIN(TestAccounts)
#include "tst_accounts.moc"
