#pragma once
// Starts tests/fixtures/ll_fixture_target: a real process that loads, maps and hides what a
// test asks for, says "ready" and waits until stopped. The same scenarios serve trainers.
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace loadlens::testing {

QString fixtureTargetPath();   // the ll_fixture_target executable
QString fixtureLibraryPath();  // libllfixture.so as built (tests copy it where they need it)
// ll_fixture_target linked against libllfixture.so.1 with RUNPATH "$ORIGIN/plugins:$ORIGIN/lib"
QString fixtureRunpathTargetPath();

class FixtureProcess {
public:
    FixtureProcess() = default;
    ~FixtureProcess();
    FixtureProcess(const FixtureProcess &) = delete;
    FixtureProcess &operator=(const FixtureProcess &) = delete;

    // Arguments: --dlopen PATH, --map-deleted PATH, --memfd NAME, --anon-exec (repeatable).
    // Returns false with `error()` set when the process did not report ready in time.
    bool start(const QStringList &arguments,
               const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment(),
               const QString &program = fixtureTargetPath());
    int pid() const;
    QString error() const { return m_error; }
    QString output() const { return m_output; }
    void stop();

private:
    QProcess m_process;
    QString m_error;
    QString m_output;
};

} // namespace loadlens::testing
