#pragma once
// The boot id of a snapshot made from a Windows image (loadlens-cli windows-triage --bundle)
// rather than a live scan: its process-like entries are executables found on the image (pid 0),
// never running processes, and readers say so.
#include <string_view>

namespace loadlens {

inline constexpr std::string_view kWindowsImageBootId = "windows-image";
inline bool isImageSnapshot(std::string_view bootId) { return bootId == kWindowsImageBootId; }

} // namespace loadlens
