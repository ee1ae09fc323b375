#include "elf/elf_info.h"

#include <array>
#include <utility>

namespace loadlens::elf {

std::string_view objectTypeName(ObjectType type)
{
    switch (type) {
    case ObjectType::None: return "NONE";
    case ObjectType::Relocatable: return "REL";
    case ObjectType::Executable: return "EXEC";
    case ObjectType::SharedObject: return "DYN";
    case ObjectType::Core: return "CORE";
    case ObjectType::Other: break;
    }
    return "OTHER";
}

std::string machineName(std::uint16_t machine)
{
    static constexpr std::array<std::pair<std::uint16_t, std::string_view>, 20> names{{
        {0, "none"},        {2, "SPARC"},       {3, "Intel 80386"}, {4, "Motorola 68000"},
        {8, "MIPS"},        {20, "PowerPC"},    {21, "PowerPC64"},  {22, "IBM S/390"},
        {40, "ARM"},        {42, "SuperH"},     {43, "SPARC V9"},   {50, "IA-64"},
        {62, "x86-64"},     {183, "AArch64"},   {243, "RISC-V"},    {247, "BPF"},
        {258, "LoongArch"}, {6, "Intel MCU"},   {15, "PA-RISC"},    {18, "SPARC32PLUS"},
    }};
    for (const auto &[number, name] : names)
        if (number == machine)
            return std::string(name);
    return "machine " + std::to_string(machine);
}

} // namespace loadlens::elf
