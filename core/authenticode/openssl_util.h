#pragma once
// OpenSSL plumbing for the Authenticode verifier: owning pointers, a small DER walker for the
// Microsoft structures OpenSSL has no type for, and the signature checks shared by signatures,
// counter-signatures and RFC 3161 tokens. Internal to core/authenticode.
#include "authenticode/authenticode.h"

#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include <ctime>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace loadlens::authenticode::detail {

template<auto Free>
struct Deleter {
    template<typename T>
    void operator()(T *p) const { Free(p); }
};
using Pkcs7Ptr = std::unique_ptr<PKCS7, Deleter<PKCS7_free>>;
using PKCS7SignerInfoPtr = std::unique_ptr<PKCS7_SIGNER_INFO, Deleter<PKCS7_SIGNER_INFO_free>>;
using TsTstInfoPtr = std::unique_ptr<TS_TST_INFO, Deleter<TS_TST_INFO_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;

// One DER element at a time from a byte range. Definite lengths only (DER has no other kind).
class DerReader {
public:
    struct Element {
        unsigned tag = 0;
        std::span<const std::uint8_t> content;
        std::span<const std::uint8_t> whole; // tag, length and content
    };
    explicit DerReader(std::span<const std::uint8_t> data) : m_data(data) {}
    // The next element if its tag is `expectedTag`; nothing (and the reader stops) otherwise.
    std::optional<Element> next(unsigned expectedTag);
    std::optional<Element> nextAny();

private:
    std::span<const std::uint8_t> m_data;
    std::size_t m_at = 0;
};

// "1.3.6.1.4.1.311.2.1.4" for the DER of an OBJECT IDENTIFIER (tag included).
std::string oidToText(std::span<const std::uint8_t> der);
std::string objectText(const ASN1_OBJECT *object);

CertificateSummary summarize(X509 *cert);

// The DER of the first SignerInfo in a PKCS#7 SignedData ContentInfo, as the file holds it.
std::optional<std::span<const std::uint8_t>> rawFirstSignerInfo(std::span<const std::uint8_t> contentInfo);

// messageDigest over `content` and the signature over the authenticated attributes (or over the
// content's digest when there are none), by `signer`'s key. The signature is checked over the
// attributes exactly as `rawSignerInfo` encodes them: signers that did not sort the SET (old
// Authenticode tools did not) still verify, as they do on Windows.
bool verifySignerInfo(PKCS7_SIGNER_INFO *si, std::span<const std::uint8_t> rawSignerInfo, X509 *signer,
                      std::span<const std::uint8_t> content, std::string &problem);

// An RFC 3161 token (a CMS ContentInfo): its signature, and that its imprint covers
// `counterSigned`. Fills the time the token states and its signer.
bool verifyTimestampToken(std::span<const std::uint8_t> token, std::span<const std::uint8_t> counterSigned,
                          std::optional<std::time_t> &time, CertificateSummary &signer, std::string &problem);

std::optional<std::time_t> timeOf(const ASN1_TIME *time);

// True when `cert` or any certificate in `others` carries explicit EC domain parameters instead
// of a named curve: how CVE-2020-0601 forgeries were built, and never seen in a real chain.
bool hasExplicitCurveParameters(X509 *cert, STACK_OF(X509) *others);

X509_STORE *storeOf(const TrustStore &anchors);

// SpcIndirectDataContent ::= SEQUENCE { data SpcAttributeTypeAndOptionalValue,
//                                       messageDigest DigestInfo }
// DigestInfo ::= SEQUENCE { digestAlgorithm AlgorithmIdentifier, digest OCTET STRING }
struct IndirectData {
    std::span<const std::uint8_t> signedContent; // the SEQUENCE's contents: what messageDigest covers
    std::string dataTypeOid;                     // 1.3.6.1.4.1.311.2.1.15 for a PE image
    std::string digestOid;
    std::vector<std::uint8_t> digest;
    bool pageHashes = false;
    // The signed page hash table (entries of a 4-byte file offset and a digest), when readable.
    std::optional<std::string> pageHashOid;   // 1.3.6.1.4.1.311.2.3.1 (SHA-1) or .2 (SHA-256)
    std::span<const std::uint8_t> pageHashTable;
};
std::optional<IndirectData> parseIndirectData(std::span<const std::uint8_t> der);

// The signer of a SignedData: its certificate, the signature over `signedContent`, the code
// signing EKU, forged curves, the timestamp and the chain. Problems go to `out` and set `failed`.
void checkSignerInfo(PKCS7 *p7, PKCS7_SIGNER_INFO *si, std::span<const std::uint8_t> raw,
                     std::span<const std::uint8_t> signedContent, const VerifyOptions &options, SignatureReport &out,
                     bool &failed);

} // namespace loadlens::authenticode::detail
