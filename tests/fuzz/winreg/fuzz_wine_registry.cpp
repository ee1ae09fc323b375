// Feeds arbitrary text to the Wine registry reader and looks up what a triage would.
#include "winreg/registry.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace loadlens::winreg;
    const std::string text(reinterpret_cast<const char *>(data), size);
    for (const char *prefix : {"", "System"}) {
        auto hive = parseWineRegistry(text, "fuzz.reg", prefix);
        if (!hive)
            continue;
        if (auto key = (*hive)->key("CurrentControlSet\\Control\\Session Manager\\Environment"))
            (void)key->value("PATH");
        if (auto root = (*hive)->key(""))
            for (const auto &sub : root->subkeys)
                (void)(*hive)->key(sub);
    }
    return 0;
}
