#include "posturecontroller.h"

#include <QMetaObject>

#include <exception>

namespace loadlens::ui {

PostureController::PostureController(QObject *parent)
    : PostureController(
          [](const posture::PostureOptions &options, const ScanResult *scan) {
              return posture::runPostureChecks(options, scan);
          },
          parent)
{
}

PostureController::PostureController(CheckFunction checks, QObject *parent)
    : QObject(parent)
    , m_checks(std::move(checks))
{
    qRegisterMetaType<std::shared_ptr<const posture::PostureReport>>();
    m_pool.setMaxThreadCount(1);
}

PostureController::~PostureController()
{
    m_pool.waitForDone();
}

quint64 PostureController::start(const posture::PostureOptions &options, std::shared_ptr<const ScanResult> scan)
{
    const quint64 generation = ++m_generation;
    m_running = true;
    emit started(generation);
    m_pool.start([this, generation, options, scan = std::move(scan), checks = m_checks] {
        std::shared_ptr<const posture::PostureReport> report;
        QString error;
        try {
            report = std::make_shared<posture::PostureReport>(checks(options, scan.get()));
        } catch (const std::exception &e) {
            error = QStringLiteral("Posture checks failed: ") + QString::fromUtf8(e.what());
        }
        QMetaObject::invokeMethod(
            this,
            [this, generation, report, error] {
                if (generation != m_generation)
                    return;
                m_running = false;
                if (report)
                    emit finished(generation, report);
                else
                    emit failed(generation, error);
            },
            Qt::QueuedConnection);
    });
    return generation;
}

} // namespace loadlens::ui
