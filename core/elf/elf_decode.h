#pragma once
// Internal pieces shared by the ELF header and dynamic-section readers.
#include "elf/byte_source.h"
#include "elf/elf_info.h"
#include "elf/elf_limits.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loadlens::elf::detail {

// Reads fixed-width fields in the file's byte order. Callers check bounds first; the offsets
// given here are always inside the buffer they pass.
class FieldDecoder {
public:
    explicit FieldDecoder(Endian endian) : m_endian(endian) {}

    std::uint64_t read(const std::uint8_t *p, int width) const
    {
        std::uint64_t v = 0;
        for (int i = 0; i < width; ++i) {
            const int shift = m_endian == Endian::Little ? 8 * i : 8 * (width - 1 - i);
            v |= std::uint64_t(p[i]) << shift;
        }
        return v;
    }
    std::uint16_t u16(const std::uint8_t *p) const { return static_cast<std::uint16_t>(read(p, 2)); }
    std::uint32_t u32(const std::uint8_t *p) const { return static_cast<std::uint32_t>(read(p, 4)); }
    std::uint64_t u64(const std::uint8_t *p) const { return read(p, 8); }
    // An address-sized field (Elf32_Addr/Off or Elf64_Addr/Off).
    std::uint64_t word(const std::uint8_t *p, ElfClass cls) const
    {
        return cls == ElfClass::Elf64 ? u64(p) : u32(p);
    }

private:
    Endian m_endian;
};

struct ProgramHeader {
    std::uint32_t type = 0;
    std::uint64_t offset = 0;
    std::uint64_t vaddr = 0;
    std::uint64_t filesz = 0;
    std::uint64_t memsz = 0;
};

inline constexpr std::uint32_t kPtLoad = 1;
inline constexpr std::uint32_t kPtDynamic = 2;
inline constexpr std::uint32_t kPtInterp = 3;

// Adds a warning unless the cap is reached, so a file with a million bad entries stays bounded.
void addWarning(ElfInfo &info, std::string text);

// Reads PT_DYNAMIC and the dynamic string table into `info`; problems become warnings.
void readDynamicSection(const ByteSource &source, const FieldDecoder &decoder,
                        const std::vector<ProgramHeader> &headers, ElfInfo &info);

} // namespace loadlens::elf::detail
