// The loadlens entry point as root and the polkit action it relies on: the window does not
// open as root on a display (offscreen rendering and an explicit override may), and the
// action's exec.path is the helper path compiled into the GUI.
#include "helperscan.h"

#include <QFile>
#include <QProcess>
#include <QTest>
#include <QXmlStreamReader>

#include <unistd.h>

using loadlens::ui::HelperScanLauncher;

namespace {

struct GuiRun {
    int exitCode = -1;
    QString err;
};

// `--pid x` is refused by the argument checks that come after the root check: exit 2 means the
// window would have opened, exit 1 with the explanation that it was refused as root.
GuiRun runGui(const QString &platform, const QStringList &extraEnv = {})
{
    QProcess gui;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), platform);
    env.remove(QStringLiteral("LOADLENS_ALLOW_ROOT_GUI"));
    for (const QString &entry : extraEnv)
        env.insert(entry.section(QLatin1Char('='), 0, 0), entry.section(QLatin1Char('='), 1));
    gui.setProcessEnvironment(env);
    gui.start(QStringLiteral(LOADLENS_GUI),
              {QStringLiteral("--pid"), QStringLiteral("x"), QStringLiteral("--case"), QStringLiteral("/nonexistent/case.sqlite")});
    GuiRun run;
    if (!gui.waitForFinished(60000)) {
        gui.kill();
        gui.waitForFinished();
        run.err = QStringLiteral("timed out");
        return run;
    }
    run.exitCode = gui.exitStatus() == QProcess::NormalExit ? gui.exitCode() : -1;
    run.err = QString::fromLocal8Bit(gui.readAllStandardError());
    return run;
}

} // namespace

class TestGuiEntry : public QObject {
    Q_OBJECT
private slots:
    // vnc stands for any platform with a real screen: it needs no display server here.
    void interactiveWindowIsRefusedAsRoot()
    {
        const GuiRun run = runGui(QStringLiteral("vnc"));
        if (run.err.contains(QStringLiteral("Could not find the Qt platform plugin")))
            QSKIP("the Qt vnc platform plugin is not installed");
        if (::geteuid() != 0) {
            QCOMPARE(run.exitCode, 2);
            QVERIFY2(run.err.contains(QStringLiteral("--pid needs a positive process id")), qPrintable(run.err));
            QVERIFY(!run.err.contains(QStringLiteral("refusing")));
            return;
        }
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("refusing to open the window as root")), qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("--elevated")), qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("Scan all processes (administrator)")), qPrintable(run.err));
    }

    void offscreenAndOverrideAreAllowedAsRoot()
    {
        if (::geteuid() != 0)
            QSKIP("the root check applies to root; as a normal user nothing is refused (see the other test)");
        const GuiRun offscreen = runGui(QStringLiteral("offscreen"));
        QCOMPARE(offscreen.exitCode, 2);
        QVERIFY2(offscreen.err.contains(QStringLiteral("--pid needs a positive process id")), qPrintable(offscreen.err));
        const GuiRun overridden = runGui(QStringLiteral("vnc"), {QStringLiteral("LOADLENS_ALLOW_ROOT_GUI=1")});
        if (overridden.err.contains(QStringLiteral("Could not find the Qt platform plugin")))
            QSKIP("the Qt vnc platform plugin is not installed");
        QCOMPARE(overridden.exitCode, 2);
        QVERIFY2(overridden.err.contains(QStringLiteral("--pid needs a positive process id")), qPrintable(overridden.err));
    }

    void polkitActionNamesTheCompiledHelper()
    {
        QFile file(QStringLiteral(LOADLENS_POLICY));
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
        QXmlStreamReader xml(&file);
        QString actionId;
        QString allowActive;
        QString execPath;
        QString element;
        while (!xml.atEnd()) {
            xml.readNext();
            if (xml.isStartElement()) {
                element = xml.name().toString();
                if (element == QStringLiteral("action"))
                    actionId = xml.attributes().value(QStringLiteral("id")).toString();
                if (element == QStringLiteral("allow_active"))
                    allowActive = xml.readElementText();
                if (element == QStringLiteral("annotate")
                    && xml.attributes().value(QStringLiteral("key")) == QStringLiteral("org.freedesktop.policykit.exec.path"))
                    execPath = xml.readElementText();
            }
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QCOMPARE(actionId, QStringLiteral("org.loadlens.scan"));
        QCOMPARE(allowActive, QStringLiteral("auth_admin_keep"));
        QVERIFY(execPath.startsWith(QLatin1Char('/')));
        QCOMPARE(execPath, HelperScanLauncher::defaultCommand().arguments.at(1));
    }
};

QTEST_GUILESS_MAIN(TestGuiEntry)
#include "tst_guientry.moc"
