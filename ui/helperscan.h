#pragma once
// The administrator scan: the GUI stays the invoking user and runs the scan helper as root,
// `pkexec <helper> scan --json --stream` with the helper path fixed at build time (no PATH
// lookup). The helper's JSON lines are read as they arrive (async readyRead) into the same
// ScanResult an in-process scan produces; the signals match ScanController's, so the window
// shows progress, result and errors the same way.
//
// For every job that is not superseded exactly one of finished() or failed() is emitted.
// Cancel closes the helper's standard input (a helper running as root cannot be signalled by
// the user; it cancels when its input ends) and kills what can be killed (pkexec while it asks
// for the password, or the helper when it runs as the same user, as in the tests).
#include "common/types.h"
#include "report/scan_stream_reader.h"
#include "scancontroller.h"  // the ScanResult pointer's metatype

#include <QObject>
#include <QPointer>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <memory>

namespace loadlens::ui {

struct HelperCommand {
    QString program;
    QStringList arguments;
};

class HelperScanLauncher final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HelperScanLauncher)

public:
    // pkexec's exit codes: the user dismissed or declined the dialog; not authorized, or pkexec
    // could not run the helper.
    static constexpr int kPkexecDismissed = 126;
    static constexpr int kPkexecNotAuthorized = 127;
    // A line longer than this is not a scan stream line (a process line is kilobytes).
    static constexpr qsizetype kMaxLineBytes = 64 * 1024 * 1024;

    // /usr/bin/pkexec --disable-internal-agent <LOADLENS_HELPER_PATH> scan --json --stream
    static HelperCommand defaultCommand();

    explicit HelperScanLauncher(QObject *parent = nullptr);
    ~HelperScanLauncher() override;

    // Test hook: run `command` instead of pkexec (tests run the build tree's loadlens-cli as
    // the same user). Takes effect at the next start().
    void setCommand(HelperCommand command) { m_command = std::move(command); }
    const HelperCommand &command() const { return m_command; }

    // Starts the helper; a running job is abandoned (no signal for it). Returns the generation.
    quint64 start();
    // Stops the running job: failed(generation, "Scan cancelled").
    void cancel();
    // Stops the running job without any signal (another scan takes over).
    void abandon();
    bool isRunning() const { return m_process != nullptr; }
    quint64 currentGeneration() const { return m_generation; }
    // The helper's process id while it runs (0 otherwise).
    qint64 helperPid() const;

signals:
    void started(quint64 generation);
    void progress(quint64 generation, qint64 done, qint64 total, const QString &step);
    void processesReceived(quint64 generation, int count);
    void finished(quint64 generation, std::shared_ptr<const loadlens::ScanResult> result);
    void failed(quint64 generation, const QString &message);

private:
    void readOutput();
    void readErrors();
    bool handleLine(QByteArrayView line);
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onErrorOccurred(QProcess::ProcessError error);
    void fail(const QString &message);
    void stopProcess();
    QString helperErrorTail() const;

    HelperCommand m_command;
    QPointer<QProcess> m_process;
    report::ScanStreamReader m_reader;
    QByteArray m_buffer;
    QByteArray m_errors;
    QString m_helperError;  // the message of an "error" line
    quint64 m_generation = 0;
};

} // namespace loadlens::ui
