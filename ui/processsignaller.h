#pragma once
// Suspend, resume and kill from the GUI. A process of this user is signalled in-process (the
// same pidfd and start-time check as `loadlens-cli signal`); another user's goes through
// `pkexec <helper> signal --pid N --start-time T --signal stop|cont|kill`, the helper path fixed
// at build time like the administrator scan's. Exactly one finished() per send().
#include "helperscan.h"
#include "proc/process_signal.h"

#include <QObject>
#include <QString>

namespace loadlens::ui {

struct ProcessRef;

class ProcessSignaller final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProcessSignaller)

public:
    // The helper's exit status for "exited, or the pid belongs to another process now".
    static constexpr int kHelperNotThatProcess = 3;

    explicit ProcessSignaller(QObject *parent = nullptr);
    ~ProcessSignaller() override;

    // /usr/bin/pkexec --disable-internal-agent <LOADLENS_HELPER_PATH> signal --pid … --start-time … --signal …
    static HelperCommand elevatedCommand(const ProcessRef &process, proc::SignalKind kind);
    // True when this program may signal `process` itself (its own user's, or running as root).
    static bool canSignalDirectly(const ProcessRef &process);
    static QString verb(proc::SignalKind kind);  // "suspend", "resume", "kill"

    // Test hook: the program and first arguments that replace "pkexec --disable-internal-agent
    // <helper>" (tests run the build tree's loadlens-cli as the same user).
    void setElevatedPrefix(HelperCommand prefix) { m_prefix = std::move(prefix); }
    // Test hook: take the helper route even for this user's processes.
    void setAlwaysElevated(bool always) { m_alwaysElevated = always; }

    void send(const ProcessRef &process, proc::SignalKind kind);
    bool isBusy() const;

signals:
    void finished(int pid, bool ok, const QString &message);

private:
    void sendElevated(const ProcessRef &process, proc::SignalKind kind);

    HelperCommand m_prefix;
    bool m_alwaysElevated = false;
};

} // namespace loadlens::ui
