#pragma once
// The posture checklist and the per-file import reports as table models.
#include "common/events.h"
#include "posture/posture.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QIcon>

#include <vector>

namespace loadlens::ui {

QString postureStatusText(posture::Status status);
QColor postureStatusColor(posture::Status status);
QIcon postureStatusIcon(posture::Status status);

class PostureCheckModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PostureCheckModel)

public:
    enum Column { StatusColumn, MeasureColumn, TitleColumn, EvidenceColumn, RemediationColumn, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1,  // status: fail, unknown, info, pass (worst first when descending)
        StatusRole,                   // int(posture::Status)
        CheckIdRole,                  // QString
    };
    Q_ENUM(Column)
    Q_ENUM(Role)

    explicit PostureCheckModel(QObject *parent = nullptr);

    void setReport(const posture::PostureReport &report);
    const posture::PostureCheck *checkAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<posture::PostureCheck> m_checks;
};

class ImportReportModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImportReportModel)

public:
    enum Column { FileColumn, FormatColumn, ReadColumn, ImportedColumn, DuplicatesColumn, SkippedColumn, StatusColumn, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1,
        CompleteRole,  // bool
    };
    Q_ENUM(Column)
    Q_ENUM(Role)

    explicit ImportReportModel(QObject *parent = nullptr);

    void addReport(ImportReport report);  // appends one file's row
    void clear();
    const ImportReport *reportAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<ImportReport> m_reports;
};

// Everything a report says: counts, counts by kind, errors, notes and the skipped records with
// their offsets and reasons.
QString importReportHtml(const ImportReport &report);

} // namespace loadlens::ui
