#pragma once
// Authenticode verification of PE images with OpenSSL: the image hash, every embedded signature
// (nested ones included), the signer, its timestamp and, when the caller gives anchors, the
// certificate chain. Nothing is fetched from the network and there is no default trust store:
// a Linux workstation carries no Microsoft roots, so "no anchor" is said, not guessed.
#include "common/result.h"
#include "pe/pe_info.h"

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace loadlens::authenticode {

enum class DigestAlgorithm { Md5, Sha1, Sha256, Sha384, Sha512 };
const char *digestName(DigestAlgorithm algorithm); // "MD5", "SHA1", "SHA256", ...

// The Authenticode image hash: the whole file except the checksum field, the certificate table
// directory entry and the certificate table, with sections taken in file-offset order and the
// data after the last section included.
Result<std::vector<std::uint8_t>> imageDigest(std::span<const std::uint8_t> image, const pe::PeInfo &info,
                                              DigestAlgorithm algorithm);

std::string toHex(std::span<const std::uint8_t> bytes); // lower case

enum class SignatureState {
    Valid,                      // digest, signature and chain to a given anchor all check out
    SignatureValidChainUnknown, // digest and signature check out; no anchor for the chain
    Invalid,                    // digest mismatch, bad signature, chain rejected, wrong EKU
    Unsigned,
};
const char *stateName(SignatureState state); // "valid", "signature-valid-chain-unknown", ...

struct CertificateSummary {
    std::string subject;        // one-line RFC 2253 form
    std::string commonName;
    std::string issuer;
    std::string serial;         // hex
    std::string thumbprint;     // SHA-1 of the DER, hex, as Windows shows it
    std::string notBefore;      // ISO 8601 UTC
    std::string notAfter;
};

struct Timestamp {
    enum class Kind { Pkcs9CounterSignature, Rfc3161 } kind = Kind::Pkcs9CounterSignature;
    std::optional<std::time_t> time;   // signing time the timestamp states
    bool verified = false;             // imprint and signature of the timestamp check out
    std::string problem;               // why not verified
    CertificateSummary signer;
};

struct SignatureReport {
    std::size_t certificateEntry = 0;  // index in the certificate table
    std::size_t nestingDepth = 0;      // 0 = primary signature, 1 = nested in it, ...
    SignatureState state = SignatureState::Invalid;
    std::vector<std::string> reasons;  // why it is not valid; empty when valid
    std::string digestAlgorithm;       // the algorithm the signature names
    std::string signedDigest;          // from SpcIndirectDataContent, hex
    std::string computedDigest;        // of this file, hex
    bool digestMatches = false;
    bool signatureVerified = false;    // messageDigest and the signature over the attributes
    std::optional<bool> chainVerified; // unset when no anchors were given
    // Page hashes (1.3.6.1.4.1.311.2.3.1/2): the signed per-page table Windows checks each page
    // against when it pages the image in. Compared with the table computed from this file.
    bool pageHashesPresent = false;
    std::string pageHashAlgorithm;            // "SHA1" or "SHA256"
    std::optional<bool> pageHashesMatch;      // unset when absent or not computable (see pageHashProblem)
    std::string pageHashProblem;
    std::vector<std::uint64_t> changedPages;  // file offsets of pages whose hash differs (at most 16)
    std::optional<CertificateSummary> signer;
    std::vector<CertificateSummary> chain; // leaf first, as built (only when anchors were given)
    std::optional<Timestamp> timestamp;
};

struct ImageReport {
    SignatureState state = SignatureState::Unsigned; // of the primary signature
    std::vector<SignatureReport> signatures;          // primary first, then nested and further entries
    std::vector<std::string> problems;                 // entries that could not be read at all
};

// Trust anchors from PEM or DER certificate files, or a directory of them.
class TrustStore {
public:
    TrustStore();
    ~TrustStore();
    TrustStore(TrustStore &&) noexcept;
    TrustStore &operator=(TrustStore &&) noexcept;
    TrustStore(const TrustStore &) = delete;
    TrustStore &operator=(const TrustStore &) = delete;

    // Adds every certificate in a file (PEM bundle or one DER certificate) or in the regular
    // files of a directory (not recursive). Returns how many certificates were added.
    Result<std::size_t> add(const std::string &path);
    std::size_t size() const;

    struct Impl;
    Impl *impl() const { return m_impl.get(); }

private:
    std::unique_ptr<Impl> m_impl;
};

struct VerifyOptions {
    const TrustStore *anchors = nullptr;     // no anchors: chains are "unknown"
    std::optional<std::time_t> now;          // the time to check chains at when no valid timestamp
};

ImageReport verifyImage(std::span<const std::uint8_t> image, const pe::PeInfo &info, const VerifyOptions &options = {});

// ---- Security catalogs (.cat): signed lists of file hashes -------------------------------------

struct CatalogMember {
    std::string tag;             // the member's subject identifier as text (usually its hash in hex)
    std::string digestAlgorithm; // "SHA1", "SHA256"
    std::string digest;          // hex: the Authenticode hash of a PE member, the plain hash otherwise
    bool peImage = false;        // the member is a PE image (SpcPeImageData), not a flat file
};

struct CatalogReport {
    std::string name;
    SignatureState state = SignatureState::Unsigned;  // of the catalog's own signature
    std::optional<SignatureReport> signature;
    std::vector<CatalogMember> members;
    std::vector<std::string> problems;                // damage stepped over (members left out, ...)
};

// Reads a catalog (PKCS#7 SignedData over a certificate trust list) and verifies its signature.
// Errors only when it is not a catalog at all.
Result<CatalogReport> readCatalog(std::span<const std::uint8_t> bytes, const std::string &name,
                                  const VerifyOptions &options = {});

// The catalogs of a collected CatRoot tree, indexed by member digest.
class CatalogIndex {
public:
    void add(CatalogReport catalog);
    // Reads every *.cat below `directory` (recursively). Unreadable files are listed in
    // problems(); they never stop the rest.
    Status addDirectory(const std::string &directory, const VerifyOptions &options = {});

    // Catalogs that list this digest (hex, either case), signed ones first.
    std::vector<const CatalogReport *> lookup(const std::string &hexDigest) const;
    std::size_t size() const { return m_catalogs.size(); }
    const std::vector<std::string> &problems() const { return m_problems; }

private:
    std::vector<CatalogReport> m_catalogs;
    // (digest, catalog) pairs, sorted on first lookup after an add.
    mutable std::vector<std::pair<std::string, std::size_t>> m_byDigest;
    mutable bool m_sorted = true;
    std::vector<std::string> m_problems;
};

// How a file is signed once catalogs are taken into account.
struct FileSignature {
    SignatureState state = SignatureState::Unsigned;
    bool catalogSigned = false;            // the state comes from a catalog, not an embedded signature
    const CatalogReport *catalog = nullptr;
    std::string catalogDigest;             // the digest that matched (hex)
};

// For a PE image without a usable embedded signature, looks up its Authenticode SHA-1 and
// SHA-256 in the index; for other files (info == nullptr), the plain file hashes.
FileSignature catalogSignature(std::span<const std::uint8_t> bytes, const pe::PeInfo *info, const CatalogIndex &index);
// The same in two steps, for looking a file up in more than one index with one hashing: the
// digests catalogs list a file by (Authenticode SHA-256 and SHA-1 of a PE image, the plain
// hashes of any other file), then the lookup.
std::vector<std::string> catalogDigests(std::span<const std::uint8_t> bytes, const pe::PeInfo *info);
FileSignature catalogSignature(const std::vector<std::string> &digests, const CatalogIndex &index);

} // namespace loadlens::authenticode
