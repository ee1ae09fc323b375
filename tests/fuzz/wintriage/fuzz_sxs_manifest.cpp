// Feeds arbitrary bytes to the assembly manifest reader and walks what it returns.
#include "wintriage/manifest.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace loadlens::wintriage;
    const std::string_view xml(reinterpret_cast<const char *>(data), size);
    if (auto manifest = parseManifest(xml, "fuzz.manifest")) {
        std::size_t total = manifest->identity.text().size();
        for (const auto &dependency : manifest->dependencies)
            total += dependency.text().size();
        for (const auto &file : manifest->files)
            total += file.size();
        if (manifest->dependencies.size() != manifest->optionalDependencies.size() || total > (std::size_t(1) << 30))
            __builtin_trap();
    }
    return 0;
}
