#include "export/stix_ids.h"

#include <openssl/evp.h>

#include <cstdio>
#include <random>

namespace loadlens::exporting {

std::optional<Uuid> parseUuid(std::string_view text)
{
    Uuid out{};
    std::size_t byte = 0;
    int nibbles = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '-' && (i == 8 || i == 13 || i == 18 || i == 23))
            continue;
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (v < 0 || byte >= out.size())
            return std::nullopt;
        out[byte] = static_cast<std::uint8_t>((out[byte] << 4) | v);
        if (++nibbles % 2 == 0)
            ++byte;
    }
    if (byte != out.size() || text.size() != 36)
        return std::nullopt;
    return out;
}

std::string uuidText(const Uuid &u)
{
    char buffer[37];
    std::snprintf(buffer, sizeof buffer, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
                  u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
    return buffer;
}

std::string uuid4()
{
    static thread_local std::random_device device;
    Uuid u{};
    for (std::size_t i = 0; i < u.size(); i += 4) {
        const std::uint32_t word = device();
        for (std::size_t k = 0; k < 4; ++k)
            u[i + k] = static_cast<std::uint8_t>(word >> (8 * k));
    }
    u[6] = static_cast<std::uint8_t>((u[6] & 0x0f) | 0x40);
    u[8] = static_cast<std::uint8_t>((u[8] & 0x3f) | 0x80);
    return uuidText(u);
}

std::string uuid5(const Uuid &ns, std::string_view name)
{
    // RFC 4122 section 4.3: SHA-1 over namespace and name, the first 16 bytes, then version
    // and variant bits.
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr) == 1 &&
                    EVP_DigestUpdate(ctx, ns.data(), ns.size()) == 1 &&
                    EVP_DigestUpdate(ctx, name.data(), name.size()) == 1 &&
                    EVP_DigestFinal_ex(ctx, digest, &length) == 1 && length >= 16;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return uuid4();  // no SHA-1 at all (FIPS-only provider): still a valid, unique id
    Uuid u{};
    for (std::size_t i = 0; i < u.size(); ++i)
        u[i] = digest[i];
    u[6] = static_cast<std::uint8_t>((u[6] & 0x0f) | 0x50);
    u[8] = static_cast<std::uint8_t>((u[8] & 0x3f) | 0x80);
    return uuidText(u);
}

std::string canonicalJson(const nlohmann::json &value)
{
    // nlohmann's compact dump already matches RFC 8785 for what we feed it: object members in
    // byte order (our keys are ASCII, where byte order equals the UTF-16 order JCS asks for),
    // control characters as \b \f \n \r \t or \u00xx in lower case, everything else as UTF-8.
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string stixScoId(std::string_view type, const nlohmann::json &contributingProperties)
{
    static const Uuid ns = *parseUuid(kStixScoNamespace);
    return std::string(type) + "--" + uuid5(ns, canonicalJson(contributingProperties));
}

std::string stixRandomId(std::string_view type)
{
    return std::string(type) + "--" + uuid4();
}

} // namespace loadlens::exporting
