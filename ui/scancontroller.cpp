#include "scancontroller.h"

#include "qtstrings.h"

#include <QElapsedTimer>
#include <QMetaObject>

#include <exception>
#include <mutex>

namespace loadlens::ui {

ScanController::ScanController(QObject *parent)
    : ScanController(
          [](const scan::ScanOptions &options, const ProgressFn &progress, const CancelToken &cancel) {
              return scan::runScan(options, progress, cancel);
          },
          parent)
{
}

ScanController::ScanController(ScanFunction scanFunction, QObject *parent)
    : QObject(parent)
    , m_scanFunction(std::move(scanFunction))
{
    qRegisterMetaType<std::shared_ptr<const ScanResult>>();
    // A superseded job may still be winding down while the next one runs.
    m_pool.setMaxThreadCount(2);
}

ScanController::~ScanController()
{
    m_cancel.cancel();
    m_pool.waitForDone();
}

quint64 ScanController::start(const scan::ScanOptions &options)
{
    m_cancel.cancel();  // the previous job, if any: its result will be stale
    m_cancel = CancelToken();
    const quint64 generation = ++m_generation;
    m_running = true;
    emit started(generation);

    const CancelToken cancel = m_cancel;
    const int interval = m_progressIntervalMs;
    m_pool.start([this, generation, options, cancel, interval, scanFunction = m_scanFunction] {
        // The engine may report from several threads; the throttle state is shared.
        std::mutex throttleMutex;
        QElapsedTimer sinceLast;
        bool first = true;
        const ProgressFn progress = [&](std::size_t done, std::size_t total, const std::string &step) {
            const bool last = total > 0 && done >= total;
            const std::lock_guard lock(throttleMutex);
            if (!first && !last && sinceLast.isValid() && sinceLast.elapsed() < interval)
                return;
            first = false;
            sinceLast.start();
            QMetaObject::invokeMethod(
                this,
                [this, generation, done, total, step = toQString(step)] {
                    deliverProgress(generation, static_cast<qint64>(done), static_cast<qint64>(total), step);
                },
                Qt::QueuedConnection);
        };
        Outcome outcome;
        try {
            auto result = std::make_shared<ScanResult>(scanFunction(options, progress, cancel));
            if (cancel.cancelled() || result->stats.cancelled)
                outcome.error = QStringLiteral("Scan cancelled");
            else
                outcome.result = std::move(result);
        } catch (const std::exception &error) {
            outcome.error = QStringLiteral("Scan failed: ") + QString::fromUtf8(error.what());
        } catch (...) {
            outcome.error = QStringLiteral("Scan failed with an unknown error");
        }
        QMetaObject::invokeMethod(this, [this, generation, outcome] { deliver(generation, outcome); }, Qt::QueuedConnection);
    });
    return generation;
}

void ScanController::cancel()
{
    m_cancel.cancel();
}

void ScanController::abandon()
{
    m_cancel.cancel();
    m_running = false;  // deliver() drops what the job still sends
}

void ScanController::deliverProgress(quint64 generation, qint64 done, qint64 total, const QString &step)
{
    if (generation == m_generation && m_running)
        emit progress(generation, done, total, step);
}

void ScanController::deliver(quint64 generation, const Outcome &outcome)
{
    if (generation != m_generation || !m_running)
        return;  // superseded by a later start(): nobody waits for this result any more
    m_running = false;
    if (outcome.result)
        emit finished(generation, outcome.result);
    else
        emit failed(generation, outcome.error);
}

} // namespace loadlens::ui
