#include "pathsec/acl_reader.h"

#include "pathsec/path_names.h"

#include <acl/libacl.h>
#include <cerrno>
#include <sys/acl.h>

namespace loadlens::pathsec {
namespace {

// Frees whatever libacl handed out, whichever way the function returns.
class AclHandle {
public:
    explicit AclHandle(acl_t acl) : m_acl(acl) {}
    AclHandle(const AclHandle &) = delete;
    AclHandle &operator=(const AclHandle &) = delete;
    ~AclHandle()
    {
        if (m_acl)
            acl_free(m_acl);
    }
    acl_t get() const { return m_acl; }

private:
    acl_t m_acl;
};

struct Perms {
    bool write = false;
    bool search = false;
};

Perms permsOf(acl_entry_t entry)
{
    acl_permset_t permset = nullptr;
    if (acl_get_permset(entry, &permset) != 0)
        return {};
    return {acl_get_perm(permset, ACL_WRITE) == 1, acl_get_perm(permset, ACL_EXECUTE) == 1};
}

bool qualifierOf(acl_entry_t entry, std::uint32_t &id)
{
    void *qualifier = acl_get_qualifier(entry);
    if (!qualifier)
        return false;
    // uid_t and gid_t are both 32-bit unsigned on Linux.
    id = *static_cast<const std::uint32_t *>(qualifier);
    acl_free(qualifier);
    return true;
}

} // namespace

Result<AccessAcl> readAccessAcl(const std::string &path)
{
    AclHandle acl(acl_get_file(path.c_str(), ACL_TYPE_ACCESS));
    if (!acl.get()) {
        const int err = errno;
        if (err == ENOTSUP || err == ENOSYS)
            return AccessAcl{};
        return Error{err, "cannot read the ACL of " + path + ": " + errnoText(err)};
    }

    AccessAcl out;
    Perms mask{true, true};
    Perms groupObj;
    struct Named {
        bool isGroup;
        std::uint32_t id;
        Perms perms;
    };
    std::vector<Named> named;

    acl_entry_t entry = nullptr;
    for (int which = ACL_FIRST_ENTRY; acl_get_entry(acl.get(), which, &entry) == 1; which = ACL_NEXT_ENTRY) {
        acl_tag_t tag = ACL_UNDEFINED_TAG;
        if (acl_get_tag_type(entry, &tag) != 0)
            continue;
        switch (tag) {
        case ACL_MASK:
            out.extended = true;
            mask = permsOf(entry);
            break;
        case ACL_GROUP_OBJ:
            groupObj = permsOf(entry);
            break;
        case ACL_USER:
        case ACL_GROUP: {
            out.extended = true;
            std::uint32_t id = 0;
            if (!qualifierOf(entry, id))
                return Error{errno, "cannot read an ACL entry of " + path + ": " + errnoText(errno)};
            named.push_back({tag == ACL_GROUP, id, permsOf(entry)});
            break;
        }
        default:
            break;  // ACL_USER_OBJ and ACL_OTHER mirror the mode bits
        }
    }

    // The mask bounds the named entries and the owning group, never the owner or others.
    out.groupObjWrite = groupObj.write && mask.write;
    out.groupObjSearch = groupObj.search && mask.search;
    for (const auto &n : named)
        out.named.push_back({n.isGroup, n.id, n.perms.write && mask.write, n.perms.search && mask.search});
    return out;
}

} // namespace loadlens::pathsec
