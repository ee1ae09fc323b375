#include "authenticode/authenticode.h"

#include "authenticode/openssl_util.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace loadlens::authenticode {

using namespace detail;

const char *digestName(DigestAlgorithm algorithm)
{
    switch (algorithm) {
    case DigestAlgorithm::Md5: return "MD5";
    case DigestAlgorithm::Sha1: return "SHA1";
    case DigestAlgorithm::Sha256: return "SHA256";
    case DigestAlgorithm::Sha384: return "SHA384";
    case DigestAlgorithm::Sha512: return "SHA512";
    }
    return "SHA256";
}

const char *stateName(SignatureState state)
{
    switch (state) {
    case SignatureState::Valid: return "valid";
    case SignatureState::SignatureValidChainUnknown: return "signature-valid-chain-unknown";
    case SignatureState::Invalid: return "invalid";
    case SignatureState::Unsigned: return "unsigned";
    }
    return "invalid";
}

std::string toHex(std::span<const std::uint8_t> bytes)
{
    static const char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (auto b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 0xf];
    }
    return out;
}

namespace {

const EVP_MD *evpFor(DigestAlgorithm algorithm)
{
    switch (algorithm) {
    case DigestAlgorithm::Md5: return EVP_md5();
    case DigestAlgorithm::Sha1: return EVP_sha1();
    case DigestAlgorithm::Sha256: return EVP_sha256();
    case DigestAlgorithm::Sha384: return EVP_sha384();
    case DigestAlgorithm::Sha512: return EVP_sha512();
    }
    return EVP_sha256();
}

std::optional<DigestAlgorithm> algorithmFor(int nid)
{
    switch (nid) {
    case NID_md5: return DigestAlgorithm::Md5;
    case NID_sha1: return DigestAlgorithm::Sha1;
    case NID_sha256: return DigestAlgorithm::Sha256;
    case NID_sha384: return DigestAlgorithm::Sha384;
    case NID_sha512: return DigestAlgorithm::Sha512;
    default: return std::nullopt;
    }
}

// The byte ranges of the file that the image hash covers, in order.
std::vector<std::pair<std::uint64_t, std::uint64_t>> hashedRanges(const pe::PeInfo &info)
{
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges; // [begin, end)
    const std::uint64_t size = info.fileSize;
    std::uint64_t certBegin = size, certEnd = size;
    if (info.hasCertificateTable()) {
        certBegin = info.dataDirectories[pe::kCertificateTable].rva;
        certEnd = std::min<std::uint64_t>(size, certBegin + info.dataDirectories[pe::kCertificateTable].size);
    }
    auto add = [&](std::uint64_t begin, std::uint64_t end) {
        end = std::min(end, size);
        if (begin >= end)
            return;
        // The certificate table is never hashed, wherever it sits.
        if (certBegin < certEnd && begin < certEnd && certBegin < end) {
            if (begin < certBegin)
                ranges.emplace_back(begin, certBegin);
            if (certEnd < end)
                ranges.emplace_back(certEnd, end);
            return;
        }
        ranges.emplace_back(begin, end);
    };

    // Headers, less the checksum and the certificate table directory entry.
    const std::uint64_t headers = std::min<std::uint64_t>(info.sizeOfHeaders, size);
    std::uint64_t at = 0;
    add(at, std::min(info.checksumFieldOffset, headers));
    at = info.checksumFieldOffset + 4;
    if (info.certificateDirectoryOffset != 0) {
        add(at, std::min(info.certificateDirectoryOffset, headers));
        at = info.certificateDirectoryOffset + 8;
    }
    add(at, headers);

    // Sections by file offset, then whatever follows the last one (debug data, overlays).
    std::vector<const pe::Section *> sections;
    for (const auto &s : info.sections)
        if (s.rawSize != 0)
            sections.push_back(&s);
    std::stable_sort(sections.begin(), sections.end(),
                     [](const pe::Section *a, const pe::Section *b) { return a->rawOffset < b->rawOffset; });
    std::uint64_t sumHashed = headers;
    for (const auto *s : sections) {
        add(s->rawOffset, std::uint64_t(s->rawOffset) + s->rawSize);
        sumHashed = std::max(sumHashed, std::min<std::uint64_t>(size, std::uint64_t(s->rawOffset) + s->rawSize));
    }
    add(sumHashed, size);
    return ranges;
}

// The page hash table of this file as signing tools write it: the headers (less the checksum and
// the certificate table entry) padded with zeros to one page at offset 0; then each page of each
// section's raw data in section-table order, the last one of a section padded with zeros; then
// an entry at the end of the last section's data with an all-zero hash.
Result<std::vector<std::uint8_t>> computePageHashes(std::span<const std::uint8_t> image, const pe::PeInfo &info,
                                                    const EVP_MD *md, std::uint32_t pageSize)
{
    const auto mdSize = static_cast<std::size_t>(EVP_MD_get_size(md));
    const std::uint64_t size = image.size();
    if (pageSize < 512 || pageSize > 4u * 1024 * 1024 || (pageSize & (pageSize - 1)) != 0)
        return Error{0, "the page size " + std::to_string(pageSize) + " is not a power of two between 512 and 4 MiB"};
    if (info.sizeOfHeaders > pageSize || info.sizeOfHeaders > size || info.checksumFieldOffset + 4 > info.sizeOfHeaders ||
        info.certificateDirectoryOffset == 0 || info.certificateDirectoryOffset + 8 > info.sizeOfHeaders ||
        info.certificateDirectoryOffset < info.checksumFieldOffset + 4)
        return Error{0, "the headers do not fit one page with the fields page hashing leaves out"};
    std::uint64_t entries = 2;
    for (const auto &s : info.sections) {
        if (s.rawSize == 0)
            continue;
        if (std::uint64_t(s.rawOffset) + s.rawSize > size)
            return Error{0, "section " + s.name + "'s raw data runs past the end of the file"};
        entries += (std::uint64_t(s.rawSize) + pageSize - 1) / pageSize;
    }
    std::vector<std::uint8_t> out;
    out.reserve(entries * (4 + mdSize));
    const std::vector<std::uint8_t> zeroes(pageSize, 0);
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx)
        return Error{0, "cannot start a page digest"};
    auto entry = [&](std::uint64_t offset, std::initializer_list<std::span<const std::uint8_t>> parts) {
        for (int shift = 0; shift < 32; shift += 8)
            out.push_back(static_cast<std::uint8_t>((offset >> shift) & 0xff));
        EVP_DigestInit_ex(ctx.get(), md, nullptr);
        for (const auto &part : parts)
            EVP_DigestUpdate(ctx.get(), part.data(), part.size());
        const auto at = out.size();
        out.resize(at + mdSize);
        EVP_DigestFinal_ex(ctx.get(), out.data() + at, nullptr);
    };
    const std::uint64_t checksum = info.checksumFieldOffset, certDir = info.certificateDirectoryOffset;
    entry(0, {image.subspan(0, checksum), image.subspan(checksum + 4, certDir - checksum - 4),
              image.subspan(certDir + 8, info.sizeOfHeaders - certDir - 8),
              std::span<const std::uint8_t>(zeroes).first(pageSize - info.sizeOfHeaders)});
    std::uint64_t lastEnd = 0;
    for (const auto &s : info.sections) {
        if (s.rawSize == 0)
            continue;
        for (std::uint64_t at = 0; at < s.rawSize; at += pageSize) {
            const std::uint64_t length = std::min<std::uint64_t>(pageSize, s.rawSize - at);
            entry(s.rawOffset + at, {image.subspan(s.rawOffset + at, length),
                                     std::span<const std::uint8_t>(zeroes).first(pageSize - length)});
        }
        lastEnd = std::uint64_t(s.rawOffset) + s.rawSize;
    }
    for (int shift = 0; shift < 32; shift += 8)
        out.push_back(static_cast<std::uint8_t>((lastEnd >> shift) & 0xff));
    out.resize(out.size() + mdSize, 0);
    return out;
}

// Compares the signed page hash table with this file's; fills the report's page hash fields.
void checkPageHashes(std::span<const std::uint8_t> image, const pe::PeInfo &info, const IndirectData &indirect,
                     SignatureReport &out)
{
    if (!indirect.pageHashOid) {
        out.pageHashProblem = "the page hash attribute could not be read";
        return;
    }
    const EVP_MD *md = nullptr;
    if (*indirect.pageHashOid == "1.3.6.1.4.1.311.2.3.1") {
        md = EVP_sha1();
        out.pageHashAlgorithm = "SHA1";
    } else if (*indirect.pageHashOid == "1.3.6.1.4.1.311.2.3.2") {
        md = EVP_sha256();
        out.pageHashAlgorithm = "SHA256";
    } else {
        out.pageHashProblem = "unknown page hash type " + *indirect.pageHashOid;
        return;
    }
    const std::size_t entrySize = 4 + static_cast<std::size_t>(EVP_MD_get_size(md));
    const auto signedTable = indirect.pageHashTable;
    if (signedTable.empty() || signedTable.size() % entrySize != 0) {
        out.pageHashProblem = "the signed page hash table is " + std::to_string(signedTable.size()) +
                              " bytes, not a whole number of " + std::to_string(entrySize) + "-byte entries";
        return;
    }
    // Tools page by SectionAlignment; Windows pages are 4 KiB. Either table is accepted.
    std::vector<std::uint32_t> pageSizes{info.sectionAlignment};
    if (info.sectionAlignment != 4096)
        pageSizes.push_back(4096);
    std::optional<std::vector<std::uint8_t>> best;
    for (const auto pageSize : pageSizes) {
        auto computed = computePageHashes(image, info, md, pageSize);
        if (!computed) {
            out.pageHashProblem = computed.error().message;
            continue;
        }
        if (std::equal(signedTable.begin(), signedTable.end(), computed->begin(), computed->end())) {
            out.pageHashesMatch = true;
            out.pageHashProblem.clear();
            return;
        }
        if (!best)
            best = std::move(*computed);
    }
    if (!best)
        return;
    out.pageHashProblem.clear();
    out.pageHashesMatch = false;
    // Pages the signed table lists whose hash differs (or that this file no longer has).
    auto offsetAt = [&](std::span<const std::uint8_t> table, std::size_t i) {
        std::uint64_t v = 0;
        for (int b = 3; b >= 0; --b)
            v = (v << 8) | table[i * entrySize + static_cast<std::size_t>(b)];
        return v;
    };
    const std::span<const std::uint8_t> mine(*best);
    const std::size_t signedCount = signedTable.size() / entrySize, mineCount = mine.size() / entrySize;
    std::size_t j = 0;
    for (std::size_t i = 0; i < signedCount && out.changedPages.size() < 16; ++i) {
        const auto offset = offsetAt(signedTable, i);
        while (j < mineCount && offsetAt(mine, j) < offset)
            ++j;
        const bool same = j < mineCount && offsetAt(mine, j) == offset &&
                          std::equal(signedTable.begin() + i * entrySize, signedTable.begin() + (i + 1) * entrySize,
                                     mine.begin() + j * entrySize);
        if (!same)
            out.changedPages.push_back(offset);
    }
    if (out.changedPages.empty() && signedCount != mineCount)
        out.pageHashProblem = "the signed table has " + std::to_string(signedCount) + " entries, this file " +
                              std::to_string(mineCount);
}

} // namespace

Result<std::vector<std::uint8_t>> imageDigest(std::span<const std::uint8_t> image, const pe::PeInfo &info,
                                              DigestAlgorithm algorithm)
{
    if (image.size() != info.fileSize)
        return Error{0, "image digest: the bytes given are not the ones that were parsed"};
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), evpFor(algorithm), nullptr) != 1)
        return Error{0, std::string("cannot start a ") + digestName(algorithm) + " digest"};
    for (const auto &[begin, end] : hashedRanges(info))
        EVP_DigestUpdate(ctx.get(), image.data() + begin, end - begin);
    std::vector<std::uint8_t> out(EVP_MAX_MD_SIZE);
    unsigned length = 0;
    EVP_DigestFinal_ex(ctx.get(), out.data(), &length);
    out.resize(length);
    return out;
}

namespace {

constexpr const char *kSpcIndirectData = "1.3.6.1.4.1.311.2.1.4";
constexpr const char *kNestedSignature = "1.3.6.1.4.1.311.2.4.1";
constexpr const char *kRfc3161Timestamp = "1.3.6.1.4.1.311.3.3.1";
constexpr const char *kLifetimeSigningEku = "1.3.6.1.4.1.311.10.3.13";
constexpr std::size_t kMaxNesting = 8;
constexpr std::size_t kMaxSignatures = 32;

// DER of the page-hash attribute OIDs 1.3.6.1.4.1.311.2.3.1 and .2 (SHA-1 / SHA-256 page hashes).
constexpr std::uint8_t kPageHashOidV1[] = {0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x03, 0x01};
constexpr std::uint8_t kPageHashOidV2[] = {0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x03, 0x02};

bool containsBytes(std::span<const std::uint8_t> haystack, std::span<const std::uint8_t> needle)
{
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

// SpcPeImageData { flags BIT STRING, file [0] SpcLink } where the link is the moniker choice
// [1] SpcSerializedObject { classId, serializedData }, and serializedData is
// SET { SEQUENCE { page-hash OID, SET { OCTET STRING table } } }.
void readPageHashTable(std::span<const std::uint8_t> attributeContent, IndirectData &data)
{
    DerReader attribute(attributeContent);
    if (!attribute.next(0x06))
        return;
    const auto peImageData = attribute.next(0x30);
    if (!peImageData)
        return;
    DerReader imageFields(peImageData->content);
    if (!imageFields.next(0x03))
        return;
    const auto file = imageFields.next(0xa0);
    if (!file)
        return;
    const auto moniker = DerReader(file->content).next(0xa1);
    if (!moniker)
        return;
    DerReader serialized(moniker->content);
    const auto classId = serialized.next(0x04);
    const auto payload = serialized.next(0x04);
    if (!classId || !payload)
        return;
    const auto set = DerReader(payload->content).next(0x31);
    if (!set)
        return;
    const auto sequence = DerReader(set->content).next(0x30);
    if (!sequence)
        return;
    DerReader typeAndValue(sequence->content);
    const auto oid = typeAndValue.next(0x06);
    const auto values = typeAndValue.next(0x31);
    if (!oid || !values)
        return;
    const auto table = DerReader(values->content).next(0x04);
    if (!table)
        return;
    data.pageHashOid = oidToText(oid->whole);
    data.pageHashTable = table->content;
}

std::optional<IndirectData> readIndirectData(std::span<const std::uint8_t> der)
{
    DerReader outer(der);
    const auto sequence = outer.next(0x30);
    if (!sequence)
        return std::nullopt;
    IndirectData data;
    data.signedContent = sequence->content;
    DerReader fields(sequence->content);
    const auto attribute = fields.next(0x30);
    const auto digestInfo = fields.next(0x30);
    if (!attribute || !digestInfo)
        return std::nullopt;
    DerReader attributeFields(attribute->content);
    if (const auto type = attributeFields.next(0x06))
        data.dataTypeOid = oidToText(type->whole);
    data.pageHashes = containsBytes(attribute->content, kPageHashOidV1) || containsBytes(attribute->content, kPageHashOidV2);
    if (data.pageHashes)
        readPageHashTable(attribute->content, data);
    DerReader info(digestInfo->content);
    const auto algorithm = info.next(0x30);
    const auto digest = info.next(0x04);
    if (!algorithm || !digest)
        return std::nullopt;
    DerReader algorithmFields(algorithm->content);
    const auto oid = algorithmFields.next(0x06);
    if (!oid)
        return std::nullopt;
    data.digestOid = oidToText(oid->whole);
    data.digest.assign(digest->content.begin(), digest->content.end());
    return data;
}

struct Context {
    std::span<const std::uint8_t> image;
    const pe::PeInfo &info;
    const VerifyOptions &options;
    ImageReport report;
};

void verifyTimestamps(PKCS7 *p7, PKCS7_SIGNER_INFO *si, SignatureReport &out);

// Checks the chain from `leaf` to an anchor at `when`. Returns nothing when the anchors do not
// reach this chain (no anchor for it), false with a reason when the chain is rejected.
std::optional<bool> verifyChain(X509 *leaf, STACK_OF(X509) *untrusted, const TrustStore &anchors, std::time_t when,
                                std::vector<CertificateSummary> &chain, std::string &problem)
{
    X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), storeOf(anchors), leaf, untrusted) != 1) {
        problem = "cannot set up chain verification";
        return false;
    }
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_time(param, when);
    // Any certificate the user trusts is an anchor, even an intermediate or a self-signed leaf.
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
    const int ok = X509_verify_cert(ctx.get());
    if (STACK_OF(X509) *built = X509_STORE_CTX_get0_chain(ctx.get()))
        for (int i = 0; i < sk_X509_num(built); ++i)
            chain.push_back(summarize(sk_X509_value(built, i)));
    if (ok == 1)
        return true;
    const int err = X509_STORE_CTX_get_error(ctx.get());
    problem = std::string("chain: ") + X509_verify_cert_error_string(err);
    switch (err) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        return std::nullopt;
    default:
        return false;
    }
}

bool hasEku(X509 *cert, const char *oid)
{
    auto *ekus = static_cast<EXTENDED_KEY_USAGE *>(X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr));
    if (!ekus)
        return false;
    bool found = false;
    for (int i = 0; i < sk_ASN1_OBJECT_num(ekus); ++i)
        if (objectText(sk_ASN1_OBJECT_value(ekus, i)) == oid)
            found = true;
    EXTENDED_KEY_USAGE_free(ekus);
    return found;
}

void verifyOne(Context &ctx, PKCS7 *p7, std::span<const std::uint8_t> raw, std::size_t entry, std::size_t depth);

// The signer of a SignedData: its certificate, the signature over `signedContent`, the code
// signing EKU, forged curves, the timestamp and the chain. Problems go to `out` and set `failed`.
void checkSigner(PKCS7 *p7, PKCS7_SIGNER_INFO *si, std::span<const std::uint8_t> raw,
                 std::span<const std::uint8_t> signedContent, const VerifyOptions &options, SignatureReport &out,
                 bool &failed)
{
    auto invalid = [&](const std::string &why) {
        failed = true;
        out.state = SignatureState::Invalid;
        out.reasons.push_back(why);
    };
    STACK_OF(X509) *certs = p7->d.sign->cert;
    X509 *signerCert = si->issuer_and_serial
                           ? X509_find_by_issuer_and_serial(certs, si->issuer_and_serial->issuer,
                                                            si->issuer_and_serial->serial)
                           : nullptr;
    if (!signerCert) {
        invalid("the signer's certificate is not in the signature");
    } else {
        out.signer = summarize(signerCert);
        std::string problem;
        const auto rawSigner = rawFirstSignerInfo(raw);
        if (!rawSigner)
            problem = "the SignerInfo is unreadable";
        else
            out.signatureVerified = verifySignerInfo(si, *rawSigner, signerCert, signedContent, problem);
        if (!out.signatureVerified)
            invalid("signature: " + problem);
        if (X509_get_extension_flags(signerCert) & EXFLAG_XKUSAGE &&
            !(X509_get_extended_key_usage(signerCert) & XKU_CODE_SIGN))
            invalid("the signer's certificate is not valid for code signing (no codeSigning EKU)");
        if (hasExplicitCurveParameters(signerCert, certs))
            invalid("a certificate uses explicit elliptic-curve parameters (CVE-2020-0601 style forgery)");
    }

    verifyTimestamps(p7, si, out);

    if (signerCert && options.anchors) {
        // A valid timestamp fixes the time the chain must have been valid at, unless the signer
        // opted out of that with the lifetime-signing EKU.
        std::time_t when = options.now.value_or(std::time(nullptr));
        if (out.timestamp && out.timestamp->verified && out.timestamp->time && !hasEku(signerCert, kLifetimeSigningEku))
            when = *out.timestamp->time;
        std::string problem;
        out.chainVerified = verifyChain(signerCert, certs, *options.anchors, when, out.chain, problem);
        if (out.chainVerified.has_value() && !*out.chainVerified)
            invalid(problem);
        else if (!out.chainVerified.has_value())
            out.reasons.push_back(problem + " (no anchor for this chain in the trust store)");
    }

}

void verifyNested(Context &ctx, PKCS7_SIGNER_INFO *si, std::size_t entry, std::size_t depth)
{
    STACK_OF(X509_ATTRIBUTE) *attrs = si->unauth_attr;
    for (int i = 0; i < sk_X509_ATTRIBUTE_num(attrs); ++i) {
        X509_ATTRIBUTE *attr = sk_X509_ATTRIBUTE_value(attrs, i);
        if (objectText(X509_ATTRIBUTE_get0_object(attr)) != kNestedSignature)
            continue;
        for (int v = 0; v < X509_ATTRIBUTE_count(attr); ++v) {
            ASN1_TYPE *value = X509_ATTRIBUTE_get0_type(attr, v);
            if (!value || value->type != V_ASN1_SEQUENCE)
                continue;
            const unsigned char *p = value->value.sequence->data;
            Pkcs7Ptr nested(d2i_PKCS7(nullptr, &p, value->value.sequence->length));
            if (!nested) {
                ctx.report.problems.push_back("nested signature in certificate entry " + std::to_string(entry) +
                                              " is not PKCS#7");
                continue;
            }
            verifyOne(ctx, nested.get(),
                      {value->value.sequence->data, static_cast<std::size_t>(value->value.sequence->length)}, entry,
                      depth + 1);
        }
    }
}

void verifyOne(Context &ctx, PKCS7 *p7, std::span<const std::uint8_t> raw, std::size_t entry, std::size_t depth)
{
    if (ctx.report.signatures.size() >= kMaxSignatures || depth > kMaxNesting)
        return;
    SignatureReport out;
    out.certificateEntry = entry;
    out.nestingDepth = depth;
    bool failed = false;
    auto invalid = [&](const std::string &why) {
        failed = true;
        out.state = SignatureState::Invalid;
        out.reasons.push_back(why);
    };

    if (!PKCS7_type_is_signed(p7) || !p7->d.sign || !p7->d.sign->contents) {
        invalid("not a PKCS#7 SignedData structure");
        ctx.report.signatures.push_back(std::move(out));
        return;
    }
    PKCS7 *contents = p7->d.sign->contents;
    if (objectText(contents->type) != kSpcIndirectData || !contents->d.other ||
        contents->d.other->type != V_ASN1_SEQUENCE) {
        invalid("the signed content is not SpcIndirectDataContent (" + objectText(contents->type) + ")");
        ctx.report.signatures.push_back(std::move(out));
        return;
    }
    const ASN1_STRING *sequence = contents->d.other->value.sequence;
    const auto indirect = readIndirectData({sequence->data, static_cast<std::size_t>(sequence->length)});
    STACK_OF(PKCS7_SIGNER_INFO) *signers = PKCS7_get_signer_info(p7);
    if (!indirect || sk_PKCS7_SIGNER_INFO_num(signers) != 1) {
        invalid(indirect ? "Authenticode requires exactly one signer" : "SpcIndirectDataContent is malformed");
        ctx.report.signatures.push_back(std::move(out));
        return;
    }
    out.pageHashesPresent = indirect->pageHashes;
    out.signedDigest = toHex(indirect->digest);
    ASN1_OBJECT *digestObject = OBJ_txt2obj(indirect->digestOid.c_str(), 1);
    const int digestNid = digestObject ? OBJ_obj2nid(digestObject) : NID_undef;
    ASN1_OBJECT_free(digestObject);
    const auto algorithm = algorithmFor(digestNid);
    out.digestAlgorithm = algorithm ? digestName(*algorithm) : indirect->digestOid;
    if (!algorithm) {
        invalid("unsupported image digest algorithm " + indirect->digestOid);
    } else if (auto digest = imageDigest(ctx.image, ctx.info, *algorithm); !digest) {
        invalid(digest.error().message);
    } else {
        out.computedDigest = toHex(*digest);
        out.digestMatches = *digest == indirect->digest;
        if (!out.digestMatches)
            invalid("the file was modified after signing: its " + out.digestAlgorithm + " image digest " +
                    out.computedDigest + " differs from the signed " + out.signedDigest);
    }

    if (out.pageHashesPresent) {
        checkPageHashes(ctx.image, ctx.info, *indirect, out);
        if (out.pageHashesMatch == false) {
            std::string pages;
            for (const auto offset : out.changedPages) {
                char hex[24];
                std::snprintf(hex, sizeof hex, "%s0x%llx", pages.empty() ? "" : ", ",
                              static_cast<unsigned long long>(offset));
                pages += hex;
            }
            if (pages.empty())
                pages = out.pageHashProblem;
            if (out.digestMatches)
                invalid("the signed " + out.pageHashAlgorithm + " page hashes do not match the file (pages at " + pages +
                        "): Windows refuses to load those pages");
            else
                out.reasons.push_back("the signed page hashes locate the change: pages at file offsets " + pages + " differ");
        }
    }

    PKCS7_SIGNER_INFO *si = sk_PKCS7_SIGNER_INFO_value(signers, 0);
    checkSigner(p7, si, raw, indirect->signedContent, ctx.options, out, failed);
    if (!failed && out.digestMatches && out.signatureVerified)
        out.state = out.chainVerified.value_or(false) ? SignatureState::Valid : SignatureState::SignatureValidChainUnknown;
    if (!ctx.options.anchors && out.state == SignatureState::SignatureValidChainUnknown)
        out.reasons.push_back("no trust store given: the chain was not checked");
    ctx.report.signatures.push_back(std::move(out));
    verifyNested(ctx, si, entry, depth);
}

void verifyTimestamps(PKCS7 *p7, PKCS7_SIGNER_INFO *si, SignatureReport &out)
{
    STACK_OF(X509_ATTRIBUTE) *attrs = si->unauth_attr;
    const ASN1_OCTET_STRING *signature = si->enc_digest;
    const std::span<const std::uint8_t> signatureBytes(signature->data, static_cast<std::size_t>(signature->length));
    for (int i = 0; i < sk_X509_ATTRIBUTE_num(attrs) && !out.timestamp; ++i) {
        X509_ATTRIBUTE *attr = sk_X509_ATTRIBUTE_value(attrs, i);
        const std::string oid = objectText(X509_ATTRIBUTE_get0_object(attr));
        ASN1_TYPE *value = X509_ATTRIBUTE_get0_type(attr, 0);
        if (!value || value->type != V_ASN1_SEQUENCE)
            continue;
        const unsigned char *p = value->value.sequence->data;
        const long length = value->value.sequence->length;
        if (oid == "1.2.840.113549.1.9.6") {
            Timestamp ts;
            ts.kind = Timestamp::Kind::Pkcs9CounterSignature;
            PKCS7SignerInfoPtr counter(d2i_PKCS7_SIGNER_INFO(nullptr, &p, length));
            if (!counter) {
                ts.problem = "the counter-signature is malformed";
                out.timestamp = std::move(ts);
                continue;
            }
            ASN1_TYPE *timeAttr = PKCS7_get_signed_attribute(counter.get(), NID_pkcs9_signingTime);
            if (timeAttr && (timeAttr->type == V_ASN1_UTCTIME || timeAttr->type == V_ASN1_GENERALIZEDTIME))
                ts.time = timeOf(timeAttr->value.utctime);
            X509 *tsa = counter->issuer_and_serial
                            ? X509_find_by_issuer_and_serial(p7->d.sign->cert, counter->issuer_and_serial->issuer,
                                                             counter->issuer_and_serial->serial)
                            : nullptr;
            if (!tsa) {
                ts.problem = "the timestamp signer's certificate is not in the signature";
            } else {
                ts.signer = summarize(tsa);
                ts.verified = verifySignerInfo(counter.get(), {value->value.sequence->data, static_cast<std::size_t>(length)},
                                               tsa, signatureBytes, ts.problem);
            }
            out.timestamp = std::move(ts);
        } else if (oid == kRfc3161Timestamp) {
            Timestamp ts;
            ts.kind = Timestamp::Kind::Rfc3161;
            ts.verified = verifyTimestampToken({p, static_cast<std::size_t>(length)}, signatureBytes, ts.time, ts.signer,
                                               ts.problem);
            out.timestamp = std::move(ts);
        }
    }
}

} // namespace

std::optional<IndirectData> detail::parseIndirectData(std::span<const std::uint8_t> der) { return readIndirectData(der); }

void detail::checkSignerInfo(PKCS7 *p7, PKCS7_SIGNER_INFO *si, std::span<const std::uint8_t> raw,
                             std::span<const std::uint8_t> signedContent, const VerifyOptions &options,
                             SignatureReport &out, bool &failed)
{
    checkSigner(p7, si, raw, signedContent, options, out, failed);
}

ImageReport verifyImage(std::span<const std::uint8_t> image, const pe::PeInfo &info, const VerifyOptions &options)
{
    Context ctx{image, info, options, {}};
    for (std::size_t i = 0; i < info.certificates.size(); ++i) {
        const auto &entry = info.certificates[i];
        if (entry.type != pe::kCertTypePkcsSignedData) {
            ctx.report.problems.push_back("certificate entry " + std::to_string(i) + " has type " +
                                          std::to_string(entry.type) + ", not PKCS#7 SignedData: not checked");
            continue;
        }
        if (entry.contentOffset + entry.contentLength > image.size())
            continue; // the reader bounds entries; this guards a mismatched image
        const unsigned char *p = image.data() + entry.contentOffset;
        Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, entry.contentLength));
        if (!p7) {
            SignatureReport bad;
            bad.certificateEntry = i;
            bad.state = SignatureState::Invalid;
            bad.reasons.push_back("certificate entry " + std::to_string(i) + " is not a readable PKCS#7 structure");
            ctx.report.signatures.push_back(std::move(bad));
            continue;
        }
        verifyOne(ctx, p7.get(), {image.data() + entry.contentOffset, entry.contentLength}, i, 0);
    }
    if (!ctx.report.signatures.empty())
        ctx.report.state = ctx.report.signatures.front().state;
    else if (!info.certificates.empty())
        ctx.report.state = SignatureState::Invalid; // a certificate table that holds no signature we can read
    return std::move(ctx.report);
}

} // namespace loadlens::authenticode
