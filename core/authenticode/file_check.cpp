#include "authenticode/file_check.h"

#include "pe/pe_reader.h"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

namespace loadlens::authenticode {

namespace {

std::string digestOf(const EVP_MD *md, std::span<const std::uint8_t> bytes)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), out, &length, md, nullptr) != 1)
        return {};
    return toHex({out, length});
}

nlohmann::json certificateJson(const CertificateSummary &c)
{
    return {{"subject", c.subject}, {"common_name", c.commonName}, {"issuer", c.issuer}, {"serial", c.serial},
            {"thumbprint", c.thumbprint}, {"not_before", c.notBefore}, {"not_after", c.notAfter}};
}

std::string isoTime(std::time_t t)
{
    struct tm tm {};
    gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

std::string csvField(const std::string &s)
{
    if (s.find_first_of(",\"\n\r") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + "\"";
}

} // namespace

FileCheck checkFile(const std::string &path, const FileCheckOptions &options)
{
    FileCheck check;
    check.path = path;
    auto bytes = pe::readImageFile(path);
    if (!bytes) {
        check.error = bytes.error().message;
        return check;
    }
    check.size = bytes->size();
    check.md5 = digestOf(EVP_md5(), *bytes);
    check.sha1 = digestOf(EVP_sha1(), *bytes);
    check.sha256 = digestOf(EVP_sha256(), *bytes);

    std::optional<pe::PeInfo> info;
    if (pe::looksLikePe(*bytes)) {
        auto parsed = pe::parsePe(*bytes, path);
        if (parsed) {
            info = std::move(*parsed);
        } else {
            check.peError = parsed.error().message;
            check.state = SignatureState::Invalid;
        }
    }
    if (info) {
        check.isPe = true;
        check.kind = pe::peKindName(info->kind);
        check.bits = info->is64() ? 64 : 32;
        check.managed = info->isManaged();
        check.company = info->version.value("CompanyName");
        check.product = info->version.value("ProductName");
        check.description = info->version.value("FileDescription");
        check.fileVersion = info->version.fileVersion;
        check.warnings = info->warnings;
        if (auto d = imageDigest(*bytes, *info, DigestAlgorithm::Sha256))
            check.authenticodeSha256 = toHex(*d);
        VerifyOptions verify;
        verify.anchors = options.anchors;
        verify.now = options.now;
        check.embedded = verifyImage(*bytes, *info, verify);
        check.state = check.embedded.state;
    }
    if (!check.signedOk() && options.catalogs && check.peError.empty()) {
        const auto byCatalog = catalogSignature(*bytes, info ? &*info : nullptr, *options.catalogs);
        if (byCatalog.catalogSigned) {
            check.state = byCatalog.state;
            check.catalogSigned = true;
            check.catalog = byCatalog.catalog->name;
        }
    }
    return check;
}

nlohmann::json toJson(const FileCheck &check)
{
    nlohmann::json j = {{"path", check.path}};
    if (!check.error.empty()) {
        j["error"] = check.error;
        return j;
    }
    j["size"] = check.size;
    j["md5"] = check.md5;
    j["sha1"] = check.sha1;
    j["sha256"] = check.sha256;
    j["pe"] = check.isPe;
    if (!check.peError.empty())
        j["pe_error"] = check.peError;
    if (check.isPe) {
        j["kind"] = check.kind;
        j["bits"] = check.bits;
        j["managed"] = check.managed;
        j["company"] = check.company;
        j["product"] = check.product;
        j["description"] = check.description;
        j["file_version"] = check.fileVersion;
        j["authenticode_sha256"] = check.authenticodeSha256;
    }
    j["state"] = stateName(check.state);
    j["catalog_signed"] = check.catalogSigned;
    if (check.catalogSigned)
        j["catalog"] = check.catalog;
    nlohmann::json signatures = nlohmann::json::array();
    for (const auto &s : check.embedded.signatures) {
        nlohmann::json sj = {{"certificate_entry", s.certificateEntry},
                             {"nesting_depth", s.nestingDepth},
                             {"state", stateName(s.state)},
                             {"reasons", s.reasons},
                             {"digest_algorithm", s.digestAlgorithm},
                             {"signed_digest", s.signedDigest},
                             {"computed_digest", s.computedDigest},
                             {"digest_matches", s.digestMatches},
                             {"signature_verified", s.signatureVerified},
                             {"page_hashes_present", s.pageHashesPresent}};
        if (s.pageHashesPresent) {
            sj["page_hash_algorithm"] = s.pageHashAlgorithm;
            sj["page_hashes_match"] = s.pageHashesMatch ? nlohmann::json(*s.pageHashesMatch) : nlohmann::json(nullptr);
            if (!s.pageHashProblem.empty())
                sj["page_hash_problem"] = s.pageHashProblem;
            if (!s.changedPages.empty())
                sj["changed_pages"] = s.changedPages;
        }
        sj["chain_verified"] = s.chainVerified ? nlohmann::json(*s.chainVerified) : nlohmann::json(nullptr);
        if (s.signer)
            sj["signer"] = certificateJson(*s.signer);
        nlohmann::json chain = nlohmann::json::array();
        for (const auto &c : s.chain)
            chain.push_back(certificateJson(c));
        sj["chain"] = chain;
        if (s.timestamp) {
            nlohmann::json tj = {{"kind", s.timestamp->kind == Timestamp::Kind::Rfc3161 ? "rfc3161" : "pkcs9"},
                                 {"verified", s.timestamp->verified}};
            tj["time"] = s.timestamp->time ? nlohmann::json(isoTime(*s.timestamp->time)) : nlohmann::json(nullptr);
            if (!s.timestamp->problem.empty())
                tj["problem"] = s.timestamp->problem;
            if (!s.timestamp->signer.subject.empty())
                tj["signer"] = certificateJson(s.timestamp->signer);
            sj["timestamp"] = tj;
        }
        signatures.push_back(std::move(sj));
    }
    j["signatures"] = signatures;
    j["problems"] = check.embedded.problems;
    j["warnings"] = check.warnings;
    return j;
}

std::string csvHeader()
{
    return "path,state,catalog_signed,kind,bits,managed,signer,timestamp,company,product,description,file_version,"
           "md5,sha1,sha256,authenticode_sha256,reasons,error";
}

std::string toCsvRow(const FileCheck &check)
{
    std::string signer, timestamp, reasons;
    if (!check.embedded.signatures.empty()) {
        const auto &primary = check.embedded.signatures.front();
        if (primary.signer)
            signer = primary.signer->commonName;
        if (primary.timestamp && primary.timestamp->time)
            timestamp = isoTime(*primary.timestamp->time);
        for (const auto &r : primary.reasons)
            reasons += (reasons.empty() ? "" : "; ") + r;
    }
    const std::string error = !check.error.empty() ? check.error : check.peError;
    const std::string fields[] = {check.path, stateName(check.state), check.catalogSigned ? "yes" : "no", check.kind,
                                  check.bits ? std::to_string(check.bits) : std::string(), check.managed ? "yes" : "no",
                                  signer, timestamp, check.company, check.product, check.description, check.fileVersion,
                                  check.md5, check.sha1, check.sha256, check.authenticodeSha256, reasons, error};
    std::string row;
    for (const auto &f : fields) {
        if (!row.empty() || &f != &fields[0])
            row += ',';
        row += csvField(f);
    }
    return row;
}

} // namespace loadlens::authenticode
