// file-integrity on real trees: AIDE configurations (Debian's aide.conf.d includes, macros,
// negative and equals lines), Wazuh syscheck and a Tripwire plain-text policy.
#include <QtTest>

#include "posture_tree.h"
#include "posture/posture.h"

using namespace loadlens;
using namespace loadlens::posture;
using loadlens::testing::PostureTree;

class TestPostureFim : public QObject {
    Q_OBJECT
private slots:
    void monitors_data();
    void monitors();
};

void TestPostureFim::monitors_data()
{
    QTest::addColumn<QVariantMap>("files");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("evidence");

    const QString aide = u"/etc/aide/aide.conf"_qs;
    const QByteArray aideAll = "@@define LIBDIR /usr/lib\n"
                               "Full = p+i+n+u+g+s+m+c+sha256\n"
                               "database_in=file:/var/lib/aide/aide.db\n"
                               "/etc/ld\\.so\\.(conf|preload) Full\n"
                               "/etc/ld\\.so\\.conf\\.d Full\n"
                               "@@{LIBDIR} Full\n"
                               "/opt/vendor Full\n";
    QTest::addRow("none") << QVariantMap{} << "fail" << "no file integrity monitor is configured";
    QTest::addRow("aide covers all") << QVariantMap{{aide, aideAll}} << "pass" << "AIDE (/etc/aide/aide.conf) covers";
    QTest::addRow("aide misses lib dir") << QVariantMap{{aide, QByteArray(aideAll).replace("/opt/vendor Full\n", "")}}
                                         << "fail" << "AIDE (/etc/aide/aide.conf) does not cover /opt/vendor/lib";
    QTest::addRow("aide negative line") << QVariantMap{{aide, QByteArray(aideAll + "!/usr/lib/x86_64-linux-gnu\n")}}
                                        << "fail" << "does not cover /usr/lib/x86_64-linux-gnu";
    QTest::addRow("aide equals line covers dir only") << QVariantMap{{aide, QByteArray(aideAll).replace("/opt/vendor Full", "=/opt/vendor/lib$ Full")}}
                                                      << "fail" << "does not cover /opt/vendor/lib";
    QTest::addRow("aide via conf.d include") << QVariantMap{{aide, QByteArray("@@x_include /etc/aide/aide.conf.d ^[a-zA-Z0-9_-]+$\n")},
                                                            {u"/etc/aide/aide.conf.d/31_aide_ld"_qs, aideAll},
                                                            {u"/etc/aide/aide.conf.d/skipped.dpkg-old"_qs, QByteArray("!/etc\n")}}
                                             << "pass" << "covers /etc/ld.so.preload";
    QTest::addRow("wazuh covers") << QVariantMap{{u"/var/ossec/etc/ossec.conf"_qs,
                                                  QByteArray("<ossec_config>\n<syscheck>\n<frequency>43200</frequency>\n"
                                                             "<directories check_all=\"yes\">/etc,/usr/lib</directories>\n"
                                                             "<directories realtime=\"yes\">/opt</directories>\n"
                                                             "<ignore>/etc/mtab</ignore>\n</syscheck>\n</ossec_config>\n")}}
                                  << "pass" << "Wazuh/OSSEC syscheck covers";
    QTest::addRow("wazuh ignores conf.d") << QVariantMap{{u"/var/ossec/etc/ossec.conf"_qs,
                                                          QByteArray("<syscheck><directories>/etc,/usr/lib,/opt</directories>"
                                                                     "<ignore>/etc/ld.so.conf.d</ignore></syscheck>")}}
                                          << "fail" << "does not cover /etc/ld.so.conf.d";
    QTest::addRow("wazuh recursion 0") << QVariantMap{{u"/var/ossec/etc/ossec.conf"_qs,
                                                       QByteArray("<syscheck><directories>/etc,/usr/lib</directories>"
                                                                  "<directories recursion_level=\"0\">/opt</directories></syscheck>")}}
                                       << "fail" << "does not cover /opt/vendor/lib";
    QTest::addRow("tripwire covers") << QVariantMap{{u"/etc/tripwire/twpol.txt"_qs,
                                                     QByteArray("(rulename = \"libs\") {\n  /etc -> $(SEC_CONFIG) ;\n"
                                                                "  /usr/lib -> $(SEC_BIN) ;\n  /opt -> $(SEC_BIN) ;\n  !/etc/mtab ;\n}\n")}}
                                     << "pass" << "Tripwire covers";
    QTest::addRow("tripwire stop point") << QVariantMap{{u"/etc/tripwire/twpol.txt"_qs,
                                                         QByteArray("/etc -> $(SEC_CONFIG) ;\n/usr/lib -> $(SEC_BIN) ;\n/opt -> $(SEC_BIN);\n!/etc/ld.so.conf.d ;\n")}}
                                         << "fail" << "Tripwire does not cover /etc/ld.so.conf.d";
    QTest::addRow("tripwire signed policy only") << QVariantMap{{u"/etc/tripwire/tw.pol"_qs, QByteArray("\x01\x02")}}
                                                 << "unknown" << "plain-text policy /etc/tripwire/twpol.txt cannot be read";
}

void TestPostureFim::monitors()
{
    QFETCH(QVariantMap, files);
    QFETCH(QString, status);
    QFETCH(QString, evidence);
    PostureTree tree;
    QVERIFY(tree.write(u"/etc/ld.so.conf"_qs, "include /etc/ld.so.conf.d/*.conf\n"));
    QVERIFY(tree.write(u"/etc/ld.so.conf.d/vendor.conf"_qs, "/opt/vendor/lib\n"));
    QVERIFY(tree.mkdir(u"/opt/vendor/lib"_qs));
    QVERIFY(tree.mkdir(u"/usr/lib/x86_64-linux-gnu"_qs));
    for (auto it = files.cbegin(); it != files.cend(); ++it)
        QVERIFY(tree.write(it.key(), it.value().toByteArray()));
    const PostureCheck check = checkFileIntegrity(tree.options());
    QVERIFY2(testing::statusText(check.status) == status, qPrintable(testing::describe(check)));
    QVERIFY2(testing::evidenceContains(check, evidence), qPrintable(testing::describe(check)));
}

QTEST_GUILESS_MAIN(TestPostureFim)
#include "tst_posture_fim.moc"
