// The dynamic section and its string table: DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH, flags.
#include "elf/elf_decode.h"

#include <algorithm>
#include <cstdio>
#include <optional>

namespace loadlens::elf::detail {

namespace {

constexpr std::uint64_t kDtNull = 0;
constexpr std::uint64_t kDtNeeded = 1;
constexpr std::uint64_t kDtStrtab = 5;
constexpr std::uint64_t kDtStrsz = 10;
constexpr std::uint64_t kDtSoname = 14;
constexpr std::uint64_t kDtRpath = 15;
constexpr std::uint64_t kDtRunpath = 29;
constexpr std::uint64_t kDtFlags = 30;
constexpr std::uint64_t kDtFlags1 = 0x6ffffffb;

std::string hex(std::uint64_t v)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

// Offsets into the string table collected while walking the dynamic entries. For tags that
// should occur once, the last one wins, as in ld.so, which overwrites l_info[tag] per entry.
struct DynamicRefs {
    std::vector<std::uint64_t> needed;
    std::optional<std::uint64_t> soname, rpath, runpath, strtab, strsz;
    bool hasStringRefs() const { return !needed.empty() || soname || rpath || runpath; }
};

void setOnce(std::optional<std::uint64_t> &slot, std::uint64_t value, const char *tag, ElfInfo &info)
{
    if (slot && *slot != value)
        addWarning(info, std::string("more than one ") + tag + " entry; the last one is used");
    slot = value;
}

struct StringTable {
    std::vector<std::uint8_t> bytes;
    bool present = false;

    std::optional<std::string> at(std::uint64_t offset, const char *what, ElfInfo &info) const
    {
        if (!present)
            return std::nullopt;
        if (offset >= bytes.size()) {
            addWarning(info, std::string(what) + " string offset " + std::to_string(offset) +
                                 " beyond string table (" + std::to_string(bytes.size()) + " bytes)");
            return std::nullopt;
        }
        const auto first = bytes.begin() + static_cast<std::ptrdiff_t>(offset);
        const auto limit = bytes.begin() + static_cast<std::ptrdiff_t>(
                                               std::min<std::uint64_t>(bytes.size(),
                                                                       offset + limits::kMaxStringLength));
        const auto nul = std::find(first, limit, std::uint8_t{0});
        if (nul == limit)
            addWarning(info, std::string(what) + " string at offset " + std::to_string(offset) +
                                 " is not NUL-terminated within the string table");
        return std::string(first, nul);
    }
};

const ProgramHeader *findDynamic(const std::vector<ProgramHeader> &headers, ElfInfo &info)
{
    const ProgramHeader *dynamic = nullptr;
    for (const auto &ph : headers) {
        if (ph.type != kPtDynamic || ph.filesz == 0)
            continue;
        if (dynamic) {
            addWarning(info, "more than one PT_DYNAMIC; the first is used");
            break;
        }
        dynamic = &ph;
    }
    return dynamic;
}

DynamicRefs walkDynamic(const std::vector<std::uint8_t> &bytes, std::size_t entrySize,
                        const FieldDecoder &d, ElfInfo &info)
{
    DynamicRefs refs;
    bool terminated = false;
    for (std::size_t pos = 0; pos + entrySize <= bytes.size(); pos += entrySize) {
        const std::uint8_t *p = bytes.data() + pos;
        const std::uint64_t tag = d.word(p, info.elfClass);
        const std::uint64_t value = d.word(p + entrySize / 2, info.elfClass);
        if (tag == kDtNull) {
            terminated = true;
            break;
        }
        switch (tag) {
        case kDtNeeded:
            if (refs.needed.size() < limits::kMaxNeeded)
                refs.needed.push_back(value);
            else if (refs.needed.size() == limits::kMaxNeeded)
                addWarning(info, "DT_NEEDED list capped at " + std::to_string(limits::kMaxNeeded));
            break;
        case kDtStrtab: setOnce(refs.strtab, value, "DT_STRTAB", info); break;
        case kDtStrsz: setOnce(refs.strsz, value, "DT_STRSZ", info); break;
        case kDtSoname: setOnce(refs.soname, value, "DT_SONAME", info); break;
        case kDtRpath: setOnce(refs.rpath, value, "DT_RPATH", info); break;
        case kDtRunpath: setOnce(refs.runpath, value, "DT_RUNPATH", info); break;
        case kDtFlags: info.flags = value; break;
        case kDtFlags1: info.flags1 = value; break;
        default: break;
        }
    }
    if (!terminated)
        addWarning(info, "dynamic section has no DT_NULL terminator");
    return refs;
}

// DT_STRTAB holds a virtual address; the file offset comes from the PT_LOAD segment whose file
// data contains it.
StringTable readStringTable(const ByteSource &source, const std::vector<ProgramHeader> &headers,
                            const DynamicRefs &refs, ElfInfo &info)
{
    StringTable table;
    if (!refs.strtab) {
        addWarning(info, "dynamic section names strings but has no DT_STRTAB");
        return table;
    }
    const std::uint64_t address = *refs.strtab;
    std::optional<std::uint64_t> fileOffset;
    std::uint64_t segmentRemaining = 0;
    for (const auto &ph : headers) {
        if (ph.type != kPtLoad || address < ph.vaddr || address - ph.vaddr >= ph.filesz)
            continue;
        const std::uint64_t delta = address - ph.vaddr;
        if (ph.offset > UINT64_MAX - delta)
            continue;
        fileOffset = ph.offset + delta;
        segmentRemaining = ph.filesz - delta;
        break;
    }
    if (!fileOffset) {
        addWarning(info, "DT_STRTAB address " + hex(address) + " is not inside any PT_LOAD segment");
        return table;
    }
    std::uint64_t size = segmentRemaining;
    if (!refs.strsz)
        addWarning(info, "no DT_STRSZ; string table assumed to run to the end of its segment");
    else if (*refs.strsz > segmentRemaining)
        addWarning(info, "DT_STRSZ " + std::to_string(*refs.strsz) + " runs past its PT_LOAD segment");
    else
        size = *refs.strsz;
    if (*fileOffset >= source.size()) {
        addWarning(info, "string table offset " + hex(*fileOffset) + " beyond end of file");
        return table;
    }
    if (size > source.size() - *fileOffset) {
        addWarning(info, "string table extends beyond end of file");
        size = source.size() - *fileOffset;
    }
    if (size > limits::kMaxStringTable) {
        addWarning(info, "string table of " + std::to_string(size) + " bytes capped at " +
                             std::to_string(limits::kMaxStringTable));
        size = limits::kMaxStringTable;
    }
    auto bytes = source.read(*fileOffset, static_cast<std::size_t>(size));
    if (!bytes) {
        addWarning(info, bytes.error().message);
        return table;
    }
    table.bytes = std::move(*bytes);
    table.present = true;
    return table;
}

} // namespace

void readDynamicSection(const ByteSource &source, const FieldDecoder &decoder,
                        const std::vector<ProgramHeader> &headers, ElfInfo &info)
{
    const ProgramHeader *dynamic = findDynamic(headers, info);
    if (!dynamic)
        return;
    const std::size_t entrySize = info.elfClass == ElfClass::Elf64 ? 16 : 8;
    if (dynamic->offset >= source.size()) {
        addWarning(info, "dynamic section offset " + hex(dynamic->offset) + " beyond end of file");
        return;
    }
    std::uint64_t length = dynamic->filesz;
    if (length > source.size() - dynamic->offset) {
        addWarning(info, "dynamic section extends beyond end of file");
        length = source.size() - dynamic->offset;
    }
    if (length / entrySize > limits::kMaxDynamicEntries) {
        addWarning(info, "dynamic section capped at " + std::to_string(limits::kMaxDynamicEntries) +
                             " entries");
        length = limits::kMaxDynamicEntries * entrySize;
    }
    length -= length % entrySize;
    if (length == 0) {
        addWarning(info, "dynamic section holds no complete entry");
        return;
    }
    auto bytes = source.read(dynamic->offset, static_cast<std::size_t>(length));
    if (!bytes) {
        addWarning(info, bytes.error().message);
        return;
    }
    info.hasDynamic = true;
    const DynamicRefs refs = walkDynamic(*bytes, entrySize, decoder, info);
    info.hasRpath = refs.rpath.has_value();
    info.hasRunpath = refs.runpath.has_value();
    if (!refs.hasStringRefs())
        return;

    const StringTable table = readStringTable(source, headers, refs, info);
    for (const std::uint64_t offset : refs.needed)
        if (auto name = table.at(offset, "DT_NEEDED", info))
            info.needed.push_back(std::move(*name));
    if (info.needed.size() < refs.needed.size())
        addWarning(info, std::to_string(refs.needed.size() - info.needed.size()) + " of " +
                             std::to_string(refs.needed.size()) + " DT_NEEDED names could not be read");
    if (refs.soname)
        info.soname = table.at(*refs.soname, "DT_SONAME", info).value_or(std::string());
    if (refs.rpath)
        info.rpath = table.at(*refs.rpath, "DT_RPATH", info).value_or(std::string());
    if (refs.runpath)
        info.runpath = table.at(*refs.runpath, "DT_RUNPATH", info).value_or(std::string());
}

} // namespace loadlens::elf::detail
