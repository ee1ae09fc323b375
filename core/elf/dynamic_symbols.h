#pragma once
// The functions a shared object exports through its dynamic symbol table (.dynsym): defined,
// global or weak, default visibility. A preloaded library that exports a function the C library
// also exports replaces it for the whole process: that is what LD_PRELOAD rootkits do to
// readdir (hiding processes) or accept (a backdoor).
#include "common/result.h"
#include "elf/byte_source.h"

#include <string>
#include <vector>

namespace loadlens::elf {

// Base names (without any "@VERSION"), sorted, without duplicates: a library defining readdir
// under a version of its own still replaces readdir. An object without section headers (sstrip)
// is read the way the loader reads it, through PT_DYNAMIC (DT_SYMTAB, DT_STRTAB, and DT_HASH or
// DT_GNU_HASH for the count); when that fails too, an error says its exports are unknown, not empty.
Result<std::vector<std::string>> readExportedFunctions(const ByteSource &source);

} // namespace loadlens::elf
