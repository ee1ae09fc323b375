#pragma once
// The reason codes, ATT&CK techniques and M1044 measures LoadLens speaks in. Codes are part of
// the JSON contract: never rename one.
#include "common/types.h"

#include <string_view>

namespace loadlens::verdict {

namespace code {
inline constexpr std::string_view PackageVerified = "package-verified";
inline constexpr std::string_view PackageModified = "package-modified";
inline constexpr std::string_view PackageNoDigest = "package-owned-no-digest";
inline constexpr std::string_view Unowned = "unowned";
inline constexpr std::string_view NoPackageDatabase = "no-package-database";
inline constexpr std::string_view Unverifiable = "unverifiable";
inline constexpr std::string_view ImaSigned = "ima-signed";
inline constexpr std::string_view WritablePath = "writable-path";
inline constexpr std::string_view PreloadEnv = "preload-env";
inline constexpr std::string_view PreloadFile = "preload-file";
inline constexpr std::string_view LibraryPathEnv = "library-path-env";
inline constexpr std::string_view SearchPathHijackable = "search-path-hijackable";
inline constexpr std::string_view RpathWritable = "rpath-writable";
inline constexpr std::string_view RpathRelative = "rpath-relative";
inline constexpr std::string_view ShadowedSystemLibrary = "shadowed-system-library";
inline constexpr std::string_view DeletedUpgraded = "deleted-upgraded";
inline constexpr std::string_view Deleted = "deleted";
inline constexpr std::string_view MemfdExec = "memfd-exec";
inline constexpr std::string_view AnonymousExec = "anonymous-exec";
inline constexpr std::string_view UntrustedLocation = "untrusted-location";
inline constexpr std::string_view HiddenProcess = "hidden-process";
inline constexpr std::string_view KernelProvided = "kernel-provided";
// The module defines functions of the C library, the loader, libpam, libcrypt, libssl or libaudit
// that hide, steal or watch (hook analysis).
inline constexpr std::string_view InterposesSystemFunctions = "interposes-system-functions";
// A process in another mount namespace whose root (or part of it) could not be read.
inline constexpr std::string_view OwnRootUnreadable = "own-root-unreadable";
// Process-level finding: a loader variable names a directory someone other than root can write.
inline constexpr std::string_view LoaderEnvWritableDir = "loader-env-writable-dir";
// Windows (PE) images that Wine maps into a Linux process.
inline constexpr std::string_view WineDllShadowsSystem32 = "wine-dll-shadows-system32";
inline constexpr std::string_view PeUnsigned = "pe-unsigned";
inline constexpr std::string_view PeSignatureInvalid = "pe-signature-invalid";
// The same code the Sysmon import gives a HijackLibs DLL outside its expected locations.
inline constexpr std::string_view HijackLibsMatch = "hijacklibs-match";
} // namespace code

namespace technique {
inline constexpr std::string_view DynamicLinkerHijacking = "T1574.006";
inline constexpr std::string_view DllSearchOrderHijacking = "T1574.001";
inline constexpr std::string_view HijackExecutionFlow = "T1574";
inline constexpr std::string_view ProcessInjection = "T1055";
inline constexpr std::string_view ReflectiveCodeLoading = "T1620";
inline constexpr std::string_view Rootkit = "T1014";
} // namespace technique

namespace measure {
inline constexpr std::string_view RestrictPreload = "Restrict LD_PRELOAD and LD_LIBRARY_PATH usage";
inline constexpr std::string_view SecurePaths = "Secure library paths and directories";
inline constexpr std::string_view RequireSignatures = "Require digital signatures for all libraries";
inline constexpr std::string_view ImmutableLoaderConfig = "Protect /etc/ld.so.preload and ld.so.conf (ldconfig, chattr +i)";
inline constexpr std::string_view ApplicationControl = "Application control (AppArmor/SELinux, fapolicyd)";
inline constexpr std::string_view AuditAndMonitor = "Audit and monitor library loading";
inline constexpr std::string_view SecureDllSearchOrder =
    "Secure the DLL search order: no user-writable application directories, system DLLs loaded by full path";
} // namespace measure

// Builds a reason with the catalog's technique and measure for `code`.
Reason makeReason(std::string_view code, Level level, std::string text, Evidence evidence = {});

// The technique and measure the catalog assigns to a code (empty when none).
std::string_view techniqueFor(std::string_view code);
std::string_view measureFor(std::string_view code);

} // namespace loadlens::verdict
