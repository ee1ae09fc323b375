#pragma once
// Side-by-side (SxS) assembly manifests: the embedded RT_MANIFEST of a program, an external
// app.exe.manifest, a private assembly's <name>.manifest, or a WinSxS\Manifests\*.manifest.
// Read with expat, bounded in bytes, depth and entries; a DOCTYPE stops the parse (manifests
// never carry one, and no entity is expanded). Only what the loader's redirection uses is kept.
#include "common/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace loadlens::wintriage {

namespace manifest_limits {
inline constexpr std::size_t kMaxBytes = 1u << 20;   // as the PE reader's RT_MANIFEST limit
inline constexpr std::size_t kMaxDepth = 32;
inline constexpr std::size_t kMaxDependencies = 256;
inline constexpr std::size_t kMaxFiles = 4096;
inline constexpr std::size_t kMaxAttributeBytes = 1024;
} // namespace manifest_limits

// <assemblyIdentity>: the attributes that name an assembly, as written.
struct AssemblyIdentity {
    std::string name;
    std::string version;
    std::string processorArchitecture; // x86, amd64, arm64, msil, "*" (the process's), or empty
    std::string publicKeyToken;        // empty for a private assembly
    std::string language;              // empty or "*": neutral
    std::string type;                  // "win32"

    // "Microsoft.VC90.CRT 9.0.21022.8 x86 1fc8b3b9a1e18e3b" for evidence text.
    std::string text() const;
};

struct Manifest {
    AssemblyIdentity identity;                   // the assembly's own (may be empty for an app)
    std::vector<AssemblyIdentity> dependencies;  // <dependency><dependentAssembly><assemblyIdentity>
    std::vector<bool> optionalDependencies;      // parallel to dependencies: <dependency optional="yes">
    std::vector<std::string> files;              // <file name="x.dll"/>: the assembly's members
};

// `name` is used in error messages. UTF-8 (with or without BOM) and UTF-16 with a BOM are read.
Result<Manifest> parseManifest(std::string_view xml, const std::string &name);

} // namespace loadlens::wintriage
