#pragma once
// Runs the M1044 posture checks off the GUI thread, with the last live scan when there is one
// (the checks that need running processes say unknown without it). Generation ids as in
// ScanController: a newer run drops the older result; exactly one of finished() or failed()
// per run that is not superseded.
#include "common/types.h"
#include "posture/posture.h"

#include <QObject>
#include <QThreadPool>

#include <functional>
#include <memory>

namespace loadlens::ui {

class PostureController final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PostureController)

public:
    using CheckFunction = std::function<posture::PostureReport(const posture::PostureOptions &, const ScanResult *)>;

    explicit PostureController(QObject *parent = nullptr);  // posture::runPostureChecks
    explicit PostureController(CheckFunction checks, QObject *parent = nullptr);
    ~PostureController() override;

    quint64 start(const posture::PostureOptions &options, std::shared_ptr<const ScanResult> scan);
    bool isRunning() const { return m_running; }

signals:
    void started(quint64 generation);
    void finished(quint64 generation, std::shared_ptr<const loadlens::posture::PostureReport> report);
    void failed(quint64 generation, const QString &message);

private:
    CheckFunction m_checks;
    QThreadPool m_pool;
    quint64 m_generation = 0;
    bool m_running = false;
};

} // namespace loadlens::ui

Q_DECLARE_METATYPE(std::shared_ptr<const loadlens::posture::PostureReport>)
