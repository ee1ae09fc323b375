// Security catalogs: a PKCS#7 SignedData whose content is a certificate trust list (CTL) of
// member hashes. Windows treats a file as signed when a valid catalog lists its hash; so does
// this reader, with the catalog's own signature checked like an embedded one.
#include "authenticode/authenticode.h"
#include "authenticode/openssl_util.h"
#include "pe/pe_reader.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace loadlens::authenticode {

using namespace detail;

namespace {

constexpr const char *kCtl = "1.3.6.1.4.1.311.10.1";
constexpr const char *kMemberIndirectData = "1.3.6.1.4.1.311.2.1.4";
constexpr const char *kPeImageData = "1.3.6.1.4.1.311.2.1.15";
constexpr std::size_t kMaxMembers = 1u << 20;

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

// Subject identifiers are usually the hash as a UTF-16LE hex string; show them as text when they
// are, as hex otherwise.
std::string tagText(std::span<const std::uint8_t> tag)
{
    bool utf16 = tag.size() % 2 == 0 && !tag.empty();
    for (std::size_t i = 0; utf16 && i < tag.size(); i += 2)
        utf16 = tag[i + 1] == 0 && tag[i] >= 0x20 && tag[i] < 0x7f;
    if (!utf16)
        return toHex(tag);
    std::string text;
    for (std::size_t i = 0; i < tag.size(); i += 2)
        if (tag[i] != 0)
            text += char(tag[i]);
    return text;
}

const char *algorithmName(const std::string &oid)
{
    if (oid == "1.3.14.3.2.26")
        return "SHA1";
    if (oid == "2.16.840.1.101.3.4.2.1")
        return "SHA256";
    if (oid == "1.2.840.113549.2.5")
        return "MD5";
    return nullptr;
}

// CTL ::= SEQUENCE { subjectUsage, listIdentifier OPTIONAL, sequenceNumber OPTIONAL,
//   thisUpdate, nextUpdate OPTIONAL, subjectAlgorithm, trustedSubjects OPTIONAL, [0] extensions }
// TrustedSubject ::= SEQUENCE { subjectIdentifier OCTET STRING, attributes SET OF Attribute }
void readMembers(std::span<const std::uint8_t> ctlDer, CatalogReport &report)
{
    DerReader outer(ctlDer);
    const auto ctl = outer.next(0x30);
    if (!ctl) {
        report.problems.push_back("the trust list is malformed");
        return;
    }
    DerReader fields(ctl->content);
    std::vector<DerReader::Element> elements;
    while (auto e = fields.nextAny())
        elements.push_back(*e);
    // trustedSubjects is the SEQUENCE after subjectAlgorithm, which follows the update time(s).
    std::size_t at = 0;
    while (at < elements.size() && elements[at].tag != 0x17 && elements[at].tag != 0x18)
        ++at;
    while (at < elements.size() && (elements[at].tag == 0x17 || elements[at].tag == 0x18))
        ++at;
    if (at + 1 >= elements.size() || elements[at].tag != 0x30 || elements[at + 1].tag != 0x30)
        return; // a catalog without members
    DerReader subjects(elements[at + 1].content);
    while (auto subject = subjects.next(0x30)) {
        if (report.members.size() >= kMaxMembers) {
            report.problems.push_back("more than " + std::to_string(kMaxMembers) + " members; the rest left out");
            return;
        }
        DerReader subjectFields(subject->content);
        const auto tag = subjectFields.next(0x04);
        const auto attributes = subjectFields.next(0x31);
        if (!tag) {
            report.problems.push_back("a member without a subject identifier was left out");
            continue;
        }
        CatalogMember member;
        member.tag = tagText(tag->content);
        if (attributes) {
            DerReader attributeList(attributes->content);
            while (auto attribute = attributeList.next(0x30)) {
                DerReader attributeFields(attribute->content);
                const auto oid = attributeFields.next(0x06);
                const auto values = attributeFields.next(0x31);
                if (!oid || !values || oidToText(oid->whole) != kMemberIndirectData)
                    continue;
                DerReader valueList(values->content);
                const auto value = valueList.next(0x30);
                const auto indirect = value ? parseIndirectData(value->whole) : std::nullopt;
                if (!indirect)
                    continue;
                const char *name = algorithmName(indirect->digestOid);
                member.digestAlgorithm = name ? name : indirect->digestOid;
                member.digest = toHex(indirect->digest);
                member.peImage = indirect->dataTypeOid == kPeImageData;
            }
        }
        if (member.digest.empty()) {
            // Older catalogs carry only the tag, which is the member's hash in hex.
            const bool hex = !member.tag.empty() &&
                             std::all_of(member.tag.begin(), member.tag.end(), [](unsigned char c) { return std::isxdigit(c); });
            if (hex && (member.tag.size() == 40 || member.tag.size() == 64)) {
                member.digest = lower(member.tag);
                member.digestAlgorithm = member.tag.size() == 40 ? "SHA1" : "SHA256";
            }
        }
        report.members.push_back(std::move(member));
    }
}

} // namespace

Result<CatalogReport> readCatalog(std::span<const std::uint8_t> bytes, const std::string &name, const VerifyOptions &options)
{
    const unsigned char *p = bytes.data();
    Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(bytes.size())));
    ERR_clear_error();
    if (!p7 || !PKCS7_type_is_signed(p7.get()) || !p7->d.sign || !p7->d.sign->contents)
        return Error{0, name + ": not a catalog (no PKCS#7 SignedData)"};
    PKCS7 *contents = p7->d.sign->contents;
    if (objectText(contents->type) != kCtl || !contents->d.other || contents->d.other->type != V_ASN1_SEQUENCE)
        return Error{0, name + ": not a catalog (the signed content is " + objectText(contents->type) +
                            ", not a certificate trust list)"};
    CatalogReport report;
    report.name = name;
    const ASN1_STRING *ctl = contents->d.other->value.sequence;
    const std::span<const std::uint8_t> ctlDer(ctl->data, static_cast<std::size_t>(ctl->length));
    readMembers(ctlDer, report);

    STACK_OF(PKCS7_SIGNER_INFO) *signers = PKCS7_get_signer_info(p7.get());
    if (sk_PKCS7_SIGNER_INFO_num(signers) == 0) {
        report.state = SignatureState::Unsigned;
        return report;
    }
    // messageDigest covers the CTL SEQUENCE's contents, as for SpcIndirectDataContent.
    DerReader outer(ctlDer);
    const auto sequence = outer.next(0x30);
    SignatureReport signature;
    signature.digestMatches = true; // a catalog has no image digest of its own
    bool failed = false;
    if (sk_PKCS7_SIGNER_INFO_num(signers) != 1 || !sequence) {
        failed = true;
        signature.state = SignatureState::Invalid;
        signature.reasons.push_back("a catalog must have exactly one signer");
    } else {
        checkSignerInfo(p7.get(), sk_PKCS7_SIGNER_INFO_value(signers, 0), bytes, sequence->content, options, signature, failed);
    }
    if (!failed && signature.signatureVerified)
        signature.state = signature.chainVerified.value_or(false) ? SignatureState::Valid
                                                                  : SignatureState::SignatureValidChainUnknown;
    if (!options.anchors && signature.state == SignatureState::SignatureValidChainUnknown)
        signature.reasons.push_back("no trust store given: the chain was not checked");
    report.state = signature.state;
    report.signature = std::move(signature);
    return report;
}

void CatalogIndex::add(CatalogReport catalog)
{
    const std::size_t index = m_catalogs.size();
    for (const auto &member : catalog.members)
        if (!member.digest.empty())
            m_byDigest.emplace_back(lower(member.digest), index);
    m_catalogs.push_back(std::move(catalog));
    m_sorted = false;
}

Status CatalogIndex::addDirectory(const std::string &directory, const VerifyOptions &options)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::recursive_directory_iterator it(directory, fs::directory_options::skip_permission_denied, ec);
    if (ec)
        return Error{ec.value(), "cannot read catalog directory " + directory + ": " + ec.message()};
    for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
        if (ec) {
            m_problems.push_back("cannot list part of " + directory + ": " + ec.message());
            break;
        }
        const auto &path = it->path();
        std::string extension = lower(path.extension().string());
        if (extension != ".cat" || !it->is_regular_file(ec))
            continue;
        auto bytes = pe::readImageFile(path.string());
        if (!bytes) {
            m_problems.push_back(bytes.error().message);
            continue;
        }
        auto catalog = readCatalog(*bytes, path.string(), options);
        if (!catalog) {
            m_problems.push_back(catalog.error().message);
            continue;
        }
        add(std::move(*catalog));
    }
    return Ok{};
}

std::vector<const CatalogReport *> CatalogIndex::lookup(const std::string &hexDigest) const
{
    if (!m_sorted) {
        std::sort(m_byDigest.begin(), m_byDigest.end());
        m_sorted = true;
    }
    const std::string key = lower(hexDigest);
    std::vector<const CatalogReport *> found;
    auto it = std::lower_bound(m_byDigest.begin(), m_byDigest.end(), std::make_pair(key, std::size_t(0)));
    for (; it != m_byDigest.end() && it->first == key; ++it)
        found.push_back(&m_catalogs[it->second]);
    auto rank = [](const CatalogReport *c) {
        switch (c->state) {
        case SignatureState::Valid: return 0;
        case SignatureState::SignatureValidChainUnknown: return 1;
        case SignatureState::Invalid: return 2;
        case SignatureState::Unsigned: return 3;
        }
        return 3;
    };
    std::stable_sort(found.begin(), found.end(), [&](auto *a, auto *b) { return rank(a) < rank(b); });
    return found;
}

std::vector<std::string> catalogDigests(std::span<const std::uint8_t> bytes, const pe::PeInfo *info)
{
    std::vector<std::string> digests;
    if (info) {
        for (auto algorithm : {DigestAlgorithm::Sha256, DigestAlgorithm::Sha1})
            if (auto d = imageDigest(bytes, *info, algorithm))
                digests.push_back(toHex(*d));
    } else {
        for (const EVP_MD *md : {EVP_sha256(), EVP_sha1()}) {
            unsigned char out[EVP_MAX_MD_SIZE];
            unsigned length = 0;
            if (EVP_Digest(bytes.data(), bytes.size(), out, &length, md, nullptr) == 1)
                digests.push_back(toHex({out, length}));
        }
    }
    return digests;
}

FileSignature catalogSignature(const std::vector<std::string> &digests, const CatalogIndex &index)
{
    FileSignature result;
    for (const auto &digest : digests) {
        const auto catalogs = index.lookup(digest);
        if (catalogs.empty())
            continue;
        const CatalogReport *best = catalogs.front();
        // An unsigned catalog proves nothing; neither does a broken one.
        if (best->state != SignatureState::Valid && best->state != SignatureState::SignatureValidChainUnknown)
            continue;
        if (!result.catalog || (best->state == SignatureState::Valid && result.state != SignatureState::Valid)) {
            result.catalog = best;
            result.state = best->state;
            result.catalogSigned = true;
            result.catalogDigest = digest;
        }
    }
    return result;
}

FileSignature catalogSignature(std::span<const std::uint8_t> bytes, const pe::PeInfo *info, const CatalogIndex &index)
{
    return catalogSignature(catalogDigests(bytes, info), index);
}

} // namespace loadlens::authenticode
