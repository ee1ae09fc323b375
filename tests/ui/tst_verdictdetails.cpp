// The details pane explains a verdict: every reason's code, level, text, technique, measure and
// all evidence, plus the file facts; text from the scan is escaped, never interpreted.
#include "formatting.h"
#include "scan_builders.h"
#include "verdictdetails.h"

#include <QTest>

using namespace loadlens;
using namespace loadlens::testing;
using loadlens::ui::VerdictDetailsView;

class TestVerdictDetails : public QObject {
    Q_OBJECT

private slots:
    void moduleReasons_data();
    void moduleReasons();
    void scanTextIsEscaped();
    void processFindingsForThisPidOnly();
    void statusLine_data();
    void statusLine();
    void countsAndShown_data();
    void countsAndShown();
};

void TestVerdictDetails::moduleReasons_data()
{
    QTest::addColumn<QString>("expected");
    QTest::addRow("path") << QStringLiteral("/opt/app/libhook.so");
    QTest::addRow("first code") << QStringLiteral("writable-path");
    QTest::addRow("first text") << QStringLiteral("The directory is writable by group staff");
    QTest::addRow("technique") << QStringLiteral("T1574.006");
    QTest::addRow("measure") << QStringLiteral("Make library directories writable by root only");
    QTest::addRow("evidence key") << QStringLiteral("dir-mode");
    QTest::addRow("evidence value") << QStringLiteral("0775");
    QTest::addRow("second evidence pair") << QStringLiteral("dir-group");
    QTest::addRow("second code") << QStringLiteral("not-in-package");
    QTest::addRow("level name") << QStringLiteral("medium");
    QTest::addRow("second level") << QStringLiteral("low");
    QTest::addRow("no technique placeholder") << QStringLiteral("no technique applies");
    QTest::addRow("owner mode") << QStringLiteral("root:staff 0644");
    QTest::addRow("full hash") << QStringLiteral("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    QTest::addRow("flags") << QStringLiteral("deleted");
    QTest::addRow("file error") << QStringLiteral("ELF header truncated");
}

void TestVerdictDetails::moduleReasons()
{
    QFETCH(QString, expected);
    ModuleRecord module = makeModule("/opt/app/libhook.so", 5);
    module.deleted = true;
    Reason writable;
    writable.code = "writable-path";
    writable.level = Level::Medium;
    writable.text = "The directory is writable by group staff";
    writable.technique = "T1574.006";
    writable.measure = "Make library directories writable by root only";
    writable.evidence = {{"dir-mode", "0775"}, {"dir-group", "staff"}};
    module.verdict.add(writable);
    Reason unpackaged;
    unpackaged.code = "not-in-package";
    unpackaged.level = Level::Low;
    unpackaged.text = "No package owns the file";
    module.verdict.add(unpackaged);
    FileFacts facts = makeFacts(module, 1234);
    facts.mode = 0100644;
    facts.groupName = "staff";
    facts.errors = {"ELF header truncated"};

    VerdictDetailsView view;
    view.showModule(module, &facts);
    const QString text = view.toPlainText();
    QVERIFY2(text.contains(expected), qPrintable(text));
}

void TestVerdictDetails::scanTextIsEscaped()
{
    ModuleRecord module = makeModule("/tmp/<b>x</b>.so", 6, Level::High);
    module.verdict.reasons[0].evidence = {{"cmd", "a && b < c"}};
    VerdictDetailsView view;
    view.showModule(module, nullptr);
    const QString text = view.toPlainText();
    QVERIFY(text.contains(QStringLiteral("/tmp/<b>x</b>.so")));
    QVERIFY(text.contains(QStringLiteral("a && b < c")));
    QVERIFY(text.contains(QStringLiteral("not examined")));
}

void TestVerdictDetails::processFindingsForThisPidOnly()
{
    ProcessInfo process = makeProcess(321, 1, "cron");
    process.loaderEnv = {{"LD_PRELOAD", "/tmp/libx.so"}};
    process.errors = {"/proc/321/environ: permission denied"};
    Finding mine;
    mine.code = "preload-env";
    mine.level = Level::High;
    mine.pid = 321;
    mine.text = "LD_PRELOAD points into /tmp";
    mine.evidence = {{"LD_PRELOAD", "/tmp/libx.so"}};
    Finding other = mine;
    other.pid = 999;
    other.code = "someone-else";

    VerdictDetailsView view;
    view.showProcess(process, {mine, other});
    const QString text = view.toPlainText();
    QVERIFY(text.contains(QStringLiteral("cron (pid 321)")));
    QVERIFY(text.contains(QStringLiteral("preload-env")));
    QVERIFY(text.contains(QStringLiteral("LD_PRELOAD points into /tmp")));
    QVERIFY(text.contains(QStringLiteral("environ: permission denied")));
    QVERIFY(!text.contains(QStringLiteral("someone-else")));
}

void TestVerdictDetails::statusLine_data()
{
    QTest::addColumn<bool>("root");
    QTest::addColumn<int>("inaccessible");
    QTest::addColumn<int>("failedReads");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("absent");
    QTest::addRow("counts") << true << 0 << 0 << QStringLiteral("2 processes, 3 modules") << QStringLiteral("readable");
    QTest::addRow("hidden") << true << 0 << 0 << QStringLiteral("1 hidden process") << QStringLiteral("1 hidden processes");
    QTest::addRow("one process, several reads")
        << true << 1 << 4 << QStringLiteral("1 process not fully readable (4 reads failed: 4 permission denied)")
        << QStringLiteral("1 processes");
    QTest::addRow("one read") << true << 1 << 1
                              << QStringLiteral("1 process not fully readable (1 read failed: 1 permission denied)")
                              << QStringLiteral("administrator");
    QTest::addRow("several processes") << true << 4 << 9
                                       << QStringLiteral("4 processes not fully readable (9 reads failed: 9 permission denied)")
                                       << QStringLiteral("administrator");
    QTest::addRow("not root") << false << 4 << 4 << QStringLiteral("Scan > Scan all processes (administrator) reads them")
                              << QString();
}

void TestVerdictDetails::statusLine()
{
    QFETCH(bool, root);
    QFETCH(int, inaccessible);
    QFETCH(int, failedReads);
    QFETCH(QString, expected);
    QFETCH(QString, absent);
    ScanResult result;
    auto a = makeProcess(1, 0, "a");
    a.modules = {makeModule("/a", 1), makeModule("/b", 2)};
    auto b = makeProcess(2, 0, "b");
    b.hidden = true;
    b.modules = {makeModule("/c", 3)};
    result.processes = {a, b};
    result.stats.processesInaccessible = inaccessible;
    if (failedReads > 0)
        result.stats.errorCounts["permission denied"] = failedReads;
    const QString text = ui::scanStatusText(result, root);
    QVERIFY2(text.contains(expected), qPrintable(text));
    if (!absent.isEmpty())
        QVERIFY2(!text.contains(absent), qPrintable(text));
}

void TestVerdictDetails::countsAndShown_data()
{
    QTest::addColumn<qsizetype>("shown");
    QTest::addColumn<qsizetype>("total");
    QTest::addColumn<QString>("expected");
    QTest::addRow("none") << qsizetype(0) << qsizetype(0) << QStringLiteral("no processes");
    QTest::addRow("one") << qsizetype(1) << qsizetype(1) << QStringLiteral("1 process");
    QTest::addRow("all") << qsizetype(85) << qsizetype(85) << QStringLiteral("85 processes");
    QTest::addRow("filtered") << qsizetype(7) << qsizetype(85) << QStringLiteral("7 of 85 processes shown");
    QTest::addRow("filtered of one") << qsizetype(0) << qsizetype(1) << QStringLiteral("0 of 1 process shown");
}

void TestVerdictDetails::countsAndShown()
{
    QFETCH(qsizetype, shown);
    QFETCH(qsizetype, total);
    QFETCH(QString, expected);
    QCOMPARE(ui::shownText(shown, total, QStringLiteral("process"), QStringLiteral("processes")), expected);
}

QTEST_MAIN(TestVerdictDetails)
#include "tst_verdictdetails.moc"
