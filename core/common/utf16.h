#pragma once
// UTF-16LE text as Windows files store it (PE version resources, registry values), to UTF-8.
#include <cstdint>
#include <span>
#include <string>

namespace loadlens {

// Stops at the first NUL; unpaired surrogates become U+FFFD.
std::string utf8FromUtf16(std::span<const std::uint8_t> bytes);

} // namespace loadlens
