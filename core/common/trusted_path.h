#pragma once
// May root trust a file of its own (a cache whose answers feed verdicts)? Only when nobody but
// root can have written it or swapped it: every component from "/" down to the file, and every
// symlink met on the way, is owned by root and writable by neither group nor others (an ACL that
// grants write to anyone shows in the group bits as its mask). A root run that kept a user's
// environment (sudo -E) would otherwise read a file the user planted.
#include "common/result.h"

#include <string>

namespace loadlens {

// Checks `path` as described above. Components that do not exist yet are fine (root creates
// them); the error names the first component that fails and why.
Status checkRootTrustedPath(const std::string &path);

// For the effective user of this process: as root checkRootTrustedPath(), otherwise Ok (a user
// trusts their own files; nothing of theirs is more privileged than they are).
Status checkCacheTrusted(const std::string &path);

} // namespace loadlens
