#include "winreg/registry.h"

#include <algorithm>

namespace loadlens::winreg {

std::string foldCase(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    return s;
}

const Value *Key::value(const std::string &wanted) const
{
    const std::string folded = foldCase(wanted);
    for (const auto &v : values)
        if (foldCase(v.name) == folded)
            return &v;
    return nullptr;
}

std::optional<Value> Hive::value(const std::string &keyPath, const std::string &name) const
{
    const auto k = key(keyPath);
    if (!k)
        return std::nullopt;
    if (const auto *v = k->value(name))
        return *v;
    return std::nullopt;
}

} // namespace loadlens::winreg
