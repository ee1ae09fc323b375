#include "pe/pe_reader.h"

#include "common/io.h"
#include "common/regular_file.h"
#include "common/utf16.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace loadlens::pe {

const char *peKindName(PeKind kind)
{
    switch (kind) {
    case PeKind::Exe: return "EXE";
    case PeKind::Dll: return "DLL";
    case PeKind::Driver: return "SYS";
    case PeKind::Efi: return "EFI";
    }
    return "EXE";
}

namespace {

constexpr std::uint16_t kMz = 0x5a4d;
constexpr std::uint32_t kPeSignature = 0x00004550;
constexpr std::uint16_t kMagicPe32 = 0x10b;
constexpr std::uint16_t kMagicPe32Plus = 0x20b;
constexpr std::uint16_t kFileDll = 0x2000;
constexpr std::uint16_t kSubsystemNative = 1;
constexpr std::uint16_t kRtManifest = 24;
constexpr std::uint16_t kRtVersion = 16;

// Little-endian fields of a byte span, bounds-checked: an access outside the span yields
// nothing and the caller decides whether that is an error or a warning.
class Bytes {
public:
    explicit Bytes(std::span<const std::uint8_t> data) : m_data(data) {}

    std::uint64_t size() const { return m_data.size(); }
    bool contains(std::uint64_t offset, std::uint64_t length) const
    {
        return offset <= m_data.size() && length <= m_data.size() - offset;
    }
    std::optional<std::uint16_t> u16(std::uint64_t offset) const
    {
        if (!contains(offset, 2))
            return std::nullopt;
        return static_cast<std::uint16_t>(m_data[offset] | (m_data[offset + 1] << 8));
    }
    std::optional<std::uint32_t> u32(std::uint64_t offset) const
    {
        if (!contains(offset, 4))
            return std::nullopt;
        std::uint32_t v = 0;
        for (int i = 3; i >= 0; --i)
            v = (v << 8) | m_data[offset + static_cast<std::uint64_t>(i)];
        return v;
    }
    std::optional<std::uint64_t> u64(std::uint64_t offset) const
    {
        const auto lo = u32(offset);
        const auto hi = u32(offset + 4);
        if (!lo || !hi)
            return std::nullopt;
        return (std::uint64_t(*hi) << 32) | *lo;
    }
    // A NUL-terminated string of at most maxLength bytes; nothing when unterminated.
    std::optional<std::string> cstring(std::uint64_t offset, std::size_t maxLength) const
    {
        if (offset >= m_data.size())
            return std::nullopt;
        const std::uint64_t end = std::min<std::uint64_t>(m_data.size(), offset + maxLength + 1);
        for (std::uint64_t i = offset; i < end; ++i)
            if (m_data[i] == 0)
                return std::string(reinterpret_cast<const char *>(m_data.data() + offset), i - offset);
        return std::nullopt;
    }
    std::span<const std::uint8_t> slice(std::uint64_t offset, std::uint64_t length) const
    {
        return m_data.subspan(offset, length);
    }

private:
    std::span<const std::uint8_t> m_data;
};

// One node of a VS_VERSIONINFO tree: wLength, wValueLength, wType, a UTF-16 key, the value and
// the children, each 32-bit aligned relative to the resource start.
struct VersionNode {
    std::string key;
    std::span<const std::uint8_t> value;
    std::span<const std::uint8_t> children;
};

std::optional<VersionNode> versionNode(std::span<const std::uint8_t> data, std::size_t at, std::size_t &next)
{
    if (at + 6 > data.size())
        return std::nullopt;
    const std::size_t length = data[at] | (data[at + 1] << 8);
    const std::size_t valueLength = data[at + 2] | (data[at + 3] << 8);
    const unsigned type = data[at + 4] | (data[at + 5] << 8);
    if (length < 6 || at + length > data.size())
        return std::nullopt;
    const std::size_t end = at + length;
    VersionNode node;
    std::size_t p = at + 6;
    const std::size_t keyStart = p;
    while (p + 1 < end && (data[p] | data[p + 1]) != 0)
        p += 2;
    node.key = utf8FromUtf16(data.subspan(keyStart, p - keyStart));
    p += 2;
    p = (p + 3) & ~std::size_t(3);
    const std::size_t valueBytes = type == 1 ? valueLength * 2 : valueLength;
    if (p > end)
        p = end;
    node.value = data.subspan(p, std::min(valueBytes, end - p));
    p = (p + node.value.size() + 3) & ~std::size_t(3);
    node.children = p < end ? data.subspan(p, end - p) : std::span<const std::uint8_t>();
    next = (end + 3) & ~std::size_t(3);
    return node;
}

template<typename F>
bool forEachVersionChild(std::span<const std::uint8_t> children, F &&f)
{
    std::size_t at = 0;
    for (int guard = 0; at < children.size() && guard < 4096; ++guard) {
        std::size_t next = 0;
        const auto node = versionNode(children, at, next);
        if (!node)
            return false;
        f(*node);
        if (next <= at)
            return false;
        at = next;
    }
    return true;
}

bool parseVersionInfo(std::span<const std::uint8_t> data, VersionInfo &info)
{
    std::size_t next = 0;
    const auto root = versionNode(data, 0, next);
    if (!root || root->key != "VS_VERSION_INFO")
        return false;
    if (root->value.size() >= 52) {
        auto u32 = [&](std::size_t o) {
            return std::uint32_t(root->value[o]) | (std::uint32_t(root->value[o + 1]) << 8) |
                   (std::uint32_t(root->value[o + 2]) << 16) | (std::uint32_t(root->value[o + 3]) << 24);
        };
        if (u32(0) == 0xfeef04bdu) {
            const std::uint32_t ms = u32(8), ls = u32(12);
            info.fileVersion = std::to_string(ms >> 16) + "." + std::to_string(ms & 0xffff) + "." +
                               std::to_string(ls >> 16) + "." + std::to_string(ls & 0xffff);
        }
    }
    bool ok = forEachVersionChild(root->children, [&](const VersionNode &block) {
        if (block.key != "StringFileInfo")
            return;
        forEachVersionChild(block.children, [&](const VersionNode &table) {
            forEachVersionChild(table.children, [&](const VersionNode &string) {
                if (info.strings.size() < 64 && !string.key.empty() && !info.strings.count(string.key))
                    info.strings[string.key] = utf8FromUtf16(string.value);
            });
        });
    });
    return ok;
}

class Parser {
public:
    Parser(std::span<const std::uint8_t> image, std::string name) : m_bytes(image), m_name(std::move(name)) {}

    Result<PeInfo> run()
    {
        if (auto status = readHeaders(); !status)
            return status.error();
        readImports();
        readDelayImports();
        readExports();
        readClr();
        readManifest();
        readVersion();
        if (auto status = readCertificates(); !status)
            return status.error();
        return std::move(m_info);
    }

private:
    Error fail(const std::string &why) const { return Error{0, m_name + ": " + why}; }
    void warn(const std::string &what)
    {
        if (m_info.warnings.size() < limits::kMaxWarnings)
            m_info.warnings.push_back(what);
    }

    Status readHeaders()
    {
        m_info.fileSize = m_bytes.size();
        if (m_bytes.size() < 64 || m_bytes.u16(0) != kMz)
            return fail("not a PE image (no MZ header)");
        const std::uint32_t peOffset = *m_bytes.u32(0x3c);
        const auto signature = m_bytes.u32(peOffset);
        if (!signature)
            return fail("truncated: the PE header offset " + std::to_string(peOffset) + " is past the end of the file");
        if (*signature != kPeSignature)
            return fail("not a PE image (no PE signature at offset " + std::to_string(peOffset) + ")");

        const std::uint64_t coff = std::uint64_t(peOffset) + 4;
        if (!m_bytes.contains(coff, 20))
            return fail("truncated in the COFF file header");
        m_info.machine = *m_bytes.u16(coff);
        const std::uint16_t sectionCount = *m_bytes.u16(coff + 2);
        m_info.timeDateStamp = *m_bytes.u32(coff + 4);
        const std::uint16_t optionalSize = *m_bytes.u16(coff + 16);
        m_info.characteristics = *m_bytes.u16(coff + 18);
        if (sectionCount > limits::kMaxSections)
            return fail("claims " + std::to_string(sectionCount) + " sections (the limit is " +
                        std::to_string(limits::kMaxSections) + ")");

        const std::uint64_t opt = coff + 20;
        const auto magic = m_bytes.u16(opt);
        if (!magic)
            return fail("truncated before the optional header");
        if (*magic == kMagicPe32)
            m_info.format = PeFormat::Pe32;
        else if (*magic == kMagicPe32Plus)
            m_info.format = PeFormat::Pe32Plus;
        else
            return fail("unknown optional header magic 0x" + hex16(*magic) + " (not PE32 or PE32+)");

        const bool is64 = m_info.is64();
        const std::uint64_t fixedSize = is64 ? 112 : 96; // up to and including NumberOfRvaAndSizes
        if (optionalSize < fixedSize)
            return fail("the optional header is " + std::to_string(optionalSize) + " bytes, too small for " +
                        (is64 ? "PE32+" : "PE32"));
        if (!m_bytes.contains(opt, optionalSize))
            return fail("truncated in the optional header");

        m_info.entryPoint = *m_bytes.u32(opt + 16);
        m_info.imageBase = is64 ? *m_bytes.u64(opt + 24) : *m_bytes.u32(opt + 28);
        m_info.sectionAlignment = *m_bytes.u32(opt + 32);
        m_info.fileAlignment = *m_bytes.u32(opt + 36);
        m_info.sizeOfImage = *m_bytes.u32(opt + 56);
        m_info.sizeOfHeaders = *m_bytes.u32(opt + 60);
        m_info.checksumFieldOffset = opt + 64;
        m_info.storedChecksum = *m_bytes.u32(opt + 64);
        m_info.subsystem = *m_bytes.u16(opt + 68);
        m_info.dllCharacteristics = *m_bytes.u16(opt + 70);
        const std::uint32_t rvaCount = *m_bytes.u32(opt + fixedSize - 4);

        // Only the directories that fit in the declared optional header are real.
        const std::uint64_t directoriesRoom = (optionalSize - fixedSize) / 8;
        m_info.dataDirectoryCount = static_cast<std::uint32_t>(
            std::min<std::uint64_t>({rvaCount, directoriesRoom, kDataDirectoryCount}));
        if (rvaCount > directoriesRoom)
            warn("NumberOfRvaAndSizes (" + std::to_string(rvaCount) + ") is larger than the optional header holds");
        for (std::uint32_t i = 0; i < m_info.dataDirectoryCount; ++i) {
            m_info.dataDirectories[i].rva = *m_bytes.u32(opt + fixedSize + 8 * i);
            m_info.dataDirectories[i].size = *m_bytes.u32(opt + fixedSize + 8 * i + 4);
        }
        if (m_info.dataDirectoryCount > kCertificateTable)
            m_info.certificateDirectoryOffset = opt + fixedSize + 8 * kCertificateTable;

        const std::uint64_t sectionTable = opt + optionalSize;
        if (!m_bytes.contains(sectionTable, std::uint64_t(sectionCount) * 40))
            return fail("truncated in the section table (" + std::to_string(sectionCount) + " sections)");
        if (m_info.sizeOfHeaders > m_bytes.size())
            return fail("SizeOfHeaders (" + std::to_string(m_info.sizeOfHeaders) + ") is larger than the file (" +
                        std::to_string(m_bytes.size()) + " bytes)");
        for (std::uint16_t i = 0; i < sectionCount; ++i) {
            const std::uint64_t s = sectionTable + 40ull * i;
            Section section;
            auto raw = m_bytes.slice(s, 8);
            const auto nul = std::find(raw.begin(), raw.end(), std::uint8_t(0));
            section.name.assign(raw.begin(), nul);
            section.virtualSize = *m_bytes.u32(s + 8);
            section.virtualAddress = *m_bytes.u32(s + 12);
            section.rawSize = *m_bytes.u32(s + 16);
            section.rawOffset = *m_bytes.u32(s + 20);
            section.characteristics = *m_bytes.u32(s + 36);
            if (section.rawSize != 0 && !m_bytes.contains(section.rawOffset, section.rawSize))
                warn("section " + section.name + " extends past the end of the file");
            m_info.sections.push_back(std::move(section));
        }

        if (m_info.characteristics & kFileDll)
            m_info.kind = PeKind::Dll;
        else if (m_info.subsystem >= 10 && m_info.subsystem <= 13)
            m_info.kind = PeKind::Efi;
        else if (m_info.subsystem == kSubsystemNative)
            m_info.kind = PeKind::Driver;
        else
            m_info.kind = PeKind::Exe;
        return Ok{};
    }

    static std::string hex16(std::uint16_t v)
    {
        static const char digits[] = "0123456789abcdef";
        std::string s(4, '0');
        for (int i = 3; i >= 0; --i, v = static_cast<std::uint16_t>(v >> 4))
            s[static_cast<std::size_t>(i)] = digits[v & 0xf];
        return s;
    }

    // The file offset of an RVA, or nothing when no section (or the headers) hold it on disk.
    std::optional<std::uint64_t> offsetOf(std::uint64_t rva) const
    {
        if (rva < m_info.sizeOfHeaders)
            return rva;
        for (const auto &s : m_info.sections) {
            const std::uint64_t span = std::max(s.virtualSize, s.rawSize);
            if (rva >= s.virtualAddress && rva - s.virtualAddress < span) {
                const std::uint64_t delta = rva - s.virtualAddress;
                if (delta >= s.rawSize)
                    return std::nullopt; // in the zero-filled tail, not in the file
                const std::uint64_t offset = std::uint64_t(s.rawOffset) + delta;
                if (offset >= m_bytes.size())
                    return std::nullopt;
                return offset;
            }
        }
        return std::nullopt;
    }

    std::optional<std::string> stringAt(std::uint64_t rva) const
    {
        const auto offset = offsetOf(rva);
        if (!offset)
            return std::nullopt;
        return m_bytes.cstring(*offset, limits::kMaxNameLength);
    }

    const DataDirectory *directory(std::size_t index) const
    {
        if (index >= m_info.dataDirectoryCount)
            return nullptr;
        const auto &d = m_info.dataDirectories[index];
        return d.rva == 0 || d.size == 0 ? nullptr : &d;
    }

    // Reads a thunk array (import lookup / name table). Returns false when it is damaged.
    bool readThunks(std::uint64_t rva, ImportedDll &dll)
    {
        const unsigned width = m_info.is64() ? 8 : 4;
        const std::uint64_t ordinalFlag = m_info.is64() ? (1ull << 63) : (1ull << 31);
        for (std::size_t i = 0;; ++i) {
            if (i >= limits::kMaxSymbolsPerDll)
                return false;
            const auto offset = offsetOf(rva + i * width);
            if (!offset)
                return false;
            std::optional<std::uint64_t> thunk;
            if (width == 8)
                thunk = m_bytes.u64(*offset);
            else if (const auto narrow = m_bytes.u32(*offset))
                thunk = *narrow;
            if (!thunk)
                return false;
            if (*thunk == 0)
                return true;
            ImportedSymbol symbol;
            if (*thunk & ordinalFlag) {
                symbol.byOrdinal = true;
                symbol.ordinal = static_cast<std::uint16_t>(*thunk & 0xffff);
            } else {
                const std::uint64_t hintRva = *thunk & 0x7fffffff;
                const auto hintOffset = offsetOf(hintRva);
                const auto hint = hintOffset ? m_bytes.u16(*hintOffset) : std::nullopt;
                const auto name = hintOffset ? m_bytes.cstring(*hintOffset + 2, limits::kMaxNameLength) : std::nullopt;
                if (!hint || !name)
                    return false;
                symbol.ordinal = *hint;
                symbol.name = *name;
            }
            dll.symbols.push_back(std::move(symbol));
        }
    }

    void readImports()
    {
        const auto *dir = directory(kImportDirectory);
        if (!dir)
            return;
        for (std::size_t i = 0;; ++i) {
            if (m_info.imports.size() >= limits::kMaxImportedDlls) {
                warn("import directory: more than " + std::to_string(limits::kMaxImportedDlls) + " DLLs, the rest left out");
                return;
            }
            const auto offset = offsetOf(std::uint64_t(dir->rva) + 20 * i);
            if (!offset || !m_bytes.contains(*offset, 20)) {
                warn("import directory: descriptor " + std::to_string(i) + " is outside the file");
                return;
            }
            const std::uint32_t lookup = *m_bytes.u32(*offset);
            const std::uint32_t nameRva = *m_bytes.u32(*offset + 12);
            const std::uint32_t iat = *m_bytes.u32(*offset + 16);
            if (lookup == 0 && nameRva == 0 && iat == 0)
                return;
            ImportedDll dll;
            const auto name = stringAt(nameRva);
            if (!name) {
                warn("import directory: the name of DLL " + std::to_string(i) + " is unreadable");
                return;
            }
            dll.dll = *name;
            // Bound images may have only the IAT; fall back to it when the lookup table is absent.
            if (!readThunks(lookup != 0 ? lookup : iat, dll))
                warn("imports from " + dll.dll + ": the symbol table is damaged, symbols may be missing");
            m_info.imports.push_back(std::move(dll));
        }
    }

    void readDelayImports()
    {
        const auto *dir = directory(kDelayImportDirectory);
        if (!dir)
            return;
        for (std::size_t i = 0;; ++i) {
            if (m_info.imports.size() >= limits::kMaxImportedDlls) {
                warn("delay-import directory: too many DLLs, the rest left out");
                return;
            }
            const auto offset = offsetOf(std::uint64_t(dir->rva) + 32 * i);
            if (!offset || !m_bytes.contains(*offset, 32)) {
                warn("delay-import directory: descriptor " + std::to_string(i) + " is outside the file");
                return;
            }
            const std::uint32_t attributes = *m_bytes.u32(*offset);
            std::uint64_t nameRva = *m_bytes.u32(*offset + 4);
            std::uint64_t nameTable = *m_bytes.u32(*offset + 16);
            if (nameRva == 0 && nameTable == 0 && *m_bytes.u32(*offset + 12) == 0)
                return;
            // Version 1 descriptors (attribute bit 0 clear, old linkers) hold VAs, not RVAs.
            if ((attributes & 1) == 0) {
                nameRva = nameRva >= m_info.imageBase ? nameRva - m_info.imageBase : 0;
                nameTable = nameTable >= m_info.imageBase ? nameTable - m_info.imageBase : 0;
            }
            ImportedDll dll;
            dll.delayed = true;
            const auto name = stringAt(nameRva);
            if (!name) {
                warn("delay-import directory: the name of DLL " + std::to_string(i) + " is unreadable");
                return;
            }
            dll.dll = *name;
            if (nameTable != 0 && !readThunks(nameTable, dll))
                warn("delay imports from " + dll.dll + ": the symbol table is damaged, symbols may be missing");
            m_info.imports.push_back(std::move(dll));
        }
    }

    void readExports()
    {
        const auto *dir = directory(kExportDirectory);
        if (!dir)
            return;
        const auto offset = offsetOf(dir->rva);
        if (!offset || !m_bytes.contains(*offset, 40)) {
            warn("export directory is outside the file");
            return;
        }
        if (const auto name = stringAt(*m_bytes.u32(*offset + 12)))
            m_info.exportName = *name;
        const std::uint32_t base = *m_bytes.u32(*offset + 16);
        const std::uint32_t functionCount = *m_bytes.u32(*offset + 20);
        const std::uint32_t nameCount = *m_bytes.u32(*offset + 24);
        const std::uint32_t functions = *m_bytes.u32(*offset + 28);
        const std::uint32_t names = *m_bytes.u32(*offset + 32);
        const std::uint32_t ordinals = *m_bytes.u32(*offset + 36);
        if (functionCount > limits::kMaxExports || nameCount > limits::kMaxExports) {
            warn("export directory claims " + std::to_string(functionCount) + " functions, over the limit; exports left out");
            return;
        }
        std::vector<std::string> nameOf(functionCount);
        for (std::uint32_t i = 0; i < nameCount; ++i) {
            const auto nameOffset = offsetOf(std::uint64_t(names) + 4ull * i);
            const auto ordinalOffset = offsetOf(std::uint64_t(ordinals) + 2ull * i);
            const auto nameRva = nameOffset ? m_bytes.u32(*nameOffset) : std::nullopt;
            const auto index = ordinalOffset ? m_bytes.u16(*ordinalOffset) : std::nullopt;
            const auto name = nameRva ? stringAt(*nameRva) : std::nullopt;
            if (!name || !index) {
                warn("export name table is damaged at entry " + std::to_string(i));
                break;
            }
            if (*index < functionCount)
                nameOf[*index] = *name;
        }
        for (std::uint32_t i = 0; i < functionCount; ++i) {
            const auto fOffset = offsetOf(std::uint64_t(functions) + 4ull * i);
            const auto rva = fOffset ? m_bytes.u32(*fOffset) : std::nullopt;
            if (!rva) {
                warn("export address table is damaged at entry " + std::to_string(i));
                break;
            }
            if (*rva == 0)
                continue; // a gap in the ordinal range
            ExportedSymbol symbol;
            symbol.name = std::move(nameOf[i]);
            symbol.ordinal = base + i;
            symbol.rva = *rva;
            // An address inside the export directory is a forwarder string ("DLL.Name").
            if (*rva >= dir->rva && *rva - dir->rva < dir->size)
                symbol.forwarder = stringAt(*rva).value_or(std::string());
            m_info.exports.push_back(std::move(symbol));
        }
    }

    void readClr()
    {
        const auto *dir = directory(kClrHeader);
        if (!dir)
            return;
        const auto offset = offsetOf(dir->rva);
        if (!offset || !m_bytes.contains(*offset, 24)) {
            warn("CLR header is outside the file");
            return;
        }
        ClrInfo clr;
        clr.majorRuntimeVersion = *m_bytes.u16(*offset + 4);
        clr.minorRuntimeVersion = *m_bytes.u16(*offset + 6);
        const std::uint32_t metadataRva = *m_bytes.u32(*offset + 8);
        clr.flags = *m_bytes.u32(*offset + 16);
        // Metadata root: "BSJB", major, minor, reserved, length, version string.
        if (const auto meta = offsetOf(metadataRva); meta && m_bytes.u32(*meta) == 0x424a5342u) {
            const auto length = m_bytes.u32(*meta + 12);
            if (length && *length <= 255 && m_bytes.contains(*meta + 16, *length)) {
                const auto raw = m_bytes.slice(*meta + 16, *length);
                const auto nul = std::find(raw.begin(), raw.end(), std::uint8_t(0));
                clr.metadataVersion.assign(raw.begin(), nul);
            }
        } else {
            warn("CLR metadata root is unreadable");
        }
        m_info.clr = std::move(clr);
    }

    // One level of the resource tree: the entries (id or name flag, target) of the directory at
    // `dirOffset` (a file offset).
    struct ResourceEntry {
        std::uint32_t nameOrId = 0;
        std::uint32_t target = 0;
    };
    std::vector<ResourceEntry> resourceEntries(std::uint64_t dirOffset) const
    {
        std::vector<ResourceEntry> entries;
        if (!m_bytes.contains(dirOffset, 16))
            return entries;
        const std::size_t count = std::size_t(*m_bytes.u16(dirOffset + 12)) + *m_bytes.u16(dirOffset + 14);
        for (std::size_t i = 0; i < count && i < limits::kMaxResourceEntries; ++i) {
            const std::uint64_t e = dirOffset + 16 + 8 * i;
            if (!m_bytes.contains(e, 8))
                break;
            entries.push_back({*m_bytes.u32(e), *m_bytes.u32(e + 4)});
        }
        return entries;
    }

    // The data of the first resource of `type` (first name, first language): the one the loader
    // and the version APIs use. With `preferredId`, the resource of that numeric id when there is
    // one, else the first; `foundId` gets the id taken (0 for a named one). Nothing when absent;
    // a warning when present but damaged.
    std::optional<std::span<const std::uint8_t>> firstResource(std::uint32_t type, const char *what, std::size_t maxBytes,
                                                               std::uint32_t preferredId = 0, std::uint32_t *foundId = nullptr)
    {
        const auto *dir = directory(kResourceDirectory);
        if (!dir)
            return std::nullopt;
        const auto root = offsetOf(dir->rva);
        if (!root) {
            warn("resource directory is outside the file");
            return std::nullopt;
        }
        constexpr std::uint32_t kSubdirectory = 0x80000000u;
        for (const auto &typeEntry : resourceEntries(*root)) {
            if (typeEntry.nameOrId != type || !(typeEntry.target & kSubdirectory))
                continue;
            auto ids = resourceEntries(*root + (typeEntry.target & ~kSubdirectory));
            if (preferredId) {
                const auto preferred = std::find_if(ids.begin(), ids.end(), [&](const ResourceEntry &e) {
                    return e.nameOrId == preferredId && (e.target & kSubdirectory);
                });
                if (preferred != ids.end())
                    std::rotate(ids.begin(), preferred, preferred + 1);
            }
            for (const auto &id : ids) {
                if (!(id.target & kSubdirectory))
                    continue;
                for (const auto &language : resourceEntries(*root + (id.target & ~kSubdirectory))) {
                    if (language.target & kSubdirectory)
                        continue;
                    const std::uint64_t entry = *root + language.target;
                    const auto dataRva = m_bytes.u32(entry);
                    const auto size = m_bytes.u32(entry + 4);
                    const auto data = dataRva ? offsetOf(*dataRva) : std::nullopt;
                    if (!size || !data || *size > maxBytes || !m_bytes.contains(*data, *size)) {
                        warn(std::string("the ") + what + " resource is damaged");
                        return std::nullopt;
                    }
                    if (foundId)
                        *foundId = (id.nameOrId & kSubdirectory) ? 0 : id.nameOrId;
                    return m_bytes.slice(*data, *size);
                }
            }
        }
        return std::nullopt;
    }

    void readManifest()
    {
        // The loader takes id 1 (CREATEPROCESS_MANIFEST_RESOURCE_ID) for a process and id 2
        // (ISOLATIONAWARE_MANIFEST_RESOURCE_ID) for a DLL's own imports.
        const std::uint32_t preferred = m_info.kind == PeKind::Exe ? 1 : 2;
        if (const auto bytes = firstResource(kRtManifest, "manifest", limits::kMaxManifestBytes, preferred,
                                             &m_info.manifestResourceId))
            m_info.manifest.assign(bytes->begin(), bytes->end());
    }

    void readVersion()
    {
        const auto bytes = firstResource(kRtVersion, "version", limits::kMaxManifestBytes);
        if (!bytes)
            return;
        if (!parseVersionInfo(*bytes, m_info.version))
            warn("the version resource is damaged; what could be read is kept");
    }

    Status readCertificates()
    {
        if (!m_info.hasCertificateTable())
            return Ok{};
        const auto &dir = m_info.dataDirectories[kCertificateTable];
        // The certificate table is addressed by file offset and is not mapped.
        if (!m_bytes.contains(dir.rva, dir.size))
            return fail("the certificate table (offset " + std::to_string(dir.rva) + ", " + std::to_string(dir.size) +
                        " bytes) extends past the end of the file (" + std::to_string(m_bytes.size()) + " bytes)");
        std::uint64_t at = dir.rva;
        const std::uint64_t end = std::uint64_t(dir.rva) + dir.size;
        while (at + 8 <= end) {
            if (m_info.certificates.size() >= limits::kMaxCertificates) {
                warn("more than " + std::to_string(limits::kMaxCertificates) + " certificate entries, the rest left out");
                break;
            }
            CertificateEntry entry;
            entry.fileOffset = at;
            entry.length = *m_bytes.u32(at);
            entry.revision = *m_bytes.u16(at + 4);
            entry.type = *m_bytes.u16(at + 6);
            if (entry.length < 8 || entry.length > end - at) {
                warn("certificate entry at offset " + std::to_string(at) + " has an impossible length " +
                     std::to_string(entry.length));
                break;
            }
            entry.contentOffset = at + 8;
            entry.contentLength = entry.length - 8;
            m_info.certificates.push_back(entry);
            at += (std::uint64_t(entry.length) + 7) & ~std::uint64_t(7); // entries are 8-byte aligned
        }
        if (m_info.certificates.empty())
            warn("the certificate table holds no entry");
        return Ok{};
    }

    Bytes m_bytes;
    std::string m_name;
    PeInfo m_info;
};

} // namespace

Result<PeInfo> parsePe(std::span<const std::uint8_t> image, const std::string &name)
{
    if (image.size() > limits::kMaxFileSize)
        return Error{EFBIG, name + ": larger than " + std::to_string(limits::kMaxFileSize >> 20) + " MiB"};
    return Parser(image, name).run();
}

bool looksLikePe(std::span<const std::uint8_t> head)
{
    Bytes bytes(head);
    if (bytes.u16(0) != kMz)
        return false;
    const auto peOffset = bytes.u32(0x3c);
    return peOffset && bytes.u32(*peOffset) == kPeSignature;
}

bool fileLooksLikePe(const std::string &path)
{
    auto file = io::openRegularFile(path);
    if (!file)
        return false;
    const io::UniqueFd &fd = file->fd;
    std::uint8_t dos[64];
    if (::pread(fd.get(), dos, sizeof dos, 0) != ssize_t(sizeof dos) || dos[0] != 'M' || dos[1] != 'Z')
        return false;
    const std::uint32_t peOffset = dos[0x3c] | (dos[0x3d] << 8) | (dos[0x3e] << 16) | (std::uint32_t(dos[0x3f]) << 24);
    std::uint8_t signature[4];
    return ::pread(fd.get(), signature, sizeof signature, off_t(peOffset)) == ssize_t(sizeof signature) &&
           std::memcmp(signature, "PE\0\0", 4) == 0;
}

Result<std::vector<std::uint8_t>> readImageFile(const std::string &path)
{
    auto file = io::openRegularFile(path);
    if (!file)
        return file.error();
    const io::UniqueFd &fd = file->fd;
    const struct stat &st = file->st;
    if (std::uint64_t(st.st_size) > limits::kMaxFileSize)
        return Error{EFBIG, path + ": larger than " + std::to_string(limits::kMaxFileSize >> 20) + " MiB"};
    std::vector<std::uint8_t> data(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::pread(fd.get(), data.data() + done, data.size() - done, static_cast<off_t>(done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return Error::fromErrno(errno, "cannot read " + path);
        }
        if (n == 0) {
            data.resize(done); // the file shrank since fstat: parse what is there
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    return data;
}

std::uint32_t computeChecksum(std::span<const std::uint8_t> image, std::uint64_t checksumFieldOffset)
{
    std::uint64_t sum = 0;
    const std::size_t words = image.size() / 2;
    for (std::size_t i = 0; i < words; ++i) {
        const std::uint64_t at = 2 * std::uint64_t(i);
        if (at >= checksumFieldOffset && at < checksumFieldOffset + 4)
            continue;
        sum += std::uint32_t(image[at]) | (std::uint32_t(image[at + 1]) << 8);
        sum = (sum & 0xffff) + (sum >> 16);
    }
    if (image.size() & 1) {
        sum += image.back();
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint32_t>(sum + image.size());
}

} // namespace loadlens::pe
