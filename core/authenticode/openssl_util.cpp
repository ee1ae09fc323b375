#include "authenticode/openssl_util.h"

#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <sys/stat.h>
#include <vector>

namespace loadlens::authenticode {

struct TrustStore::Impl {
    X509_STORE *store = X509_STORE_new();
    std::size_t count = 0;
    ~Impl() { X509_STORE_free(store); }
};

TrustStore::TrustStore() : m_impl(std::make_unique<Impl>()) {}
TrustStore::~TrustStore() = default;
TrustStore::TrustStore(TrustStore &&) noexcept = default;
TrustStore &TrustStore::operator=(TrustStore &&) noexcept = default;
std::size_t TrustStore::size() const { return m_impl->count; }

namespace {

// Every certificate in one file: a PEM bundle, or a single DER certificate.
Result<std::size_t> addFile(TrustStore::Impl &impl, const std::string &path)
{
    detail::BioPtr bio(BIO_new_file(path.c_str(), "rb"));
    if (!bio)
        return Error::fromErrno(errno, "cannot open trust store file " + path);
    std::size_t added = 0;
    while (X509 *cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        if (X509_STORE_add_cert(impl.store, cert) == 1)
            ++added;
        X509_free(cert);
    }
    if (added == 0) {
        BIO_reset(bio.get());
        if (X509 *cert = d2i_X509_bio(bio.get(), nullptr)) {
            if (X509_STORE_add_cert(impl.store, cert) == 1)
                ++added;
            X509_free(cert);
        }
    }
    impl.count += added;
    return added;
}

} // namespace

Result<std::size_t> TrustStore::add(const std::string &path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return Error::fromErrno(errno, "cannot read trust store " + path);
    if (!S_ISDIR(st.st_mode)) {
        auto added = addFile(*m_impl, path);
        if (added && *added == 0)
            return Error{0, path + ": no PEM or DER certificate in it"};
        return added;
    }
    DIR *dir = ::opendir(path.c_str());
    if (!dir)
        return Error::fromErrno(errno, "cannot list trust store directory " + path);
    std::size_t added = 0;
    while (const dirent *entry = ::readdir(dir)) {
        const std::string file = path + "/" + entry->d_name;
        struct stat fst {};
        if (entry->d_name[0] == '.' || ::stat(file.c_str(), &fst) != 0 || !S_ISREG(fst.st_mode))
            continue;
        if (auto n = addFile(*m_impl, file))
            added += *n;
    }
    ::closedir(dir);
    ERR_clear_error();
    return added;
}

} // namespace loadlens::authenticode

namespace loadlens::authenticode::detail {

std::optional<DerReader::Element> DerReader::next(unsigned expectedTag)
{
    if (m_data.size() - m_at < 1 || m_data[m_at] != expectedTag)
        return std::nullopt;
    return nextAny();
}

std::optional<DerReader::Element> DerReader::nextAny()
{
    const std::size_t start = m_at;
    if (m_data.size() - m_at < 2)
        return std::nullopt;
    const unsigned tag = m_data[m_at];
    if ((tag & 0x1f) == 0x1f)
        return std::nullopt; // high tag numbers do not occur in these structures
    std::size_t at = m_at + 1;
    std::size_t length = m_data[at++];
    if (length & 0x80) {
        const std::size_t bytes = length & 0x7f;
        if (bytes == 0 || bytes > 4 || m_data.size() - at < bytes)
            return std::nullopt;
        length = 0;
        for (std::size_t i = 0; i < bytes; ++i)
            length = (length << 8) | m_data[at++];
    }
    if (m_data.size() - at < length)
        return std::nullopt;
    m_at = at + length;
    return Element{tag, m_data.subspan(at, length), m_data.subspan(start, m_at - start)};
}

std::string oidToText(std::span<const std::uint8_t> der)
{
    const unsigned char *p = der.data();
    ASN1_OBJECT *object = d2i_ASN1_OBJECT(nullptr, &p, static_cast<long>(der.size()));
    std::string text = objectText(object);
    ASN1_OBJECT_free(object);
    return text;
}

std::string objectText(const ASN1_OBJECT *object)
{
    if (!object)
        return {};
    char buffer[128];
    const int n = OBJ_obj2txt(buffer, sizeof buffer, object, 1);
    return n > 0 && n < int(sizeof buffer) ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
}

namespace {

std::string isoTime(const ASN1_TIME *time)
{
    struct tm tm {};
    if (!time || ASN1_TIME_to_tm(time, &tm) != 1)
        return {};
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

std::string nameText(const X509_NAME *name)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0)
        return {};
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return length > 0 ? std::string(data, static_cast<std::size_t>(length)) : std::string();
}

std::string opensslError()
{
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0)
        return "verification failed";
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    return buffer;
}

} // namespace

CertificateSummary summarize(X509 *cert)
{
    CertificateSummary s;
    s.subject = nameText(X509_get_subject_name(cert));
    s.issuer = nameText(X509_get_issuer_name(cert));
    char cn[256];
    const int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
    if (n > 0)
        s.commonName.assign(cn, static_cast<std::size_t>(n));
    if (BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr)) {
        if (char *hex = BN_bn2hex(bn)) {
            s.serial = hex;
            OPENSSL_free(hex);
        }
        BN_free(bn);
    }
    unsigned char sha1[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    if (X509_digest(cert, EVP_sha1(), sha1, &length) == 1)
        s.thumbprint = toHex({sha1, length});
    s.notBefore = isoTime(X509_get0_notBefore(cert));
    s.notAfter = isoTime(X509_get0_notAfter(cert));
    return s;
}

std::optional<std::time_t> timeOf(const ASN1_TIME *time)
{
    struct tm tm {};
    if (!time || ASN1_TIME_to_tm(time, &tm) != 1)
        return std::nullopt;
    return timegm(&tm);
}

std::optional<std::span<const std::uint8_t>> rawFirstSignerInfo(std::span<const std::uint8_t> contentInfo)
{
    // ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT SignedData }
    // SignedData ::= SEQUENCE { version, digestAlgorithms SET, contentInfo SEQUENCE,
    //                           certificates [0] IMPLICIT OPTIONAL, crls [1] IMPLICIT OPTIONAL,
    //                           signerInfos SET }
    DerReader outer(contentInfo);
    const auto ci = outer.next(0x30);
    if (!ci)
        return std::nullopt;
    DerReader ciFields(ci->content);
    if (!ciFields.next(0x06))
        return std::nullopt;
    const auto explicitContent = ciFields.next(0xa0);
    if (!explicitContent)
        return std::nullopt;
    DerReader wrapper(explicitContent->content);
    const auto signedData = wrapper.next(0x30);
    if (!signedData)
        return std::nullopt;
    DerReader fields(signedData->content);
    if (!fields.next(0x02) || !fields.next(0x31) || !fields.next(0x30))
        return std::nullopt;
    auto element = fields.nextAny();
    while (element && (element->tag == 0xa0 || element->tag == 0xa1))
        element = fields.nextAny();
    if (!element || element->tag != 0x31)
        return std::nullopt;
    DerReader signerInfos(element->content);
    const auto first = signerInfos.next(0x30);
    if (!first)
        return std::nullopt;
    return first->whole;
}

namespace {

// The authenticated attributes of a SignerInfo as encoded, re-tagged as the SET OF that the
// signature covers; nothing when the SignerInfo has none.
std::optional<std::vector<std::uint8_t>> signedAttributesAsSet(std::span<const std::uint8_t> rawSignerInfo)
{
    DerReader outer(rawSignerInfo);
    const auto si = outer.next(0x30);
    if (!si)
        return std::nullopt;
    DerReader fields(si->content);
    // version, issuerAndSerialNumber (or [0] subjectKeyIdentifier), digestAlgorithm, [0] attributes
    if (!fields.next(0x02) || !fields.nextAny() || !fields.next(0x30))
        return std::nullopt;
    const auto attributes = fields.next(0xa0);
    if (!attributes)
        return std::nullopt;
    std::vector<std::uint8_t> set(attributes->whole.begin(), attributes->whole.end());
    set[0] = 0x31;
    return set;
}

bool digestEquals(const EVP_MD *md, std::span<const std::uint8_t> data, const ASN1_OCTET_STRING *expected)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    return expected && EVP_Digest(data.data(), data.size(), digest, &length, md, nullptr) == 1 &&
           int(length) == expected->length && std::memcmp(digest, expected->data, length) == 0;
}

} // namespace

bool verifySignerInfo(PKCS7_SIGNER_INFO *si, std::span<const std::uint8_t> rawSignerInfo, X509 *signer,
                      std::span<const std::uint8_t> content, std::string &problem)
{
    const EVP_MD *md = EVP_get_digestbyobj(si->digest_alg->algorithm);
    if (!md) {
        problem = "unsupported digest algorithm " + objectText(si->digest_alg->algorithm);
        return false;
    }
    EVP_PKEY *key = X509_get0_pubkey(signer);
    if (!key) {
        problem = "the signer's public key is unreadable";
        ERR_clear_error();
        return false;
    }
    std::vector<std::uint8_t> signedBytes;
    if (sk_X509_ATTRIBUTE_num(si->auth_attr) > 0) {
        if (!digestEquals(md, content, PKCS7_digest_from_attributes(si->auth_attr))) {
            problem = "the messageDigest attribute does not match the signed content";
            return false;
        }
        auto set = signedAttributesAsSet(rawSignerInfo);
        if (!set) {
            problem = "the authenticated attributes are unreadable";
            return false;
        }
        signedBytes = std::move(*set);
    } else {
        signedBytes.assign(content.begin(), content.end());
    }
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    const bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) == 1 &&
                    EVP_DigestVerify(ctx.get(), si->enc_digest->data, static_cast<std::size_t>(si->enc_digest->length),
                                     signedBytes.data(), signedBytes.size()) == 1;
    if (!ok)
        problem = "the signature does not verify with the signer's key (" + opensslError() + ")";
    ERR_clear_error();
    return ok;
}

bool verifyTimestampToken(std::span<const std::uint8_t> token, std::span<const std::uint8_t> counterSigned,
                          std::optional<std::time_t> &time, CertificateSummary &signer, std::string &problem)
{
    const unsigned char *p = token.data();
    std::unique_ptr<CMS_ContentInfo, Deleter<CMS_ContentInfo_free>> cms(
        d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(token.size())));
    ASN1_OCTET_STRING **content = cms ? CMS_get0_content(cms.get()) : nullptr;
    if (!content || !*content) {
        problem = "the RFC 3161 timestamp token is malformed";
        ERR_clear_error();
        return false;
    }
    const unsigned char *q = (*content)->data;
    TsTstInfoPtr tst(d2i_TS_TST_INFO(nullptr, &q, (*content)->length));
    if (!tst) {
        problem = "the RFC 3161 timestamp token holds no TSTInfo";
        ERR_clear_error();
        return false;
    }
    time = timeOf(TS_TST_INFO_get_time(tst.get()));
    TS_MSG_IMPRINT *imprint = TS_TST_INFO_get_msg_imprint(tst.get());
    X509_ALGOR *algorithm = imprint ? TS_MSG_IMPRINT_get_algo(imprint) : nullptr;
    const EVP_MD *md = algorithm ? EVP_get_digestbyobj(algorithm->algorithm) : nullptr;
    if (!md || !digestEquals(md, counterSigned, TS_MSG_IMPRINT_get_msg(imprint))) {
        problem = "the timestamp covers a different signature";
        return false;
    }
    BioPtr out(BIO_new(BIO_s_null()));
    const int verified = CMS_verify(cms.get(), nullptr, nullptr, nullptr, out.get(), CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY);
    if (STACK_OF(X509) *signers = CMS_get0_signers(cms.get())) {
        if (sk_X509_num(signers) > 0)
            signer = summarize(sk_X509_value(signers, 0));
        sk_X509_free(signers);
    }
    if (verified != 1) {
        problem = "the timestamp's signature does not verify (" + opensslError() + ")";
        return false;
    }
    ERR_clear_error();
    return true;
}

bool hasExplicitCurveParameters(X509 *cert, STACK_OF(X509) *others)
{
    auto explicitParams = [](X509 *c) {
        ASN1_OBJECT *algorithm = nullptr;
        X509_ALGOR *parameters = nullptr;
        if (X509_PUBKEY_get0_param(&algorithm, nullptr, nullptr, &parameters, X509_get_X509_PUBKEY(c)) != 1)
            return false;
        if (OBJ_obj2nid(algorithm) != NID_X9_62_id_ecPublicKey || !parameters)
            return false;
        int type = 0;
        const void *value = nullptr;
        X509_ALGOR_get0(nullptr, &type, &value, parameters);
        return type == V_ASN1_SEQUENCE; // a named curve is an OBJECT IDENTIFIER
    };
    if (explicitParams(cert))
        return true;
    for (int i = 0; i < sk_X509_num(others); ++i)
        if (explicitParams(sk_X509_value(others, i)))
            return true;
    return false;
}

X509_STORE *storeOf(const TrustStore &anchors) { return anchors.impl()->store; }

} // namespace loadlens::authenticode::detail
