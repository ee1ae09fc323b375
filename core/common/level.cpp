#include "common/types.h"

namespace loadlens {

std::string_view levelName(Level level)
{
    switch (level) {
    case Level::Ok: return "ok";
    case Level::Info: return "info";
    case Level::Low: return "low";
    case Level::Medium: return "medium";
    case Level::High: return "high";
    }
    return "ok";
}

std::optional<Level> parseLevel(std::string_view name)
{
    for (Level l : {Level::Ok, Level::Info, Level::Low, Level::Medium, Level::High})
        if (levelName(l) == name)
            return l;
    return std::nullopt;
}

} // namespace loadlens
