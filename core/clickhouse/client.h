#pragma once
// A small HTTP/1.1 client for ClickHouse's HTTP interface (no client library): plain sockets
// for clickhouse://, OpenSSL for clickhouses://. One keep-alive connection, reused across
// calls; every wait is bounded by the timeouts. Not thread-safe: one Client per thread.
#include "clickhouse/endpoint.h"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace loadlens::clickhouse {

enum class Failure { None, Unreachable, Authentication, Server, Protocol, Tls, Cancelled };

// "unreachable", "authentication", ... for messages and tests.
const char *failureName(Failure failure);

struct ClientOptions {
    int connectTimeoutMs = 10000;
    int ioTimeoutMs = 300000;      // longest wait for the server to take or send any byte
    std::string caFile;            // clickhouses://: extra CA file (else the system's default paths); env LOADLENS_CLICKHOUSE_CA
    std::size_t maxResponseBytes = 1ull << 30;   // query(): whole body; queryLines(): one line
};

class Client {
public:
    explicit Client(Endpoint endpoint, ClientOptions options = {});
    ~Client();
    Client(const Client &) = delete;
    Client &operator=(const Client &) = delete;

    const Endpoint &endpoint() const;
    Status ping();                                     // GET /ping, expects "Ok."
    Result<std::string> query(std::string_view sql);  // whole response body
    // The response body line by line (JSONEachRow / TSV results) without holding it all; the
    // callback returns false to stop (then the result is an error with Failure::Cancelled).
    // Lines are handed without their '\n'. The last line is handed only once the response is
    // complete, so an exception the server appended to the body is never mistaken for a row.
    Status queryLines(std::string_view sql, const std::function<bool(std::string_view line)> &onLine);
    // The same with an external table the query reads like a temporary one (ClickHouse's
    // "external data": sent as multipart/form-data beside the query, parsed as data, not SQL):
    // `name` with columns `structure` ("key String, n UInt64"), `rows` in TabSeparated.
    struct ExternalTable {
        std::string name;
        std::string structure;
        std::string_view rows;
    };
    Status queryLines(std::string_view sql, const ExternalTable &table,
                      const std::function<bool(std::string_view line)> &onLine);
    // `sql` is e.g. "INSERT INTO db.t FORMAT JSONEachRow" (sent in the URL), `rows` the body.
    Status insert(std::string_view sql, std::string_view rows);
    Failure lastFailure() const;                       // of the last call
    void setSetting(std::string name, std::string value);  // sent as URL parameters with every request

private:
    Status linesOf(const std::string &path, std::string_view body, std::string_view contentType,
                   const std::function<bool(std::string_view line)> &onLine);
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// SQL string literal: 'text' with backslash, quote and control bytes escaped (ClickHouse rules).
std::string quote(std::string_view text);
// Identifier check for database/table names we build: [A-Za-z_][A-Za-z0-9_]*.
bool isPlainIdentifier(std::string_view name);
// Percent-encoding of a URL query component (everything but A-Z a-z 0-9 - . _ ~).
std::string percentEncode(std::string_view text);
// The ClickHouse exception a body ends with ("Code: 81, e.displayText() = DB::Exception: ...",
// or "Code: 81. DB::Exception: ..." of newer servers), cleaned of the e.what() suffix; empty
// when the last line is not one.
std::string trailingException(std::string_view body);

} // namespace loadlens::clickhouse
