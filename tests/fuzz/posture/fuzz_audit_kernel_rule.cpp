// Feeds any bytes to the kernel audit rule decoder as one AUDIT_LIST_RULES payload and checks
// what it promises: a decoded watch has a path no longer than the payload, a known permission
// string, the position of its rule; a failure adds no watch.
#include "posture/audit_kernel.h"

#include <cstdint>
#include <cstdlib>
#include <span>

using namespace loadlens::posture;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    KernelAuditState state;
    const auto decoded = decodeKernelRule(std::span<const std::uint8_t>(data, data ? size : 0), state);
    if (state.ruleCount != 1)
        std::abort();
    if (!decoded.ok() && !state.watches.empty())
        std::abort();
    for (const auto &w : state.watches) {
        if (w.path.size() > size || w.key.size() > size || w.line != 1 || w.file != "kernel")
            std::abort();
        if (w.perms.find_first_not_of("rwxa") != std::string::npos || w.pathField == w.directoryField)
            std::abort();
    }
    return 0;
}
