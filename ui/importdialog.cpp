#include "importdialog.h"

#include "importcontroller.h"
#include "posturemodels.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTextBrowser>
#include <QTreeView>
#include <QVBoxLayout>

namespace loadlens::ui {

ImportDialog::ImportDialog(ImportController *controller, QWidget *parent)
    : QDialog(parent)
    , m_controller(controller)
    , m_model(new ImportReportModel(this))
{
    setWindowTitle(QStringLiteral("Import into the case"));
    m_status = new QLabel;
    m_status->setWordWrap(true);
    m_progress = new QProgressBar;
    m_cancel = new QPushButton(QStringLiteral("Cancel"));
    m_close = new QPushButton(QStringLiteral("Close"));
    connect(m_cancel, &QPushButton::clicked, m_controller, &ImportController::cancel);
    connect(m_close, &QPushButton::clicked, this, &QDialog::accept);
    m_view = new QTreeView;
    m_view->setModel(m_model);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(ImportReportModel::FileColumn, QHeaderView::Stretch);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &ImportDialog::updateDetails);
    m_details = new QTextBrowser;
    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_view);
    split->addWidget(m_details);

    auto *progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_cancel);
    progressRow->addWidget(m_close);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addLayout(progressRow);
    layout->addWidget(split, 1);
    resize(860, 520);

    connect(m_controller, &ImportController::progress, this,
            [this](quint64 generation, int fileIndex, int files, qint64 done, qint64 total, const QString &step) {
                if (generation != m_generation)
                    return;
                if (total > 0 && total <= std::numeric_limits<int>::max()) {
                    m_progress->setRange(0, static_cast<int>(total));
                    m_progress->setValue(static_cast<int>(std::min(done, total)));
                } else {
                    m_progress->setRange(0, 0);  // the count of records ahead is unknown
                }
                m_status->setText(QStringLiteral("File %1 of %2: %3 (%L4 so far)").arg(fileIndex + 1).arg(files).arg(step).arg(done));
            });
    connect(m_controller, &ImportController::fileImported, this, [this](quint64 generation, const ImportReport &report) {
        if (generation != m_generation)
            return;
        m_model->addReport(report);
        if (!m_view->currentIndex().isValid())
            m_view->setCurrentIndex(m_model->index(0, 0));
    });
    const auto done = [this](const QString &message) {
        m_progress->setRange(0, 1);
        m_progress->setValue(1);
        m_status->setText(message);
        m_cancel->setEnabled(false);
        m_close->setEnabled(true);
        emit imported();
    };
    connect(m_controller, &ImportController::finished, this, [this, done](quint64 generation) {
        if (generation == m_generation)
            done(QStringLiteral("Imported %1 file(s).").arg(m_model->rowCount()));
    });
    connect(m_controller, &ImportController::failed, this, [this, done](quint64 generation, const QString &message) {
        if (generation == m_generation)
            done(message);
    });
}

ImportDialog::~ImportDialog() = default;

void ImportDialog::start(const QString &casePath, const QStringList &files, const QString &hijackLibsDir)
{
    m_model->clear();
    m_details->clear();
    m_cancel->setEnabled(true);
    m_close->setEnabled(false);
    m_progress->setRange(0, 0);
    m_status->setText(QStringLiteral("Importing %1 file(s) into %2\u2026").arg(files.size()).arg(QFileInfo(casePath).fileName()));
    m_generation = m_controller->start(casePath, files, hijackLibsDir);
}

void ImportDialog::updateDetails()
{
    if (const ImportReport *report = m_model->reportAt(m_view->currentIndex().row()))
        m_details->setHtml(importReportHtml(*report));
    else
        m_details->clear();
}

} // namespace loadlens::ui
