// The desktop program run as a user runs it: a normal run prints nothing on the terminal.
// Qt's chatter (no XDG_RUNTIME_DIR, the offscreen plugin's missing features) goes to the log
// at debug level; --log-level debug still shows it there.
#include <QtTest>

#include "program_run.h"

#include <QTemporaryDir>

#include <unistd.h>

class TestGuiQuiet : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    QProcessEnvironment quietEnvironment() const
    {
        // As a session started by su, sudo or a service has it: no XDG_RUNTIME_DIR, so Qt
        // would complain about it on stderr.
        auto env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("XDG_RUNTIME_DIR"));
        env.remove(QStringLiteral("QT_LOGGING_RULES"));
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
        return env;
    }

    loadlens::testing::ProgramRun runGui(const QStringList &extra)
    {
        QStringList args{QStringLiteral("--pid"), QString::number(getpid()), QStringLiteral("--case"),
                         m_dir.filePath(QStringLiteral("case.sqlite")), QStringLiteral("--screenshot"),
                         m_dir.filePath(QStringLiteral("shot.png"))};
        args << extra;
        return loadlens::testing::runProgram(QStringLiteral(LOADLENS_GUI), args, 120000, quietEnvironment());
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void normalRunPrintsNothing()
    {
        const auto r = runGui({});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(QFileInfo(m_dir.filePath(QStringLiteral("shot.png"))).size() > 0);
        QVERIFY2(r.err.isEmpty(), r.err.constData());
        QVERIFY2(r.out.isEmpty(), r.out.constData());
    }

    void debugLevelStillShowsQtsNotes()
    {
        // The chatter is kept, not thrown away: at debug level the same run logs it.
        const auto r = runGui({QStringLiteral("--log-level"), QStringLiteral("debug")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.err.contains("[qt"), r.err.left(2000).constData());
    }

    // As `env -i loadlens --help` over ssh: no DISPLAY, no QT_QPA_PLATFORM, nothing else.
    void helpAndVersionNeedNoDisplay_data()
    {
        QTest::addColumn<QString>("argument");
        QTest::addColumn<QString>("expected");
        QTest::addRow("--help") << QStringLiteral("--help") << QStringLiteral("--screenshot <file>");
        QTest::addRow("-h") << QStringLiteral("-h") << QStringLiteral("--log-level <level>");
        QTest::addRow("--version") << QStringLiteral("--version") << QStringLiteral("loadlens ");
    }

    void helpAndVersionNeedNoDisplay()
    {
        QFETCH(QString, argument);
        QFETCH(QString, expected);
        QProcessEnvironment bare;  // empty would mean "inherit" to some Qt versions: one harmless variable
        bare.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
        const auto r = loadlens::testing::runProgram(QStringLiteral(LOADLENS_GUI), {argument}, 60000, bare);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(QString::fromLocal8Bit(r.out).contains(expected), r.out.constData());
        QVERIFY2(!r.err.contains("platform plugin"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestGuiQuiet)
#include "tst_gui_quiet.moc"
