#pragma once
// A small, read-only ELF reader: header, program headers, PT_INTERP and the dynamic section with
// its string table. It reads with pread and never maps, loads or runs the file. Malformed input
// gives an Error (not ELF at all) or partial ElfInfo with warnings (damaged but recognisable).
#include "common/result.h"
#include "elf/elf_info.h"

#include <cstdint>
#include <span>
#include <string>

namespace loadlens::elf {

// Opens `path` with O_NOFOLLOW (a symlink is an error: resolve it first if that is intended)
// and reads only regular files.
Result<ElfInfo> readElf(const std::string &path);

// Same parser over bytes in memory (fuzzing, tests).
Result<ElfInfo> parseElf(std::span<const std::uint8_t> data);

} // namespace loadlens::elf
