// Feeds arbitrary bytes to the PE reader and, when they parse, to the Authenticode image hash and
// signature verification, as sigcheck-style scanning of a collected tree would.
#include "authenticode/authenticode.h"
#include "pe/pe_reader.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace loadlens;
    const std::span<const std::uint8_t> bytes(data, size);
    (void)pe::looksLikePe(bytes);
    auto info = pe::parsePe(bytes, "fuzz");
    if (!info)
        return 0;
    (void)pe::computeChecksum(bytes, info->checksumFieldOffset);
    (void)authenticode::imageDigest(bytes, *info, authenticode::DigestAlgorithm::Sha256);
    (void)authenticode::verifyImage(bytes, *info);
    return 0;
}
