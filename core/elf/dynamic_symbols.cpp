#include "elf/dynamic_symbols.h"

#include <cstring>

#include "elf/elf_decode.h"

#include <algorithm>
#include <string_view>

namespace loadlens::elf {

namespace {

constexpr std::uint32_t kShtDynsym = 11;
constexpr unsigned kSttFunc = 2;
constexpr unsigned kSttGnuIfunc = 10;
constexpr unsigned kStbGlobal = 1;
constexpr unsigned kStbWeak = 2;
constexpr std::uint64_t kMaxSymbolTable = 64u << 20;
constexpr std::uint64_t kMaxSections = 65535;

struct Section {
    std::uint32_t type = 0;
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
    std::uint32_t link = 0;
    std::uint64_t entsize = 0;
};

} // namespace

Result<std::vector<std::string>> readExportedFunctions(const ByteSource &source)
{
    const std::string &name = source.name();
    auto ident = source.read(0, 16);
    if (!ident || (*ident)[0] != 0x7f || (*ident)[1] != 'E' || (*ident)[2] != 'L' || (*ident)[3] != 'F')
        return Error{0, name + ": not an ELF file"};
    const bool is64 = (*ident)[4] == 2;
    if ((*ident)[4] != 1 && !is64)
        return Error{0, name + ": unknown ELF class"};
    const detail::FieldDecoder d((*ident)[5] == 2 ? Endian::Big : Endian::Little);
    auto header = source.read(0, is64 ? 64 : 52);
    if (!header)
        return Error{0, name + ": truncated ELF header"};
    const std::uint8_t *h = header->data();
    const std::uint64_t shoff = is64 ? d.u64(h + 0x28) : d.u32(h + 0x20);
    const std::uint16_t shentsize = d.u16(h + (is64 ? 0x3a : 0x2e));
    const std::uint64_t shnum = d.u16(h + (is64 ? 0x3c : 0x30));
    const std::uint16_t minimum = is64 ? 64 : 40;
    if (shoff == 0 || shnum == 0)
        return Error{0, name + ": no section headers (stripped of them): its exported functions are unknown"};
    if (shentsize < minimum || shnum > kMaxSections || !source.contains(shoff, shnum * shentsize))
        return Error{0, name + ": the section header table is damaged"};
    auto table = source.read(shoff, static_cast<std::size_t>(shnum * shentsize));
    if (!table)
        return Error{0, name + ": cannot read the section headers: " + table.error().message};
    auto sectionAt = [&](std::uint64_t i) {
        const std::uint8_t *s = table->data() + i * shentsize;
        Section out;
        out.type = d.u32(s + 4);
        out.offset = is64 ? d.u64(s + 24) : d.u32(s + 16);
        out.size = is64 ? d.u64(s + 32) : d.u32(s + 20);
        out.link = d.u32(s + (is64 ? 40 : 24));
        out.entsize = is64 ? d.u64(s + 56) : d.u32(s + 36);
        return out;
    };
    std::vector<std::string> names;
    for (std::uint64_t i = 0; i < shnum; ++i) {
        const Section symtab = sectionAt(i);
        if (symtab.type != kShtDynsym)
            continue;
        const std::uint64_t entry = is64 ? 24 : 16;
        if (symtab.link >= shnum || symtab.size > kMaxSymbolTable || (symtab.entsize && symtab.entsize < entry) ||
            !source.contains(symtab.offset, symtab.size))
            return Error{0, name + ": the dynamic symbol table is damaged"};
        const Section strtab = sectionAt(symtab.link);
        if (strtab.size > limits::kMaxStringTable || !source.contains(strtab.offset, strtab.size))
            return Error{0, name + ": the dynamic string table is damaged"};
        auto symbols = source.read(symtab.offset, static_cast<std::size_t>(symtab.size));
        auto strings = source.read(strtab.offset, static_cast<std::size_t>(strtab.size));
        if (!symbols || !strings)
            return Error{0, name + ": cannot read the dynamic symbol table"};
        const std::uint64_t stride = symtab.entsize ? symtab.entsize : entry;
        for (std::uint64_t at = 0; at + entry <= symbols->size(); at += stride) {
            const std::uint8_t *s = symbols->data() + at;
            const std::uint32_t nameOffset = d.u32(s);
            const unsigned info = is64 ? s[4] : s[12];
            const unsigned other = is64 ? s[5] : s[13];
            const std::uint16_t shndx = d.u16(s + (is64 ? 6 : 14));
            const unsigned type = info & 0xf, bind = info >> 4;
            if ((type != kSttFunc && type != kSttGnuIfunc) || (bind != kStbGlobal && bind != kStbWeak) ||
                shndx == 0 || (other & 3) != 0 || nameOffset >= strings->size())
                continue;
            const char *begin = reinterpret_cast<const char *>(strings->data()) + nameOffset;
            const std::size_t cap = std::min<std::size_t>(strings->size() - nameOffset, limits::kMaxStringLength);
            const std::size_t length = ::strnlen(begin, cap);
            if (length == 0 || length == cap)
                continue; // unterminated, or longer than any real symbol name
            // The version of a symbol lives in .gnu.version, not in its name; a name that still
            // carries one ("readdir@GLIBC_2.2.5", as some producers write it) is compared by its
            // base name, which is what a reference without a version binds to.
            const std::string_view full(begin, length);
            const std::string_view base = full.substr(0, full.find('@'));
            if (!base.empty())
                names.emplace_back(base);
        }
        break;
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

} // namespace loadlens::elf
