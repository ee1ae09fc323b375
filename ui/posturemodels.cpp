#include "posturemodels.h"

#include "levelstyle.h"
#include "qtstrings.h"

#include <QFileInfo>

namespace loadlens::ui {

namespace {

Level statusLevel(posture::Status status)
{
    return checkStatusLevel(posture::statusName(status));
}

// Fail first, pass last, when sorted descending.
int statusRank(posture::Status status)
{
    switch (status) {
    case posture::Status::Fail: return 3;
    case posture::Status::Unknown: return 2;
    case posture::Status::Info: return 1;
    case posture::Status::Pass: return 0;
    }
    return 0;
}

} // namespace

QString postureStatusText(posture::Status status)
{
    return toQString(std::string(posture::statusName(status)));
}

QColor postureStatusColor(posture::Status status)
{
    return levelAccent(statusLevel(status));
}

QIcon postureStatusIcon(posture::Status status)
{
    return levelIcon(statusLevel(status));
}

// --- PostureCheckModel --------------------------------------------------------------------

PostureCheckModel::PostureCheckModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void PostureCheckModel::setReport(const posture::PostureReport &report)
{
    beginResetModel();
    m_checks = report.checks;
    endResetModel();
}

const posture::PostureCheck *PostureCheckModel::checkAt(int row) const
{
    if (row < 0 || row >= static_cast<int>(m_checks.size()))
        return nullptr;
    return &m_checks[static_cast<std::size_t>(row)];
}

int PostureCheckModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_checks.size());
}

int PostureCheckModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PostureCheckModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto &check = m_checks[static_cast<std::size_t>(index.row())];
    const int column = index.column();
    const auto text = [&]() -> QString {
        switch (column) {
        case StatusColumn: return postureStatusText(check.status);
        case MeasureColumn: return toQString(check.measure);
        case TitleColumn: return toQString(check.title);
        case EvidenceColumn: {
            QStringList lines;
            for (const auto &line : check.evidenceLines())
                lines << toQString(line);
            return lines.join(QLatin1Char('\n'));
        }
        case RemediationColumn: return toQString(check.remediation);
        }
        return {};
    };
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        return text();
    case Qt::DecorationRole:
        return column == StatusColumn ? QVariant(postureStatusIcon(check.status)) : QVariant();
    case Qt::BackgroundRole:
        return column == StatusColumn ? levelCellData(statusLevel(check.status), role) : QVariant();
    case Qt::TextAlignmentRole:
        // The status sits beside its icon, which the view centres vertically.
        return QVariant::fromValue(Qt::AlignLeft | (column == StatusColumn ? Qt::AlignVCenter : Qt::AlignTop));
    case SortRole: return column == StatusColumn ? QVariant(statusRank(check.status)) : QVariant(text());
    case StatusRole: return static_cast<int>(check.status);
    case CheckIdRole: return toQString(check.id);
    }
    return {};
}

QVariant PostureCheckModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case StatusColumn: return QStringLiteral("Status");
    case MeasureColumn: return QStringLiteral("M1044 measure");
    case TitleColumn: return QStringLiteral("Check");
    case EvidenceColumn: return QStringLiteral("Evidence");
    case RemediationColumn: return QStringLiteral("Remediation");
    }
    return {};
}

// --- ImportReportModel --------------------------------------------------------------------

ImportReportModel::ImportReportModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void ImportReportModel::addReport(ImportReport report)
{
    const int row = static_cast<int>(m_reports.size());
    beginInsertRows({}, row, row);
    m_reports.push_back(std::move(report));
    endInsertRows();
}

void ImportReportModel::clear()
{
    beginResetModel();
    m_reports.clear();
    endResetModel();
}

const ImportReport *ImportReportModel::reportAt(int row) const
{
    if (row < 0 || row >= static_cast<int>(m_reports.size()))
        return nullptr;
    return &m_reports[static_cast<std::size_t>(row)];
}

int ImportReportModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_reports.size());
}

int ImportReportModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ImportReportModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto &report = m_reports[static_cast<std::size_t>(index.row())];
    const int column = index.column();
    const auto raw = [&]() -> QVariant {
        switch (column) {
        case FileColumn: return toQString(report.file);
        case FormatColumn: return toQString(report.format);
        case ReadColumn: return QVariant::fromValue<qulonglong>(report.recordsRead);
        case ImportedColumn: return QVariant::fromValue<qulonglong>(report.imported);
        case DuplicatesColumn: return QVariant::fromValue<qulonglong>(report.duplicates);
        case SkippedColumn: return QVariant::fromValue<qulonglong>(report.skipped);
        case StatusColumn: return report.complete && report.errors.empty() ? 0 : 1;
        }
        return {};
    };
    const bool problem = !report.complete || !report.errors.empty();
    switch (role) {
    case Qt::DisplayRole:
        if (column == FileColumn)
            return QFileInfo(toQString(report.file)).fileName();
        if (column == StatusColumn) {
            if (!report.complete)
                return QStringLiteral("stopped early");
            return report.errors.empty() ? QStringLiteral("complete") : QStringLiteral("complete with errors");
        }
        return raw().toString();
    case Qt::ToolTipRole: return column == FileColumn ? toQString(report.file) : QVariant();
    case Qt::DecorationRole:
        return column == StatusColumn ? QVariant(levelIcon(problem ? Level::Medium : Level::Ok)) : QVariant();
    case Qt::TextAlignmentRole:
        return column >= ReadColumn && column <= SkippedColumn ? QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter)
                                                               : QVariant();
    case SortRole: return raw();
    case CompleteRole: return report.complete;
    }
    return {};
}

QVariant ImportReportModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case FileColumn: return QStringLiteral("File");
    case FormatColumn: return QStringLiteral("Format");
    case ReadColumn: return QStringLiteral("Read");
    case ImportedColumn: return QStringLiteral("Imported");
    case DuplicatesColumn: return QStringLiteral("Duplicates");
    case SkippedColumn: return QStringLiteral("Skipped");
    case StatusColumn: return QStringLiteral("Status");
    }
    return {};
}

QString importReportHtml(const ImportReport &report)
{
    const auto esc = [](const std::string &text) { return toQString(text).toHtmlEscaped(); };
    QString html = QStringLiteral("<h3 style=\"margin-bottom:2px;\">%1</h3>").arg(esc(report.file));
    html += QStringLiteral("<p>Format <b>%1</b>: %2 read, %3 imported, %4 already in the case, %5 skipped, in %6 s%7</p>")
                .arg(esc(report.format.empty() ? std::string("unknown") : report.format))
                .arg(report.recordsRead)
                .arg(report.imported)
                .arg(report.duplicates)
                .arg(report.skipped)
                .arg(report.seconds, 0, 'f', 2)
                .arg(report.complete ? QString() : QStringLiteral(" &mdash; <b>stopped before the end</b>"));
    if (report.recovered || report.recoveredSkipped)
        html += QStringLiteral("<p>%1 records recovered from slack/unallocated chunks: %2 imported (marked recovered), "
                               "%3 already in the case, %4 unreadable</p>")
                    .arg(report.recovered)
                    .arg(report.recoveredImported)
                    .arg(report.recoveredDuplicates)
                    .arg(report.recoveredSkipped);
    if (!report.countsByKind.empty()) {
        html += QStringLiteral("<p>By kind: ");
        QStringList kinds;
        for (const auto &[kind, count] : report.countsByKind)
            kinds << QStringLiteral("%1 &times; %2").arg(esc(kind)).arg(count);
        html += kinds.join(QStringLiteral(", ")) + QStringLiteral("</p>");
    }
    for (const auto &error : report.errors)
        html += QStringLiteral("<p style=\"color:#b71c1c;\">Error: %1</p>").arg(esc(error));
    for (const auto &note : report.notes)
        html += QStringLiteral("<p style=\"color:#555;\">Note: %1</p>").arg(esc(note));
    if (!report.skippedRecords.empty()) {
        html += QStringLiteral("<p>Skipped records (first %1):</p><table cellspacing=\"0\" cellpadding=\"1\">")
                    .arg(report.skippedRecords.size());
        html += QStringLiteral("<tr><th align=\"left\">Offset</th><th align=\"left\">Reason</th></tr>");
        for (const auto &skipped : report.skippedRecords)
            html += QStringLiteral("<tr><td><code>%1</code></td><td>%2</td></tr>").arg(skipped.offset).arg(esc(skipped.reason));
        html += QStringLiteral("</table>");
    }
    return html;
}

} // namespace loadlens::ui
