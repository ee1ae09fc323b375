#pragma once
// An HTTP/1.1 response parser fed with bytes as they arrive: status line, headers (bounded in
// size and count), then a body framed by Content-Length, chunked transfer encoding or the end
// of the connection. No I/O, so it can be fuzzed and tested alone.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loadlens::clickhouse {

class ResponseParser {
public:
    struct Limits {
        std::size_t maxHeaderBytes = 64 * 1024;   // status line and all header lines together
        std::size_t maxHeaders = 100;
        std::size_t maxChunkLine = 1024;          // chunk size line with extensions
    };
    enum class State { StatusLine, Headers, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailers, Done, Failed, Stopped };
    // Receives each piece of body as it is decoded; returns false to stop (state Stopped).
    using BodySink = std::function<bool(std::string_view)>;

    ResponseParser();
    explicit ResponseParser(Limits limits);

    // Consumes the bytes. Returns false once the response is malformed (state Failed, error()
    // says why) or the sink stopped; bytes after a complete response are counted in extraBytes().
    bool feed(std::string_view bytes, const BodySink &sink);
    // The peer closed the connection: completes a close-delimited body; anything else that is
    // not Done becomes Failed ("cut short").
    bool finish(const BodySink &sink);

    State state() const { return m_state; }
    bool done() const { return m_state == State::Done; }
    bool failed() const { return m_state == State::Failed; }
    bool headersComplete() const;
    const std::string &error() const { return m_error; }

    int status() const { return m_status; }
    const std::string &reason() const { return m_reason; }
    const std::vector<std::pair<std::string, std::string>> &headers() const { return m_headers; }
    // First header of that name (case-insensitive), value with blanks trimmed.
    std::optional<std::string> header(std::string_view name) const;
    // The connection may carry another request after this response.
    bool keepAlive() const;
    std::size_t bodyBytes() const { return m_bodyBytes; }
    std::size_t extraBytes() const { return m_extraBytes; }

private:
    bool fail(std::string message);
    bool takeLine(std::string_view &bytes, std::string_view &line, std::size_t limit, const char *what);
    bool parseStatusLine(std::string_view line);
    bool parseHeaderLine(std::string_view line);
    bool headersEnded();
    bool deliver(std::string_view piece, const BodySink &sink);

    Limits m_limits;
    State m_state = State::StatusLine;
    std::string m_error;
    std::string m_line;            // a line not yet complete
    std::size_t m_headerBytes = 0;   // status line, headers and trailers, with line ends
    std::size_t m_trailers = 0;
    int m_status = 0;
    int m_minorVersion = 1;
    std::string m_reason;
    std::vector<std::pair<std::string, std::string>> m_headers;
    bool m_chunked = false;
    bool m_closeDelimited = false;
    bool m_connectionClose = false;
    std::optional<unsigned long long> m_contentLength;
    unsigned long long m_remaining = 0;   // of the Content-Length body or the current chunk
    std::size_t m_bodyBytes = 0;
    std::size_t m_extraBytes = 0;
};

} // namespace loadlens::clickhouse
