#pragma once
// .NET native images made by NGEN (ngen.exe, or the .NET Runtime Optimization Service) on the
// machine itself from signed IL assemblies. They are never Authenticode-signed, so Sysmon
// reports every one as Signed=false. Their home is C:\Windows\assembly\NativeImages_v<runtime>[_32|_64]
// \<assembly folder>\<32 hex digits>\<name>.ni.dll (or .ni.exe), which only administrators and
// TrustedInstaller may write.
#include <string>
#include <string_view>

namespace loadlens::sysmon {

struct NgenLayout {
    bool underNativeImages = false;  // the path lies below C:\Windows\assembly\NativeImages_v*
    bool valid = false;              // ... and is laid out as NGEN lays out its images
    std::string problem;             // why it is not, when underNativeImages && !valid
    std::string runtimeFolder;       // "nativeimages_v4.0.30319_64"
    std::string assemblyName;        // the IL assembly it was made from: "system.core.dll"
};

// `normalizedPath` as from winpath::normalize() (lower case).
NgenLayout ngenLayoutOf(std::string_view normalizedPath);

} // namespace loadlens::sysmon
