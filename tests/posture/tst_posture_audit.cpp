// audit-rules on real trees: watches written as -w and as -a always,exit -F path=/dir=, comments,
// -D, -W, -e 0, never rules; and the rules --emit-auditd-rules writes, loaded back from the tree.
#include <QtTest>

#include "posture_tree.h"
#include "posture/audit_rules.h"
#include "posture/posture.h"

using namespace loadlens;
using namespace loadlens::posture;
using loadlens::testing::PostureTree;

namespace {

void buildLoaderTree(const PostureTree &tree)
{
    QVERIFY(tree.write(u"/etc/ld.so.conf"_qs, "include /etc/ld.so.conf.d/*.conf\n"));
    QVERIFY(tree.write(u"/etc/ld.so.conf.d/vendor.conf"_qs, "/opt/vendor/lib\n"));
    QVERIFY(tree.mkdir(u"/opt/vendor/lib"_qs));
    QVERIFY(tree.mkdir(u"/usr/lib/x86_64-linux-gnu"_qs));
    QVERIFY(tree.symlink(u"usr/lib"_qs, u"/lib"_qs));  // merged /usr: /lib/... names the same dirs
}

const char *kFullRules =
    "## loader configuration\n"
    "-D\n"
    "-w /etc/ld.so.preload -p wa -k preload\n"
    "-w /etc/ld.so.conf -p wa -k ldconf\n"
    "-a always,exit -F arch=b64 -F dir=/etc/ld.so.conf.d -F perm=wa -k ldconf\n"
    "-a exit,always -F path=/opt/vendor/lib -F perm=w -F key=vendor\n"
    "-w /lib/ -p wa -k libs\n";

} // namespace

class TestPostureAudit : public QObject {
    Q_OBJECT
private slots:
    void rules_data();
    void rules();
    void emittedRulesCloseEveryGap();
};

void TestPostureAudit::rules_data()
{
    QTest::addColumn<QByteArray>("rules");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QStringList>("unwatched");

    // -F path= on the library directory itself: planting a file writes that directory's inode.
    QTest::addRow("path field on the dir") << QByteArray(kFullRules) << "pass" << QStringList{};
    QByteArray full = QByteArray(kFullRules).replace("-F path=/opt/vendor/lib", "-F dir=/opt/vendor/lib");
    QTest::addRow("everything watched") << full << "pass" << QStringList{};
    QTest::addRow("no rules") << QByteArray() << "fail"
                              << QStringList{u"/etc/ld.so.preload"_qs, u"/etc/ld.so.conf"_qs, u"/etc/ld.so.conf.d"_qs,
                                             u"/opt/vendor/lib"_qs, u"/usr/lib/x86_64-linux-gnu"_qs, u"/usr/lib"_qs};
    QTest::addRow("commented out") << QByteArray(full).replace("-w /etc/ld.so.preload", "# -w /etc/ld.so.preload") << "fail"
                                   << QStringList{u"/etc/ld.so.preload"_qs};
    QTest::addRow("read only") << QByteArray(full).replace("-w /etc/ld.so.conf -p wa", "-w /etc/ld.so.conf -p r") << "fail"
                               << QStringList{u"/etc/ld.so.conf"_qs};
    QTest::addRow("removed by -W") << QByteArray(full + "-W /etc/ld.so.conf\n") << "fail" << QStringList{u"/etc/ld.so.conf"_qs};
    QTest::addRow("-D after") << QByteArray(full + "-D\n-w /etc/ld.so.conf -p wa\n") << "fail"
                              << QStringList{u"/etc/ld.so.preload"_qs, u"/etc/ld.so.conf.d"_qs, u"/opt/vendor/lib"_qs,
                                             u"/usr/lib/x86_64-linux-gnu"_qs, u"/usr/lib"_qs};
    QTest::addRow("never rule") << QByteArray(full + "-a never,exit -F dir=/usr/lib\n") << "fail"
                                << QStringList{u"/usr/lib/x86_64-linux-gnu"_qs, u"/usr/lib"_qs};
    QTest::addRow("disabled") << QByteArray(full + "-e 0\n") << "fail" << QStringList{};
}

void TestPostureAudit::rules()
{
    QFETCH(QByteArray, rules);
    QFETCH(QString, status);
    QFETCH(QStringList, unwatched);
    PostureTree tree;
    buildLoaderTree(tree);
    if (!rules.isEmpty())
        QVERIFY(tree.write(u"/etc/audit/rules.d/30-loader.rules"_qs, rules));
    // audit.rules is what augenrules builds from rules.d: with rules.d present it is not read.
    QVERIFY(tree.write(u"/etc/audit/audit.rules"_qs, "-w /etc/ld.so.preload -p wa\n"));
    if (rules.isEmpty())
        QVERIFY(QFile::remove(tree.path(u"/etc/audit/audit.rules"_qs)));

    std::vector<std::string> gaps;
    const PostureCheck check = checkAuditRules(tree.options(), &gaps);
    QVERIFY2(testing::statusText(check.status) == status, qPrintable(testing::describe(check)));
    QStringList gotGaps;
    for (const auto &g : gaps)
        gotGaps << QString::fromStdString(g);
    QCOMPARE(gotGaps, unwatched);
    for (const auto &g : unwatched)
        QVERIFY2(testing::evidenceContains(check, g + u" is not watched"_qs), qPrintable(testing::describe(check)));
    if (status == u"pass"_qs)
        QVERIFY(testing::evidenceContains(check, u"/etc/ld.so.conf.d is watched for writes by /etc/audit/rules.d/30-loader.rules:5 (key ldconf)"_qs));
}

void TestPostureAudit::emittedRulesCloseEveryGap()
{
    PostureTree tree;
    buildLoaderTree(tree);
    QVERIFY(tree.write(u"/etc/audit/rules.d/10-base.rules"_qs, "-D\n-b 8192\n-w /etc/ld.so.conf -p wa -k mine\n"));
    std::vector<std::string> gaps;
    QCOMPARE(checkAuditRules(tree.options(), &gaps).status, posture::Status::Fail);
    QCOMPARE(gaps.size(), std::size_t(5));

    const std::string emitted = emitAuditdRules(gaps);
    for (const auto &g : gaps)
        QVERIFY(emitted.find("-w " + g + " -p wa -k " + std::string(auditKeyFor(g)) + "\n") != std::string::npos);
    QVERIFY(emitted.find("-k loadlens_preload") != std::string::npos);
    QVERIFY(emitted.find("-k loadlens_libdirs") != std::string::npos);
    QVERIFY(tree.write(u"/etc/audit/rules.d/60-loadlens.rules"_qs, QByteArray::fromStdString(emitted)));

    std::vector<std::string> after;
    const PostureCheck check = checkAuditRules(tree.options(), &after);
    QVERIFY2(check.status == posture::Status::Pass, qPrintable(testing::describe(check)));
    QVERIFY(after.empty());
    QVERIFY(testing::evidenceContains(check, u"(key loadlens_preload)"_qs));
    QVERIFY(testing::evidenceContains(check, u"/etc/ld.so.conf is watched for writes by /etc/audit/rules.d/10-base.rules:3 (key mine)"_qs));
}

QTEST_GUILESS_MAIN(TestPostureAudit)
#include "tst_posture_audit.moc"
