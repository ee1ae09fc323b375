#pragma once
// Where a collected Windows image keeps its volume and its registry: a Windows volume (or a
// triage collection of one) with Windows\System32\config hives and Users\*\NTUSER.DAT, or a Wine
// prefix with drive_c and system.reg / user.reg.
#include "common/result.h"
#include "wintriage/ci_tree.h"
#include "wintriage/triage.h"
#include "winreg/registry.h"

#include <memory>
#include <string>
#include <vector>

namespace loadlens::wintriage {

struct ImageLayout {
    std::string kind;                 // "windows-volume" or "wine-prefix"
    std::unique_ptr<CiTree> volume;   // the C: drive
    std::unique_ptr<winreg::Hive> system;
    std::unique_ptr<winreg::Hive> software;
    std::vector<std::unique_ptr<winreg::Hive>> users;
    std::vector<std::string> missing; // hives that were absent or unreadable, with why
};

Result<ImageLayout> openLayout(const std::string &root);
Result<Settings> readSettings(const ImageLayout &layout);

} // namespace loadlens::wintriage
