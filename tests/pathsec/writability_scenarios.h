#pragma once
// Named trees for the writability tests: each builds one situation (world-writable dir, sticky dir,
// ACL with and without mask, ...) below a TreeBuilder's base.
#include "tree_builder.h"

#include <QString>
#include <string>
#include <sys/types.h>

namespace loadlens::testing::scenarios {

constexpr uid_t kNobody = 65534;
constexpr uid_t kOtherUser = 65533;
constexpr gid_t kUsersGroup = 100;

// Builds scenario `name` and sets `target` to the path to check. Returns an empty string on
// success, "unsupported" when the filesystem lacks ACLs, else what failed.
std::string buildScenario(const QString &name, TreeBuilder &t, std::string &target);

} // namespace loadlens::testing::scenarios
