// One self-contained HTML page: inline CSS only, no scripts, no fonts or images to fetch, so it
// can be mailed, archived and printed as it is.
#include "posture/posture_export.h"

#include <ctime>

namespace loadlens::posture {

namespace {

constexpr std::string_view kStyle = R"(
body { font: 14px/1.45 system-ui, sans-serif; color: #1c1c1c; margin: 2em auto; max-width: 60em; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: .2em; }
.summary { color: #555; margin-bottom: 1.5em; }
.stamp { color: #555; margin: 0; }
section.check { border: 1px solid #ccc; border-left: 8px solid #999; border-radius: 4px; padding: .6em 1em; margin: 0 0 1em; break-inside: avoid; page-break-inside: avoid; }
section.pass { border-left-color: #2e7d32; }
section.fail { border-left-color: #c62828; }
section.unknown { border-left-color: #f9a825; }
h2 { font-size: 1.1em; margin: .2em 0; }
.badge { display: inline-block; min-width: 5.5em; text-align: center; font-weight: bold; border-radius: 3px; padding: 0 .4em; margin-right: .5em; color: #fff; }
.badge.pass { background: #2e7d32; } .badge.fail { background: #c62828; } .badge.unknown { background: #f9a825; color: #1c1c1c; }
.measure, .id { color: #555; font-size: .9em; }
ul.evidence { margin: .4em 0; padding-left: 1.2em; font-family: ui-monospace, monospace; font-size: .85em; }
li.fail { color: #b71c1c; } li.pass { color: #1b5e20; } li.unknown { color: #8d6e00; } li.info { color: #444; }
li span.kind { font-weight: bold; }
.remediation { background: #f5f5f5; padding: .4em .6em; border-radius: 3px; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  section.check { border-color: #888; }
  .badge, section.check { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
)";

} // namespace

std::string htmlEscape(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

namespace {

// "2026-12-05 23:10:30 UTC"; "unknown" for 0.
std::string utcText(std::int64_t unixSeconds)
{
    if (unixSeconds <= 0)
        return "unknown";
    const std::time_t t = static_cast<std::time_t>(unixSeconds);
    std::tm tm {};
    if (!::gmtime_r(&t, &tm))
        return "unknown";
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

} // namespace

std::string renderPostureHtml(const PostureReport &report, const std::string &hostLabel)
{
    int pass = 0, fail = 0, unknown = 0;
    for (const auto &c : report.checks)
        (c.status == Status::Pass ? pass : c.status == Status::Fail ? fail : unknown)++;
    const std::string title = "M1044 Restrict Library Loading posture" + (hostLabel.empty() ? "" : " - " + hostLabel);
    std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
                       htmlEscape(title) + "</title>\n<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
    html += "<h1>" + htmlEscape(title) + "</h1>\n";
    html += "<p class=\"stamp\">Host: " + htmlEscape(hostLabel.empty() ? std::string("not named") : hostLabel) +
            " &middot; Checked: " + utcText(report.checkedAt) + " &middot; Live scan: " +
            (report.scannedAt > 0 ? utcText(report.scannedAt) +
                                        (report.scannedHost.empty() ? "" : " of " + htmlEscape(report.scannedHost))
                                  : std::string("none (running processes were not checked)")) +
            "</p>\n";
    html += "<p class=\"summary\">MITRE ATT&amp;CK mitigation M1044: " + std::to_string(pass) + " pass, " +
            std::to_string(fail) + " fail, " + std::to_string(unknown) + " unknown</p>\n";
    for (const auto &c : report.checks) {
        const std::string status(statusName(c.status));
        html += "<section class=\"check " + status + "\" id=\"" + htmlEscape(c.id) + "\">\n";
        html += "<h2><span class=\"badge " + status + "\">" + status + "</span>" + htmlEscape(c.title) + "</h2>\n";
        html += "<div class=\"measure\">Measure: " + htmlEscape(c.measure) + "</div>\n";
        html += "<div class=\"id\">Check: " + htmlEscape(c.id) + "</div>\n<ul class=\"evidence\">\n";
        for (const auto &o : c.evidence) {
            const std::string kind(statusName(o.status));
            html += "<li class=\"" + kind + "\"><span class=\"kind\">" + kind + "</span> " + htmlEscape(o.text) + "</li>\n";
        }
        html += "</ul>\n";
        if (!c.remediation.empty())
            html += "<p class=\"remediation\"><strong>Remediation:</strong> " + htmlEscape(c.remediation) + "</p>\n";
        html += "</section>\n";
    }
    html += "</body>\n</html>\n";
    return html;
}

} // namespace loadlens::posture
