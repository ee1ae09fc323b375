// Feeds arbitrary bytes to the icacls /save reader, then every SDDL it kept through the DACL
// parser and the write-access decision; and the bytes themselves as one SDDL string.
#include "wintriage/acl.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace loadlens::wintriage;
    const std::string_view bytes(reinterpret_cast<const char *>(data), size);
    if (auto dacl = parseSddlDacl(bytes))
        (void)nonAdminCanCreateFiles(*dacl);
    AclCollection acls;
    if (acls.addIcaclsSaveBytes(bytes, "fuzz.txt")) {
        for (const char *path : {"C:\\", "C:\\Program Files\\App", "windows\\system32", "Users"})
            if (const auto *sddl = acls.sddlFor(path))
                if (auto dacl = parseSddlDacl(*sddl))
                    (void)nonAdminCanCreateFiles(*dacl);
    }
    return 0;
}
