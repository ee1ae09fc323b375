#pragma once
// Names Sysmon uses: providers and channels.
#include <string_view>

namespace loadlens::sysmon {

inline constexpr std::string_view kWindowsProvider = "Microsoft-Windows-Sysmon";
inline constexpr std::string_view kLinuxProvider = "Linux-Sysmon";
inline constexpr std::string_view kChannel = "Microsoft-Windows-Sysmon/Operational";

// Sysmon for Windows or for Linux (provider names compared without regard to case).
bool isSysmonProvider(std::string_view provider);

} // namespace loadlens::sysmon
