#include "formatting.h"

#include "qtstrings.h"

#include <QDateTime>
#include <QLocale>
#include <QStringList>
#include <QTimeZone>

namespace loadlens::ui {

QString sizeText(std::uint64_t bytes)
{
    return QLocale::c().formattedDataSize(static_cast<qint64>(bytes), 1, QLocale::DataSizeIecFormat);
}

QString ownerModeText(const FileFacts &facts)
{
    const QString owner = facts.ownerName.empty() ? QString::number(facts.uid) : toQString(facts.ownerName);
    const QString group = facts.groupName.empty() ? QString::number(facts.gid) : toQString(facts.groupName);
    const QString mode = QStringLiteral("%1").arg(facts.mode & 07777, 4, 8, QLatin1Char('0'));
    return owner + QLatin1Char(':') + group + QLatin1Char(' ') + mode;
}

QString moduleFlagsText(const ModuleRecord &module)
{
    QStringList flags;
    if (module.deleted)
        flags << QStringLiteral("deleted");
    if (module.memfd)
        flags << QStringLiteral("memfd");
    if (module.anonymousExec)
        flags << QStringLiteral("anon-exec");
    if (module.pseudo)
        flags << QStringLiteral("kernel");
    return flags.join(QStringLiteral(", "));
}

std::uint64_t mappedBytes(const ModuleRecord &module)
{
    std::uint64_t total = 0;
    for (const auto &range : module.ranges)
        if (range.end > range.start)
            total += range.end - range.start;
    return total;
}

QString shortHash(const std::string &hexDigest)
{
    return toQString(hexDigest.substr(0, 12));
}

QString countText(qsizetype count, const QString &singular, const QString &plural)
{
    if (count == 0)
        return QStringLiteral("no ") + plural;
    return QLocale::c().toString(count) + QLatin1Char(' ') + (count == 1 ? singular : plural);
}

QString shownText(qsizetype shown, qsizetype total, const QString &singular, const QString &plural)
{
    if (shown == total)
        return countText(total, singular, plural);
    return QStringLiteral("%1 of %2 shown").arg(QLocale::c().toString(shown), countText(total, singular, plural));
}

QString scanStatusText(const ScanResult &result, bool privileged)
{
    qsizetype modules = 0;
    qsizetype hidden = 0;
    for (const auto &process : result.processes) {
        modules += static_cast<qsizetype>(process.modules.size());
        if (process.hidden)
            ++hidden;
    }
    const QString process = QStringLiteral("process");
    const QString processes = QStringLiteral("processes");
    QStringList parts;
    parts << countText(static_cast<qsizetype>(result.processes.size()), process, processes) + QStringLiteral(", ") +
                 countText(modules, QStringLiteral("module"), QStringLiteral("modules"));

    // Processes and failed reads are different counts: one process can refuse several reads
    // (maps, environ, exe), so each is named with its own noun.
    const int unreadable = result.stats.processesInaccessible;
    if (unreadable > 0) {
        QString text = countText(unreadable, process, processes) + QStringLiteral(" not fully readable");
        int reads = 0;
        QStringList causes;
        for (const auto &[cause, count] : result.stats.errorCounts) {
            reads += count;
            causes << QStringLiteral("%1 %2").arg(count).arg(toQString(cause));
        }
        if (reads > 0)
            text += QStringLiteral(" (") + countText(reads, QStringLiteral("read failed"), QStringLiteral("reads failed")) +
                    QStringLiteral(": ") + causes.join(QStringLiteral(", ")) + QLatin1Char(')');
        if (!privileged)
            text += QStringLiteral(" \u2014 Scan > Scan all processes (administrator) reads them");
        parts << text;
    } else if (!privileged) {
        parts << QStringLiteral("not root: other users' processes may be incomplete");
    }
    if (result.stats.processesVanished > 0)
        parts << countText(result.stats.processesVanished, process, processes) + QStringLiteral(" exited during the scan");
    parts << countText(hidden, QStringLiteral("hidden process"), QStringLiteral("hidden processes"));
    if (result.stats.cancelled)
        parts << QStringLiteral("scan cancelled: results are partial");
    return parts.join(QStringLiteral(" \u00b7 "));
}

QString timeTextSeconds(std::int64_t unixSeconds)
{
    return QDateTime::fromSecsSinceEpoch(unixSeconds, QTimeZone::utc()).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString timeTextUs(std::int64_t unixMicroseconds)
{
    // Floor division keeps times before 1970 in the right millisecond.
    const std::int64_t ms = unixMicroseconds >= 0 ? unixMicroseconds / 1000 : -((-unixMicroseconds + 999) / 1000);
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
}

} // namespace loadlens::ui
