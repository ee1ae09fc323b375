#include "helperscan.h"

#include "qtstrings.h"

#include <QFileInfo>

#include <utility>

#include <string_view>

#ifndef LOADLENS_HELPER_PATH
#error "LOADLENS_HELPER_PATH (the installed loadlens-cli) is set by ui/CMakeLists.txt"
#endif

namespace loadlens::ui {

namespace {

const QString kPkexec = QStringLiteral("/usr/bin/pkexec");

} // namespace

HelperCommand HelperScanLauncher::defaultCommand()
{
    // --disable-internal-agent: without a graphical polkit agent pkexec would ask for the
    // password on the terminal the GUI was started from, which nobody is looking at.
    return {kPkexec,
            {QStringLiteral("--disable-internal-agent"), QStringLiteral(LOADLENS_HELPER_PATH), QStringLiteral("scan"),
             QStringLiteral("--json"), QStringLiteral("--stream")}};
}

HelperScanLauncher::HelperScanLauncher(QObject *parent)
    : QObject(parent)
    , m_command(defaultCommand())
{
    qRegisterMetaType<std::shared_ptr<const ScanResult>>();
}

HelperScanLauncher::~HelperScanLauncher()
{
    // QProcess's destructor kills and waits up to 30 s: give the helper its cancel first, and
    // wait for every helper still winding down (abandoned ones too) a bounded time.
    stopProcess();
    for (QProcess *process : findChildren<QProcess *>()) {
        process->disconnect(this);
        if (process->state() != QProcess::NotRunning)
            process->waitForFinished(5000);
    }
}

qint64 HelperScanLauncher::helperPid() const
{
    return m_process ? m_process->processId() : 0;
}

quint64 HelperScanLauncher::start()
{
    abandon();
    const quint64 generation = ++m_generation;
    m_reader = report::ScanStreamReader();
    m_buffer.clear();
    m_errors.clear();
    m_helperError.clear();

    auto *process = new QProcess(this);
    m_process = process;
    process->setProgram(m_command.program);
    process->setArguments(m_command.arguments);
    process->setProcessChannelMode(QProcess::SeparateChannels);
    connect(process, &QProcess::readyReadStandardOutput, this, [this, process] {
        if (process == m_process)
            readOutput();
    });
    connect(process, &QProcess::readyReadStandardError, this, [this, process] {
        if (process == m_process)
            readErrors();
    });
    connect(process, &QProcess::finished, this, [this, process](int exitCode, QProcess::ExitStatus status) {
        if (process == m_process)
            onFinished(exitCode, status);
        process->deleteLater();
    });
    connect(process, &QProcess::errorOccurred, this, [this, process](QProcess::ProcessError error) {
        if (process == m_process)
            onErrorOccurred(error);
        if (error == QProcess::FailedToStart)
            process->deleteLater();  // no finished() follows
    });
    emit started(generation);
    // Standard input stays open: closing it is how the helper learns of Cancel.
    process->start(QIODevice::ReadWrite);
    return generation;
}

void HelperScanLauncher::cancel()
{
    if (m_process)
        fail(QStringLiteral("Scan cancelled"));
}

void HelperScanLauncher::abandon()
{
    stopProcess();
}

void HelperScanLauncher::stopProcess()
{
    QProcess *process = m_process;
    m_process = nullptr;
    if (!process)
        return;
    if (process->state() == QProcess::NotRunning)
        return;  // finished() or errorOccurred() deletes it
    process->closeWriteChannel();
    // Fails silently for a helper running as root; the closed input stops it then.
    process->kill();
}

void HelperScanLauncher::fail(const QString &message)
{
    const quint64 generation = m_generation;
    stopProcess();
    emit failed(generation, message);
}

void HelperScanLauncher::readErrors()
{
    m_errors += m_process->readAllStandardError();
    if (m_errors.size() > 8192)
        m_errors = m_errors.right(4096);
}

QString HelperScanLauncher::helperErrorTail() const
{
    QString text = QString::fromLocal8Bit(m_errors).trimmed();
    if (text.isEmpty())
        return {};
    if (text.size() > 400)
        text = QStringLiteral("\u2026") + text.right(400);
    return QStringLiteral(": ") + text.simplified();
}

void HelperScanLauncher::readOutput()
{
    QProcess *process = m_process;
    const quint64 generation = m_generation;
    m_buffer += process->readAllStandardOutput();
    qsizetype begin = 0;
    for (;;) {
        const qsizetype newline = m_buffer.indexOf('\n', begin);
        if (newline < 0)
            break;
        const bool ok = handleLine(QByteArrayView(m_buffer).sliced(begin, newline - begin));
        // A slot may have cancelled or restarted the scan: this buffer is not ours any more.
        if (!ok || m_process != process || m_generation != generation)
            return;
        begin = newline + 1;
    }
    m_buffer.remove(0, begin);
    if (m_buffer.size() > kMaxLineBytes)
        fail(QStringLiteral("The administrator scan's output is not a LoadLens scan stream: line %1 is longer than %2 MiB")
                 .arg(m_reader.linesRead() + 1)
                 .arg(kMaxLineBytes / (1024 * 1024)));
}

bool HelperScanLauncher::handleLine(QByteArrayView line)
{
    if (line.isEmpty())
        return true;
    const quint64 generation = m_generation;
    auto parsed = m_reader.feed(std::string_view(line.data(), static_cast<std::size_t>(line.size())));
    if (!parsed) {
        fail(QStringLiteral("The administrator scan's output is not a LoadLens scan stream (%1)")
                 .arg(toQString(parsed.error().message)));
        return false;
    }
    switch (parsed->kind) {
    case report::ScanStreamReader::Kind::Progress:
        emit progress(generation, static_cast<qint64>(parsed->done), static_cast<qint64>(parsed->total),
                      toQString(parsed->step));
        break;
    case report::ScanStreamReader::Kind::Process:
        emit processesReceived(generation, static_cast<int>(m_reader.processCount()));
        break;
    case report::ScanStreamReader::Kind::Error:
        m_helperError = toQString(parsed->message);
        break;
    case report::ScanStreamReader::Kind::Finding:
    case report::ScanStreamReader::Kind::Summary:
        break;
    }
    return true;
}

void HelperScanLauncher::onFinished(int exitCode, QProcess::ExitStatus status)
{
    QProcess *process = m_process;
    const quint64 generation = m_generation;
    readErrors();
    readOutput();
    if (m_process != process || m_generation != generation)
        return;  // the output was not a scan stream: already reported
    if (!m_buffer.isEmpty()) {  // a last line without its newline
        const QByteArray last = std::exchange(m_buffer, {});
        if (!handleLine(last) || m_process != process || m_generation != generation)
            return;
    }
    if (status == QProcess::CrashExit) {
        fail(QStringLiteral("The administrator scan helper stopped unexpectedly (killed by a signal)") + helperErrorTail());
    } else if (exitCode == 0 && m_reader.complete()) {
        m_process = nullptr;
        emit finished(generation, std::make_shared<const ScanResult>(m_reader.take()));
    } else if (exitCode == kPkexecDismissed) {
        fail(QStringLiteral("Administrator authentication was dismissed or declined: no administrator scan"));
    } else if (exitCode == kPkexecNotAuthorized) {
        fail(QStringLiteral("Not authorized to scan as administrator, or pkexec could not start the helper (is a "
                            "polkit authentication agent running?)")
             + helperErrorTail());
    } else if (!m_helperError.isEmpty()) {
        fail(QStringLiteral("The administrator scan failed: ") + m_helperError);
    } else if (exitCode == 0) {
        fail(QStringLiteral("The administrator scan helper ended before the scan was complete (no summary line)"));
    } else {
        fail(QStringLiteral("The administrator scan helper failed (exit code %1)").arg(exitCode) + helperErrorTail());
    }
}

void HelperScanLauncher::onErrorOccurred(QProcess::ProcessError error)
{
    if (error != QProcess::FailedToStart)
        return;  // crashes and exit codes are judged in onFinished
    const QString program = m_command.program;
    if (program == kPkexec && !QFileInfo::exists(program))
        fail(QStringLiteral("pkexec is not installed (%1): install the pkexec package to scan as administrator")
                 .arg(program));
    else
        fail(QStringLiteral("Could not start the administrator scan helper %1: %2")
                 .arg(program, m_process ? m_process->errorString() : QString()));
}

} // namespace loadlens::ui
