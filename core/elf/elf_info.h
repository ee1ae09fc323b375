#pragma once
// What LoadLens learns from an ELF file's header, program headers and dynamic section: enough to
// reproduce the dynamic loader's library search without ever mapping or running the file.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::elf {

enum class ElfClass : std::uint8_t { Elf32 = 32, Elf64 = 64 };
enum class Endian : std::uint8_t { Little, Big };
enum class ObjectType : std::uint8_t { None, Relocatable, Executable, SharedObject, Core, Other };

// DT_FLAGS_1 bits that matter for library search and hardening judgements.
inline constexpr std::uint64_t kDf1Now = 0x00000001;
inline constexpr std::uint64_t kDf1NoDefLib = 0x00000800;
inline constexpr std::uint64_t kDf1Pie = 0x08000000;
// DT_FLAGS bits.
inline constexpr std::uint64_t kDfOrigin = 0x1;
inline constexpr std::uint64_t kDfBindNow = 0x8;

struct ElfInfo {
    ElfClass elfClass = ElfClass::Elf64;
    Endian endian = Endian::Little;
    std::uint16_t machine = 0;        // e_machine
    std::string machineName;          // "x86-64", "AArch64", ... or "machine 1234"
    ObjectType type = ObjectType::None;
    std::uint16_t rawType = 0;        // e_type as stored

    std::string interp;               // PT_INTERP, empty when absent
    bool hasDynamic = false;          // a PT_DYNAMIC segment with entries was read
    std::vector<std::string> needed;  // DT_NEEDED, in file order
    std::string soname;
    std::string rpath;                // DT_RPATH as stored (tokens not expanded)
    std::string runpath;              // DT_RUNPATH as stored
    bool hasRpath = false;
    bool hasRunpath = false;
    std::uint64_t flags = 0;          // DT_FLAGS
    std::uint64_t flags1 = 0;         // DT_FLAGS_1

    // Bounded problems met while reading; the fields above hold what could still be read.
    std::vector<std::string> warnings;

    bool noDefaultLib() const { return (flags1 & kDf1NoDefLib) != 0; }
};

std::string_view objectTypeName(ObjectType type);   // "EXEC", "DYN", "REL", "CORE", "NONE", "OTHER"
std::string machineName(std::uint16_t machine);

} // namespace loadlens::elf
