#include "elf/dynamic_symbols.h"

#include <cstring>

#include "elf/elf_decode.h"

#include <algorithm>
#include <optional>
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

// The defined, exported functions of a symbol table, appended to `names` by base name.
void collectFunctions(const std::vector<std::uint8_t> &symbols, const std::vector<std::uint8_t> &strings, bool is64,
                      const detail::FieldDecoder &d, std::uint64_t stride, std::vector<std::string> &names)
{
    const std::uint64_t entry = is64 ? 24 : 16;
    for (std::uint64_t at = 0; at + entry <= symbols.size(); at += stride) {
        const std::uint8_t *s = symbols.data() + at;
        const std::uint32_t nameOffset = d.u32(s);
        const unsigned info = is64 ? s[4] : s[12];
        const unsigned other = is64 ? s[5] : s[13];
        const std::uint16_t shndx = d.u16(s + (is64 ? 6 : 14));
        const unsigned type = info & 0xf, bind = info >> 4;
        if ((type != kSttFunc && type != kSttGnuIfunc) || (bind != kStbGlobal && bind != kStbWeak) || shndx == 0 ||
            (other & 3) != 0 || nameOffset >= strings.size())
            continue;
        const char *begin = reinterpret_cast<const char *>(strings.data()) + nameOffset;
        const std::size_t cap = std::min<std::size_t>(strings.size() - nameOffset, limits::kMaxStringLength);
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
}

// Without section headers (sstrip) the loader still finds the symbols: PT_DYNAMIC names
// DT_SYMTAB, DT_STRTAB and DT_STRSZ, and DT_HASH (nchain) or DT_GNU_HASH (the last chain's
// end) gives how many symbols there are.
Result<std::vector<std::string>> exportsFromDynamicSegment(const ByteSource &source, const std::uint8_t *h, bool is64,
                                                           const detail::FieldDecoder &d)
{
    const std::string &name = source.name();
    const std::string unknown = name + ": no section headers and no usable dynamic segment: its exported functions are unknown";
    const std::uint64_t phoff = is64 ? d.u64(h + 0x20) : d.u32(h + 0x1c);
    const std::uint16_t phentsize = d.u16(h + (is64 ? 0x36 : 0x2a));
    const std::uint64_t phnum = d.u16(h + (is64 ? 0x38 : 0x2c));
    if (phoff == 0 || phnum == 0 || phnum > limits::kMaxProgramHeaders || phentsize < (is64 ? 56 : 32) ||
        !source.contains(phoff, phnum * phentsize))
        return Error{0, unknown};
    auto table = source.read(phoff, static_cast<std::size_t>(phnum * phentsize));
    if (!table)
        return Error{0, unknown};
    std::vector<detail::ProgramHeader> loads;
    std::optional<detail::ProgramHeader> dynamic;
    for (std::uint64_t i = 0; i < phnum; ++i) {
        const std::uint8_t *p = table->data() + i * phentsize;
        detail::ProgramHeader ph;
        ph.type = d.u32(p);
        ph.offset = is64 ? d.u64(p + 8) : d.u32(p + 4);
        ph.vaddr = is64 ? d.u64(p + 16) : d.u32(p + 8);
        ph.filesz = is64 ? d.u64(p + 32) : d.u32(p + 16);
        ph.memsz = is64 ? d.u64(p + 40) : d.u32(p + 20);
        if (ph.type == detail::kPtLoad)
            loads.push_back(ph);
        else if (ph.type == detail::kPtDynamic && !dynamic)
            dynamic = ph;
    }
    // A virtual address and the bytes that must follow it, as a file offset.
    auto offsetOf = [&](std::uint64_t address, std::uint64_t length) -> std::optional<std::uint64_t> {
        for (const auto &load : loads)
            if (address >= load.vaddr && address - load.vaddr <= load.filesz &&
                length <= load.filesz - (address - load.vaddr))
                return load.offset + (address - load.vaddr);
        return std::nullopt;
    };
    const std::uint64_t dynEntry = is64 ? 16 : 8;
    if (!dynamic || dynamic->filesz / dynEntry > limits::kMaxDynamicEntries ||
        !source.contains(dynamic->offset, dynamic->filesz))
        return Error{0, unknown};
    auto entries = source.read(dynamic->offset, static_cast<std::size_t>(dynamic->filesz));
    if (!entries)
        return Error{0, unknown};
    std::optional<std::uint64_t> symtab, strtab, strsz, hash, gnuHash;
    std::uint64_t syment = is64 ? 24 : 16;
    for (std::uint64_t at = 0; at + dynEntry <= entries->size(); at += dynEntry) {
        const std::uint8_t *e = entries->data() + at;
        const std::uint64_t tag = is64 ? d.u64(e) : d.u32(e);
        const std::uint64_t value = is64 ? d.u64(e + 8) : d.u32(e + 4);
        if (tag == 0)
            break;
        switch (tag) {
        case 4: hash = hash ? hash : value; break;
        case 5: strtab = strtab ? strtab : value; break;
        case 6: symtab = symtab ? symtab : value; break;
        case 10: strsz = strsz ? strsz : value; break;
        case 11: syment = value; break;
        case 0x6ffffef5: gnuHash = gnuHash ? gnuHash : value; break;
        default: break;
        }
    }
    const std::uint64_t entry = is64 ? 24 : 16;
    if (!symtab || !strtab || !strsz || *strsz > limits::kMaxStringTable || syment < entry || syment > 4096 ||
        (!hash && !gnuHash))
        return Error{0, unknown};
    auto readAt = [&](std::uint64_t address, std::uint64_t length) -> std::optional<std::vector<std::uint8_t>> {
        const auto offset = offsetOf(address, length);
        if (!offset || !source.contains(*offset, length))
            return std::nullopt;
        auto bytes = source.read(*offset, static_cast<std::size_t>(length));
        return bytes ? std::optional(std::move(*bytes)) : std::nullopt;
    };
    std::uint64_t count = 0;
    if (hash) {
        auto header = readAt(*hash, 8);
        if (!header)
            return Error{0, unknown};
        count = d.u32(header->data() + 4);  // nchain: one chain entry per symbol
    } else {
        auto header = readAt(*gnuHash, 16);
        if (!header)
            return Error{0, unknown};
        const std::uint64_t buckets = d.u32(header->data()), symoffset = d.u32(header->data() + 4);
        const std::uint64_t bloomWords = d.u32(header->data() + 8);
        const std::uint64_t bucketsAt = *gnuHash + 16 + bloomWords * (is64 ? 8 : 4);
        if (buckets > (1u << 24) || bloomWords > (1u << 24))
            return Error{0, unknown};
        auto bucketTable = readAt(bucketsAt, buckets * 4);
        if (!bucketTable)
            return Error{0, unknown};
        std::uint64_t last = 0;
        for (std::uint64_t b = 0; b < buckets; ++b)
            last = std::max<std::uint64_t>(last, d.u32(bucketTable->data() + b * 4));
        count = symoffset;
        if (last >= symoffset) {
            // Walk the last chain to its end (the entry with the low bit set).
            // Read in one go as much of the chain as its segment holds, within the table cap.
            const std::uint64_t from = bucketsAt + buckets * 4 + (last - symoffset) * 4;
            std::uint64_t available = 0;
            for (const auto &load : loads)
                if (from >= load.vaddr && from - load.vaddr < load.filesz)
                    available = load.filesz - (from - load.vaddr);
            const std::uint64_t room = kMaxSymbolTable / syment > last ? kMaxSymbolTable / syment - last : 0;
            const std::uint64_t entries = std::min(available / 4, room);
            auto chain = entries ? readAt(from, entries * 4) : std::nullopt;
            if (!chain)
                return Error{0, unknown};
            for (std::uint64_t k = 0; k < entries && count == symoffset; ++k)
                if (d.u32(chain->data() + k * 4) & 1)
                    count = last + k + 1;
            if (count == symoffset)
                return Error{0, unknown};
        }
    }
    if (count * syment > kMaxSymbolTable)
        return Error{0, unknown};
    auto symbols = readAt(*symtab, count * syment);
    auto strings = readAt(*strtab, *strsz);
    if (!symbols || !strings)
        return Error{0, unknown};
    std::vector<std::string> names;
    collectFunctions(*symbols, *strings, is64, d, syment, names);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

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
        return exportsFromDynamicSegment(source, h, is64, d);
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
        collectFunctions(*symbols, *strings, is64, d, symtab.entsize ? symtab.entsize : entry, names);
        break;
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

} // namespace loadlens::elf
