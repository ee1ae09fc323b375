#include "windows/windowsdetails.h"

#include "qtstrings.h"
#include "verdictdetails.h"
#include "windows/windowsmodels.h"

namespace loadlens::ui {

namespace {

QString esc(const std::string &text)
{
    return toQString(text).toHtmlEscaped();
}

QString explanation(const wintriage::Finding &finding)
{
    return explanationHtml(finding.code, windowsFindingLevel(finding), finding.title, finding.technique, finding.measure,
                           finding.evidence);
}

} // namespace

QString windowsFindingDetailsHtml(const wintriage::Finding &finding, const QString &imageRoot)
{
    // Headed by what it is about, as module verdicts are; the title says what and why below.
    QString html = detailsHeadingHtml(toQString(finding.executable.empty() ? finding.title : finding.executable));
    std::vector<std::pair<QString, QString>> fields;
    if (!finding.dll.empty())
        fields.emplace_back(QStringLiteral("DLL"), esc(finding.dll));
    if (!imageRoot.isEmpty())
        fields.emplace_back(QStringLiteral("Image"), imageRoot.toHtmlEscaped());
    html += detailsFieldsHtml(fields);
    return html + explanation(finding);
}

QString windowsExecutableDetailsHtml(const wintriage::Executable &executable, const std::vector<wintriage::Finding> &findings)
{
    QString html = detailsHeadingHtml(toQString(executable.path));
    html += detailsFieldsHtml({
        {QStringLiteral("Bits"), QString::number(executable.bits)},
        {QStringLiteral("Signature"), executable.signature.empty() ? QStringLiteral("<i>not checked (no finding needed it)</i>")
                                                                   : esc(executable.signature)},
        {QStringLiteral("Signer"), executable.signer.empty() ? QStringLiteral("<i>none</i>") : esc(executable.signer)},
        {QStringLiteral("Imported DLLs"), QString::number(executable.dlls.size())},
    });
    int shown = 0;
    for (const auto &finding : findings)
        if (finding.executable == executable.path) {
            ++shown;
            html += explanation(finding);
        }
    if (shown == 0)
        html += QStringLiteral("<p><i>The triage reported no finding for this executable.</i></p>");
    return html;
}

QString windowsPostureDetailsHtml(const wintriage::PostureCheck &check)
{
    QString html = detailsHeadingHtml(toQString(check.title));
    html += detailsFieldsHtml({
        {QStringLiteral("Status"), esc(check.status)},
        {QStringLiteral("Check"), QStringLiteral("<code>%1</code>").arg(esc(check.id))},
        {QStringLiteral("Evidence"), esc(check.evidence)},
        {QStringLiteral("Remediation"), esc(check.remediation)},
    });
    return html;
}

std::string resolvedDllPath(const wintriage::Executable &executable, const std::string &dll)
{
    for (const auto &resolution : executable.dlls)
        if (toQString(resolution.dll).compare(toQString(dll), Qt::CaseInsensitive) == 0)
            return resolution.path;
    return {};
}

} // namespace loadlens::ui
