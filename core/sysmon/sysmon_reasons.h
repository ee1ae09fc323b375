#pragma once
// Reason codes for judged Sysmon events. They are part of the JSON contract like the codes in
// verdict/reason_catalog.h, whose techniques and M1044 measure texts they reuse.
#include "common/types.h"

#include <string>
#include <string_view>

namespace loadlens::sysmon {

namespace code {
inline constexpr std::string_view UnsignedImageLoad = "unsigned-image-load";
inline constexpr std::string_view InvalidSignature = "invalid-signature";
inline constexpr std::string_view SignatureUnverified = "signature-unverified";
// An unsigned .NET native image where NGEN keeps them: unsigned by design (ngen_image.h).
inline constexpr std::string_view NgenNativeImage = "ngen-native-image";
inline constexpr std::string_view UserWritableLoadPath = "user-writable-load-path";
inline constexpr std::string_view HijackLibsMatch = "hijacklibs-match";
// A HijackLibs DLL outside the entry's expected folders, validly signed by the entry's vendor in
// a folder only administrators may write: the vendor's private copy, not a planted one.
inline constexpr std::string_view HijackLibsVendorCopy = "hijacklibs-vendor-copy";
inline constexpr std::string_view HijackLibsVulnerableExecutable = "hijacklibs-vulnerable-executable";
inline constexpr std::string_view HijackLibsRelocatedExecutable = "hijacklibs-relocated-executable";
inline constexpr std::string_view SignerMismatch = "signer-mismatch";
inline constexpr std::string_view ExecutableFileCreated = "executable-file-created";
} // namespace code

// verdict::makeReason with the technique and measure assigned to a Sysmon code
// (sysmon_reasons.cpp), which the verdict catalog does not list.
Reason makeSysmonReason(std::string_view code, Level level, std::string text, Evidence evidence = {});

} // namespace loadlens::sysmon
