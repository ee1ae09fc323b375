#include "processsignaller.h"

#include "qtstrings.h"
#include "rowactions.h"

#include <QProcess>
#include <QTimer>

#include <unistd.h>

#ifndef LOADLENS_HELPER_PATH
#error "LOADLENS_HELPER_PATH (the installed loadlens-cli) is set by ui/CMakeLists.txt"
#endif

namespace loadlens::ui {

namespace {

QString describe(const ProcessRef &process)
{
    return process.name.isEmpty() ? QStringLiteral("pid %1").arg(process.pid)
                                  : QStringLiteral("%1 (pid %2)").arg(process.name).arg(process.pid);
}

QString pastTense(proc::SignalKind kind)
{
    switch (kind) {
    case proc::SignalKind::Stop:
        return QStringLiteral("suspended");
    case proc::SignalKind::Continue:
        return QStringLiteral("resumed");
    case proc::SignalKind::Kill:
        return QStringLiteral("killed");
    }
    return {};
}

} // namespace

ProcessSignaller::ProcessSignaller(QObject *parent)
    : QObject(parent)
    , m_prefix{QStringLiteral("/usr/bin/pkexec"),
               {QStringLiteral("--disable-internal-agent"), QStringLiteral(LOADLENS_HELPER_PATH)}}
{
}

ProcessSignaller::~ProcessSignaller()
{
    // A helper still waiting for a password is killed; one running as root ends on its own.
    for (QProcess *process : findChildren<QProcess *>()) {
        process->disconnect(this);
        if (process->state() != QProcess::NotRunning) {
            process->kill();
            process->waitForFinished(5000);
        }
    }
}

HelperCommand ProcessSignaller::elevatedCommand(const ProcessRef &process, proc::SignalKind kind)
{
    return {QStringLiteral("/usr/bin/pkexec"),
            {QStringLiteral("--disable-internal-agent"), QStringLiteral(LOADLENS_HELPER_PATH), QStringLiteral("signal"),
             QStringLiteral("--pid"), QString::number(process.pid), QStringLiteral("--start-time"),
             QString::number(process.startTime), QStringLiteral("--signal"),
             toQString(std::string(proc::signalKindName(kind)))}};
}

bool ProcessSignaller::canSignalDirectly(const ProcessRef &process)
{
    return ::geteuid() == 0 || process.uid == ::getuid();
}

QString ProcessSignaller::verb(proc::SignalKind kind)
{
    switch (kind) {
    case proc::SignalKind::Stop:
        return QStringLiteral("suspend");
    case proc::SignalKind::Continue:
        return QStringLiteral("resume");
    case proc::SignalKind::Kill:
        return QStringLiteral("kill");
    }
    return {};
}

bool ProcessSignaller::isBusy() const
{
    for (const QProcess *process : findChildren<QProcess *>())
        if (process->state() != QProcess::NotRunning)
            return true;
    return false;
}

void ProcessSignaller::send(const ProcessRef &process, proc::SignalKind kind)
{
    if (m_alwaysElevated || !canSignalDirectly(process)) {
        sendElevated(process, kind);
        return;
    }
    const Status status = proc::signalProcess(process.pid, process.startTime, kind);
    const bool ok = status.ok();
    const QString message = ok ? describe(process) + QLatin1Char(' ') + pastTense(kind)
                               : QStringLiteral("Could not %1 %2: %3")
                                     .arg(verb(kind), describe(process), toQString(status.error().message));
    // Delivered from the event loop, as the helper's answer is.
    const int pid = process.pid;
    QTimer::singleShot(0, this, [this, pid, ok, message] { emit finished(pid, ok, message); });
}

void ProcessSignaller::sendElevated(const ProcessRef &process, proc::SignalKind kind)
{
    const HelperCommand full = elevatedCommand(process, kind);
    QStringList arguments = m_prefix.arguments;
    arguments += full.arguments.mid(2);  // after pkexec's own option and the helper path
    auto *helper = new QProcess(this);
    helper->setProgram(m_prefix.program);
    helper->setArguments(arguments);
    helper->setProcessChannelMode(QProcess::SeparateChannels);
    helper->setStandardInputFile(QProcess::nullDevice());
    const int pid = process.pid;
    const QString what = describe(process);
    const QString action = verb(kind);
    const QString done = what + QLatin1Char(' ') + pastTense(kind) + QStringLiteral(" (as administrator)");
    connect(helper, &QProcess::finished, this, [this, helper, pid, what, action, done](int exitCode, QProcess::ExitStatus status) {
        helper->deleteLater();
        QString error = QString::fromLocal8Bit(helper->readAllStandardError()).trimmed();
        if (error.size() > 400)
            error = error.left(400) + QStringLiteral("\u2026");
        error.remove(QStringLiteral("loadlens-cli: "));
        const QString failed = QStringLiteral("Could not %1 %2").arg(action, what);
        if (status == QProcess::CrashExit)
            emit finished(pid, false, failed + QStringLiteral(": the helper stopped unexpectedly"));
        else if (exitCode == 0)
            emit finished(pid, true, done);
        else if (exitCode == HelperScanLauncher::kPkexecDismissed)
            emit finished(pid, false, failed + QStringLiteral(": administrator authentication was dismissed or declined"));
        else if (exitCode == HelperScanLauncher::kPkexecNotAuthorized)
            emit finished(pid, false, failed + QStringLiteral(": not authorized, or pkexec could not start the helper")
                                          + (error.isEmpty() ? QString() : QStringLiteral(" (") + error + QLatin1Char(')')));
        else
            emit finished(pid, false,
                          failed + QStringLiteral(": ")
                              + (error.isEmpty() ? QStringLiteral("the helper failed (exit code %1)").arg(exitCode) : error));
    });
    connect(helper, &QProcess::errorOccurred, this, [this, helper, pid, what, action](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return;
        helper->deleteLater();
        emit finished(pid, false,
                      QStringLiteral("Could not %1 %2: cannot start %3 (%4)")
                          .arg(action, what, helper->program(), helper->errorString()));
    });
    helper->start(QIODevice::ReadOnly);
}

} // namespace loadlens::ui
