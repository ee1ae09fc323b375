#pragma once
// One file as Sysinternals Sigcheck would describe it: what kind of image it is, who made it
// (version resource), its hashes, and how it is signed, embedded or through a catalog. The CLI's
// sigcheck and the Windows triage share this.
#include "authenticode/authenticode.h"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>

namespace loadlens::authenticode {

struct FileCheckOptions {
    const TrustStore *anchors = nullptr;
    const CatalogIndex *catalogs = nullptr;
    std::optional<std::time_t> now;
};

struct FileCheck {
    std::string path;
    std::string error;             // set when the file could not be read; nothing else is then
    std::uint64_t size = 0;

    bool isPe = false;
    std::string peError;           // the PE reader's complaint about a file that starts like PE
    std::string kind;              // "EXE", "DLL", "SYS", "EFI"; empty for other files
    int bits = 0;                  // 32 or 64
    bool managed = false;
    std::string company, product, description, fileVersion;

    std::string md5, sha1, sha256;
    std::string authenticodeSha256; // the value Sysmon and VirusTotal show for PE images

    SignatureState state = SignatureState::Unsigned; // embedded signature, else catalog
    bool catalogSigned = false;
    std::string catalog;           // path of the catalog that lists it
    ImageReport embedded;
    std::vector<std::string> warnings;

    bool signedOk() const
    {
        return state == SignatureState::Valid || state == SignatureState::SignatureValidChainUnknown;
    }
};

// Reads the file once (no FIFOs, devices or a final symlink) and checks it.
FileCheck checkFile(const std::string &path, const FileCheckOptions &options = {});

nlohmann::json toJson(const FileCheck &check);
std::string csvHeader();
std::string toCsvRow(const FileCheck &check);

} // namespace loadlens::authenticode
