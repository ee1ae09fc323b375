#pragma once
// File > Import: imports the chosen files in an ImportController job, with a progress bar and
// Cancel, and lists the report of every file (read, imported, duplicates, skipped with reasons
// and offsets).
#include <QDialog>

class QLabel;
class QProgressBar;
class QPushButton;
class QTextBrowser;
class QTreeView;

namespace loadlens::ui {

class ImportController;
class ImportReportModel;

class ImportDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImportDialog)

public:
    explicit ImportDialog(ImportController *controller, QWidget *parent = nullptr);
    ~ImportDialog() override;

    void start(const QString &casePath, const QStringList &files, const QString &hijackLibsDir);
    ImportReportModel *model() const { return m_model; }

signals:
    void imported();  // the job ended (finished or failed); the case may have changed

private:
    void updateDetails();

    ImportController *m_controller;
    ImportReportModel *m_model;
    quint64 m_generation = 0;
    QLabel *m_status = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_close = nullptr;
    QTreeView *m_view = nullptr;
    QTextBrowser *m_details = nullptr;
};

} // namespace loadlens::ui
