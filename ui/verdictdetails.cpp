#include "verdictdetails.h"

#include "formatting.h"
#include "levelstyle.h"
#include "qtstrings.h"

#include <QStringList>

namespace loadlens::ui {

namespace {

QString esc(const std::string &text)
{
    return toQString(text).toHtmlEscaped();
}

QString levelBadge(Level level)
{
    const QColor background = levelBackground(level).isValid() ? levelBackground(level) : QColor(0xdd, 0xf0, 0xdd);
    return QStringLiteral("<span style=\"background-color:%1; padding:1px 4px;\">&nbsp;%2&nbsp;</span>")
        .arg(background.name(), levelText(level));
}

QString field(const QString &label, const QString &valueHtml)
{
    return QStringLiteral("<tr><td style=\"color:#555; padding-right:8px;\">%1</td><td>%2</td></tr>")
        .arg(label.toHtmlEscaped(), valueHtml);
}

QString orNone(const std::string &text, const QString &none)
{
    return text.empty() ? QStringLiteral("<i>%1</i>").arg(none.toHtmlEscaped()) : esc(text);
}

QString evidenceHtml(const Evidence &evidence)
{
    if (evidence.empty())
        return QStringLiteral("<i>none recorded</i>");
    QString html = QStringLiteral("<table cellspacing=\"0\" cellpadding=\"1\">");
    for (const auto &[key, value] : evidence)
        html += QStringLiteral("<tr><td><code>%1</code></td><td>= <code>%2</code></td></tr>").arg(esc(key), esc(value));
    return html + QStringLiteral("</table>");
}

QString explanationWith(const std::string &code, Level level, const std::string &text, const std::string &technique,
                        const std::string &measure, const QString &evidenceHtml)
{
    QString html = QStringLiteral("<p style=\"margin-top:8px;\">%1 <b><code>%2</code></b></p>").arg(levelBadge(level), esc(code));
    html += QStringLiteral("<table cellspacing=\"0\" cellpadding=\"1\">");
    html += field(QStringLiteral("What and why"), orNone(text, QStringLiteral("no text")));
    html += field(QStringLiteral("ATT&CK"), orNone(technique, QStringLiteral("no technique applies")));
    html += field(QStringLiteral("M1044 measure"), orNone(measure, QStringLiteral("none given")));
    html += field(QStringLiteral("Evidence"), evidenceHtml);
    return html + QStringLiteral("</table>");
}

} // namespace

// Shared by module reasons, process findings, events and Windows triage findings: all carry
// the same explanation.
QString explanationHtml(const std::string &code, Level level, const std::string &text, const std::string &technique,
                        const std::string &measure, const Evidence &evidence)
{
    return explanationWith(code, level, text, technique, measure, evidenceHtml(evidence));
}

QString explanationHtml(const std::string &code, Level level, const std::string &text, const std::string &technique,
                        const std::string &measure, const std::string &evidenceText)
{
    return explanationWith(code, level, text, technique, measure, orNone(evidenceText, QStringLiteral("none recorded")));
}

QString detailsHeadingHtml(const QString &title)
{
    return QStringLiteral("<h3 style=\"margin-bottom:2px;\">%1</h3>").arg(title.toHtmlEscaped());
}

QString detailsFieldsHtml(const std::vector<std::pair<QString, QString>> &fields)
{
    QString html = QStringLiteral("<table cellspacing=\"0\" cellpadding=\"1\">");
    for (const auto &[label, value] : fields)
        html += field(label, value);
    return html + QStringLiteral("</table>");
}

QString moduleDetailsHtml(const ModuleRecord &module, const FileFacts *facts)
{
    const QString title = module.path.empty() ? QStringLiteral("[anonymous executable memory]") : esc(module.path);
    QString html = QStringLiteral("<h3 style=\"margin-bottom:2px;\">%1</h3>").arg(title);
    html += QStringLiteral("<p>Verdict: %1 &mdash; %2 reason(s)</p>").arg(levelBadge(module.verdict.level)).arg(module.verdict.reasons.size());

    html += QStringLiteral("<table cellspacing=\"0\" cellpadding=\"1\">");
    const QString flags = moduleFlagsText(module);
    if (!flags.isEmpty())
        html += field(QStringLiteral("Flags"), flags.toHtmlEscaped());
    if (!module.confirmation.empty())
        html += field(QStringLiteral("Established by"), esc(module.confirmation));
    html += field(QStringLiteral("Mapped"), QStringLiteral("%1 in %2 range(s)").arg(sizeText(mappedBytes(module))).arg(module.ranges.size()));
    if (module.file != FileKey{})
        html += field(QStringLiteral("Device / inode"), QStringLiteral("%1 / %2").arg(module.file.dev).arg(module.file.inode));
    if (facts) {
        html += field(QStringLiteral("File size"), sizeText(facts->size));
        html += field(QStringLiteral("Owner / mode"), ownerModeText(*facts).toHtmlEscaped());
        html += field(QStringLiteral("Package"), orNone(facts->package, QStringLiteral("not from a package")));
        html += field(QStringLiteral("SHA-256"), QStringLiteral("<code>%1</code>").arg(orNone(facts->sha256, QStringLiteral("not hashed"))));
        for (const auto &error : facts->errors)
            html += field(QStringLiteral("Could not read"), esc(error));
    } else if (module.file != FileKey{}) {
        html += field(QStringLiteral("File"), QStringLiteral("<i>not examined</i>"));
    }
    html += QStringLiteral("</table>");

    if (module.verdict.reasons.empty())
        html += QStringLiteral("<p><i>No reasons recorded.</i></p>");
    for (const auto &reason : module.verdict.reasons)
        html += explanationHtml(reason.code, reason.level, reason.text, reason.technique, reason.measure, reason.evidence);
    return html;
}

QString processDetailsHtml(const ProcessInfo &process, const std::vector<Finding> &findings)
{
    QString html = QStringLiteral("<h3 style=\"margin-bottom:2px;\">%1 (pid %2)</h3>").arg(esc(process.name)).arg(process.pid);
    html += QStringLiteral("<table cellspacing=\"0\" cellpadding=\"1\">");
    html += field(QStringLiteral("Executable"), orNone(process.exe, QStringLiteral("unreadable")));
    html += field(QStringLiteral("User"), esc(process.user));
    html += field(QStringLiteral("Parent pid"), QString::number(process.ppid));
    if (process.hidden)
        html += field(QStringLiteral("Hidden"), QStringLiteral("<b>answers a pid probe but is missing from the /proc listing</b>"));
    if (!process.namespaceHint.empty())
        html += field(QStringLiteral("Namespace"), esc(process.namespaceHint));
    for (const auto &[name, value] : process.loaderEnv)
        html += field(toQString(name), QStringLiteral("<code>%1</code>").arg(esc(value)));
    for (const auto &error : process.errors)
        html += field(QStringLiteral("Could not read"), esc(error));
    html += QStringLiteral("</table>");
    int shown = 0;
    for (const auto &finding : findings) {
        if (finding.pid != process.pid)
            continue;
        ++shown;
        html += explanationHtml(finding.code, finding.level, finding.text, finding.technique, finding.measure, finding.evidence);
    }
    if (shown == 0)
        html += QStringLiteral("<p><i>No process-level findings. Select a module to see its verdict.</i></p>");
    return html;
}

QString eventDetailsHtml(const LoadEvent &event)
{
    const std::string &subject = event.imageLoaded.empty() ? event.image : event.imageLoaded;
    QString html = QStringLiteral("<h3 style=\"margin-bottom:2px;\">%1</h3>").arg(orNone(subject, QStringLiteral("no image named")));
    html += QStringLiteral("<p>Verdict: %1 &mdash; %2 reason(s)</p>").arg(levelBadge(event.verdict.level)).arg(event.verdict.reasons.size());
    html += QStringLiteral("<table cellspacing=\"0\" cellpadding=\"1\">");
    html += field(QStringLiteral("Time (UTC)"), timeTextUs(event.timeUs).toHtmlEscaped());
    if (event.source == "snapshot") {
        const auto processes = event.fields.find("processes");
        html += field(QStringLiteral("Event"),
                      event.kind == "snapshot-finding"
                          ? QStringLiteral("a high host finding of the snapshot scanned then")
                          : QStringLiteral("a high module of the snapshot scanned then, mapped by %1 process(es)")
                                .arg(processes != event.fields.end() ? esc(processes->second)
                                                                      : QStringLiteral("1")));
    } else {
        html += field(QStringLiteral("Event"), QStringLiteral("%1 %2 (%3)").arg(esc(event.source)).arg(event.eventId).arg(esc(event.kind)));
    }
    html += field(QStringLiteral("Host"), esc(event.host));
    html += field(QStringLiteral("Process"), QStringLiteral("%1 (pid %2)").arg(orNone(event.image, QStringLiteral("unknown"))).arg(event.pid));
    if (!event.user.empty())
        html += field(QStringLiteral("User"), esc(event.user));
    if (!event.commandLine.empty())
        html += field(QStringLiteral("Command line"), QStringLiteral("<code>%1</code>").arg(esc(event.commandLine)));
    if (!event.parentImage.empty())
        html += field(QStringLiteral("Parent"), esc(event.parentImage));
    const QString state = toQString(std::string(signatureStateName(event.signatureState)));
    html += field(QStringLiteral("Signature"), event.signature.empty() ? state.toHtmlEscaped() : state.toHtmlEscaped() + QStringLiteral(" &mdash; ") + esc(event.signature));
    if (!event.hashes.empty())
        html += field(QStringLiteral("Hashes"), QStringLiteral("<code>%1</code>").arg(esc(event.hashes)));
    html += field(QStringLiteral("Read from"), QStringLiteral("%1 at byte %2 (record %3)").arg(orNone(event.sourceFile, QStringLiteral("unknown"))).arg(event.sourceOffset).arg(event.recordId));
    html += QStringLiteral("</table>");
    if (event.verdict.reasons.empty())
        html += QStringLiteral("<p><i>No reasons recorded.</i></p>");
    for (const auto &reason : event.verdict.reasons)
        html += explanationHtml(reason.code, reason.level, reason.text, reason.technique, reason.measure, reason.evidence);
    return html;
}

VerdictDetailsView::VerdictDetailsView(QWidget *parent)
    : QTextBrowser(parent)
{
    setOpenLinks(false);
    showPlaceholder();
}

void VerdictDetailsView::showModule(const ModuleRecord &module, const FileFacts *facts)
{
    setHtml(moduleDetailsHtml(module, facts));
}

void VerdictDetailsView::showProcess(const ProcessInfo &process, const std::vector<Finding> &findings)
{
    setHtml(processDetailsHtml(process, findings));
}

void VerdictDetailsView::showLoadEvent(const LoadEvent &event)
{
    setHtml(eventDetailsHtml(event));
}

void VerdictDetailsView::showDetailsHtml(const QString &html)
{
    setHtml(html);
}

void VerdictDetailsView::showPlaceholder()
{
    setHtml(QStringLiteral("<p><i>Select a process, then a module, to see why it got its verdict.</i></p>"));
}

} // namespace loadlens::ui
