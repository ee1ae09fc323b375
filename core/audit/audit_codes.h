#pragma once
// Event kinds and reason codes of auditd imports. Like core/verdict/reason_catalog.h, these
// strings are part of the JSON contract: never rename one. Techniques and measures come from
// the reason catalog wherever it has them.
#include <string_view>

namespace loadlens::audit {

namespace kind {
inline constexpr std::string_view PreloadConfigWrite = "preload-config-write";  // /etc/ld.so.preload
inline constexpr std::string_view LdConfigWrite = "ld-config-write";            // /etc/ld.so.conf(.d)
inline constexpr std::string_view LdCacheWrite = "ld-cache-write";              // /etc/ld.so.cache
inline constexpr std::string_view LibraryWrite = "library-write";  // a library directory or a .so
inline constexpr std::string_view LoaderEnvExec = "loader-env-exec";  // LD_PRELOAD & co. in an exec
inline constexpr std::string_view AuditConfigChange = "audit-config-change";  // CONFIG_CHANGE
inline constexpr std::string_view LibraryOpen = "library-open";  // a .so opened or executed
inline constexpr std::string_view LoaderConfigRead = "loader-config-read";  // ld.so files read
inline constexpr std::string_view Irrelevant = "irrelevant";  // counted, never emitted
} // namespace kind

namespace code {
inline constexpr std::string_view PreloadFileWritten = "preload-file-written";
inline constexpr std::string_view LdConfigWritten = "ld-config-written";
inline constexpr std::string_view LdCacheWritten = "ld-cache-written";
inline constexpr std::string_view LibraryDirWritten = "library-dir-written";
inline constexpr std::string_view LibraryFileWritten = "library-file-written";  // a .so elsewhere
inline constexpr std::string_view LoaderEnvExec = "loader-env-exec";
inline constexpr std::string_view AuditRulesChanged = "audit-rules-changed";
inline constexpr std::string_view LibraryOpened = "library-opened";
inline constexpr std::string_view LoaderConfigRead = "loader-config-read";
} // namespace code

// Impair Defenses: Disable or Modify Linux Audit System (not in the module reason catalog).
inline constexpr std::string_view kAuditTamperingTechnique = "T1562.012";

} // namespace loadlens::audit
