// Feeds arbitrary bytes to the ld.so.cache parser and looks names up in whatever it returns.
#include "elf/ld_cache.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace loadlens::elf;
    auto cache = parseLdCache({data, size});
    if (!cache.ok())
        return 0;
    for (const auto &entry : cache->entries) {
        (void)cache->lookup(entry.soname);
        (void)ldCacheFlagsDescription(entry.flags);
    }
    (void)cache->lookup("libc.so.6", kCacheFlagElfLibc6);
    (void)cache->lookupAll("libc.so.6");
    return 0;
}
