#pragma once
// The Posture tab: the M1044 checklist of this host (status, measure, check, evidence,
// remediation), run off the GUI thread with the last live scan, with the HTML report and the
// auditd rules that would close the watch gaps.
#include "common/types.h"
#include "posture/posture.h"

#include <QWidget>

#include <memory>

class QLabel;
class QPushButton;
class QTextBrowser;
class QTreeView;

namespace loadlens::ui {

class PostureCheckModel;
class PostureController;

class PostureTab final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PostureTab)

public:
    explicit PostureTab(QWidget *parent = nullptr);
    ~PostureTab() override;

    void setScan(std::shared_ptr<const ScanResult> scan) { m_scan = std::move(scan); }
    void setOptions(const posture::PostureOptions &options) { m_options = options; }
    bool hasReport() const { return m_report != nullptr; }
    std::shared_ptr<const posture::PostureReport> report() const { return m_report; }

    PostureCheckModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }
    PostureController *controller() const { return m_controller; }

    QString reportHtml() const;   // renderPostureHtml of the shown report
    QString auditdRules() const;  // emitAuditdRules of its watch gaps

public slots:
    void runChecks();
    void exportHtml();     // asks for a file
    void saveAuditRules(); // asks for a file
    // Write without asking; true when written. Either way the outcome is announced (saved, or
    // a warning naming the file and the cause).
    bool saveReportHtml(const QString &fileName);
    bool saveAuditRulesTo(const QString &fileName);

signals:
    void settled();
    // A file was written: `message` names it ("Saved the posture report to /x/y.html").
    void saved(const QString &fileName, const QString &message);

private:
    void showReport(std::shared_ptr<const posture::PostureReport> report);
    void updateDetails();
    bool save(const QString &fileName, const QString &text, const QString &what);

    PostureController *m_controller;
    PostureCheckModel *m_model;
    posture::PostureOptions m_options;
    std::shared_ptr<const ScanResult> m_scan;
    std::shared_ptr<const posture::PostureReport> m_report;
    QTreeView *m_view = nullptr;
    QTextBrowser *m_details = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_run = nullptr;
    QPushButton *m_exportHtml = nullptr;
    QPushButton *m_auditRules = nullptr;
};

} // namespace loadlens::ui
