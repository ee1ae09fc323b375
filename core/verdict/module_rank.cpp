#include "verdict/module_rank.h"

#include "verdict/reason_catalog.h"

namespace loadlens::verdict {

LoadingPath loadingPath(const Verdict &verdict)
{
    if (verdict.has(code::PreloadEnv) || verdict.has(code::PreloadFile))
        return LoadingPath::Preload;
    if (verdict.has(code::LibraryPathEnv))
        return LoadingPath::LibraryPathEnv;
    return LoadingPath::SystemSearch;
}

int moduleRank(const Verdict &verdict)
{
    constexpr int levels = static_cast<int>(Level::High) + 1;
    return static_cast<int>(loadingPath(verdict)) * levels + static_cast<int>(verdict.level);
}

} // namespace loadlens::verdict
