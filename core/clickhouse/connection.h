#pragma once
// One TCP connection to a ClickHouse server, plain or through OpenSSL, with every wait bounded
// by poll(). Internal to the client.
#include "clickhouse/endpoint.h"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <netinet/in.h>
#include <sys/socket.h>

using SSL = struct ssl_st;
using SSL_CTX = struct ssl_ctx_st;

namespace loadlens::clickhouse {

enum class Failure;

struct Address {
    sockaddr_storage storage{};
    socklen_t length = 0;
};

// Numeric addresses, localhost, /etc/hosts names; other names through getaddrinfo when the
// program is linked dynamically (the static loadlens-cli has no NSS to run it with).
Result<std::vector<Address>> resolveHost(const std::string &host, std::uint16_t port);
// For tests and messages: whether getaddrinfo is linked into this program.
bool haveSystemResolver();

struct IoError {
    Failure failure;
    std::string message;
    bool timeout = false;   // nothing arrived (or could be sent) before the deadline
};

class Connection {
public:
    using Clock = std::chrono::steady_clock;
    ~Connection();

    // Connects (and shakes hands for TLS) within the timeout; on failure sets `error`.
    static std::unique_ptr<Connection> open(const Endpoint &endpoint, SSL_CTX *tls, int connectTimeoutMs,
                                            IoError &error);

    // Sends everything before the deadline.
    bool sendAll(std::string_view bytes, Clock::time_point deadline, IoError &error);
    // Reads what is there (waiting up to the deadline): >0 bytes read, 0 the peer closed,
    // -1 failure (error set).
    long receive(char *buffer, std::size_t size, Clock::time_point deadline, IoError &error);

private:
    Connection() = default;
    bool waitFor(short events, Clock::time_point deadline, IoError &error, const char *what);

    int m_fd = -1;
    SSL *m_ssl = nullptr;
    std::string m_display;
};

} // namespace loadlens::clickhouse
