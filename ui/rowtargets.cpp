#include "rowtargets.h"

#include "casemodels.h"
#include "eventmodels.h"
#include "qtstrings.h"
#include "report/json_report.h"
#include "verdictdetails.h"

#include <QAbstractProxyModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace loadlens::ui {

namespace {

QByteArray compact(const nlohmann::json &json)
{
    return QByteArray::fromStdString(json.dump());
}

QString levelString(Level level)
{
    return toQString(std::string(levelName(level)));
}

QJsonArray reasonsJson(const Verdict &verdict)
{
    return QJsonDocument::fromJson(compact(report::verdictToJson(verdict)["reasons"])).array();
}

// The SHA-256 of Sysmon's "SHA256=…,MD5=…" (or "SHA256=…" alone).
QString sysmonSha256(const std::string &hashes)
{
    for (const QString &part : toQString(hashes).split(QLatin1Char(','))) {
        const QString trimmed = part.trimmed();
        if (trimmed.startsWith(QStringLiteral("SHA256="), Qt::CaseInsensitive))
            return trimmed.mid(7).toLower();
    }
    return {};
}

} // namespace

RowTarget processTarget(const ProcessInfo &process, const ScanResult &scan)
{
    RowTarget target;
    target.path = toQString(process.exe);
    for (const auto &module : process.modules) {
        if (module.path != process.exe)
            continue;
        if (const auto facts = scan.files.find(module.file); facts != scan.files.end())
            target.sha256 = toQString(facts->second.sha256);
        break;
    }
    target.json = compact(report::processToJson(process, scan));
    target.detailsTitle = QStringLiteral("%1 (pid %2)").arg(toQString(process.name)).arg(process.pid);
    target.detailsHtml = processDetailsHtml(process, scan.findings);
    target.process = ProcessRef{process.pid, process.startTime, process.uid, toQString(process.name)};
    return target;
}

RowTarget moduleTarget(const ModuleRecord &module, const FileFacts *facts)
{
    RowTarget target;
    target.path = toQString(module.path);
    if (facts)
        target.sha256 = toQString(facts->sha256);
    target.json = compact(report::moduleToJson(module, facts));
    target.detailsTitle = target.path;
    target.detailsHtml = moduleDetailsHtml(module, facts);
    return target;
}

RowTarget eventTarget(const LoadEvent &event)
{
    RowTarget target;
    target.path = toQString(event.imageLoaded.empty() ? event.image : event.imageLoaded);
    target.sha256 = sysmonSha256(event.hashes);
    QJsonObject fields;
    for (const auto &[name, value] : event.fields)
        fields.insert(toQString(name), toQString(value));
    const QJsonObject json{
        {QStringLiteral("source"), toQString(event.source)},
        {QStringLiteral("event_id"), event.eventId},
        {QStringLiteral("kind"), toQString(event.kind)},
        {QStringLiteral("time_us"), static_cast<qint64>(event.timeUs)},
        {QStringLiteral("host"), toQString(event.host)},
        {QStringLiteral("channel"), toQString(event.channel)},
        {QStringLiteral("record_id"), QString::number(event.recordId)},
        {QStringLiteral("process_guid"), toQString(event.processGuid)},
        {QStringLiteral("pid"), static_cast<qint64>(event.pid)},
        {QStringLiteral("image"), toQString(event.image)},
        {QStringLiteral("image_loaded"), toQString(event.imageLoaded)},
        {QStringLiteral("user"), toQString(event.user)},
        {QStringLiteral("hashes"), toQString(event.hashes)},
        {QStringLiteral("signed"), toQString(event.signedField)},
        {QStringLiteral("signature"), toQString(event.signature)},
        {QStringLiteral("signature_status"), toQString(event.signatureStatus)},
        {QStringLiteral("command_line"), toQString(event.commandLine)},
        {QStringLiteral("parent_image"), toQString(event.parentImage)},
        {QStringLiteral("fields"), fields},
        {QStringLiteral("level"), levelString(event.verdict.level)},
        {QStringLiteral("reasons"), reasonsJson(event.verdict)},
        {QStringLiteral("source_file"), toQString(event.sourceFile)},
        {QStringLiteral("source_offset"), QString::number(event.sourceOffset)},
    };
    target.json = QJsonDocument(json).toJson(QJsonDocument::Compact);
    target.detailsTitle = target.path;
    target.detailsHtml = eventDetailsHtml(event);
    return target;
}

RowTarget stackTarget(const analysis::StackEntry &entry, analysis::StackBy by)
{
    RowTarget target;
    target.path = toQString(entry.module);
    target.sha256 = toQString(entry.sha256);
    const QJsonObject json{
        {by == analysis::StackBy::Name ? QStringLiteral("name") : QStringLiteral("path"), target.path},
        {QStringLiteral("sha256"), target.sha256},
        {QStringLiteral("hosts"), static_cast<qint64>(entry.hosts)},
        {QStringLiteral("processes"), static_cast<qint64>(entry.processes)},
        {QStringLiteral("variants"), static_cast<qint64>(entry.variants)},
        {QStringLiteral("max_level"), levelString(entry.maxLevel)},
    };
    target.json = QJsonDocument(json).toJson(QJsonDocument::Compact);
    return target;
}

QModelIndex sourceIndexOf(const QModelIndex &index)
{
    QModelIndex current = index;
    while (const auto *proxy = qobject_cast<const QAbstractProxyModel *>(current.model()))
        current = proxy->mapToSource(current);
    return current;
}

RowDescriber eventRows(const EventTableModel *model)
{
    return [model](const QModelIndex &index) -> std::optional<RowTarget> {
        const QModelIndex source = sourceIndexOf(index);
        const LoadEvent *event = source.model() == model ? model->eventAt(source.row()) : nullptr;
        if (!event)
            return std::nullopt;
        return eventTarget(*event);
    };
}

RowDescriber stackRows(const StackTableModel *model)
{
    return [model](const QModelIndex &index) -> std::optional<RowTarget> {
        const QModelIndex source = sourceIndexOf(index);
        const auto &entries = model->result().entries;
        if (source.model() != model || source.row() < 0 || static_cast<std::size_t>(source.row()) >= entries.size())
            return std::nullopt;
        return stackTarget(entries[static_cast<std::size_t>(source.row())], model->by());
    };
}

RowDescriber diffRows(const SnapshotDiffModel *model)
{
    return [model](const QModelIndex &index) -> std::optional<RowTarget> {
        const QModelIndex source = sourceIndexOf(index);
        if (source.model() != model || !source.isValid())
            return std::nullopt;
        const auto cell = [&](int column) { return model->index(source.row(), column).data().toString(); };
        const QString kind = model->index(source.row(), 0).data(SnapshotDiffModel::KindRole).toString();
        const auto level = static_cast<Level>(model->index(source.row(), 0).data(SnapshotDiffModel::LevelRole).toInt());
        RowTarget target;
        // Module changes name a file; findings name a code and facts a key, not a path.
        if (kind.startsWith(QStringLiteral("module-")))
            target.path = cell(SnapshotDiffModel::SubjectColumn);
        const QJsonObject json{
            {QStringLiteral("kind"), kind},
            {QStringLiteral("scope"), cell(SnapshotDiffModel::ScopeColumn)},
            {QStringLiteral("subject"), cell(SnapshotDiffModel::SubjectColumn)},
            {QStringLiteral("before"), cell(SnapshotDiffModel::BeforeColumn)},
            {QStringLiteral("after"), cell(SnapshotDiffModel::AfterColumn)},
            {QStringLiteral("level"), levelString(level)},
        };
        target.json = QJsonDocument(json).toJson(QJsonDocument::Compact);
        return target;
    };
}

} // namespace loadlens::ui
