#include "clickhouse/client.h"

#include "clickhouse/connection.h"
#include "clickhouse/response_parser.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <cstdlib>
#include <optional>
#include <utility>
#include <vector>

namespace loadlens::clickhouse {
namespace {

constexpr std::size_t kErrorBodyLimit = 64 * 1024;

// "Code: NNN, e.displayText() = DB::Exception: text, e.what() = DB::Exception" (18.x) or
// "Code: NNN. DB::Exception: text. (NAME) (version ...)" (newer): the code, or -1.
int exceptionCode(std::string_view line)
{
    if (line.substr(0, 6) != "Code: ")
        return -1;
    std::size_t i = 6;
    int code = 0;
    while (i < line.size() && i < 12 && line[i] >= '0' && line[i] <= '9')
        code = code * 10 + (line[i++] - '0');
    if (i == 6 || i >= line.size() || (line[i] != ',' && line[i] != '.'))
        return -1;
    if (line.find("DB::Exception") == std::string_view::npos && line.find("e.displayText()") == std::string_view::npos)
        return -1;
    return code;
}

std::string cleanException(std::string_view line)
{
    std::string text(line);
    if (const auto what = text.rfind(", e.what() = "); what != std::string::npos)
        text.erase(what);
    if (const auto display = text.find("e.displayText() = "); display != std::string::npos)
        text.erase(display, std::string_view("e.displayText() = ").size());
    return text;
}

std::string_view lastLine(std::string_view body)
{
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r'))
        body.remove_suffix(1);
    const auto newline = body.rfind('\n');
    return newline == std::string_view::npos ? body : body.substr(newline + 1);
}

std::string firstLine(std::string_view body)
{
    const auto newline = body.find('\n');
    std::string line(body.substr(0, std::min<std::size_t>(newline, 1000)));
    while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
        line.pop_back();
    for (char &c : line) {
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t')
            c = '?';
    }
    return line;
}

std::string base64(std::string_view text)
{
    std::string out(4 * ((text.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                                  reinterpret_cast<const unsigned char *>(text.data()), int(text.size()));
    out.resize(std::size_t(n));
    return out;
}

} // namespace

const char *failureName(Failure failure)
{
    switch (failure) {
    case Failure::None: return "none";
    case Failure::Unreachable: return "unreachable";
    case Failure::Authentication: return "authentication";
    case Failure::Server: return "server";
    case Failure::Protocol: return "protocol";
    case Failure::Tls: return "tls";
    case Failure::Cancelled: return "cancelled";
    }
    return "unknown";
}

std::string percentEncode(std::string_view text)
{
    static const char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
            || c == '_' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += digits[u >> 4];
            out += digits[u & 15];
        }
    }
    return out;
}

std::string quote(std::string_view text)
{
    static const char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() + 2);
    out += '\'';
    for (char c : text) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\'': out += "\\'"; break;
        case '\0': out += "\\0"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\r': out += "\\r"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        default: {
            const auto u = static_cast<unsigned char>(c);
            if (u < 0x20 || u == 0x7f) {
                out += "\\x";
                out += digits[u >> 4];
                out += digits[u & 15];
            } else {
                out += c;
            }
        }
        }
    }
    out += '\'';
    return out;
}

bool isPlainIdentifier(std::string_view name)
{
    if (name.empty())
        return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!letter && !(i > 0 && c >= '0' && c <= '9'))
            return false;
    }
    return true;
}

std::string trailingException(std::string_view body)
{
    const std::string_view line = lastLine(body);
    return exceptionCode(line) >= 0 ? cleanException(line) : std::string();
}

struct Client::Impl {
    Endpoint endpoint;
    ClientOptions options;
    std::vector<std::pair<std::string, std::string>> settings;
    std::unique_ptr<Connection> connection;
    Failure last = Failure::None;
    SSL_CTX *tls = nullptr;

    ~Impl()
    {
        connection.reset();
        if (tls)
            SSL_CTX_free(tls);
    }

    Error fail(Failure failure, std::string message)
    {
        last = failure;
        return Error{0, std::move(message)};
    }

    Status prepareTls()
    {
        if (!endpoint.tls || tls)
            return Ok{};
        ERR_clear_error();
        SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
        if (!ctx)
            return fail(Failure::Tls, "TLS with " + endpoint.display() + ": cannot set up OpenSSL");
        SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
        // A close-delimited body is framed by its end; chunked and Content-Length ones are
        // checked for completeness by the parser anyway.
        SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
        SSL_CTX_set_default_verify_paths(ctx);
        if (!options.caFile.empty() && SSL_CTX_load_verify_locations(ctx, options.caFile.c_str(), nullptr) != 1) {
            SSL_CTX_free(ctx);
            ERR_clear_error();
            return fail(Failure::Tls, "TLS with " + endpoint.display() + ": cannot load the CA file " + options.caFile);
        }
        tls = ctx;
        return Ok{};
    }

    std::string target(std::optional<std::string_view> query) const
    {
        // Appended in place: GCC 12 at -O3 reports -Wrestrict false positives (bug 105329) for
        // "literal" + std::string temporaries.
        std::string url = "/?database=";
        url.append(percentEncode(endpoint.database));
        if (query)
            url.append("&query=").append(percentEncode(*query));
        for (const auto &[name, value] : settings)
            url.append("&").append(percentEncode(name)).append("=").append(percentEncode(value));
        return url;
    }

    // What the caller's body handler may say when it stops the response.
    struct Stop {
        std::optional<Failure> failure;
        std::string message;
    };

    // One request and its response. `onBody` sees the body of a 200 answer; the body of any
    // other status becomes the error. Returns the parser state through `status`.
    Status exchange(std::string_view method, const std::string &path, std::string_view body,
                    const std::function<bool(std::string_view)> &onBody, Stop &stop, int &status,
                    std::string_view contentType = {})
    {
        last = Failure::None;
        if (auto ready = prepareTls(); !ready)
            return ready.error();
        std::string head;
        head.reserve(256);
        head.append(method).append(" ").append(path).append(" HTTP/1.1\r\n");
        head += "Host: " + endpoint.hostHeader() + "\r\n";
        head += "Authorization: Basic " + base64(endpoint.user + ":" + endpoint.password) + "\r\n";
        head += "User-Agent: LoadLens\r\n";
        head += "Connection: keep-alive\r\n";
        if (method != "GET" || !body.empty())
            head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
        if (!contentType.empty())
            head.append("Content-Type: ").append(contentType).append("\r\n");
        head += "\r\n";
        const std::string display = endpoint.display();
        const auto ioTimeout = std::chrono::milliseconds(options.ioTimeoutMs);

        for (int attempt = 0;; ++attempt) {
            const bool reused = connection != nullptr;
            const bool mayRetry = reused && attempt == 0;
            IoError io;
            if (!connection) {
                connection = Connection::open(endpoint, tls, options.connectTimeoutMs, io);
                if (!connection)
                    return fail(io.failure, io.message);
            }
            bool sent;
            if (body.size() <= 64 * 1024) {
                sent = connection->sendAll(head + std::string(body), Connection::Clock::now() + ioTimeout, io);
            } else {
                sent = connection->sendAll(head, Connection::Clock::now() + ioTimeout, io)
                    && connection->sendAll(body, Connection::Clock::now() + ioTimeout, io);
            }
            if (!sent) {
                connection.reset();
                if (mayRetry && !io.timeout)
                    continue;
                return fail(io.failure, io.message);
            }

            ResponseParser parser;
            std::string errorBody;
            bool anyByte = false;
            const ResponseParser::BodySink sink = [&](std::string_view piece) {
                if (parser.status() != 200) {
                    errorBody.append(piece.substr(0, kErrorBodyLimit - std::min(errorBody.size(), kErrorBodyLimit)));
                    return true;
                }
                return onBody ? onBody(piece) : true;
            };
            std::vector<char> buffer(64 * 1024);
            bool retry = false;
            for (;;) {
                const long n = connection->receive(buffer.data(), buffer.size(), Connection::Clock::now() + ioTimeout, io);
                if (n < 0 && (io.timeout || !anyByte)) {
                    connection.reset();
                    if (!anyByte && mayRetry && !io.timeout) {
                        retry = true;
                        break;
                    }
                    return fail(io.failure, io.message);
                }
                if (n <= 0) {
                    // Closed (or reset) by the server.
                    if (!anyByte && mayRetry) {
                        connection.reset();
                        retry = true;
                        break;
                    }
                    parser.finish(sink);
                    connection.reset();
                    break;
                }
                anyByte = true;
                if (!parser.feed(std::string_view(buffer.data(), std::size_t(n)), sink) || parser.done())
                    break;
            }
            if (retry)
                continue;
            if (!parser.done() || !parser.keepAlive())
                connection.reset();
            status = parser.status();
            if (parser.state() == ResponseParser::State::Stopped) {
                if (stop.failure)
                    return fail(*stop.failure, stop.message);
                return fail(Failure::Cancelled, "stopped reading the answer of " + display);
            }
            if (parser.failed()) {
                if (parser.status() != 0 && parser.status() != 200 && !errorBody.empty())
                    return httpError(parser, errorBody);
                return fail(Failure::Protocol, display + ": " + parser.error());
            }
            if (parser.status() != 200)
                return httpError(parser, errorBody);
            return Ok{};
        }
    }

    Error httpError(const ResponseParser &parser, const std::string &body)
    {
        const std::string line = firstLine(body);
        int code = exceptionCode(line);
        if (const auto header = parser.header("X-ClickHouse-Exception-Code")) {
            char *end = nullptr;
            const long value = std::strtol(header->c_str(), &end, 10);
            if (end != header->c_str() && value >= 0 && value < 100000)
                code = int(value);
        }
        std::string message = endpoint.display();
        message.append(" answered HTTP ").append(std::to_string(parser.status()));
        if (!parser.reason().empty())
            message.append(" ").append(firstLine(parser.reason()));
        if (!line.empty())
            message.append(": ").append(cleanException(line));
        const bool authentication = parser.status() == 401 || parser.status() == 403 || code == 192 || code == 193
            || code == 516;
        if (authentication)
            message.append(" (user ").append(endpoint.user).append(")");
        return fail(authentication ? Failure::Authentication : Failure::Server, message);
    }
};

Client::Client(Endpoint endpoint, ClientOptions options) : m_impl(std::make_unique<Impl>())
{
    m_impl->endpoint = std::move(endpoint);
    m_impl->options = std::move(options);
    if (m_impl->options.caFile.empty()) {
        if (const char *ca = std::getenv("LOADLENS_CLICKHOUSE_CA"); ca && *ca)
            m_impl->options.caFile = ca;
    }
}

Client::~Client() = default;

const Endpoint &Client::endpoint() const
{
    return m_impl->endpoint;
}

Failure Client::lastFailure() const
{
    return m_impl->last;
}

void Client::setSetting(std::string name, std::string value)
{
    for (auto &[key, existing] : m_impl->settings) {
        if (key == name) {
            existing = std::move(value);
            return;
        }
    }
    m_impl->settings.emplace_back(std::move(name), std::move(value));
}

Status Client::ping()
{
    std::string body;
    Impl::Stop stop;
    int status = 0;
    auto result = m_impl->exchange("GET", "/ping", {}, [&](std::string_view piece) {
        if (body.size() < 1024)
            body.append(piece.substr(0, 1024));
        return true;
    }, stop, status);
    if (!result)
        return result;
    if (body.substr(0, 3) != "Ok.")
        return m_impl->fail(Failure::Protocol, m_impl->endpoint.display() + " answered /ping with '" + firstLine(body)
                                                   + "' instead of 'Ok.': is it a ClickHouse server?");
    return Ok{};
}

Result<std::string> Client::query(std::string_view sql)
{
    std::string body;
    Impl::Stop stop;
    int status = 0;
    const std::size_t limit = m_impl->options.maxResponseBytes;
    auto result = m_impl->exchange("POST", m_impl->target(std::nullopt), sql, [&](std::string_view piece) {
        if (body.size() + piece.size() > limit) {
            stop.failure = Failure::Protocol;
            stop.message = "the answer of " + m_impl->endpoint.display() + " is larger than "
                + std::to_string(limit) + " bytes";
            return false;
        }
        body.append(piece);
        return true;
    }, stop, status);
    if (!result)
        return result.error();
    if (const std::string exception = trailingException(body); !exception.empty())
        return m_impl->fail(Failure::Server, m_impl->endpoint.display() + " failed during the query: " + exception);
    return body;
}

Status Client::queryLines(std::string_view sql, const std::function<bool(std::string_view line)> &onLine)
{
    return linesOf(m_impl->target(std::nullopt), sql, {}, onLine);
}

Status Client::queryLines(std::string_view sql, const ExternalTable &table,
                          const std::function<bool(std::string_view line)> &onLine)
{
    if (!isPlainIdentifier(table.name))
        return m_impl->fail(Failure::Protocol, "an external table needs a plain name, not '" + table.name + "'");
    // A boundary that the rows cannot hold: it is checked, and changed until it is absent.
    std::string boundary = "loadlens-external-data";
    for (int n = 0; table.rows.find(boundary) != std::string_view::npos; ++n)
        boundary = "loadlens-external-data-" + std::to_string(n);
    std::string body;
    body.reserve(table.rows.size() + 256);
    body.append("--").append(boundary).append("\r\n");
    body.append("Content-Disposition: form-data; name=\"").append(table.name).append("\"; filename=\"")
        .append(table.name).append("\"\r\n");
    body.append("Content-Type: application/octet-stream\r\n\r\n");
    body.append(table.rows);
    body.append("\r\n--").append(boundary).append("--\r\n");
    const std::string path = m_impl->target(sql) + "&" + table.name + "_structure=" + percentEncode(table.structure) +
                             "&" + table.name + "_format=TabSeparated";
    return linesOf(path, body, "multipart/form-data; boundary=" + boundary, onLine);
}

Status Client::linesOf(const std::string &path, std::string_view body, std::string_view contentType,
                       const std::function<bool(std::string_view line)> &onLine)
{
    std::string partial;             // bytes after the last '\n'
    std::optional<std::string> held; // the last complete line, handed on when another follows
    Impl::Stop stop;
    int status = 0;
    const std::size_t limit = m_impl->options.maxResponseBytes;
    bool cancelled = false;
    auto result = m_impl->exchange("POST", path, body, [&](std::string_view piece) {
        while (!piece.empty()) {
            const auto newline = piece.find('\n');
            const std::string_view part = piece.substr(0, newline);
            if (partial.size() + part.size() > limit) {
                stop.failure = Failure::Protocol;
                stop.message = "a line in the answer of " + m_impl->endpoint.display() + " is longer than "
                    + std::to_string(limit) + " bytes";
                return false;
            }
            partial.append(part);
            if (newline == std::string_view::npos)
                break;
            piece.remove_prefix(newline + 1);
            if (held && !onLine(*held)) {
                cancelled = true;
                return false;
            }
            held = std::move(partial);
            partial.clear();
        }
        return true;
    }, stop, status, contentType);
    if (!result)
        return result;
    // The final line: an exception the server appended, or data.
    const std::string &final = partial.empty() && held ? *held : partial;
    if (exceptionCode(final) >= 0)
        return m_impl->fail(Failure::Server, m_impl->endpoint.display() + " failed during the query: "
                                                 + cleanException(final));
    if (held && !onLine(*held))
        cancelled = true;
    else if (!partial.empty() && !onLine(partial))
        cancelled = true;
    if (cancelled)
        return m_impl->fail(Failure::Cancelled, "stopped reading the answer of " + m_impl->endpoint.display());
    return Ok{};
}

Status Client::insert(std::string_view sql, std::string_view rows)
{
    Impl::Stop stop;
    int status = 0;
    std::string body;
    auto result = m_impl->exchange("POST", m_impl->target(sql), rows, [&](std::string_view piece) {
        if (body.size() < kErrorBodyLimit)
            body.append(piece.substr(0, kErrorBodyLimit));
        return true;
    }, stop, status);
    if (!result)
        return result;
    if (const std::string exception = trailingException(body); !exception.empty())
        return m_impl->fail(Failure::Server, m_impl->endpoint.display() + " failed during the insert: " + exception);
    return Ok{};
}

} // namespace loadlens::clickhouse
