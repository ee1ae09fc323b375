#include "clickhouse/response_parser.h"

namespace loadlens::clickhouse {
namespace {

char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
}

bool equalsNoCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i]))
            return false;
    }
    return true;
}

std::string_view trim(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

bool isTokenChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Comma-separated list contains the token (case-insensitive).
bool listHas(std::string_view list, std::string_view token)
{
    while (!list.empty()) {
        const auto comma = list.find(',');
        if (equalsNoCase(trim(list.substr(0, comma)), token))
            return true;
        if (comma == std::string_view::npos)
            break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

std::string printable(std::string_view text)
{
    std::string out;
    for (char c : text.substr(0, 80)) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7f) {
            static const char digits[] = "0123456789abcdef";
            out += "\\x";
            out += digits[u >> 4];
            out += digits[u & 15];
        } else {
            out += c;
        }
    }
    if (text.size() > 80)
        out += "...";
    return out;
}

} // namespace

ResponseParser::ResponseParser() : ResponseParser(Limits{}) {}
ResponseParser::ResponseParser(Limits limits) : m_limits(limits) {}

bool ResponseParser::headersComplete() const
{
    return m_state != State::StatusLine && m_state != State::Headers
        && !(m_state == State::Failed && m_status == 0);
}

std::optional<std::string> ResponseParser::header(std::string_view name) const
{
    for (const auto &[key, value] : m_headers) {
        if (equalsNoCase(key, name))
            return value;
    }
    return std::nullopt;
}

bool ResponseParser::keepAlive() const
{
    if (m_state != State::Done || m_closeDelimited || m_connectionClose || m_extraBytes != 0)
        return false;
    if (m_minorVersion == 0) {
        const auto connection = header("Connection");
        return connection && listHas(*connection, "keep-alive");
    }
    return true;
}

bool ResponseParser::fail(std::string message)
{
    m_state = State::Failed;
    m_error = std::move(message);
    return false;
}

bool ResponseParser::takeLine(std::string_view &bytes, std::string_view &line, std::size_t limit, const char *what)
{
    const auto newline = bytes.find('\n');
    const std::size_t take = newline == std::string_view::npos ? bytes.size() : newline + 1;
    if (m_line.size() + take > limit)
        return fail(std::string("the ") + what + " is longer than " + std::to_string(limit) + " bytes");
    m_line.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (newline == std::string_view::npos) {
        line = {};
        return false;   // not a failure: the line continues in the next bytes
    }
    line = m_line;
    line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    return true;
}

bool ResponseParser::parseStatusLine(std::string_view line)
{
    // HTTP/1.x SP 3DIGIT SP reason
    if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || (line[7] != '0' && line[7] != '1') || line[8] != ' ')
        return fail("not an HTTP/1.x status line: '" + printable(line) + "'");
    m_minorVersion = line[7] - '0';
    int status = 0;
    for (int i = 9; i < 12; ++i) {
        if (line[std::size_t(i)] < '0' || line[std::size_t(i)] > '9')
            return fail("bad status code in '" + printable(line) + "'");
        status = status * 10 + (line[std::size_t(i)] - '0');
    }
    if (status < 100 || (line.size() > 12 && line[12] != ' '))
        return fail("bad status code in '" + printable(line) + "'");
    m_status = status;
    m_reason = std::string(line.size() > 13 ? line.substr(13) : std::string_view());
    for (char c : m_reason) {
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
            return fail("control character in the status line");
    }
    return true;
}

bool ResponseParser::parseHeaderLine(std::string_view line)
{
    if (m_headers.size() >= m_limits.maxHeaders)
        return fail("more than " + std::to_string(m_limits.maxHeaders) + " header lines");
    if (line.front() == ' ' || line.front() == '\t')
        return fail("folded header line (obsolete line folding is not accepted)");
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0)
        return fail("malformed header line '" + printable(line) + "'");
    const std::string_view name = line.substr(0, colon);
    for (char c : name) {
        if (!isTokenChar(c))
            return fail("malformed header name '" + printable(name) + "'");
    }
    const std::string_view value = trim(line.substr(colon + 1));
    for (char c : value) {
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
            return fail("control character in header " + std::string(name));
    }
    m_headers.emplace_back(std::string(name), std::string(value));
    return true;
}

bool ResponseParser::headersEnded()
{
    if (m_status < 200) {
        if (m_status == 101)
            return fail("the server switched protocols (HTTP 101)");
        // An interim response (100 Continue, 102, 103): the real one follows.
        m_headers.clear();
        m_status = 0;
        m_reason.clear();
        m_state = State::StatusLine;
        return true;
    }
    bool chunked = false;
    bool haveTransferEncoding = false;
    for (const auto &[key, value] : m_headers) {
        if (equalsNoCase(key, "Content-Length")) {
            if (value.empty() || value.size() > 19)
                return fail("bad Content-Length '" + printable(value) + "'");
            unsigned long long length = 0;
            for (char c : value) {
                if (c < '0' || c > '9')
                    return fail("bad Content-Length '" + printable(value) + "'");
                length = length * 10 + static_cast<unsigned long long>(c - '0');
            }
            if (m_contentLength && *m_contentLength != length)
                return fail("conflicting Content-Length headers");
            m_contentLength = length;
        } else if (equalsNoCase(key, "Transfer-Encoding")) {
            haveTransferEncoding = true;
            // Only "chunked" alone is understood (no compression was asked for).
            std::string_view list = value;
            std::size_t codings = 0;
            while (!list.empty()) {
                const auto comma = list.find(',');
                const std::string_view coding = trim(list.substr(0, comma));
                if (!coding.empty()) {
                    ++codings;
                    if (!equalsNoCase(coding, "chunked") || chunked)
                        return fail("unsupported transfer encoding '" + printable(value) + "'");
                    chunked = true;
                }
                if (comma == std::string_view::npos)
                    break;
                list.remove_prefix(comma + 1);
            }
            if (codings == 0)
                return fail("empty Transfer-Encoding header");
        } else if (equalsNoCase(key, "Connection")) {
            if (listHas(value, "close"))
                m_connectionClose = true;
        }
    }
    if (haveTransferEncoding && m_contentLength) {
        // RFC 9112 6.3: chunked wins, and the connection must not be reused.
        m_contentLength.reset();
        m_connectionClose = true;
    }
    if (m_status == 204 || m_status == 304) {
        m_state = State::Done;
    } else if (chunked) {
        m_chunked = true;
        m_state = State::ChunkSize;
    } else if (m_contentLength) {
        m_remaining = *m_contentLength;
        m_state = m_remaining == 0 ? State::Done : State::Body;
    } else {
        m_closeDelimited = true;
        m_state = State::Body;
    }
    return true;
}

bool ResponseParser::deliver(std::string_view piece, const BodySink &sink)
{
    if (piece.empty())
        return true;
    m_bodyBytes += piece.size();
    if (sink && !sink(piece)) {
        m_state = State::Stopped;
        return false;
    }
    return true;
}

bool ResponseParser::feed(std::string_view bytes, const BodySink &sink)
{
    while (!bytes.empty()) {
        switch (m_state) {
        case State::Failed:
        case State::Stopped:
            return false;
        case State::Done:
            m_extraBytes += bytes.size();
            return true;
        case State::StatusLine:
        case State::Headers:
        case State::Trailers: {
            const std::size_t before = bytes.size();
            std::string_view line;
            const std::size_t earlier = m_headerBytes - m_line.size();   // of the lines before this one
            const bool complete = takeLine(bytes, line, m_limits.maxHeaderBytes - earlier, "response header");
            m_headerBytes += before - bytes.size();
            if (failed())
                return false;
            if (!complete)
                break;
            const std::string copy(line);
            m_line.clear();
            if (m_state == State::StatusLine) {
                if (!parseStatusLine(copy))
                    return false;
                m_state = State::Headers;
            } else if (copy.empty()) {
                if (m_state == State::Trailers)
                    m_state = State::Done;
                else if (!headersEnded())
                    return false;
            } else if (m_state == State::Trailers) {
                // Trailers are read and dropped.
                if (++m_trailers > m_limits.maxHeaders)
                    return fail("more than " + std::to_string(m_limits.maxHeaders) + " trailer lines");
            } else if (!parseHeaderLine(copy)) {
                return false;
            }
            break;
        }
        case State::Body: {
            if (m_closeDelimited) {
                const std::string_view piece = bytes;
                bytes = {};
                if (!deliver(piece, sink))
                    return false;
                break;
            }
            const std::size_t take = std::size_t(std::min<unsigned long long>(m_remaining, bytes.size()));
            const std::string_view piece = bytes.substr(0, take);
            bytes.remove_prefix(take);
            m_remaining -= take;
            if (m_remaining == 0)
                m_state = State::Done;
            if (!deliver(piece, sink))
                return false;
            break;
        }
        case State::ChunkSize: {
            std::string_view line;
            const bool complete = takeLine(bytes, line, m_limits.maxChunkLine, "chunk size line");
            if (failed())
                return false;
            if (!complete)
                break;
            std::string_view size = line.substr(0, line.find(';'));
            size = trim(size);
            if (size.empty() || size.size() > 15)
                return fail("bad chunk size '" + printable(line) + "'");
            unsigned long long value = 0;
            for (char c : size) {
                int digit;
                if (c >= '0' && c <= '9')
                    digit = c - '0';
                else if (c >= 'a' && c <= 'f')
                    digit = c - 'a' + 10;
                else if (c >= 'A' && c <= 'F')
                    digit = c - 'A' + 10;
                else
                    return fail("bad chunk size '" + printable(line) + "'");
                value = value * 16 + static_cast<unsigned long long>(digit);
            }
            m_line.clear();
            if (value == 0) {
                m_state = State::Trailers;
            } else {
                m_remaining = value;
                m_state = State::ChunkData;
            }
            break;
        }
        case State::ChunkData: {
            const std::size_t take = std::size_t(std::min<unsigned long long>(m_remaining, bytes.size()));
            const std::string_view piece = bytes.substr(0, take);
            bytes.remove_prefix(take);
            m_remaining -= take;
            if (m_remaining == 0)
                m_state = State::ChunkDataEnd;
            if (!deliver(piece, sink))
                return false;
            break;
        }
        case State::ChunkDataEnd: {
            std::string_view line;
            const bool complete = takeLine(bytes, line, 2, "end of a chunk");
            if (failed())
                return fail("a chunk is longer than its announced size");
            if (!complete)
                break;
            if (!line.empty())
                return fail("a chunk is longer than its announced size");
            m_line.clear();
            m_state = State::ChunkSize;
            break;
        }
        }
    }
    return !failed() && m_state != State::Stopped;
}

bool ResponseParser::finish(const BodySink &sink)
{
    (void)sink;
    switch (m_state) {
    case State::Done:
        return true;
    case State::Failed:
    case State::Stopped:
        return false;
    case State::Body:
        if (m_closeDelimited) {
            m_state = State::Done;
            return true;
        }
        return fail("the response was cut short: the connection closed " + std::to_string(m_remaining)
                    + " bytes before the end of the announced body");
    case State::StatusLine:
        if (m_headerBytes == 0 && m_status == 0)
            return fail("the connection closed without a response");
        return fail("the response was cut short in its status line");
    case State::Headers:
        return fail("the response was cut short in its headers");
    case State::ChunkSize:
    case State::ChunkData:
    case State::ChunkDataEnd:
    case State::Trailers:
        return fail("the response was cut short: the connection closed before the last chunk");
    }
    return false;
}

} // namespace loadlens::clickhouse
