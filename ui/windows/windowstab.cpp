#include "windows/windowstab.h"

#include "formatting.h"
#include "qtstrings.h"
#include "tableviews.h"
#include "verdictdetails.h"
#include "windows/windowsdetails.h"
#include "windows/windowsmodels.h"
#include "windows/windowstriagecontroller.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QSettings>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTreeView>
#include <QVBoxLayout>

namespace loadlens::ui {

namespace {

QSortFilterProxyModel *makeProxy(QAbstractItemModel *source, QObject *parent)
{
    auto *proxy = new QSortFilterProxyModel(parent);
    proxy->setSourceModel(source);
    proxy->setSortRole(WindowsTableModel::SortRole);
    proxy->setFilterKeyColumn(-1);  // any column
    proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    return proxy;
}

QLineEdit *makeFilter(const QString &placeholder, QSortFilterProxyModel *proxy)
{
    auto *filter = new QLineEdit;
    filter->setPlaceholderText(placeholder);
    filter->setClearButtonEnabled(true);
    QObject::connect(filter, &QLineEdit::textChanged, proxy, &QSortFilterProxyModel::setFilterFixedString);
    return filter;
}

QWidget *titled(const QString &title, QWidget *filter, QWidget *view, QLabel **titleLabel = nullptr)
{
    auto *box = new QWidget;
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto *bar = new QHBoxLayout;
    auto *label = new QLabel(title);
    bar->addWidget(label, filter ? 0 : 1);
    if (filter)
        bar->addWidget(filter, 1);
    layout->addLayout(bar);
    layout->addWidget(view, 1);
    if (titleLabel)
        *titleLabel = label;
    return box;
}

const QString kTrustStoreKey = QStringLiteral("windows/trustStore");
const QString kCatalogsKey = QStringLiteral("windows/catalogs");

QString esc(const std::string &text)
{
    return toQString(text).toHtmlEscaped();
}

} // namespace

WindowsTab::WindowsTab(QWidget *parent)
    : QWidget(parent)
    , m_controller(new WindowsTriageController(this))
    , m_postureModel(new WindowsPostureModel(this))
    , m_findingModel(new WindowsFindingModel(this))
    , m_executableModel(new WindowsExecutableModel(this))
    , m_resolutionModel(new WindowsResolutionModel(this))
    , m_findingProxy(makeProxy(m_findingModel, this))
    , m_executableProxy(makeProxy(m_executableModel, this))
{
    m_open = new QPushButton(QStringLiteral("Open Windows image\u2026"));
    m_open->setToolTip(QStringLiteral("A mounted Windows volume, a triage collection of one, or a Wine prefix"));
    connect(m_open, &QPushButton::clicked, this, &WindowsTab::openImageDialog);
    m_cancel = new QPushButton(QStringLiteral("Cancel"));
    m_cancel->setEnabled(false);
    connect(m_cancel, &QPushButton::clicked, this, &WindowsTab::cancel);
    m_progress = new QProgressBar;
    m_progress->setRange(0, 0);  // busy: the number of executables is not known in advance
    m_progress->setMaximumWidth(160);
    m_progress->setVisible(false);
    m_summary = new QLabel;
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setWordWrap(true);
    auto *bar = new QHBoxLayout;
    bar->addWidget(m_summary, 1);
    bar->addWidget(m_progress);
    bar->addWidget(m_cancel);
    bar->addWidget(m_open);
    QWidget *signatureBar = makeSignatureBar();
    m_problems = new QLabel;
    m_problems->setWordWrap(true);
    m_problems->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problems->setVisible(false);

    m_postureView = makeTableView(m_postureModel);
    m_postureView->header()->setStretchLastSection(false);
    m_postureView->setColumnWidth(WindowsPostureModel::StatusColumn, 90);
    m_postureView->setColumnWidth(WindowsPostureModel::TitleColumn, 290);
    m_postureView->header()->setSectionResizeMode(WindowsPostureModel::EvidenceColumn, QHeaderView::Stretch);
    m_postureView->setColumnWidth(WindowsPostureModel::RemediationColumn, 220);

    m_findingView = makeTableView(m_findingProxy);
    m_findingView->setSortingEnabled(true);
    m_findingView->sortByColumn(WindowsFindingModel::LevelColumn, Qt::DescendingOrder);
    m_findingView->setColumnWidth(WindowsFindingModel::LevelColumn, 90);
    m_findingView->setColumnWidth(WindowsFindingModel::CodeColumn, 125);
    m_findingView->setColumnWidth(WindowsFindingModel::ExecutableColumn, 260);
    m_findingView->setColumnWidth(WindowsFindingModel::DllColumn, 115);
    m_findingFilter = makeFilter(QStringLiteral("Filter findings"), m_findingProxy);

    m_executableView = makeTableView(m_executableProxy);
    m_executableView->setSortingEnabled(true);
    m_executableView->sortByColumn(WindowsExecutableModel::WorstColumn, Qt::DescendingOrder);
    m_executableView->header()->setStretchLastSection(false);
    m_executableView->header()->setSectionResizeMode(WindowsExecutableModel::PathColumn, QHeaderView::Stretch);
    m_executableView->setColumnWidth(WindowsExecutableModel::BitsColumn, 50);
    m_executableView->setColumnWidth(WindowsExecutableModel::SignatureColumn, 200);
    m_executableView->setColumnWidth(WindowsExecutableModel::SignerColumn, 170);
    m_executableView->setColumnWidth(WindowsExecutableModel::DllsColumn, 50);
    m_executableView->setColumnWidth(WindowsExecutableModel::WorstColumn, 110);
    m_executableFilter = makeFilter(QStringLiteral("Filter executables"), m_executableProxy);

    m_resolutionView = makeTableView(m_resolutionModel);
    m_resolutionView->setColumnWidth(WindowsResolutionModel::DllColumn, 170);
    m_resolutionView->setColumnWidth(WindowsResolutionModel::DelayedColumn, 65);
    m_resolutionView->setColumnWidth(WindowsResolutionModel::HowColumn, 160);
    m_resolutionView->setColumnWidth(WindowsResolutionModel::PathColumn, 330);

    m_details = new VerdictDetailsView;

    auto *tables = new QSplitter(Qt::Vertical);
    tables->addWidget(titled(QStringLiteral("<b>M1044 posture</b>"), nullptr, m_postureView));
    tables->addWidget(titled(QStringLiteral("<b>Findings</b>"), m_findingFilter, m_findingView));
    tables->addWidget(titled(QStringLiteral("<b>Executables</b>"), m_executableFilter, m_executableView));
    tables->addWidget(titled(QStringLiteral("<b>DLL resolution</b>"), nullptr, m_resolutionView, &m_resolutionTitle));
    tables->setSizes({175, 220, 180, 190});
    auto *split = new QSplitter(Qt::Horizontal);
    split->addWidget(tables);
    split->addWidget(m_details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    split->setSizes({900, 360});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(signatureBar);
    layout->addWidget(m_problems);
    layout->addWidget(split, 1);

    connect(m_findingView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { showFinding(current); });
    connect(m_executableView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { showExecutable(current); });
    connect(m_postureView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { showPostureCheck(current); });
    for (QSortFilterProxyModel *proxy : {m_findingProxy, m_executableProxy}) {
        connect(proxy, &QAbstractItemModel::rowsInserted, this, &WindowsTab::statusChanged);
        connect(proxy, &QAbstractItemModel::rowsRemoved, this, &WindowsTab::statusChanged);
        connect(proxy, &QAbstractItemModel::modelReset, this, &WindowsTab::statusChanged);
        connect(proxy, &QAbstractItemModel::layoutChanged, this, &WindowsTab::statusChanged);
    }

    connect(m_controller, &WindowsTriageController::started, this, [this](quint64, const QString &root) { onStarted(root); });
    connect(m_controller, &WindowsTriageController::progress, this, [this](quint64, qint64 executables, const QString &path) {
        m_summary->setText(QStringLiteral("Reading %1: %2 \u2014 %3")
                               .arg(m_root, countText(executables, QStringLiteral("executable"), QStringLiteral("executables")), path));
    });
    connect(m_controller, &WindowsTriageController::finished, this,
            [this](quint64, std::shared_ptr<const wintriage::TriageResult> result) { onFinished(std::move(result)); });
    connect(m_controller, &WindowsTriageController::failed, this, [this](quint64, const QString &message) { onFailed(message); });

    m_summary->setText(QStringLiteral("No Windows image open: File > Open Windows image\u2026 reads a mounted volume, "
                                      "a triage collection or a Wine prefix; nothing in it is run."));
    showPlaceholder();
}

WindowsTab::~WindowsTab() = default;

QWidget *WindowsTab::makeSignatureBar()
{
    auto *box = new QWidget;
    auto *row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    const QSettings settings;
    m_trustStore = new QLineEdit(settings.value(kTrustStoreKey).toString());
    m_trustStore->setPlaceholderText(QStringLiteral("no trust store: signature chains unknown"));
    m_trustStore->setToolTip(QStringLiteral("PEM or DER certificates (a file or a directory of them) that anchor "
                                            "Authenticode chains; without them a good signature is "
                                            "\u201csignature valid, chain unknown\u201d"));
    m_trustStore->setClearButtonEnabled(true);
    connect(m_trustStore, &QLineEdit::editingFinished, this, [this] { setTrustStore(m_trustStore->text()); });
    auto *chooseTrust = new QPushButton(QStringLiteral("Choose\u2026"));
    connect(chooseTrust, &QPushButton::clicked, this, &WindowsTab::chooseTrustStore);
    m_catalogs = new QLineEdit(settings.value(kCatalogsKey).toString());
    m_catalogs->setPlaceholderText(QStringLiteral("the image's own Windows\\System32\\CatRoot only"));
    m_catalogs->setToolTip(QStringLiteral("A CatRoot tree collected apart from the image: files its security catalogs list "
                                          "count as signed. The image's own CatRoot is read in any case."));
    m_catalogs->setClearButtonEnabled(true);
    connect(m_catalogs, &QLineEdit::editingFinished, this, [this] { setCatalogsDirectory(m_catalogs->text()); });
    auto *chooseCatalogs = new QPushButton(QStringLiteral("Choose\u2026"));
    connect(chooseCatalogs, &QPushButton::clicked, this, &WindowsTab::chooseCatalogsDirectory);
    row->addWidget(new QLabel(QStringLiteral("Trust store:")));
    row->addWidget(m_trustStore, 2);
    row->addWidget(chooseTrust);
    row->addSpacing(12);
    row->addWidget(new QLabel(QStringLiteral("Catalogs:")));
    row->addWidget(m_catalogs, 1);
    row->addWidget(chooseCatalogs);
    return box;
}

QString WindowsTab::trustStore() const
{
    return m_trustStore->text().trimmed();
}

QString WindowsTab::catalogsDirectory() const
{
    return m_catalogs->text().trimmed();
}

void WindowsTab::setTrustStore(const QString &path)
{
    if (m_trustStore->text() != path)
        m_trustStore->setText(path);
    QSettings().setValue(kTrustStoreKey, path.trimmed());
}

void WindowsTab::setCatalogsDirectory(const QString &directory)
{
    if (m_catalogs->text() != directory)
        m_catalogs->setText(directory);
    QSettings().setValue(kCatalogsKey, directory.trimmed());
}

void WindowsTab::chooseTrustStore()
{
    const QString file = QFileDialog::getOpenFileName(
        this, QStringLiteral("Trust store: certificates that anchor signature chains"), trustStore(),
        QStringLiteral("Certificates (*.pem *.crt *.cer *.der);;All files (*)"));
    if (!file.isEmpty())
        setTrustStore(file);
}

void WindowsTab::chooseCatalogsDirectory()
{
    const QString dir = QFileDialog::getExistingDirectory(
        this, QStringLiteral("Catalogs: a collected CatRoot tree"), catalogsDirectory());
    if (!dir.isEmpty())
        setCatalogsDirectory(dir);
}

void WindowsTab::showPlaceholder()
{
    m_details->showDetailsHtml(QStringLiteral("<p><i>Select a finding, an executable or a posture check to see why.</i></p>"));
}

bool WindowsTab::isRunning() const
{
    return m_controller->isRunning();
}

void WindowsTab::openImageDialog()
{
    const QString dir = QFileDialog::getExistingDirectory(
        this, QStringLiteral("Open Windows image (volume root, triage collection or Wine prefix)"), m_root);
    if (!dir.isEmpty())
        openImage(dir);
}

void WindowsTab::openImage(const QString &root)
{
    wintriage::TriageOptions options;
    options.root = toStdString(root);
    m_controller->start(std::move(options),
                        WindowsTriageController::Sources{m_hijackLibsDirectory, trustStore(), catalogsDirectory()});
}

void WindowsTab::cancel()
{
    m_cancelRequested = m_controller->isRunning();
    m_controller->cancel();
}

void WindowsTab::setBusy(bool busy)
{
    m_progress->setVisible(busy);
    m_cancel->setEnabled(busy);
}

void WindowsTab::clearResult()
{
    m_result.reset();
    m_postureModel->setChecks({});
    m_findingModel->setFindings({});
    m_executableModel->setExecutables({}, {});
    m_resolutionModel->setResolutions({});
    m_resolutionTitle->setText(QStringLiteral("<b>DLL resolution</b>"));
    m_problems->clear();
    m_problems->setVisible(false);
    showPlaceholder();
}

void WindowsTab::onStarted(const QString &root)
{
    // The previous image's rows go at once: they must not be read as this one's.
    clearResult();
    m_root = root;
    m_message.clear();
    m_cancelRequested = false;
    setBusy(true);
    m_summary->setText(QStringLiteral("Reading %1: the registry, then every executable\u2026").arg(root));
    emit statusChanged();
}

void WindowsTab::onFinished(std::shared_ptr<const wintriage::TriageResult> result)
{
    setBusy(false);
    m_result = std::move(result);
    const auto &r = *m_result;
    m_postureModel->setChecks(r.posture);
    m_findingModel->setFindings(r.findings);
    m_executableModel->setExecutables(r.executables, r.findings);
    m_summary->setText(summaryText());
    QStringList problems;
    for (const auto &missing : r.settings.missing)
        problems << QStringLiteral("not available: ") + toQString(missing).toHtmlEscaped();
    for (const auto &problem : r.problems)
        problems << QStringLiteral("stepped over: ") + toQString(problem).toHtmlEscaped();
    if (!problems.isEmpty()) {
        m_problems->setText(QStringLiteral("<span style=\"color:#8a4b00;\">\u26a0 %1</span>")
                                .arg(problems.join(QStringLiteral("<br>\u26a0 "))));
        m_problems->setVisible(true);
    }
    for (QTreeView *view : {m_postureView, m_findingView, m_executableView})
        view->scrollToTop();
    if (!selectFirstFinding() && m_executableProxy->rowCount() > 0)
        m_executableView->setCurrentIndex(m_executableProxy->index(0, 0));
    emit statusChanged();
    emit settled();
}

void WindowsTab::onFailed(const QString &message)
{
    setBusy(false);
    clearResult();
    m_message = message;
    if (m_cancelRequested)
        m_summary->setText(message.toHtmlEscaped() + QStringLiteral(": nothing is shown (File > Open Windows image to start again)"));
    else
        m_summary->setText(QStringLiteral("<span style=\"color:#b00020;\">Could not read the Windows image: %1</span>")
                               .arg(message.toHtmlEscaped()));
    emit statusChanged();
    emit settled();
}

QString WindowsTab::summaryText() const
{
    const auto &r = *m_result;
    const QString separator = QStringLiteral(" \u00b7 ");
    QString text = QStringLiteral("<b>%1</b> (%2)").arg(toQString(r.root).toHtmlEscaped(), toQString(r.layout));
    if (!r.settings.computerName.empty())
        text += separator + QStringLiteral("computer %1").arg(esc(r.settings.computerName));
    text += separator + esc(wintriage::trustStoreText(r));
    if (!r.catalogs.empty())
        text += separator + QStringLiteral("catalogs: %1").arg(esc(r.catalogs));
    text += separator + countText(static_cast<qsizetype>(r.executablesSeen), QStringLiteral("executable seen"),
                                  QStringLiteral("executables seen"));
    if (r.truncated)
        text += separator + QStringLiteral("<b>truncated</b> at %1 executables").arg(r.executables.size());
    int byLevel[5] = {0, 0, 0, 0, 0};
    for (const auto &finding : r.findings)
        ++byLevel[static_cast<int>(windowsFindingLevel(finding))];
    text += separator + countText(static_cast<qsizetype>(r.findings.size()), QStringLiteral("finding"), QStringLiteral("findings"));
    if (!r.findings.empty())
        text += QStringLiteral(" (%1 high, %2 medium, %3 low, %4 info)")
                    .arg(byLevel[static_cast<int>(Level::High)])
                    .arg(byLevel[static_cast<int>(Level::Medium)])
                    .arg(byLevel[static_cast<int>(Level::Low)])
                    .arg(byLevel[static_cast<int>(Level::Info)]);
    return text;
}

QString WindowsTab::statusText() const
{
    if (m_controller->isRunning())
        return QStringLiteral("Windows: reading %1\u2026").arg(m_root);
    if (!m_message.isEmpty())
        return QStringLiteral("Windows: ") + m_message;
    if (!m_result)
        return QStringLiteral("Windows: no image open (File > Open Windows image)");
    return QStringLiteral("Windows image %1: ").arg(toQString(m_result->root)) +
           shownText(m_findingProxy->rowCount(), m_findingModel->rowCount(), QStringLiteral("finding"),
                     QStringLiteral("findings")) +
           QStringLiteral(", ") +
           shownText(m_executableProxy->rowCount(), m_executableModel->rowCount(), QStringLiteral("executable"),
                     QStringLiteral("executables"));
}

bool WindowsTab::selectFirstFinding()
{
    if (m_findingProxy->rowCount() == 0)
        return false;
    m_findingView->setCurrentIndex(m_findingProxy->index(0, 0));
    return true;
}

void WindowsTab::showResolutionOf(const std::string &executablePath, const std::string &dll)
{
    const int row = m_executableModel->rowOf(executablePath);
    const wintriage::Executable *exe = m_executableModel->executableAt(row);
    m_resolutionModel->setResolutions(exe ? exe->dlls : std::vector<wintriage::DllResolution>{});
    m_resolutionTitle->setText(exe ? QStringLiteral("<b>DLL resolution</b> of %1 (%2)")
                                         .arg(esc(exe->path), countText(static_cast<qsizetype>(exe->dlls.size()),
                                                                        QStringLiteral("DLL"), QStringLiteral("DLLs")))
                                   : QStringLiteral("<b>DLL resolution</b>"));
    const int dllRow = dll.empty() ? -1 : m_resolutionModel->rowOf(dll);
    if (dllRow >= 0) {
        m_resolutionView->setCurrentIndex(m_resolutionModel->index(dllRow, 0));
        m_resolutionView->scrollTo(m_resolutionModel->index(dllRow, 0));
    }
}

void WindowsTab::showFinding(const QModelIndex &proxyIndex)
{
    const wintriage::Finding *finding = m_findingModel->findingAt(m_findingProxy->mapToSource(proxyIndex).row());
    if (!finding)
        return;
    m_details->showDetailsHtml(windowsFindingDetailsHtml(*finding, m_result ? toQString(m_result->root) : QString()));
    // Its executable's imports, with the DLL it is about selected.
    showResolutionOf(finding->executable, finding->dll);
}

void WindowsTab::showExecutable(const QModelIndex &proxyIndex)
{
    const wintriage::Executable *exe = m_executableModel->executableAt(m_executableProxy->mapToSource(proxyIndex).row());
    if (!exe)
        return;
    showResolutionOf(exe->path, {});
    m_details->showDetailsHtml(windowsExecutableDetailsHtml(*exe, m_result ? m_result->findings : std::vector<wintriage::Finding>{}));
}

void WindowsTab::showPostureCheck(const QModelIndex &index)
{
    if (const wintriage::PostureCheck *check = m_postureModel->checkAt(index.row()))
        m_details->showDetailsHtml(windowsPostureDetailsHtml(*check));
}

} // namespace loadlens::ui
