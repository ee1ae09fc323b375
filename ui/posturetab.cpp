#include "posturetab.h"

#include "posture/audit_rules.h"
#include "posture/posture_export.h"
#include "posturecontroller.h"
#include "posturemodels.h"
#include "qtstrings.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QFileInfo>
#include <QMainWindow>
#include <QSaveFile>
#include <QStatusBar>
#include <QSplitter>
#include <QSysInfo>
#include <QTextBrowser>
#include <QTreeView>
#include <QVBoxLayout>

namespace loadlens::ui {

namespace {

bool saveText(QWidget *parent, const QString &fileName, const QString &text)
{
    QSaveFile file(fileName);
    const QByteArray bytes = text.toUtf8();
    if (file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size() && file.commit())
        return true;
    QMessageBox::warning(parent, QStringLiteral("LoadLens"), QStringLiteral("Cannot write %1: %2").arg(fileName, file.errorString()));
    return false;
}

} // namespace

PostureTab::PostureTab(QWidget *parent)
    : QWidget(parent)
    , m_controller(new PostureController(this))
    , m_model(new PostureCheckModel(this))
{
    m_run = new QPushButton(QStringLiteral("Run checks"));
    m_exportHtml = new QPushButton(QStringLiteral("Export HTML\u2026"));
    m_auditRules = new QPushButton(QStringLiteral("Emit auditd rules\u2026"));
    m_exportHtml->setEnabled(false);
    m_auditRules->setEnabled(false);
    connect(m_run, &QPushButton::clicked, this, &PostureTab::runChecks);
    connect(m_exportHtml, &QPushButton::clicked, this, &PostureTab::exportHtml);
    connect(m_auditRules, &QPushButton::clicked, this, &PostureTab::saveAuditRules);
    m_summary = new QLabel(QStringLiteral("M1044 posture of this host: press Run checks"));
    auto *bar = new QHBoxLayout;
    bar->addWidget(m_summary, 1);
    bar->addWidget(m_run);
    bar->addWidget(m_exportHtml);
    bar->addWidget(m_auditRules);

    m_view = new QTreeView;
    m_view->setModel(m_model);
    m_view->setRootIsDecorated(false);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->header()->setStretchLastSection(false);
    m_view->setColumnWidth(PostureCheckModel::StatusColumn, 90);
    m_view->setColumnWidth(PostureCheckModel::MeasureColumn, 220);
    m_view->setColumnWidth(PostureCheckModel::TitleColumn, 230);
    m_view->header()->setSectionResizeMode(PostureCheckModel::EvidenceColumn, QHeaderView::Stretch);
    m_view->setColumnWidth(PostureCheckModel::RemediationColumn, 300);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &PostureTab::updateDetails);

    m_details = new QTextBrowser;
    m_details->setOpenLinks(false);
    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_view);
    split->addWidget(m_details);
    split->setSizes({460, 300});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(split, 1);

    connect(m_controller, &PostureController::finished, this,
            [this](quint64, std::shared_ptr<const posture::PostureReport> report) { showReport(std::move(report)); });
    connect(m_controller, &PostureController::failed, this, [this](quint64, const QString &message) {
        m_summary->setText(message);
        m_run->setEnabled(true);
        emit settled();
    });
}

PostureTab::~PostureTab() = default;

void PostureTab::runChecks()
{
    m_run->setEnabled(false);
    m_summary->setText(m_scan ? QStringLiteral("Checking, with the last live scan\u2026")
                              : QStringLiteral("Checking (no live scan yet: the process checks will say unknown)\u2026"));
    m_controller->start(m_options, m_scan);
}

void PostureTab::showReport(std::shared_ptr<const posture::PostureReport> report)
{
    m_report = std::move(report);
    m_model->setReport(*m_report);
    int counts[4] = {0, 0, 0, 0};
    for (const auto &check : m_report->checks)
        ++counts[static_cast<int>(check.status)];
    m_summary->setText(QStringLiteral("<b>M1044 posture</b>: %1 fail, %2 unknown, %3 pass%4 \u2014 %5 path(s) without an audit watch")
                           .arg(counts[static_cast<int>(posture::Status::Fail)])
                           .arg(counts[static_cast<int>(posture::Status::Unknown)])
                           .arg(counts[static_cast<int>(posture::Status::Pass)])
                           .arg(m_scan ? QString() : QStringLiteral(" (without a live scan)"))
                           .arg(m_report->auditGaps.size()));
    m_run->setEnabled(true);
    m_exportHtml->setEnabled(true);
    m_auditRules->setEnabled(!m_report->auditGaps.empty());
    if (m_model->rowCount() > 0)
        m_view->setCurrentIndex(m_model->index(0, 0));
    emit settled();
}

void PostureTab::updateDetails()
{
    const posture::PostureCheck *check = m_model->checkAt(m_view->currentIndex().row());
    if (!check) {
        m_details->clear();
        return;
    }
    const auto esc = [](const std::string &text) { return toQString(text).toHtmlEscaped(); };
    QString html = QStringLiteral("<h3 style=\"margin-bottom:2px;\"><span style=\"color:%1;\">%2</span> %3</h3>")
                       .arg(postureStatusColor(check->status).name(), postureStatusText(check->status).toUpper(), esc(check->title));
    html += QStringLiteral("<p><b>M1044 measure:</b> %1</p><p><b>Evidence</b></p><ul>").arg(esc(check->measure));
    for (const auto &observation : check->evidence)
        html += QStringLiteral("<li><span style=\"color:%1;\">%2</span>: %3</li>")
                    .arg(postureStatusColor(observation.status).name(), postureStatusText(observation.status), esc(observation.text));
    html += QStringLiteral("</ul><p><b>Remediation:</b> %1</p>").arg(esc(check->remediation));
    m_details->setHtml(html);
}

QString PostureTab::reportHtml() const
{
    return m_report ? toQString(posture::renderPostureHtml(*m_report, toStdString(QSysInfo::machineHostName()))) : QString();
}

QString PostureTab::auditdRules() const
{
    return m_report ? toQString(posture::emitAuditdRules(m_report->auditGaps)) : QString();
}

void PostureTab::exportHtml()
{
    if (!m_report)
        return;
    const QString file = QFileDialog::getSaveFileName(this, QStringLiteral("Export posture report"),
                                                      QStringLiteral("loadlens-posture.html"), QStringLiteral("HTML (*.html)"));
    if (!file.isEmpty())
        saveReportHtml(file);
}

void PostureTab::saveAuditRules()
{
    if (!m_report)
        return;
    const QString file = QFileDialog::getSaveFileName(this, QStringLiteral("Save auditd rules"),
                                                      QStringLiteral("50-loadlens.rules"), QStringLiteral("audit rules (*.rules)"));
    if (!file.isEmpty())
        saveAuditRulesTo(file);
}

bool PostureTab::saveReportHtml(const QString &fileName)
{
    return m_report && save(fileName, reportHtml(), QStringLiteral("the posture report"));
}

bool PostureTab::saveAuditRulesTo(const QString &fileName)
{
    return m_report && save(fileName, auditdRules(), QStringLiteral("the auditd rules"));
}

bool PostureTab::save(const QString &fileName, const QString &text, const QString &what)
{
    if (!saveText(this, fileName, text))
        return false;
    const QString message = QStringLiteral("Saved %1 to %2").arg(what, QFileInfo(fileName).absoluteFilePath());
    // The main window's status bar when there is one; the tab's summary otherwise.
    if (auto *main = qobject_cast<QMainWindow *>(window()); main && main->statusBar())
        main->statusBar()->showMessage(message, 15000);
    else
        m_summary->setToolTip(message);
    emit saved(fileName, message);
    return true;
}

} // namespace loadlens::ui
