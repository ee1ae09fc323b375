#include "lab/labtab.h"

#include "lab/labscenariomodel.h"
#include "qtstrings.h"

#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTextBrowser>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace loadlens::ui {

namespace {

QString escaped(const std::string &text) { return toQString(text).toHtmlEscaped(); }

} // namespace

LabTab::LabTab(QWidget *parent)
    : QWidget(parent)
    , m_model(new LabScenarioModel(this))
{
    lab::LabOptions options;
    options.ownedByCaller = true;
    m_runner = std::make_shared<lab::Runner>(options);

    m_view = new QTreeView;
    m_view->setModel(m_model);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->header()->setSectionResizeMode(LabScenarioModel::TitleColumn, QHeaderView::Stretch);
    m_view->header()->setStretchLastSection(false);
    m_details = new QTextBrowser;
    m_details->setOpenLinks(false);

    m_start = new QPushButton(QStringLiteral("&Start"));
    m_mitigate = new QPushButton(QStringLiteral("Apply the &mitigation"));
    m_stop = new QPushButton(QStringLiteral("S&top"));
    m_stopAll = new QPushButton(QStringLiteral("Stop &all"));
    m_copy = new QPushButton(QStringLiteral("&Copy commands"));
    m_status = new QLabel;
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *buttons = new QHBoxLayout;
    for (auto *b : {m_start, m_mitigate, m_stop, m_stopAll, m_copy})
        buttons->addWidget(b);
    buttons->addStretch(1);

    auto *right = new QWidget;
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_details, 1);
    rightLayout->addLayout(buttons);
    rightLayout->addWidget(m_status);

    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(m_view);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter);

    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        updateDetails();
        updateButtons();
    });
    connect(m_start, &QPushButton::clicked, this, &LabTab::startSelected);
    connect(m_mitigate, &QPushButton::clicked, this, &LabTab::mitigateSelected);
    connect(m_stop, &QPushButton::clicked, this, &LabTab::stopSelected);
    connect(m_stopAll, &QPushButton::clicked, this, &LabTab::stopAll);
    connect(m_copy, &QPushButton::clicked, this, &LabTab::copyCommands);
    connect(&m_watcher, &QFutureWatcher<Outcome>::finished, this, &LabTab::onFinished);

    refreshStatus();
    selectScenario(m_model->nameAt(0));
}

LabTab::~LabTab()
{
    m_watcher.waitForFinished();
    // What this window started does not outlive it.
    for (const QString &name : std::as_const(m_startedHere))
        (void)m_runner->stop(toStdString(name));
}

QString LabTab::selectedScenario() const { return m_model->nameAt(m_view->currentIndex().row()); }

bool LabTab::selectScenario(const QString &name)
{
    for (int row = 0; row < m_model->rowCount(); ++row)
        if (m_model->nameAt(row) == name) {
            m_view->setCurrentIndex(m_model->index(row, 0));
            return true;
        }
    return false;
}

QString LabTab::flaggedModuleOf(const QString &name) const
{
    const auto *s = lab::findScenario(toStdString(name));
    if (!s || s->expected.empty())
        return {};
    const std::string &module = s->expected.back().module;
    return toQString(module[0] == '/' ? module : m_runner->labDirectory() + "/" + s->name + "/" + module);
}

bool LabTab::busy() const { return m_watcher.isRunning(); }

QString LabTab::statusText() const { return m_status->text(); }

void LabTab::startSelected() { run(Action::Start, selectedScenario()); }
void LabTab::mitigateSelected() { run(Action::Mitigate, selectedScenario()); }
void LabTab::stopSelected() { run(Action::Stop, selectedScenario()); }
void LabTab::stopAll() { run(Action::StopAll, QString()); }

void LabTab::copyCommands()
{
    const auto *s = lab::findScenario(toStdString(selectedScenario()));
    if (!s)
        return;
    const auto bin = lab::labBinaryDirectory();
    QStringList lines;
    for (const auto &c : s->commands)
        lines << toQString(lab::substitute(c, m_runner->labDirectory() + "/" + s->name, bin ? *bin : std::string("$BIN")));
    QApplication::clipboard()->setText(lines.join(QLatin1Char('\n')) + QLatin1Char('\n'));
    m_status->setText(QStringLiteral("Commands of %1 copied.").arg(selectedScenario()));
}

void LabTab::run(Action action, const QString &name)
{
    if (busy() || (action != Action::StopAll && name.isEmpty()))
        return;
    m_status->setText(action == Action::Start      ? QStringLiteral("Starting %1…").arg(name)
                      : action == Action::Mitigate ? QStringLiteral("Applying the mitigation of %1…").arg(name)
                                                   : QStringLiteral("Stopping…"));
    const std::string scenario = toStdString(name);
    auto runner = m_runner;
    m_watcher.setFuture(QtConcurrent::run([runner, action, name, scenario]() -> Outcome {
        Outcome out{action, name, 0, {}};
        if (action == Action::Start || action == Action::Mitigate) {
            auto r = action == Action::Start ? runner->start(scenario) : runner->mitigate(scenario);
            if (r)
                out.pid = r->pid;
            else
                out.error = toQString(r.error().message);
        } else {
            const Status s = action == Action::Stop ? runner->stop(scenario) : runner->stopAll();
            if (!s)
                out.error = toQString(s.error().message);
        }
        return out;
    }));
    updateButtons();
}

void LabTab::onFinished()
{
    const Outcome out = m_watcher.result();
    refreshStatus();
    updateButtons();
    if (!out.error.isEmpty()) {
        m_status->setText(out.error);
        emit failed(out.error);
        return;
    }
    switch (out.action) {
    case Action::Start:
    case Action::Mitigate:
        if (!m_startedHere.contains(out.name))
            m_startedHere << out.name;
        m_status->setText(out.action == Action::Start
                              ? QStringLiteral("%1 runs as pid %2; the live view shows it.").arg(out.name).arg(out.pid)
                              : QStringLiteral("Mitigation applied; the attack ran again as pid %1.").arg(out.pid));
        emit scenarioStarted(out.name, out.pid);
        break;
    case Action::Stop:
        m_startedHere.removeAll(out.name);
        m_status->setText(QStringLiteral("%1 stopped; its files are removed.").arg(out.name));
        emit scenarioStopped(out.name);
        break;
    case Action::StopAll:
        m_startedHere.clear();
        m_status->setText(QStringLiteral("Every scenario stopped; the lab directory is removed."));
        emit scenarioStopped(QString());
        break;
    }
}

void LabTab::refreshStatus()
{
    QHash<QString, int> running;
    if (auto r = m_runner->status())
        for (const auto &i : *r)
            running.insert(toQString(i.scenario), i.pid);
    m_model->setRunning(running);
}

void LabTab::updateButtons()
{
    const QString name = selectedScenario();
    const auto *s = lab::findScenario(toStdString(name));
    const bool running = m_model->data(m_view->currentIndex().siblingAtColumn(0), LabScenarioModel::PidRole).toInt() > 0;
    const bool idle = !busy();
    m_start->setEnabled(idle && s && !running);
    m_mitigate->setEnabled(idle && s && running && !s->mitigationCommands.empty());
    m_stop->setEnabled(idle && s && running);
    m_stopAll->setEnabled(idle);
    m_copy->setEnabled(s != nullptr);
}

void LabTab::updateDetails()
{
    const auto *s = lab::findScenario(toStdString(selectedScenario()));
    if (!s) {
        m_details->clear();
        return;
    }
    const std::string dir = m_runner->labDirectory() + "/" + s->name;
    const auto bin = lab::labBinaryDirectory();
    const std::string binDir = bin ? *bin : std::string("$BIN");
    QString html = QStringLiteral("<h3>%1</h3><p>%2</p>").arg(escaped(s->title), escaped(s->story));
    html += QStringLiteral("<p><b>Technique:</b> %1<br><b>Prevented by:</b> %2</p>").arg(escaped(s->technique), escaped(s->measure));
    html += QStringLiteral("<p><b>Commands</b></p><pre>");
    for (const auto &c : s->commands)
        html += escaped(lab::substitute(c, dir, binDir)) + QLatin1Char('\n');
    html += QStringLiteral("</pre><p><b>Verdicts LoadLens raises</b></p><ul>");
    for (const auto &e : s->expected) {
        QStringList codes;
        for (const auto &r : e.reasons)
            codes << toQString(r);
        html += QStringLiteral("<li><tt>%1</tt>: %2</li>")
                    .arg(escaped(e.module[0] == '/' ? e.module : dir + "/" + e.module), codes.join(QStringLiteral(", ")));
    }
    html += QStringLiteral("</ul><p><b>Mitigation:</b> %1</p>").arg(escaped(s->mitigation));
    if (s->mitigationCommands.empty()) {
        html += QStringLiteral("<p><i>The lab cannot apply this one safely by itself.</i></p>");
    } else {
        html += QStringLiteral("<p><b>Apply the mitigation</b> runs, then starts the attack again:</p><pre>");
        for (const auto &c : s->mitigationCommands)
            html += escaped(lab::substitute(c, dir, binDir)) + QLatin1Char('\n');
        html += QStringLiteral("</pre>");
    }
    m_details->setHtml(html);
}

} // namespace loadlens::ui
