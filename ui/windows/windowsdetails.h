#pragma once
// What the details pane (and a row's "Verdict details" window) says about a Windows triage
// finding, executable or posture check, in the verdict details pane's style.
#include "wintriage/triage.h"

#include <QString>

#include <vector>

namespace loadlens::ui {

// `imageRoot`: the image it was found in (empty: not said).
QString windowsFindingDetailsHtml(const wintriage::Finding &finding, const QString &imageRoot);
// With the findings about this executable among `findings`.
QString windowsExecutableDetailsHtml(const wintriage::Executable &executable, const std::vector<wintriage::Finding> &findings);
QString windowsPostureDetailsHtml(const wintriage::PostureCheck &check);
// The Windows path one of `executable`'s imports resolved to; empty when not found or not imported.
std::string resolvedDllPath(const wintriage::Executable &executable, const std::string &dll);

} // namespace loadlens::ui
