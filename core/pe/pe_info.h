#pragma once
// What the PE reader learns about one Windows image (EXE, DLL, driver, EFI application): plain
// values, so the Authenticode verifier, the triage and the reports share one reading.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace loadlens::pe {

enum class PeFormat { Pe32, Pe32Plus };

// The role of the image, from its header (never from the file name).
enum class PeKind { Exe, Dll, Driver, Efi };

const char *peKindName(PeKind kind); // "EXE", "DLL", "SYS", "EFI"

struct DataDirectory {
    std::uint32_t rva = 0;  // a file offset for the certificate table (index 4), an RVA otherwise
    std::uint32_t size = 0;
};

// Indexes into PeInfo::dataDirectories, as the PE format numbers them.
enum DataDirectoryIndex : std::size_t {
    kExportDirectory = 0,
    kImportDirectory = 1,
    kResourceDirectory = 2,
    kCertificateTable = 4,
    kDelayImportDirectory = 13,
    kClrHeader = 14,
    kDataDirectoryCount = 16,
};

struct Section {
    std::string name;              // up to 8 characters; "/4"-style long names are kept as written
    std::uint32_t virtualAddress = 0;
    std::uint32_t virtualSize = 0;
    std::uint32_t rawOffset = 0;   // PointerToRawData
    std::uint32_t rawSize = 0;     // SizeOfRawData
    std::uint32_t characteristics = 0;
};

struct ImportedSymbol {
    std::string name;              // empty when imported by ordinal
    std::uint16_t ordinal = 0;     // the ordinal when byOrdinal, otherwise the hint
    bool byOrdinal = false;
};

struct ImportedDll {
    std::string dll;               // as written in the image, e.g. "KERNEL32.dll"
    bool delayed = false;          // from the delay-load directory
    std::vector<ImportedSymbol> symbols;
};

struct ExportedSymbol {
    std::string name;              // empty for an export by ordinal only
    std::uint32_t ordinal = 0;     // biased (Base added), as callers use it
    std::uint32_t rva = 0;
    std::string forwarder;         // "NTDLL.RtlAllocateHeap" when the export forwards
};

// A .NET assembly: the CLR header and the runtime version its metadata names.
struct ClrInfo {
    std::uint16_t majorRuntimeVersion = 0;
    std::uint16_t minorRuntimeVersion = 0;
    std::uint32_t flags = 0;       // COMIMAGE_FLAGS_*
    std::string metadataVersion;   // "v4.0.30319"; empty when the metadata root is unreadable
};

// The version resource (VS_VERSIONINFO): the fixed file version and the first string table.
struct VersionInfo {
    std::string fileVersion;                    // "10.0.26100.4768" from VS_FIXEDFILEINFO
    std::map<std::string, std::string> strings; // CompanyName, ProductName, FileDescription, ...

    std::string value(const std::string &key) const
    {
        const auto it = strings.find(key);
        return it == strings.end() ? std::string() : it->second;
    }
};

// One WIN_CERTIFICATE entry of the certificate table.
struct CertificateEntry {
    std::uint64_t fileOffset = 0;  // of the entry header
    std::uint32_t length = 0;      // dwLength, header included
    std::uint16_t revision = 0;    // 0x0100 or 0x0200
    std::uint16_t type = 0;        // 0x0002 = PKCS#7 SignedData
    std::uint64_t contentOffset = 0; // where bCertificate starts
    std::uint32_t contentLength = 0;
};

inline constexpr std::uint16_t kCertTypePkcsSignedData = 0x0002;

struct PeInfo {
    PeFormat format = PeFormat::Pe32;
    PeKind kind = PeKind::Exe;
    std::uint16_t machine = 0;           // IMAGE_FILE_MACHINE_*
    std::uint16_t characteristics = 0;   // IMAGE_FILE_*
    std::uint16_t subsystem = 0;         // IMAGE_SUBSYSTEM_*
    std::uint16_t dllCharacteristics = 0;
    std::uint32_t timeDateStamp = 0;
    std::uint64_t imageBase = 0;
    std::uint32_t entryPoint = 0;        // RVA
    std::uint32_t sizeOfHeaders = 0;
    std::uint32_t sizeOfImage = 0;
    std::uint32_t sectionAlignment = 0;
    std::uint32_t fileAlignment = 0;
    std::uint32_t storedChecksum = 0;

    // Where the fields that Authenticode leaves out of the image hash sit in the file.
    std::uint64_t checksumFieldOffset = 0;        // 4 bytes
    std::uint64_t certificateDirectoryOffset = 0; // 8 bytes; 0 when the image has fewer than 5 directories
    std::uint64_t fileSize = 0;

    std::array<DataDirectory, kDataDirectoryCount> dataDirectories{};
    std::uint32_t dataDirectoryCount = 0;         // NumberOfRvaAndSizes as far as it was read
    std::vector<Section> sections;

    std::vector<ImportedDll> imports;             // import directory, then delay imports
    std::string exportName;                       // the DLL name in the export directory
    std::vector<ExportedSymbol> exports;
    std::optional<ClrInfo> clr;
    std::string manifest;                         // the embedded RT_MANIFEST (SxS), raw XML text: id 1
                                                  // for an EXE, 2 for a DLL when present, else the first
    std::uint32_t manifestResourceId = 0;         // its resource id (0: none, or a named resource)
    VersionInfo version;
    std::vector<CertificateEntry> certificates;

    // Damage the reader stepped over: the image parsed, but these parts are missing or suspect.
    std::vector<std::string> warnings;

    bool is64() const { return format == PeFormat::Pe32Plus; }
    bool isManaged() const { return clr.has_value(); }
    bool hasCertificateTable() const
    {
        return dataDirectoryCount > kCertificateTable && dataDirectories[kCertificateTable].size != 0;
    }
};

} // namespace loadlens::pe
