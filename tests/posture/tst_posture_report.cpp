// code-signing from scan verdicts; the whole report as JSON, HTML and text; the Sysmon rule group;
// and one run against this host with a live scan.
#include <QtTest>
#include <QDateTime>
#include <QJsonArray>
#include <QTimeZone>
#include <QJsonDocument>
#include <QJsonObject>
#include <QXmlStreamReader>

#include "posture_tree.h"
#include "posture/posture.h"
#include "posture/posture_export.h"
#include "scan/scanner.h"
#include "verdict/reason_catalog.h"

#include <ctime>
#include <sstream>

using namespace loadlens;
using namespace loadlens::posture;
using loadlens::testing::PostureTree;

namespace {

ModuleRecord module(const std::string &path, std::uint64_t inode, std::string_view code)
{
    ModuleRecord m;
    m.path = path;
    m.file = {1, inode};
    m.verdict.add(verdict::makeReason(code, Level::Info, "test"));
    return m;
}

} // namespace

class TestPostureReport : public QObject {
    Q_OBJECT
private slots:
    void codeSigning_data();
    void codeSigning();
    void jsonShape();
    void htmlHasEveryCheck();
    void htmlNamesHostAndTimes();
    void cleanTreeCountsReadWell();
    void textChecklist();
    void sysmonConfigIsWellFormed();
    void realHost();
};

void TestPostureReport::codeSigning_data()
{
    QTest::addColumn<QStringList>("codes");  // one module per code
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("evidence");

    QTest::addRow("all verified") << QStringList{u"package-verified"_qs, u"package-verified"_qs, u"ima-signed"_qs}
                                  << "pass" << "3 of 3 loaded files (100.0%)";
    QTest::addRow("one unowned") << QStringList{u"package-verified"_qs, u"package-verified"_qs, u"unowned"_qs}
                                 << "fail" << "unowned: 1 (e.g. /lib/m2.so)";
    QTest::addRow("modified") << QStringList{u"package-modified"_qs, u"package-verified"_qs}
                              << "fail" << "1 of 2 loaded files (50.0%)";
    QTest::addRow("no package database") << QStringList{u"no-package-database"_qs} << "unknown" << "no-package-database: 1";
    QTest::addRow("nothing loaded") << QStringList{} << "unknown" << "no loaded modules";
}

void TestPostureReport::codeSigning()
{
    QFETCH(QStringList, codes);
    QFETCH(QString, status);
    QFETCH(QString, evidence);
    ScanResult scan;
    ProcessInfo p;
    p.pid = 7;
    for (int i = 0; i < codes.size(); ++i)
        p.modules.push_back(module("/lib/m" + std::to_string(i) + ".so", std::uint64_t(i + 1), codes[i].toStdString()));
    ModuleRecord vdso;
    vdso.path = "[vdso]";
    vdso.pseudo = true;
    p.modules.push_back(vdso);
    scan.processes = {p, p};  // a second process mapping the same files counts them once
    const PostureCheck check = checkCodeSigning(&scan);
    QVERIFY2(testing::statusText(check.status) == status, qPrintable(testing::describe(check)));
    QVERIFY2(testing::evidenceContains(check, evidence), qPrintable(testing::describe(check)));
    QCOMPARE(checkCodeSigning(nullptr).status, posture::Status::Unknown);
}

void TestPostureReport::jsonShape()
{
    PostureTree tree;
    QVERIFY(tree.write(u"/etc/ld.so.preload"_qs, "/tmp/evil.so\n"));
    const PostureReport report = runPostureChecks(tree.options(), nullptr);
    QCOMPARE(report.checks.size(), std::size_t(7));
    QJsonParseError error;
    const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(postureToJson(report).dump()), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QVERIFY(doc.isObject());
    QCOMPARE(doc.object().keys(), QStringList{u"checks"_qs});
    const QJsonArray checks = doc.object().value(u"checks"_qs).toArray();
    QCOMPARE(checks.size(), 7);
    const QStringList statuses{u"pass"_qs, u"fail"_qs, u"unknown"_qs};
    QStringList ids;
    for (const auto &value : checks) {
        const QJsonObject c = value.toObject();
        QStringList keys = c.keys();
        keys.sort();
        QCOMPARE(keys, (QStringList{u"evidence"_qs, u"id"_qs, u"measure"_qs, u"remediation"_qs, u"status"_qs, u"title"_qs}));
        QVERIFY(statuses.contains(c.value(u"status"_qs).toString()));
        QVERIFY(c.value(u"evidence"_qs).isArray());
        QVERIFY(!c.value(u"evidence"_qs).toArray().isEmpty());
        for (const auto &line : c.value(u"evidence"_qs).toArray())
            QVERIFY(line.isString());
        QVERIFY(!c.value(u"measure"_qs).toString().isEmpty());
        ids << c.value(u"id"_qs).toString();
    }
    QCOMPARE(ids, (QStringList{u"restrict-preload"_qs, u"secure-library-paths"_qs, u"immutable-loader-config"_qs,
                               u"audit-rules"_qs, u"application-control"_qs, u"file-integrity"_qs, u"code-signing"_qs}));
    const QJsonObject preload = checks.at(0).toObject();
    QCOMPARE(preload.value(u"status"_qs).toString(), u"fail"_qs);
    QVERIFY(preload.value(u"evidence"_qs).toArray().contains(
        QJsonValue(u"fail: /etc/ld.so.preload loads /tmp/evil.so into every dynamically linked process"_qs)));
}

void TestPostureReport::htmlHasEveryCheck()
{
    PostureTree tree;
    QVERIFY(tree.write(u"/etc/profile.d/x.sh"_qs, "export LD_PRELOAD=\"/tmp/<b>&x.so\"\n"));
    const PostureReport report = runPostureChecks(tree.options(), nullptr);
    const QString html = QString::fromStdString(renderPostureHtml(report, "host<1>"));
    QVERIFY(html.startsWith(u"<!DOCTYPE html>"_qs));
    QVERIFY(html.contains(u"@media print"_qs));
    QVERIFY(!html.contains(u"<script"_qs));
    QVERIFY(!html.contains(u"http"_qs));  // nothing to fetch
    QVERIFY(html.contains(u"host&lt;1&gt;"_qs));
    QVERIFY(html.contains(u"/tmp/&lt;b&gt;&amp;x.so"_qs));
    QVERIFY(!html.contains(u"<b>"_qs));
    for (const auto &c : report.checks) {
        QVERIFY(html.contains(u"id=\""_qs + QString::fromStdString(c.id) + u'"'));
        QVERIFY(html.contains(u"<section class=\"check "_qs + testing::statusText(c.status)));
    }
    QCOMPARE(html.count(u"<section"_qs), 7);
    QCOMPARE(html.count(u"</section>"_qs), 7);
    QCOMPARE(html.count(u"<li"_qs), html.count(u"</li>"_qs));
    QVERIFY(html.trimmed().endsWith(u"</html>"_qs));
}

// A saved report says which host it is about and when: the checks, and the live scan they used.
void TestPostureReport::htmlNamesHostAndTimes()
{
    PostureTree tree;
    const std::int64_t before = static_cast<std::int64_t>(std::time(nullptr));
    const PostureReport withoutScan = runPostureChecks(tree.options(), nullptr);
    QVERIFY(withoutScan.checkedAt >= before);
    QCOMPARE(withoutScan.scannedAt, std::int64_t(0));
    const QString plain = QString::fromStdString(renderPostureHtml(withoutScan, "web1"));
    QVERIFY2(plain.contains(u"Host: web1"_qs), qPrintable(plain.left(1500)));
    const QString checked = QDateTime::fromSecsSinceEpoch(withoutScan.checkedAt, QTimeZone::utc())
                                .toString(u"yyyy-MM-dd HH:mm:ss"_qs);
    QVERIFY2(plain.contains(u"Checked: "_qs + checked + u" UTC"_qs), qPrintable(plain.left(1500)));
    QVERIFY(plain.contains(u"Live scan: none"_qs));

    ScanResult scan;
    scan.scannedAt = 1700000000;
    scan.host.hostname = "web1.example";
    const PostureReport withScan = runPostureChecks(tree.options(), &scan);
    QCOMPARE(withScan.scannedAt, std::int64_t(1700000000));
    const QString html = QString::fromStdString(renderPostureHtml(withScan, "web1.example"));
    QVERIFY2(html.contains(u"Live scan: 2023-11-14 22:13:20 UTC of web1.example"_qs), qPrintable(html.left(1500)));
}

// The pass line of restrict-preload counts what it read in words that read well at 0 and 1.
void TestPostureReport::cleanTreeCountsReadWell()
{
    PostureTree tree;
    QVERIFY(tree.write(u"/etc/profile"_qs, "PATH=/usr/bin\n"));
    const PostureReport report = runPostureChecks(tree.options(), nullptr);
    const PostureCheck *check = report.find(check_id::RestrictPreload);
    QVERIFY(check);
    QString pass;
    for (const auto &o : check->evidence)
        if (o.status == Status::Pass)
            pass = QString::fromStdString(o.text);
    QVERIFY2(pass.contains(u"no sudoers file"_qs), qPrintable(pass));
    QVERIFY2(pass.contains(u"no systemd unit file or drop-in"_qs), qPrintable(pass));
    QVERIFY2(!pass.contains(u" 0 "_qs), qPrintable(pass));
    QVERIFY2(!pass.contains(u" or 0"_qs), qPrintable(pass));
}

void TestPostureReport::textChecklist()
{
    PostureTree tree;
    const PostureReport report = runPostureChecks(tree.options(), nullptr);
    std::ostringstream out;
    writePostureText(out, report);
    const QString text = QString::fromStdString(out.str());
    for (const auto &c : report.checks)
        QVERIFY(text.contains(u"("_qs + QString::fromStdString(c.id) + u")"_qs));
    QVERIFY(text.contains(u"M1044: Restrict LD_PRELOAD and LD_LIBRARY_PATH usage"_qs));
    QVERIFY(text.contains(QRegularExpression(u"\\d+ pass, \\d+ fail, \\d+ unknown\\n$"_qs)));
}

void TestPostureReport::sysmonConfigIsWellFormed()
{
    QXmlStreamReader xml(QString::fromStdString(emitSysmonImageLoadConfig()));
    QStringList path;
    bool inImageLoadInclude = false;
    QStringList fields;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement()) {
            path << xml.name().toString();
            if (xml.name() == u"ImageLoad"_qs) {
                QCOMPARE(path.mid(0, 3), (QStringList{u"Sysmon"_qs, u"EventFiltering"_qs, u"RuleGroup"_qs}));
                QCOMPARE(xml.attributes().value(u"onmatch"_qs).toString(), u"include"_qs);
                inImageLoadInclude = true;
            } else if (inImageLoadInclude) {
                fields << xml.name().toString() + u':' + xml.attributes().value(u"condition"_qs).toString();
            }
            if (xml.name() == u"RuleGroup"_qs)
                QCOMPARE(xml.attributes().value(u"groupRelation"_qs).toString(), u"or"_qs);
        } else if (xml.isEndElement()) {
            if (xml.name() == u"ImageLoad"_qs)
                inImageLoadInclude = false;
            path.removeLast();
        }
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY(fields.contains(u"ImageLoaded:contains any"_qs));
    QVERIFY(fields.contains(u"Signed:is"_qs));
    QVERIFY(fields.contains(u"SignatureStatus:is not"_qs));
}

void TestPostureReport::realHost()
{
    scan::ScanOptions so;
    so.probeHiddenPids = false;
    const ScanResult scan = scan::runScan(so);
    const PostureReport report = runPostureChecks(PostureOptions{}, &scan);
    QCOMPARE(report.checks.size(), std::size_t(7));
    for (const auto &c : report.checks) {
        QVERIFY(c.status == posture::Status::Pass || c.status == posture::Status::Fail || c.status == posture::Status::Unknown);
        QVERIFY(!c.evidence.empty());
        QVERIFY(!c.measure.empty());
        if (c.status == posture::Status::Unknown) {
            bool explained = false;
            for (const auto &o : c.evidence)
                explained = explained || (o.status == posture::Status::Unknown && !o.text.empty());
            QVERIFY2(explained, qPrintable(testing::describe(c)));
        }
        qInfo().noquote() << testing::statusText(c.status) << QString::fromStdString(c.id);
    }
}

QTEST_GUILESS_MAIN(TestPostureReport)
#include "tst_posture_report.moc"
