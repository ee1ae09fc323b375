#include "importcontroller.h"

#include "casestore/import_target.h"
#include "ingest/importer.h"
#include "qtstrings.h"
#include "store/case_database.h"

#include <QElapsedTimer>
#include <QMetaObject>

#include <exception>
#include <mutex>

namespace loadlens::ui {

ImportController::ImportController(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<ImportReport>();
    // One writer per case: a superseded job finishes its current batch before the next starts.
    m_pool.setMaxThreadCount(1);
}

ImportController::~ImportController()
{
    m_cancel.cancel();
    m_pool.waitForDone();
}

quint64 ImportController::start(const QString &casePath, const QStringList &files, const QString &hijackLibsDir)
{
    m_cancel.cancel();
    m_cancel = CancelToken();
    const quint64 generation = ++m_generation;
    m_running = true;
    emit started(generation, static_cast<int>(files.size()));

    const CancelToken cancel = m_cancel;
    const int interval = m_progressIntervalMs;
    // Every signal of the job goes through here, so a superseded job says nothing.
    const auto post = [this, generation](auto apply) {
        QMetaObject::invokeMethod(
            this,
            [this, generation, apply] {
                if (generation == m_generation && m_running)
                    apply();
            },
            Qt::QueuedConnection);
    };
    m_pool.start([this, generation, casePath, files, hijackLibsDir, cancel, interval, post] {
        std::mutex throttleMutex;
        QElapsedTimer sinceLast;
        int fileIndex = 0;
        ingest::ImportOptions options;
        options.hijackLibsDir = toStdString(hijackLibsDir);
        options.cancel = cancel;
        options.progress = [&](std::size_t done, std::size_t total, const std::string &step) {
            const std::lock_guard lock(throttleMutex);
            if (sinceLast.isValid() && sinceLast.elapsed() < interval)
                return;
            sinceLast.start();
            const int index = fileIndex;
            const int count = static_cast<int>(files.size());
            post([this, generation, index, count, done, total, step = toQString(step)] {
                emit progress(generation, index, count, static_cast<qint64>(done), static_cast<qint64>(total), step);
            });
        };
        QString failure;
        try {
            auto db = casestore::openStore(toStdString(casePath), {store::OpenMode::ReadWrite, {}});
            if (!db) {
                failure = toQString(db.error().message);
            } else {
                const ingest::ImportTarget target = casestore::importTarget(**db);
                ingest::Importer importer(options);
                for (; fileIndex < static_cast<int>(files.size()); ++fileIndex) {
                    if (cancel.cancelled())
                        break;
                    {
                        const std::lock_guard lock(throttleMutex);
                        sinceLast.invalidate();  // the first progress of a file always shows
                    }
                    ImportReport report = importer.importFile(target, toStdString(files[fileIndex]));
                    if (fileIndex == 0)  // the dataset is loaded once per job: say so once
                        report.notes.insert(report.notes.end(), importer.datasetProblems().begin(),
                                            importer.datasetProblems().end());
                    post([this, generation, report] { emit fileImported(generation, report); });
                }
                if (cancel.cancelled())
                    failure = QStringLiteral("Import cancelled after %1 of %2 file(s)").arg(fileIndex).arg(files.size());
            }
        } catch (const std::exception &error) {
            failure = QStringLiteral("Import failed: ") + QString::fromUtf8(error.what());
        }
        post([this, generation, failure] {
            m_running = false;
            if (failure.isEmpty())
                emit finished(generation);
            else
                emit failed(generation, failure);
        });
    });
    return generation;
}

void ImportController::cancel()
{
    m_cancel.cancel();
}

} // namespace loadlens::ui
