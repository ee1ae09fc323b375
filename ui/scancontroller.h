#pragma once
// Runs scans off the GUI thread. Each start() is a job with a generation id; starting again
// cancels the running job and its result is dropped when it arrives. For every job that is not
// superseded exactly one of finished() or failed() is emitted. Progress is throttled.
#include "common/cancel.h"
#include "common/types.h"
#include "scan/scanner.h"

#include <QObject>
#include <QThreadPool>

#include <functional>
#include <memory>

namespace loadlens::ui {

class ScanController final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScanController)

public:
    using ScanFunction = std::function<ScanResult(const scan::ScanOptions &, const ProgressFn &, const CancelToken &)>;

    // `scanFunction` defaults to scan::runScan; tests pass one they control.
    explicit ScanController(QObject *parent = nullptr);
    explicit ScanController(ScanFunction scanFunction, QObject *parent = nullptr);
    ~ScanController() override;  // cancels the running job and waits for it

    // Returns the new job's generation (>= 1).
    quint64 start(const scan::ScanOptions &options);
    void cancel();
    // Stops the running job without any signal for it (another kind of scan takes over).
    void abandon();
    bool isRunning() const { return m_running; }
    quint64 currentGeneration() const { return m_generation; }
    // Minimum time between two progress() signals of one job.
    void setProgressInterval(int milliseconds) { m_progressIntervalMs = milliseconds; }

signals:
    void started(quint64 generation);
    void progress(quint64 generation, qint64 done, qint64 total, const QString &step);
    void finished(quint64 generation, std::shared_ptr<const loadlens::ScanResult> result);
    void failed(quint64 generation, const QString &message);

private:
    struct Outcome {
        std::shared_ptr<const ScanResult> result;
        QString error;
    };
    void deliver(quint64 generation, const Outcome &outcome);
    void deliverProgress(quint64 generation, qint64 done, qint64 total, const QString &step);

    ScanFunction m_scanFunction;
    QThreadPool m_pool;
    CancelToken m_cancel;
    quint64 m_generation = 0;
    bool m_running = false;
    int m_progressIntervalMs = 100;
};

} // namespace loadlens::ui

Q_DECLARE_METATYPE(std::shared_ptr<const loadlens::ScanResult>)
