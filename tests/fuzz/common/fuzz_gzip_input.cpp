// Fuzzes the gzip decoder that every text log reader goes through, and format detection on
// what it yields. The first byte picks the size of the compressed pieces fed in, so members,
// headers and trailers split at every point are exercised. Invariants are checked with
// abort(): the text does not depend on how the input was cut, and deflate's expansion bound
// holds.
#include "common/compressed_input.h"
#include "store/format_detect.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace loadlens;

namespace {

void require(bool condition)
{
    if (!condition)
        std::abort();
}

struct Decoded {
    std::string text;
    bool ok = true;
};

Decoded decode(std::string_view input, std::size_t piece)
{
    io::GzipDecoder decoder;
    Decoded out;
    for (std::size_t at = 0; at < input.size() && out.ok; at += piece)
        out.ok = decoder.feed(input.substr(at, piece), out.text).ok();
    if (out.ok)
        out.ok = decoder.finish().ok();
    require(decoder.decompressedBytes() == out.text.size());
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::size_t piece = 1 + data[0] % 64;
    const std::string_view input(reinterpret_cast<const char *>(data) + 1, size - 1);

    const Decoded whole = decode(input, std::max<std::size_t>(input.size(), 1));
    const Decoded pieces = decode(input, piece);
    // Deflate expands at most 1032:1 (plus a little per member).
    require(whole.text.size() <= 1032 * input.size() + 1024);
    if (whole.ok && pieces.ok)
        require(whole.text == pieces.text);
    // Up to the first error the output is the same however the input was cut.
    const std::size_t common = std::min(whole.text.size(), pieces.text.size());
    require(whole.text.compare(0, common, pieces.text, 0, common) == 0);

    (void)store::detectFormat(input);
    (void)store::detectFormat(whole.text.substr(0, 64u << 10));
    return 0;
}
