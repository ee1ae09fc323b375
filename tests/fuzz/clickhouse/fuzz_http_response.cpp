// Fuzzes the HTTP response parser of the ClickHouse client: the response is fed once whole and
// once in pieces whose size the first byte picks, and both must agree on the outcome, the body
// and the headers; then the connection "closes" (finish) and the exception detector reads the
// body.
#include "clickhouse/client.h"
#include "clickhouse/response_parser.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace loadlens::clickhouse;

namespace {

void require(bool condition)
{
    if (!condition)
        std::abort();
}

struct Outcome {
    ResponseParser::State state;
    int status;
    std::string body;
    std::size_t headers;
    bool keepAlive;
};

Outcome run(std::string_view text, std::size_t chunk, ResponseParser::Limits limits)
{
    ResponseParser parser(limits);
    std::string body;
    const ResponseParser::BodySink sink = [&](std::string_view piece) {
        require(!piece.empty());
        require(parser.status() >= 200);
        body.append(piece);
        return true;
    };
    while (!text.empty()) {
        const std::size_t take = std::min(chunk, text.size());
        const bool going = parser.feed(text.substr(0, take), sink);
        text.remove_prefix(take);
        if (!going)
            break;
    }
    if (!parser.done() && !parser.failed() && parser.state() != ResponseParser::State::Stopped)
        (void)parser.finish(sink);
    require(parser.bodyBytes() == body.size());
    require(parser.headers().size() <= limits.maxHeaders);
    require(!parser.failed() || !parser.error().empty());
    if (parser.keepAlive())
        require(parser.done());
    return {parser.state(), parser.status(), body, parser.headers().size(), parser.keepAlive()};
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::string_view text(reinterpret_cast<const char *>(data) + 1, size - 1);
    ResponseParser::Limits limits;
    limits.maxHeaderBytes = 4096;
    limits.maxHeaders = 20;
    const Outcome whole = run(text, text.size() + 1, limits);
    const Outcome pieces = run(text, std::size_t(data[0] % 17) + 1, limits);
    require(whole.state == pieces.state);
    require(whole.status == pieces.status);
    require(whole.body == pieces.body);
    require(whole.headers == pieces.headers);
    require(whole.keepAlive == pieces.keepAlive);
    (void)trailingException(whole.body);
    return 0;
}
