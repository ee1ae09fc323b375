#pragma once
// The Lab tab: the trainer lab's scenarios, each with its story, technique, M1044 measure, the
// commands it runs (copyable) and the verdicts to expect; Start, Apply the mitigation and
// Stop run off the GUI thread. Scenarios started here are owned by this window: closing it
// stops them, and if it crashes the next lab command cleans them up.
#include "common/result.h"
#include "lab/lab_runner.h"

#include <QFutureWatcher>
#include <QWidget>

#include <memory>

class QLabel;
class QPushButton;
class QTextBrowser;
class QTreeView;

namespace loadlens::ui {

class LabScenarioModel;

class LabTab final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LabTab)

public:
    explicit LabTab(QWidget *parent = nullptr);
    ~LabTab() override;

    LabScenarioModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }
    QTextBrowser *details() const { return m_details; }
    QString selectedScenario() const;
    bool selectScenario(const QString &name);
    bool busy() const;
    // The module a scenario is about (its last expected flag), as a path or a path prefix.
    QString flaggedModuleOf(const QString &name) const;
    QString statusText() const;

public slots:
    void startSelected();
    void mitigateSelected();
    void stopSelected();
    void stopAll();
    void copyCommands();

signals:
    // The victim of `name` runs as `pid` (after start or after the mitigation's re-run).
    void scenarioStarted(const QString &name, int pid);
    void scenarioStopped(const QString &name);
    void failed(const QString &message);

private:
    enum class Action { Start, Mitigate, Stop, StopAll };
    void run(Action action, const QString &name);
    void onFinished();
    void updateDetails();
    void updateButtons();
    void refreshStatus();

    std::shared_ptr<lab::Runner> m_runner;
    LabScenarioModel *m_model = nullptr;
    QTreeView *m_view = nullptr;
    QTextBrowser *m_details = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_mitigate = nullptr;
    QPushButton *m_stop = nullptr;
    QPushButton *m_stopAll = nullptr;
    QPushButton *m_copy = nullptr;
    QLabel *m_status = nullptr;
    struct Outcome {
        Action action;
        QString name;
        int pid = 0;
        QString error;
    };
    QFutureWatcher<Outcome> m_watcher;
    QStringList m_startedHere;
};

} // namespace loadlens::ui
