#include "windows/windowsmodels.h"

#include "levelstyle.h"
#include "qtstrings.h"

#include <QStringList>

#include <algorithm>

namespace loadlens::ui {

namespace {

QString orDash(const std::string &text)
{
    return text.empty() ? QStringLiteral("\u2014") : toQString(text);
}

// Fail first, pass last, when sorted descending (as on the Posture tab).
int statusRank(const std::string &status)
{
    if (status == "fail")
        return 3;
    if (status == "unknown")
        return 2;
    if (status == "pass")
        return 0;
    return 1;
}

} // namespace

Level windowsFindingLevel(const wintriage::Finding &finding)
{
    return parseLevel(finding.level).value_or(Level::Info);
}

// --- WindowsTableModel ----------------------------------------------------------------------

WindowsTableModel::WindowsTableModel(QStringList headers, QObject *parent)
    : QAbstractTableModel(parent)
    , m_headers(std::move(headers))
{
}

int WindowsTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : rows();
}

int WindowsTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_headers.size());
}

QVariant WindowsTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        return text(row, column);
    case Qt::DecorationRole:
    case Qt::BackgroundRole:
        if (column == levelColumn())
            if (const auto l = level(row))
                return levelCellData(*l, role);
        return {};
    case SortRole:
        return sortValue(row, column);
    case LevelRole:
        if (const auto l = level(row))
            return static_cast<int>(*l);
        return {};
    }
    return {};
}

QVariant WindowsTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= m_headers.size())
        return {};
    return m_headers.at(section);
}

// --- WindowsPostureModel --------------------------------------------------------------------

WindowsPostureModel::WindowsPostureModel(QObject *parent)
    : WindowsTableModel({QStringLiteral("Status"), QStringLiteral("Check"), QStringLiteral("Evidence"),
                         QStringLiteral("Remediation")},
                        parent)
{
}

void WindowsPostureModel::setChecks(std::vector<wintriage::PostureCheck> checks)
{
    beginResetModel();
    m_checks = std::move(checks);
    endResetModel();
}

const wintriage::PostureCheck *WindowsPostureModel::checkAt(int row) const
{
    return row >= 0 && row < rows() ? &m_checks[static_cast<std::size_t>(row)] : nullptr;
}

QString WindowsPostureModel::text(int row, int column) const
{
    const auto &check = m_checks[static_cast<std::size_t>(row)];
    switch (column) {
    case StatusColumn: return toQString(check.status);
    case TitleColumn: return toQString(check.title);
    case EvidenceColumn: return toQString(check.evidence);
    case RemediationColumn: return toQString(check.remediation);
    }
    return {};
}

QVariant WindowsPostureModel::sortValue(int row, int column) const
{
    if (column == StatusColumn)
        return statusRank(m_checks[static_cast<std::size_t>(row)].status);
    return text(row, column);
}

std::optional<Level> WindowsPostureModel::level(int row) const
{
    return checkStatusLevel(m_checks[static_cast<std::size_t>(row)].status);
}

// --- WindowsFindingModel --------------------------------------------------------------------

WindowsFindingModel::WindowsFindingModel(QObject *parent)
    : WindowsTableModel({QStringLiteral("Level"), QStringLiteral("Code"), QStringLiteral("Executable"),
                         QStringLiteral("DLL"), QStringLiteral("Title")},
                        parent)
{
}

void WindowsFindingModel::setFindings(std::vector<wintriage::Finding> findings)
{
    beginResetModel();
    m_findings = std::move(findings);
    endResetModel();
}

const wintriage::Finding *WindowsFindingModel::findingAt(int row) const
{
    return row >= 0 && row < rows() ? &m_findings[static_cast<std::size_t>(row)] : nullptr;
}

QString WindowsFindingModel::text(int row, int column) const
{
    const auto &finding = m_findings[static_cast<std::size_t>(row)];
    switch (column) {
    case LevelColumn: return levelText(windowsFindingLevel(finding));
    case CodeColumn: return toQString(finding.code);
    case ExecutableColumn: return orDash(finding.executable);
    case DllColumn: return orDash(finding.dll);
    case TitleColumn: return toQString(finding.title);
    }
    return {};
}

QVariant WindowsFindingModel::sortValue(int row, int column) const
{
    if (column == LevelColumn)
        return static_cast<int>(windowsFindingLevel(m_findings[static_cast<std::size_t>(row)]));
    return text(row, column);
}

std::optional<Level> WindowsFindingModel::level(int row) const
{
    return windowsFindingLevel(m_findings[static_cast<std::size_t>(row)]);
}

// --- WindowsExecutableModel -----------------------------------------------------------------

WindowsExecutableModel::WindowsExecutableModel(QObject *parent)
    : WindowsTableModel({QStringLiteral("Executable"), QStringLiteral("Bits"), QStringLiteral("Signature"),
                         QStringLiteral("Signer"), QStringLiteral("DLLs"), QStringLiteral("Worst finding")},
                        parent)
{
}

void WindowsExecutableModel::setExecutables(std::vector<wintriage::Executable> executables,
                                            const std::vector<wintriage::Finding> &findings)
{
    beginResetModel();
    m_executables = std::move(executables);
    m_worst.assign(m_executables.size(), std::nullopt);
    for (const auto &finding : findings) {
        const int row = rowOf(finding.executable);
        if (row < 0)
            continue;
        auto &worst = m_worst[static_cast<std::size_t>(row)];
        worst = std::max(worst.value_or(Level::Ok), windowsFindingLevel(finding));
    }
    endResetModel();
}

const wintriage::Executable *WindowsExecutableModel::executableAt(int row) const
{
    return row >= 0 && row < rows() ? &m_executables[static_cast<std::size_t>(row)] : nullptr;
}

int WindowsExecutableModel::rowOf(const std::string &path) const
{
    if (path.empty())
        return -1;
    const auto it = std::find_if(m_executables.begin(), m_executables.end(),
                                 [&](const wintriage::Executable &e) { return e.path == path; });
    return it == m_executables.end() ? -1 : static_cast<int>(it - m_executables.begin());
}

QString WindowsExecutableModel::text(int row, int column) const
{
    const auto &exe = m_executables[static_cast<std::size_t>(row)];
    switch (column) {
    case PathColumn: return toQString(exe.path);
    case BitsColumn: return exe.bits ? QString::number(exe.bits) : QStringLiteral("\u2014");
    // The triage checks signatures only where a finding needs them.
    case SignatureColumn: return exe.signature.empty() ? QStringLiteral("not checked") : toQString(exe.signature);
    case SignerColumn: return orDash(exe.signer);
    case DllsColumn: return QString::number(exe.dlls.size());
    case WorstColumn: {
        const auto &worst = m_worst[static_cast<std::size_t>(row)];
        return worst ? levelText(*worst) : QStringLiteral("none");
    }
    }
    return {};
}

QVariant WindowsExecutableModel::sortValue(int row, int column) const
{
    const auto &exe = m_executables[static_cast<std::size_t>(row)];
    switch (column) {
    case BitsColumn: return exe.bits;
    case DllsColumn: return static_cast<qulonglong>(exe.dlls.size());
    case WorstColumn: {
        const auto &worst = m_worst[static_cast<std::size_t>(row)];
        return worst ? static_cast<int>(*worst) : -1;
    }
    }
    return text(row, column);
}

std::optional<Level> WindowsExecutableModel::level(int row) const
{
    return m_worst[static_cast<std::size_t>(row)];
}

// --- WindowsResolutionModel -----------------------------------------------------------------

WindowsResolutionModel::WindowsResolutionModel(QObject *parent)
    : WindowsTableModel({QStringLiteral("DLL"), QStringLiteral("Delayed"), QStringLiteral("How"),
                         QStringLiteral("Path"), QStringLiteral("Also in")},
                        parent)
{
}

void WindowsResolutionModel::setResolutions(std::vector<wintriage::DllResolution> resolutions)
{
    beginResetModel();
    m_resolutions = std::move(resolutions);
    endResetModel();
}

const wintriage::DllResolution *WindowsResolutionModel::resolutionAt(int row) const
{
    return row >= 0 && row < rows() ? &m_resolutions[static_cast<std::size_t>(row)] : nullptr;
}

int WindowsResolutionModel::rowOf(const std::string &dll) const
{
    const QString wanted = toQString(dll);
    for (int row = 0; row < rows(); ++row)
        if (toQString(m_resolutions[static_cast<std::size_t>(row)].dll).compare(wanted, Qt::CaseInsensitive) == 0)
            return row;
    return -1;
}

QString WindowsResolutionModel::text(int row, int column) const
{
    const auto &r = m_resolutions[static_cast<std::size_t>(row)];
    switch (column) {
    case DllColumn: return toQString(r.dll);
    case DelayedColumn: return r.delayed ? QStringLiteral("delayed") : QString();
    case HowColumn: return toQString(r.how);
    case PathColumn: return orDash(r.path);
    case AlsoInColumn: {
        QStringList also;
        for (const auto &path : r.alsoIn)
            also << toQString(path);
        return also.join(QStringLiteral("; "));
    }
    }
    return {};
}

} // namespace loadlens::ui
