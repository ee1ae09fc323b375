#pragma once
// The order in which modules deserve a look. A library the loader was told to take from an
// unusual place (LD_PRELOAD, /etc/ld.so.preload, LD_LIBRARY_PATH) is what actually happened;
// a system library that merely could have been hijacked is a consequence of it. So modules
// rank first by how the loader came to map them, then by level. Views sort by moduleRank.
#include "common/types.h"

namespace loadlens::verdict {

enum class LoadingPath : int {
    SystemSearch = 0,    // nothing in the verdict says the loader was steered
    LibraryPathEnv = 1,  // taken from an LD_LIBRARY_PATH directory
    Preload = 2,         // named by LD_PRELOAD / LD_AUDIT or /etc/ld.so.preload
};

LoadingPath loadingPath(const Verdict &verdict);

// Larger means more deserving of attention: loading path first, then level.
int moduleRank(const Verdict &verdict);

} // namespace loadlens::verdict
