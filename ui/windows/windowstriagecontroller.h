#pragma once
// Runs the Windows triage (core/wintriage) off the GUI thread. As in ScanController, each
// start() is a job with a generation id: starting again cancels the running job and drops its
// result when it arrives; for every job that is not superseded exactly one of finished() or
// failed() is emitted (failed also when cancelled). Progress is throttled.
#include "common/cancel.h"
#include "common/result.h"
#include "wintriage/triage.h"

#include <QObject>
#include <QThreadPool>

#include <functional>
#include <memory>

namespace loadlens::ui {

class WindowsTriageController final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WindowsTriageController)

public:
    using TriageFunction = std::function<Result<wintriage::TriageResult>(const wintriage::TriageOptions &)>;

    // `triage` defaults to wintriage::triage; tests pass one they control.
    explicit WindowsTriageController(QObject *parent = nullptr);
    explicit WindowsTriageController(TriageFunction triage, QObject *parent = nullptr);
    ~WindowsTriageController() override;  // cancels the running job and waits for it

    // What the worker reads before the triage, each optional (empty: not used).
    struct Sources {
        QString hijackLibsDirectory;  // the HijackLibs yml/ folder
        QString trustStore;           // PEM/DER certificates (a file or a directory): chain anchors
        QString catalogsDirectory;    // a collected CatRoot tree
    };

    // `options.cancel` and `options.progress` are the controller's own; options.anchors,
    // catalogs and hijackLibs come from `sources`, read in the worker (one that cannot be read
    // fails the job with the reason). Returns the generation.
    quint64 start(wintriage::TriageOptions options, const Sources &sources);
    quint64 start(wintriage::TriageOptions options, const QString &hijackLibsDirectory = {})
    {
        return start(std::move(options), Sources{hijackLibsDirectory, {}, {}});
    }
    void cancel();
    bool isRunning() const { return m_running; }
    quint64 currentGeneration() const { return m_generation; }
    void setProgressInterval(int milliseconds) { m_progressIntervalMs = milliseconds; }

signals:
    void started(quint64 generation, const QString &root);
    // `executables` examined so far, the last one's Windows path.
    void progress(quint64 generation, qint64 executables, const QString &path);
    void finished(quint64 generation, std::shared_ptr<const loadlens::wintriage::TriageResult> result);
    void failed(quint64 generation, const QString &message);

private:
    struct Outcome {
        std::shared_ptr<const wintriage::TriageResult> result;
        QString error;
    };
    void deliver(quint64 generation, const Outcome &outcome);

    TriageFunction m_triage;
    QThreadPool m_pool;
    CancelToken m_cancel;
    quint64 m_generation = 0;
    bool m_running = false;
    int m_progressIntervalMs = 100;
};

} // namespace loadlens::ui

Q_DECLARE_METATYPE(std::shared_ptr<const loadlens::wintriage::TriageResult>)
