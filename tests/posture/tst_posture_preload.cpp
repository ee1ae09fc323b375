// restrict-preload on real trees: ld.so.preload, shell start-up files, /etc/environment, systemd
// units and drop-ins with EnvironmentFile=, sudoers with includes; and running processes, one of
// them a real process started with LD_PRELOAD.
#include <QtTest>

#include "fixture_process.h"
#include "posture_tree.h"
#include "posture/env_sources.h"
#include "posture/posture.h"
#include "scan/scanner.h"

using namespace loadlens;
using namespace loadlens::posture;
using loadlens::testing::PostureTree;

class TestPosturePreload : public QObject {
    Q_OBJECT
private slots:
    void tree_data();
    void tree();
    void shellText_data();
    void shellText();
    void withoutScanIsUnknown();
    void realProcessWithPreload();
};

void TestPosturePreload::tree_data()
{
    QTest::addColumn<QVariantMap>("files");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("evidence");

    QTest::addRow("clean") << QVariantMap{{u"/etc/profile"_qs, QByteArray("PATH=/usr/bin\nexport PATH\n")}}
                           << "pass" << "no LD_* variable set";
    QTest::addRow("preload with entry") << QVariantMap{{u"/etc/ld.so.preload"_qs, QByteArray("/opt/hook/libhook.so\n")}}
                                        << "fail" << "/etc/ld.so.preload loads /opt/hook/libhook.so";
    QTest::addRow("preload empty") << QVariantMap{{u"/etc/ld.so.preload"_qs, QByteArray("# nothing\n")}}
                                   << "pass" << "present but names no library";
    QTest::addRow("profile.d export") << QVariantMap{{u"/etc/profile.d/zz-hook.sh"_qs,
                                                      QByteArray("# hook\nexport LD_PRELOAD=/tmp/x.so\n")}}
                                      << "fail" << "/etc/profile.d/zz-hook.sh:2: LD_PRELOAD exported";
    QTest::addRow("profile.d only tests") << QVariantMap{{u"/etc/profile.d/check.sh"_qs,
                                                          QByteArray("[ -n \"$LD_PRELOAD\" ] && echo \"LD_PRELOAD=$LD_PRELOAD\"\nunset LD_PRELOAD\n")}}
                                          << "pass" << "no LD_* variable set";
    QTest::addRow("environment file") << QVariantMap{{u"/etc/environment"_qs, QByteArray("PATH=\"/usr/bin\"\nLD_LIBRARY_PATH=/opt/lib\n")}}
                                      << "fail" << "/etc/environment:2: LD_LIBRARY_PATH";
    QTest::addRow("bashrc assign then export") << QVariantMap{{u"/etc/bash.bashrc"_qs, QByteArray("LD_AUDIT=/x.so; export LD_AUDIT\n")}}
                                               << "fail" << "/etc/bash.bashrc:1: LD_AUDIT";
    QTest::addRow("unit Environment") << QVariantMap{{u"/etc/systemd/system/web.service"_qs,
                                                      QByteArray("[Service]\nExecStart=/usr/bin/web\nEnvironment=\"A=1\" \"LD_PRELOAD=/opt/x.so\"\n")}}
                                      << "fail" << "/etc/systemd/system/web.service:3: LD_PRELOAD Environment=";
    QTest::addRow("unit drop-in") << QVariantMap{{u"/lib/systemd/system/cron.service.d/override.conf"_qs,
                                                  QByteArray("[Service]\nEnvironment=LD_LIBRARY_PATH=/srv/lib\n")}}
                                  << "fail" << "/lib/systemd/system/cron.service.d/override.conf:2";
    QTest::addRow("unit EnvironmentFile") << QVariantMap{{u"/usr/lib/systemd/system/db.service"_qs,
                                                          QByteArray("[Service]\nEnvironmentFile=-/etc/default/db\n")},
                                                         {u"/etc/default/db"_qs, QByteArray("OPTS=-q\nLD_PRELOAD=/opt/db/shim.so\n")}}
                                          << "fail" << "EnvironmentFile /etc/default/db:2: LD_PRELOAD";
    QTest::addRow("system.conf DefaultEnvironment") << QVariantMap{{u"/etc/systemd/system.conf"_qs,
                                                                    QByteArray("[Manager]\nDefaultEnvironment=LD_PRELOAD=/x.so\n")}}
                                                    << "fail" << "/etc/systemd/system.conf:2";
    QTest::addRow("sudoers env_keep") << QVariantMap{{u"/etc/sudoers"_qs, QByteArray("Defaults env_reset\nDefaults env_keep+=\"LD_PRELOAD\"\n")}}
                                      << "fail" << "/etc/sudoers:2: LD_PRELOAD env_keep";
    QTest::addRow("sudoers.d wildcard") << QVariantMap{{u"/etc/sudoers"_qs, QByteArray("@includedir /etc/sudoers.d\n")},
                                                       {u"/etc/sudoers.d/devs"_qs, QByteArray("Defaults:devs env_keep += \"HOME LD_*\"\n")}}
                                        << "fail" << "/etc/sudoers.d/devs:1: LD_* env_keep";
    QTest::addRow("sudoers.d name with dot skipped") << QVariantMap{{u"/etc/sudoers"_qs, QByteArray("#includedir /etc/sudoers.d\n")},
                                                                    {u"/etc/sudoers.d/devs.bak"_qs, QByteArray("Defaults env_keep += LD_PRELOAD\n")}}
                                                     << "pass" << "no LD_* variable set";
    QTest::addRow("sudoers !env_reset noted") << QVariantMap{{u"/etc/sudoers"_qs, QByteArray("Defaults !env_reset\n")}}
                                              << "pass" << "/etc/sudoers:1: Defaults !env_reset";
    QTest::addRow("sudoers SETENV tag") << QVariantMap{{u"/etc/sudoers"_qs, QByteArray("alice ALL=(ALL) NOPASSWD:SETENV: /usr/bin/make\n")}}
                                        << "fail" << "SETENV tag";
    QTest::addRow("sudoers comment") << QVariantMap{{u"/etc/sudoers"_qs, QByteArray("# Defaults env_keep += LD_PRELOAD\n")}}
                                     << "pass" << "no LD_* variable set";
}

void TestPosturePreload::tree()
{
    QFETCH(QVariantMap, files);
    QFETCH(QString, status);
    QFETCH(QString, evidence);
    PostureTree tree;
    QVERIFY(tree.isValid());
    for (auto it = files.cbegin(); it != files.cend(); ++it)
        QVERIFY(tree.write(it.key(), it.value().toByteArray()));
    const ScanResult empty;  // a scan that found no process: the running-process part passes
    const PostureCheck check = checkRestrictPreload(tree.options(), &empty);
    QCOMPARE(check.id, std::string(check_id::RestrictPreload));
    QCOMPARE(QString::fromStdString(check.measure), u"Restrict LD_PRELOAD and LD_LIBRARY_PATH usage"_qs);
    QVERIFY2(testing::statusText(check.status) == status, qPrintable(testing::describe(check)));
    QVERIFY2(testing::evidenceContains(check, evidence), qPrintable(testing::describe(check)));
    QVERIFY(!check.remediation.empty());
}

void TestPosturePreload::shellText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("expected");  // "NAME how line"

    QTest::addRow("export") << u"export LD_PRELOAD=/x.so"_qs << QStringList{u"LD_PRELOAD exported 1"_qs};
    QTest::addRow("declare -x") << u"declare -x LD_LIBRARY_PATH=/a"_qs << QStringList{u"LD_LIBRARY_PATH exported 1"_qs};
    QTest::addRow("prefix to command") << u"if true; then LD_PRELOAD=/x.so /bin/true; fi"_qs
                                       << QStringList{u"LD_PRELOAD assigned 1"_qs};
    QTest::addRow("continued line") << u"export PATH \\\n  LD_AUDIT"_qs << QStringList{u"LD_AUDIT exported 1"_qs};
    QTest::addRow("comment") << u"echo hi # export LD_PRELOAD=/x"_qs << QStringList{};
    QTest::addRow("quoted") << u"echo 'export LD_PRELOAD=/x'"_qs << QStringList{};
    QTest::addRow("not loader") << u"export OLD_PRELOAD=/x LD_=1"_qs << QStringList{};
    QTest::addRow("append") << u"\nLD_LIBRARY_PATH+=:/opt"_qs << QStringList{u"LD_LIBRARY_PATH assigned 2"_qs};
}

void TestPosturePreload::shellText()
{
    QFETCH(QString, text);
    QFETCH(QStringList, expected);
    std::vector<std::string> lines;
    for (const auto &l : text.split(u'\n'))
        lines.push_back(l.toStdString());
    QStringList got;
    for (const auto &hit : findInShellScript(lines))
        got << QString::fromStdString(hit.variable + " " + hit.how + " " + std::to_string(hit.line));
    QCOMPARE(got, expected);
}

void TestPosturePreload::withoutScanIsUnknown()
{
    PostureTree tree;
    const PostureCheck check = checkRestrictPreload(tree.options(), nullptr);
    QCOMPARE(check.status, posture::Status::Unknown);
    QVERIFY(testing::evidenceContains(check, u"not scanned"_qs));
}

void TestPosturePreload::realProcessWithPreload()
{
    QTemporaryDir libDir;
    const QString lib = libDir.path() + u"/libllfixture.so.1"_qs;
    QVERIFY(QFile::copy(loadlens::testing::fixtureLibraryPath(), lib));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"LD_PRELOAD"_qs, lib);
    loadlens::testing::FixtureProcess process;
    QVERIFY2(process.start({}, env), qPrintable(process.error()));

    scan::ScanOptions so;
    so.pid = process.pid();
    so.verdicts = false;
    so.probeHiddenPids = false;
    const ScanResult scan = scan::runScan(so);
    PostureTree tree;
    const PostureCheck check = checkRestrictPreload(tree.options(), &scan);
    QCOMPARE(check.status, posture::Status::Fail);
    QVERIFY2(testing::evidenceContains(check, u"pid %1 "_qs.arg(process.pid())), qPrintable(testing::describe(check)));
    QVERIFY(testing::evidenceContains(check, u"LD_PRELOAD="_qs + lib));
    QVERIFY(testing::evidenceContains(check, u"1 running process has loader variables"_qs));
    QVERIFY(!testing::evidenceContains(check, u"1 running processes"_qs));
}

QTEST_GUILESS_MAIN(TestPosturePreload)
#include "tst_posture_preload.moc"
