// Feeds arbitrary bytes to the /proc/PID/cgroup parser: cgroup paths are names that whoever
// creates the cgroup chooses (a container runtime, or a user with a delegated subtree). What it
// returns must be a runtime it knows with a non-empty id.
#include "proc/cgroup_container.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    if (auto c = loadlens::proc::containerFromCgroupFile(text)) {
        if (c->runtime.empty() || c->id.empty())
            std::abort();
    }
    (void)loadlens::proc::namespaceInode(text);
    return 0;
}
