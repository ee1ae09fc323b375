#pragma once
// Imports files into a case off the GUI thread with ingest::Importer (bundles, Sysmon logs,
// auditd logs; the HijackLibs dataset is loaded once per job). Each start() is a job with a
// generation id; fileImported() reports every file done, then exactly one of finished() or
// failed() ends the job (failed also when cancelled). Progress is throttled.
#include "common/cancel.h"
#include "common/events.h"

#include <QObject>
#include <QStringList>
#include <QThreadPool>

#include <vector>

namespace loadlens::ui {

class ImportController final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImportController)

public:
    explicit ImportController(QObject *parent = nullptr);
    ~ImportController() override;  // cancels the running job and waits for it

    quint64 start(const QString &casePath, const QStringList &files, const QString &hijackLibsDir);
    void cancel();
    bool isRunning() const { return m_running; }
    quint64 currentGeneration() const { return m_generation; }
    void setProgressInterval(int milliseconds) { m_progressIntervalMs = milliseconds; }

signals:
    void started(quint64 generation, int files);
    // `done`/`total` are units of the current file (total 0 = unknown).
    void progress(quint64 generation, int fileIndex, int files, qint64 done, qint64 total, const QString &step);
    void fileImported(quint64 generation, const loadlens::ImportReport &report);
    void finished(quint64 generation);
    void failed(quint64 generation, const QString &message);

private:
    QThreadPool m_pool;
    CancelToken m_cancel;
    quint64 m_generation = 0;
    bool m_running = false;
    int m_progressIntervalMs = 100;
};

} // namespace loadlens::ui

Q_DECLARE_METATYPE(loadlens::ImportReport)
