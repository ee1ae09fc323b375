#include "windows/windowstriagecontroller.h"

#include "hijacklibs/hijacklibs.h"
#include "qtstrings.h"

#include <QElapsedTimer>
#include <QMetaObject>

#include <exception>
#include <optional>
#include <stdexcept>

namespace loadlens::ui {

WindowsTriageController::WindowsTriageController(QObject *parent)
    : WindowsTriageController([](const wintriage::TriageOptions &options) { return wintriage::triage(options); }, parent)
{
}

WindowsTriageController::WindowsTriageController(TriageFunction triage, QObject *parent)
    : QObject(parent)
    , m_triage(std::move(triage))
{
    qRegisterMetaType<std::shared_ptr<const wintriage::TriageResult>>();
    // A superseded job may still be winding down while the next one runs.
    m_pool.setMaxThreadCount(2);
}

WindowsTriageController::~WindowsTriageController()
{
    m_cancel.cancel();
    m_pool.waitForDone();
}

quint64 WindowsTriageController::start(wintriage::TriageOptions options, const Sources &sources)
{
    m_cancel.cancel();  // the previous job, if any: its result will be stale
    m_cancel = CancelToken();
    const quint64 generation = ++m_generation;
    m_running = true;
    emit started(generation, toQString(options.root));

    const CancelToken cancel = m_cancel;
    const int interval = m_progressIntervalMs;
    m_pool.start([this, generation, options = std::move(options), hijackLibs = toStdString(sources.hijackLibsDirectory),
                  trustStore = toStdString(sources.trustStore), catalogsDirectory = toStdString(sources.catalogsDirectory),
                  cancel, interval, triage = m_triage]() mutable {
        QElapsedTimer sinceLast;
        options.cancel = &cancel;
        options.progress = [&](std::size_t done, std::size_t, const std::string &path) {
            if (sinceLast.isValid() && sinceLast.elapsed() < interval)
                return;
            sinceLast.start();
            QMetaObject::invokeMethod(
                this,
                [this, generation, done, path = toQString(path)] {
                    if (generation == m_generation && m_running)
                        emit progress(generation, static_cast<qint64>(done), path);
                },
                Qt::QueuedConnection);
        };
        Outcome outcome;
        try {
            std::optional<hijacklibs::Dataset> dataset;
            if (!hijackLibs.empty()) {
                hijacklibs::LoadReport report;  // entries it skips do not stop the triage
                auto loaded = hijacklibs::Dataset::loadDirectory(hijackLibs, report, cancel);
                if (!loaded)
                    throw std::runtime_error("HijackLibs directory " + hijackLibs + ": " + loaded.error().message);
                dataset = std::move(*loaded);
                options.hijackLibs = &*dataset;
            }
            std::optional<authenticode::TrustStore> anchors;
            if (!trustStore.empty()) {
                anchors.emplace();
                if (auto added = anchors->add(trustStore); !added)
                    throw std::runtime_error("trust store " + trustStore + ": " + added.error().message);
                options.anchors = &*anchors;
                options.trustStoreName = trustStore;
            }
            std::optional<authenticode::CatalogIndex> catalogs;
            if (!catalogsDirectory.empty()) {
                catalogs.emplace();
                authenticode::VerifyOptions verify;
                verify.anchors = options.anchors;
                if (auto added = catalogs->addDirectory(catalogsDirectory, verify); !added)
                    throw std::runtime_error("catalogs " + catalogsDirectory + ": " + added.error().message);
                options.catalogs = &*catalogs;
                options.catalogsName = catalogsDirectory;
            }
            auto result = triage(options);
            if (cancel.cancelled())
                outcome.error = QStringLiteral("Triage of %1 cancelled").arg(toQString(options.root));
            else if (!result)
                outcome.error = toQString(result.error().message);
            else
                outcome.result = std::make_shared<const wintriage::TriageResult>(std::move(*result));
        } catch (const std::exception &error) {
            outcome.error = QStringLiteral("Triage of %1 failed: ").arg(toQString(options.root)) + QString::fromUtf8(error.what());
        } catch (...) {
            outcome.error = QStringLiteral("Triage failed with an unknown error");
        }
        QMetaObject::invokeMethod(this, [this, generation, outcome] { deliver(generation, outcome); }, Qt::QueuedConnection);
    });
    return generation;
}

void WindowsTriageController::cancel()
{
    m_cancel.cancel();
}

void WindowsTriageController::deliver(quint64 generation, const Outcome &outcome)
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
