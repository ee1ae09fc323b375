#pragma once
// The posture report for people and scripts: a checklist, JSON ({"checks":[...]}), one
// self-contained HTML page that prints well, and the monitoring configuration that would close
// the gaps (audit rules in audit_rules.h; a Sysmon ImageLoad rule group for Windows hosts).
#include "posture/posture.h"

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

namespace loadlens::posture {

// {"checks":[{"id","measure","title","status","evidence":["fail: ..."],"remediation"}]}
nlohmann::json postureToJson(const PostureReport &report);

void writePostureText(std::ostream &out, const PostureReport &report);

// A complete HTML document with inline CSS (status colours, @media print), no scripts and no
// external resources; every text is escaped.
std::string renderPostureHtml(const PostureReport &report, const std::string &hostLabel = {});
std::string htmlEscape(std::string_view text);

// A Sysmon configuration whose ImageLoad rule group records images loaded from user-writable
// places and images that are not validly signed (T1574.001/.002), to merge into a host's config.
std::string emitSysmonImageLoadConfig();

} // namespace loadlens::posture
