// application-control with a fake sysfs and procfs built in the tree: AppArmor enabled/disabled,
// profiles and modes, SELinux enforce, fapolicyd; process labels of the scanned pids.
#include <QtTest>

#include "posture_tree.h"
#include "posture/posture.h"

using namespace loadlens;
using namespace loadlens::posture;
using loadlens::testing::PostureTree;

class TestPostureAppControl : public QObject {
    Q_OBJECT
private slots:
    void lsm_data();
    void lsm();
    void unconfinedProcesses();
};

void TestPostureAppControl::lsm_data()
{
    QTest::addColumn<QVariantMap>("files");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("evidence");

    const QString enabled = u"/sys/module/apparmor/parameters/enabled"_qs;
    const QString profiles = u"/sys/kernel/security/apparmor/profiles"_qs;
    QTest::addRow("apparmor enforcing") << QVariantMap{{enabled, QByteArray("Y\n")},
                                                       {profiles, QByteArray("/usr/sbin/cupsd (enforce)\nnvidia_modprobe (complain)\n/usr/bin/man (enforce)\n")}}
                                        << "pass" << "AppArmor is enabled with 1 complain, 2 enforce profiles loaded";
    QTest::addRow("apparmor complain only") << QVariantMap{{enabled, QByteArray("Y\n")}, {profiles, QByteArray("x (complain)\n")}}
                                            << "fail" << "no profile is enforced (1 complain)";
    QTest::addRow("apparmor disabled") << QVariantMap{{enabled, QByteArray("N\n")}} << "fail" << "built in but disabled";
    QTest::addRow("apparmor no securityfs") << QVariantMap{{enabled, QByteArray("Y\n")}} << "unknown" << "securityfs not mounted";
    QTest::addRow("selinux enforcing") << QVariantMap{{u"/sys/fs/selinux/enforce"_qs, QByteArray("1")}} << "pass" << "SELinux is enforcing";
    QTest::addRow("selinux permissive") << QVariantMap{{u"/sys/fs/selinux/enforce"_qs, QByteArray("0")}} << "fail" << "SELinux is permissive";
    QTest::addRow("fapolicyd enabled") << QVariantMap{{u"/sys/module/loop/parameters/max_loop"_qs, QByteArray("0")},
                                                      {u"/etc/fapolicyd/fapolicyd.conf"_qs, QByteArray("permissive = 0\n")},
                                                      {u"/usr/lib/systemd/system/fapolicyd.service"_qs, QByteArray("[Service]\n")},
                                                      {u"/etc/systemd/system/multi-user.target.wants/fapolicyd.service"_qs, QByteArray("[Service]\n")}}
                                       << "pass" << "fapolicyd is configured";
    QTest::addRow("nothing") << QVariantMap{{u"/sys/module/loop/parameters/max_loop"_qs, QByteArray("0")}} << "fail"
                             << "no enforcing AppArmor profile";
    QTest::addRow("no sysfs") << QVariantMap{} << "unknown" << "is not readable";
}

void TestPostureAppControl::lsm()
{
    QFETCH(QVariantMap, files);
    QFETCH(QString, status);
    QFETCH(QString, evidence);
    PostureTree tree;
    for (auto it = files.cbegin(); it != files.cend(); ++it)
        QVERIFY(tree.write(it.key(), it.value().toByteArray()));
    const PostureCheck check = checkApplicationControl(tree.options(), nullptr);
    QVERIFY2(testing::statusText(check.status) == status, qPrintable(testing::describe(check)));
    QVERIFY2(testing::evidenceContains(check, evidence), qPrintable(testing::describe(check)));
    QVERIFY(testing::evidenceContains(check, u"not scanned"_qs));
}

void TestPostureAppControl::unconfinedProcesses()
{
    PostureTree tree;
    QVERIFY(tree.write(u"/sys/module/apparmor/parameters/enabled"_qs, "Y\n"));
    QVERIFY(tree.write(u"/sys/kernel/security/apparmor/profiles"_qs, "cupsd (enforce)\n"));
    QVERIFY(tree.write(u"/proc/100/attr/apparmor/current"_qs, "cupsd (enforce)\n"));
    QVERIFY(tree.write(u"/proc/200/attr/apparmor/current"_qs, "unconfined\n"));
    QVERIFY(tree.write(u"/proc/300/attr/current"_qs, "unconfined\n"));  // kernels without attr/apparmor
    ScanResult scan;
    for (const auto &[pid, name] : std::vector<std::pair<int, std::string>>{{100, "cupsd"}, {200, "sshd"}, {300, "cron"}, {400, "gone"}}) {
        ProcessInfo p;
        p.pid = pid;
        p.name = name;
        scan.processes.push_back(p);
    }
    const PostureCheck check = checkApplicationControl(tree.options(), &scan);
    QCOMPARE(check.status, posture::Status::Pass);  // unconfined processes are reported, not judged
    QVERIFY2(testing::evidenceContains(check, u"1 processes run confined, 2 unconfined, 1 without a readable label"_qs),
             qPrintable(testing::describe(check)));
    QVERIFY(testing::evidenceContains(check, u"pid 200 (sshd): unconfined"_qs));
    QVERIFY(testing::evidenceContains(check, u"pid 300 (cron): unconfined"_qs));
    QVERIFY(!testing::evidenceContains(check, u"pid 100"_qs));
}

QTEST_GUILESS_MAIN(TestPostureAppControl)
#include "tst_posture_appcontrol.moc"
