#pragma once
// Builds small ELF images in memory (32/64-bit, little/big endian) with chosen dynamic entries,
// and knows where each structure lies so tests can damage exactly one field.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loadlens::elftest {

struct ElfImageSpec {
    bool is64 = true;
    bool bigEndian = false;
    std::uint16_t type = 3;      // ET_DYN
    std::uint16_t machine = 62;  // EM_X86_64
    std::string interp;          // no PT_INTERP when empty
    std::vector<std::string> needed;
    std::optional<std::string> soname;
    std::optional<std::string> rpath;
    std::optional<std::string> runpath;
    std::optional<std::uint64_t> flags1;
    bool withDynamic = true;
};

struct ElfImage {
    std::vector<std::uint8_t> bytes;
    bool is64 = true;
    bool bigEndian = false;
    std::uint64_t loadVaddr = 0;       // PT_LOAD maps file offset 0 at this address
    std::size_t phoffField = 0;        // offset of e_phoff in the ELF header
    std::size_t phnumField = 0;        // offset of e_phnum
    std::size_t phentsizeField = 0;    // offset of e_phentsize
    std::size_t loadPhdr = 0;          // offset of the PT_LOAD program header
    std::size_t dynamicPhdr = 0;       // offset of the PT_DYNAMIC program header (0 if none)
    std::size_t dynamicOffset = 0;     // file offset of the first dynamic entry
    std::size_t dynamicCount = 0;      // entries including DT_NULL
    std::size_t strtabOffset = 0;      // file offset of the string table
    std::size_t strtabSize = 0;

    // Writes `value` with the image's byte order and word width (width 0 = address size).
    void put(std::size_t offset, std::uint64_t value, int width = 0);
    std::uint64_t get(std::size_t offset, int width = 0) const;
    // Offset of field `field` (0 type, 1 offset, 2 vaddr, 3 filesz, 4 memsz) of a program header.
    std::size_t phdrField(std::size_t phdr, int field) const;
    // Offset of the tag (value=false) or value of the dynamic entry with `tag` (first match).
    std::size_t dynamicField(std::uint64_t tag, bool value = true) const;
};

ElfImage buildElfImage(const ElfImageSpec &spec);

} // namespace loadlens::elftest
