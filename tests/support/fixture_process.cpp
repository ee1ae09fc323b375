#include "fixture_process.h"

#include <QDeadlineTimer>

namespace loadlens::testing {

QString fixtureTargetPath() { return QStringLiteral(LOADLENS_FIXTURE_TARGET); }
QString fixtureLibraryPath() { return QStringLiteral(LOADLENS_FIXTURE_LIBRARY); }
QString fixtureRunpathTargetPath() { return QStringLiteral(LOADLENS_FIXTURE_RUNPATH_TARGET); }

FixtureProcess::~FixtureProcess() { stop(); }

bool FixtureProcess::start(const QStringList &arguments, const QProcessEnvironment &environment,
                           const QString &program)
{
    m_process.setProcessEnvironment(environment);
    m_process.setProcessChannelMode(QProcess::SeparateChannels);
    m_process.start(program, arguments);
    if (!m_process.waitForStarted(10000)) {
        m_error = QStringLiteral("could not start ") + program + QStringLiteral(": ") + m_process.errorString();
        return false;
    }
    QDeadlineTimer deadline(15000);
    while (!deadline.hasExpired()) {
        if (!m_process.waitForReadyRead(static_cast<int>(std::max<qint64>(1, deadline.remainingTime())))) {
            if (m_process.state() != QProcess::Running)
                break;
            continue;
        }
        m_output += QString::fromLocal8Bit(m_process.readAllStandardOutput());
        if (m_output.contains(QStringLiteral("ready")))
            return true;
        if (m_output.contains(QStringLiteral("error")))
            break;
    }
    m_output += QString::fromLocal8Bit(m_process.readAllStandardOutput());
    m_error = QStringLiteral("fixture did not become ready: ") + m_output +
              QString::fromLocal8Bit(m_process.readAllStandardError());
    return false;
}

int FixtureProcess::pid() const { return static_cast<int>(m_process.processId()); }

void FixtureProcess::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.closeWriteChannel();
    if (!m_process.waitForFinished(3000)) {
        m_process.kill();
        m_process.waitForFinished(3000);
    }
}

} // namespace loadlens::testing
