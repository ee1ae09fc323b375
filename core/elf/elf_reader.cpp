#include "elf/elf_reader.h"

#include "common/log.h"
#include "elf/byte_source.h"
#include "elf/elf_decode.h"

#include <algorithm>
#include <cerrno>

namespace loadlens::elf {

using detail::FieldDecoder;
using detail::ProgramHeader;

namespace detail {

void addWarning(ElfInfo &info, std::string text)
{
    if (info.warnings.size() < limits::kMaxWarnings)
        info.warnings.push_back(std::move(text));
    else if (info.warnings.size() == limits::kMaxWarnings)
        info.warnings.push_back("further warnings suppressed");
}

} // namespace detail

namespace {

constexpr std::uint16_t kPnXnum = 0xffff;  // the real program header count is in section 0

struct HeaderFields {
    std::uint64_t phoff = 0;
    std::uint16_t phentsize = 0;
    std::uint32_t phnum = 0;
    std::uint64_t shoff = 0;
    std::uint16_t shentsize = 0;
};

Error notElf(const ByteSource &source, const std::string &why)
{
    return Error{ENOEXEC, "cannot parse " + source.name() + " as ELF: " + why};
}

ObjectType objectTypeFrom(std::uint16_t type)
{
    switch (type) {
    case 0: return ObjectType::None;
    case 1: return ObjectType::Relocatable;
    case 2: return ObjectType::Executable;
    case 3: return ObjectType::SharedObject;
    case 4: return ObjectType::Core;
    default: return ObjectType::Other;
    }
}

// Resolves PN_XNUM: with 0xffff program headers or more, e_phnum holds 0xffff and section
// header 0 holds the real count in sh_info.
std::uint32_t extendedProgramHeaderCount(const ByteSource &source, const FieldDecoder &d,
                                         ElfClass cls, const HeaderFields &h, ElfInfo &info)
{
    const std::size_t shdrSize = cls == ElfClass::Elf64 ? 64 : 40;
    const std::size_t infoOffset = cls == ElfClass::Elf64 ? 44 : 28;
    if (h.shoff == 0 || h.shentsize < shdrSize || !source.contains(h.shoff, shdrSize)) {
        detail::addWarning(info, "e_phnum is PN_XNUM but section header 0 cannot be read");
        return 0;
    }
    auto bytes = source.read(h.shoff, shdrSize);
    if (!bytes) {
        detail::addWarning(info, "cannot read section header 0: " + bytes.error().message);
        return 0;
    }
    return d.u32(bytes->data() + infoOffset);
}

std::vector<ProgramHeader> readProgramHeaders(const ByteSource &source, const FieldDecoder &d,
                                              ElfClass cls, HeaderFields h, ElfInfo &info)
{
    std::vector<ProgramHeader> headers;
    if (h.phnum == kPnXnum)
        h.phnum = extendedProgramHeaderCount(source, d, cls, h, info);
    if (h.phnum == 0) {
        if (h.phoff != 0)
            detail::addWarning(info, "non-zero program header offset but no program headers");
        return headers;
    }
    const std::size_t minSize = cls == ElfClass::Elf64 ? 56 : 32;
    if (h.phentsize < minSize) {
        detail::addWarning(info, "program header entry size " + std::to_string(h.phentsize) +
                                     " is smaller than " + std::to_string(minSize));
        return headers;
    }
    std::uint64_t count = h.phnum;
    if (count > limits::kMaxProgramHeaders) {
        detail::addWarning(info, "program header count " + std::to_string(count) + " capped at " +
                                     std::to_string(limits::kMaxProgramHeaders));
        count = limits::kMaxProgramHeaders;
    }
    if (h.phoff >= source.size()) {
        detail::addWarning(info, "program header offset beyond end of file");
        return headers;
    }
    const std::uint64_t fitting = (source.size() - h.phoff) / h.phentsize;
    if (fitting < count) {
        detail::addWarning(info, "program header table extends beyond end of file (" +
                                     std::to_string(fitting) + " of " + std::to_string(count) +
                                     " entries present)");
        count = fitting;
    }
    auto bytes = source.read(h.phoff, static_cast<std::size_t>(count * h.phentsize));
    if (!bytes) {
        detail::addWarning(info, bytes.error().message);
        return headers;
    }
    headers.reserve(static_cast<std::size_t>(count));
    for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint8_t *p = bytes->data() + i * h.phentsize;
        ProgramHeader ph;
        ph.type = d.u32(p);
        if (cls == ElfClass::Elf64) {
            ph.offset = d.u64(p + 8);
            ph.vaddr = d.u64(p + 16);
            ph.filesz = d.u64(p + 32);
            ph.memsz = d.u64(p + 40);
        } else {
            ph.offset = d.u32(p + 4);
            ph.vaddr = d.u32(p + 8);
            ph.filesz = d.u32(p + 16);
            ph.memsz = d.u32(p + 20);
        }
        headers.push_back(ph);
    }
    return headers;
}

void readInterpreter(const ByteSource &source, const std::vector<ProgramHeader> &headers, ElfInfo &info)
{
    const ProgramHeader *interp = nullptr;
    for (const auto &ph : headers) {
        if (ph.type != detail::kPtInterp)
            continue;
        if (interp) {
            detail::addWarning(info, "more than one PT_INTERP; the first is used");
            break;
        }
        interp = &ph;
    }
    if (!interp)
        return;
    if (!source.contains(interp->offset, 1)) {
        detail::addWarning(info, "PT_INTERP offset beyond end of file");
        return;
    }
    std::uint64_t length = std::min<std::uint64_t>(interp->filesz, source.size() - interp->offset);
    if (length < interp->filesz)
        detail::addWarning(info, "PT_INTERP extends beyond end of file");
    length = std::min<std::uint64_t>(length, limits::kMaxInterpLength);
    auto bytes = source.read(interp->offset, static_cast<std::size_t>(length));
    if (!bytes) {
        detail::addWarning(info, bytes.error().message);
        return;
    }
    const auto nul = std::find(bytes->begin(), bytes->end(), std::uint8_t{0});
    if (nul == bytes->end())
        detail::addWarning(info, "PT_INTERP string is not NUL-terminated");
    info.interp.assign(bytes->begin(), nul);
}

Result<ElfInfo> parseFrom(const ByteSource &source)
{
    if (source.size() < 16)
        return notElf(source, "file too small (" + std::to_string(source.size()) + " bytes)");
    auto ident = source.read(0, 16);
    if (!ident)
        return ident.error();
    const std::uint8_t *id = ident->data();
    if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
        return notElf(source, "bad magic");
    ElfInfo info;
    if (id[4] == 1)
        info.elfClass = ElfClass::Elf32;
    else if (id[4] == 2)
        info.elfClass = ElfClass::Elf64;
    else
        return notElf(source, "unknown ELF class " + std::to_string(id[4]));
    if (id[5] == 1)
        info.endian = Endian::Little;
    else if (id[5] == 2)
        info.endian = Endian::Big;
    else
        return notElf(source, "unknown data encoding " + std::to_string(id[5]));
    if (id[6] != 1)
        detail::addWarning(info, "unexpected EI_VERSION " + std::to_string(id[6]));

    const bool is64 = info.elfClass == ElfClass::Elf64;
    const std::size_t headerSize = is64 ? 64 : 52;
    if (source.size() < headerSize)
        return notElf(source, "ELF header truncated (" + std::to_string(source.size()) + " of " +
                                  std::to_string(headerSize) + " bytes)");
    auto header = source.read(0, headerSize);
    if (!header)
        return header.error();
    const FieldDecoder d(info.endian);
    const std::uint8_t *h = header->data();
    info.rawType = d.u16(h + 16);
    info.type = objectTypeFrom(info.rawType);
    info.machine = d.u16(h + 18);
    info.machineName = machineName(info.machine);

    HeaderFields fields;
    fields.phoff = d.word(h + (is64 ? 32 : 28), info.elfClass);
    fields.shoff = d.word(h + (is64 ? 40 : 32), info.elfClass);
    fields.phentsize = d.u16(h + (is64 ? 54 : 42));
    fields.phnum = d.u16(h + (is64 ? 56 : 44));
    fields.shentsize = d.u16(h + (is64 ? 58 : 46));

    const auto headers = readProgramHeaders(source, d, info.elfClass, fields, info);
    readInterpreter(source, headers, info);
    detail::readDynamicSection(source, d, headers, info);
    return info;
}

void logOutcome(const std::string &name, const Result<ElfInfo> &result)
{
    auto logger = log::get("core.elf");
    if (!result.ok())
        logger->debug("{}", result.error().message);
    else if (!result->warnings.empty())
        logger->debug("{}: {} warning(s), first: {}", name, result->warnings.size(),
                      result->warnings.front());
}

} // namespace

Result<ElfInfo> readElf(const std::string &path)
{
    auto source = FileByteSource::open(path);
    if (!source) {
        log::get("core.elf")->debug("{}", source.error().message);
        return source.error();
    }
    auto result = parseFrom(*source);
    logOutcome(path, result);
    return result;
}

Result<ElfInfo> parseElf(std::span<const std::uint8_t> data)
{
    const MemoryByteSource source(data);
    auto result = parseFrom(source);
    logOutcome(source.name(), result);
    return result;
}

} // namespace loadlens::elf
