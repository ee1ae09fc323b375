// MainWindow's File menu: the open case, imports into it, table exports and settings.
#include "mainwindow.h"

#include "casestore/case_store.h"
#include "casetab.h"
#include "clickhouse/endpoint.h"
#include "eventstab.h"
#include "importcontroller.h"
#include "importdialog.h"
#include "levelstyle.h"
#include "posturetab.h"
#include "qtstrings.h"
#include "store/case_database.h"
#include "tableexport.h"
#include "windows/windowstab.h"

#include <QAbstractItemView>
#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>

namespace loadlens::ui {

namespace {

const QString kHijackLibsKey = QStringLiteral("import/hijackLibsDir");

QString hijackLibsDir()
{
    return QSettings().value(kHijackLibsKey).toString();
}

} // namespace

QString MainWindow::hijackLibsDirectory()
{
    return hijackLibsDir();
}

void MainWindow::createFileMenu()
{
    m_fileMenu = menuBar()->addMenu(QStringLiteral("&File"));
    QAction *open = m_fileMenu->addAction(QStringLiteral("&Open case\u2026"), this, &MainWindow::openCaseDialog);
    open->setShortcut(QKeySequence::Open);
    QAction *openServer = m_fileMenu->addAction(QStringLiteral("Open &ClickHouse case\u2026"), this,
                                                &MainWindow::openServerCaseDialog);
    openServer->setToolTip(QStringLiteral("A case in a ClickHouse database, for fleets: clickhouse://HOST:PORT/DATABASE"));
    QAction *openWindows = m_fileMenu->addAction(QStringLiteral("Open &Windows image\u2026"), this,
                                                 &MainWindow::openWindowsImageDialog);
    openWindows->setToolTip(QStringLiteral("DLL hijacking triage of a mounted Windows volume, a triage collection or a "
                                           "Wine prefix (nothing in it is run)"));
    QAction *import = m_fileMenu->addAction(QStringLiteral("&Import\u2026"), this, &MainWindow::importDialog);
    import->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    import->setToolTip(QStringLiteral("Snapshot bundles, Sysmon EVTX/XML/JSON and auditd logs"));
    QAction *exportTable = m_fileMenu->addAction(QStringLiteral("&Export current table\u2026"), this, &MainWindow::exportCurrentTable);
    exportTable->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_fileMenu->addSeparator();
    m_fileMenu->addAction(QStringLiteral("&Settings\u2026"), this, &MainWindow::showSettings);
}

QStringList MainWindow::tabNames()
{
    return {QStringLiteral("processes"), QStringLiteral("case"), QStringLiteral("events"), QStringLiteral("posture"),
            QStringLiteral("lab"), QStringLiteral("windows")};
}

bool MainWindow::selectTab(const QString &name)
{
    const auto index = tabNames().indexOf(name.toLower());
    if (index < 0 || index >= m_tabs->count())
        return false;
    m_tabs->setCurrentIndex(static_cast<int>(index));
    return true;
}

Status MainWindow::openCase(const QString &path)
{
    if (casestore::isServerLocation(toStdString(path))) {
        // A server case: the URL is checked (and credentials read) here, without a request;
        // the views' queries reach the server off the GUI thread and show what went wrong.
        auto endpoint = clickhouse::parseUrl(toStdString(path.trimmed()));
        if (!endpoint)
            return endpoint.error();
        const QString location = toQString(endpoint->display());
        m_casePath = location;
        setWindowTitle(location + QStringLiteral(" — LoadLens"));
        setWindowFilePath(QString());
        m_caseTab->setCasePath(location);
        m_eventsTab->setCasePath(location);
        emit caseOpened(location);
        return Ok{};
    }
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QDir().mkpath(QFileInfo(absolute).absolutePath());
    // Opened read-write once here so a new case is created and an old schema migrated; the
    // views then read it through their own read-only connections.
    auto db = store::CaseDatabase::open(toStdString(absolute), store::OpenMode::ReadWrite);
    if (!db)
        return db.error();
    m_casePath = absolute;
    // The title is the case file; the platform appends the application display name once.
    setWindowTitle(QString());
    setWindowFilePath(absolute);
    m_caseTab->setCasePath(absolute);
    m_eventsTab->setCasePath(absolute);
    emit caseOpened(absolute);
    return Ok{};
}

void MainWindow::openCaseDialog()
{
    const QString file = QFileDialog::getSaveFileName(
        this, QStringLiteral("Open or create a case"),
        m_casePath.isEmpty() || m_casePath.contains(QStringLiteral("://")) ? QDir::homePath() : QFileInfo(m_casePath).absolutePath(),
        QStringLiteral("LoadLens case (*.sqlite *.llcase);;All files (*)"), nullptr, QFileDialog::DontConfirmOverwrite);
    if (file.isEmpty())
        return;
    if (auto opened = openCase(file); !opened)
        QMessageBox::warning(this, QStringLiteral("LoadLens"), toQString(opened.error().message));
}

void MainWindow::openServerCaseDialog()
{
    bool accepted = false;
    const QString current = casestore::isServerLocation(toStdString(m_casePath)) ? m_casePath
                                                                                   : QStringLiteral("clickhouse://127.0.0.1:8123/loadlens");
    const QString url = QInputDialog::getText(
        this, QStringLiteral("Open a ClickHouse case"),
        QStringLiteral("Server and database (clickhouse://HOST:PORT/DATABASE, clickhouses:// for TLS).\n"
                       "Credentials: LOADLENS_CLICKHOUSE_USER / _PASSWORD, or ~/.config/loadlens/clickhouse.conf."),
        QLineEdit::Normal, current, &accepted);
    if (!accepted || url.trimmed().isEmpty())
        return;
    if (auto opened = openCase(url.trimmed()); !opened)
        QMessageBox::warning(this, QStringLiteral("LoadLens"), toQString(opened.error().message));
}

ImportDialog *MainWindow::importFiles(const QStringList &files)
{
    if (!m_importController)
        m_importController = new ImportController(this);
    auto *dialog = new ImportDialog(m_importController, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ImportDialog::imported, this, [this] {
        m_caseTab->reload();
        m_eventsTab->reload();
    });
    dialog->show();
    dialog->start(m_casePath, files, hijackLibsDir());
    return dialog;
}

void MainWindow::importDialog()
{
    if (m_casePath.isEmpty())
        return;
    const QStringList files = QFileDialog::getOpenFileNames(
        this, QStringLiteral("Import into %1").arg(QFileInfo(m_casePath).fileName()), QDir::homePath(),
        QStringLiteral("Bundles and logs (*.llbundle *.sqlite *.evtx *.xml *.json *.jsonl *.ndjson *.log);;All files (*)"));
    if (!files.isEmpty())
        importFiles(files);
}

void MainWindow::trackFocus(QWidget *now)
{
    for (QWidget *widget = now; widget; widget = widget->parentWidget()) {
        if (auto *view = qobject_cast<QAbstractItemView *>(widget)) {
            m_lastTableView = view;
            return;
        }
    }
}

QAbstractItemView *MainWindow::exportableView() const
{
    return m_lastTableView.data();
}

Status MainWindow::exportView(const QAbstractItemView *view, const QString &fileName) const
{
    if (!view || !view->model())
        return Error{0, "no table to export: click into a table first"};
    return writeTableFile(tableFromModel(*view->model()), fileName, tableFormatFor(fileName));
}

void MainWindow::exportCurrentTable()
{
    QAbstractItemView *view = exportableView();
    if (!view) {
        QMessageBox::information(this, QStringLiteral("LoadLens"), QStringLiteral("Click into a table first; that table is exported."));
        return;
    }
    QString selectedFilter;
    const QString file = QFileDialog::getSaveFileName(this, QStringLiteral("Export table"), QStringLiteral("loadlens-table.csv"),
                                                      QStringLiteral("CSV (*.csv);;JSON (*.json)"), &selectedFilter);
    if (file.isEmpty())
        return;
    if (auto written = exportView(view, file); !written)
        QMessageBox::warning(this, QStringLiteral("LoadLens"), toQString(written.error().message));
    else
        statusBar()->showMessage(QStringLiteral("Exported %1 rows to %2").arg(exportedRowCount(*view->model())).arg(file), 5000);
}

void MainWindow::showSettings()
{
    QDialog dialog(this);
    dialog.setWindowTitle(QStringLiteral("LoadLens settings"));
    auto *directory = new QLineEdit(hijackLibsDir());
    directory->setPlaceholderText(QStringLiteral("HijackLibs yml/ directory (empty: no HijackLibs checks)"));
    auto *browse = new QPushButton(QStringLiteral("Browse\u2026"));
    connect(browse, &QPushButton::clicked, &dialog, [&dialog, directory] {
        const QString chosen = QFileDialog::getExistingDirectory(&dialog, QStringLiteral("HijackLibs directory"), directory->text());
        if (!chosen.isEmpty())
            directory->setText(chosen);
    });
    auto *row = new QHBoxLayout;
    row->addWidget(directory, 1);
    row->addWidget(browse);
    auto *form = new QFormLayout;
    form->addRow(QStringLiteral("HijackLibs dataset:"), row);
    form->addRow(new QLabel(QStringLiteral("<small>Used when importing Sysmon logs and in the triage of Windows images: DLLs known to "
                                           "be side-loadable are flagged when loaded from an unexpected place (T1574.001).</small>")));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    dialog.setLayout(form);
    dialog.resize(620, 160);
    if (dialog.exec() == QDialog::Accepted) {
        QSettings().setValue(kHijackLibsKey, directory->text().trimmed());
        m_windowsTab->setHijackLibsDirectory(hijackLibsDir());
    }
}

} // namespace loadlens::ui
