// passwd(5) and group(5) text as LoadLens reads a scanned root's /etc/passwd and /etc/group.
#include "common/accounts.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    using namespace loadlens::accounts;
    const Database db(parsePasswd(text), parseGroup(text));
    for (std::uint32_t id : {0u, 1u, 1000u, 65534u}) {
        (void)db.userName(id);
        (void)db.membersOf(id);
    }
    return 0;
}
