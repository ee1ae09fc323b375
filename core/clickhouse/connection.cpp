#include "clickhouse/connection.h"

#include "clickhouse/client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

// Defined by the static loadlens-cli (app/cli/static_no_nss.cpp), whose getaddrinfo only fails:
// glibc's static one would load NSS modules at run time. Weak, so other programs need not define it.
extern "C" {
extern const int loadlens_resolver_without_nss __attribute__((weak));
}

namespace loadlens::clickhouse {
namespace {

bool isNumericHost(const std::string &host)
{
    in_addr v4{};
    in6_addr v6{};
    return inet_pton(AF_INET, host.c_str(), &v4) == 1 || inet_pton(AF_INET6, host.c_str(), &v6) == 1;
}

bool addNumeric(const std::string &text, std::uint16_t port, std::vector<Address> &out)
{
    Address address;
    in_addr v4{};
    in6_addr v6{};
    if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
        auto *sin = reinterpret_cast<sockaddr_in *>(&address.storage);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        sin->sin_addr = v4;
        address.length = sizeof(sockaddr_in);
    } else if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
        auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&address.storage);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        sin6->sin6_addr = v6;
        address.length = sizeof(sockaddr_in6);
    } else {
        return false;
    }
    out.push_back(address);
    return true;
}

bool equalsNoCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

void lookUpHostsFile(const std::string &host, std::uint16_t port, std::vector<Address> &out)
{
    std::ifstream hosts("/etc/hosts");
    std::string line;
    while (std::getline(hosts, line)) {
        line = line.substr(0, line.find('#'));
        std::vector<std::string> fields;
        std::size_t pos = 0;
        while (pos < line.size()) {
            const auto start = line.find_first_not_of(" \t\r", pos);
            if (start == std::string::npos)
                break;
            const auto end = line.find_first_of(" \t\r", start);
            fields.push_back(line.substr(start, end == std::string::npos ? std::string::npos : end - start));
            pos = end == std::string::npos ? line.size() : end;
        }
        for (std::size_t i = 1; i < fields.size(); ++i) {
            if (equalsNoCase(fields[i], host)) {
                addNumeric(fields[0], port, out);
                break;
            }
        }
    }
}

std::string errnoText(int err)
{
    return std::strerror(err);
}

std::string tlsErrorText()
{
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0)
        return {};
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    return buffer;
}

// SSL_write writes to the socket with write(): a peer that has gone away would raise SIGPIPE.
// The signal is blocked in this thread for the call and a pending one taken back, so neither
// the program's handler nor its death sees it.
class SigpipeBlock {
public:
    SigpipeBlock()
    {
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        sigset_t pending;
        sigpending(&pending);
        m_wasPending = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &pipe, &m_old);
    }
    ~SigpipeBlock()
    {
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        if (!m_wasPending) {
            sigset_t pending;
            sigpending(&pending);
            if (sigismember(&pending, SIGPIPE) == 1) {
                const timespec zero{0, 0};
                while (sigtimedwait(&pipe, nullptr, &zero) < 0 && errno == EINTR) {
                }
            }
        }
        pthread_sigmask(SIG_SETMASK, &m_old, nullptr);
    }
    SigpipeBlock(const SigpipeBlock &) = delete;
    SigpipeBlock &operator=(const SigpipeBlock &) = delete;

private:
    sigset_t m_old{};
    bool m_wasPending = false;
};

int remainingMs(Connection::Clock::time_point deadline)
{
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Connection::Clock::now()).count();
    return left <= 0 ? 0 : left > 0x7fffffff ? 0x7fffffff : int(left);
}

// Waits for the events on fd; false on timeout or poll failure.
bool pollFor(int fd, short events, Connection::Clock::time_point deadline, int &err)
{
    for (;;) {
        pollfd p{fd, events, 0};
        const int ms = remainingMs(deadline);
        const int rc = ::poll(&p, 1, ms);
        if (rc > 0)
            return true;
        if (rc == 0) {
            err = ETIMEDOUT;
            return false;
        }
        if (errno != EINTR) {
            err = errno;
            return false;
        }
    }
}

} // namespace

bool haveSystemResolver()
{
    return &loadlens_resolver_without_nss == nullptr;
}

Result<std::vector<Address>> resolveHost(const std::string &host, std::uint16_t port)
{
    std::vector<Address> out;
    if (addNumeric(host, port, out))
        return out;
    if (equalsNoCase(host, "localhost") || equalsNoCase(host, "localhost.")) {
        addNumeric("127.0.0.1", port, out);
        addNumeric("::1", port, out);
        return out;
    }
    if (haveSystemResolver()) {
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_ADDRCONFIG;
        addrinfo *list = nullptr;
        const std::string service = std::to_string(port);
        const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
        if (rc != 0) {
            const std::string why = rc == EAI_SYSTEM ? errnoText(errno) : gai_strerror(rc);
            return Error{EHOSTUNREACH, "cannot resolve host name " + host + ": " + why};
        }
        for (addrinfo *entry = list; entry; entry = entry->ai_next) {
            if (entry->ai_addrlen > sizeof(sockaddr_storage))
                continue;
            Address address;
            std::memcpy(&address.storage, entry->ai_addr, entry->ai_addrlen);
            address.length = entry->ai_addrlen;
            out.push_back(address);
        }
        freeaddrinfo(list);
        if (out.empty())
            return Error{EHOSTUNREACH, "cannot resolve host name " + host + ": no address"};
        return out;
    }
    lookUpHostsFile(host, port, out);
    if (out.empty())
        return Error{EHOSTUNREACH, "cannot resolve host name " + host
                                       + ": host names other than /etc/hosts entries need a numeric address in "
                                         "the static loadlens-cli"};
    return out;
}

Connection::~Connection()
{
    if (m_ssl) {
        SSL_free(m_ssl);
    }
    if (m_fd >= 0)
        ::close(m_fd);
}

std::unique_ptr<Connection> Connection::open(const Endpoint &endpoint, SSL_CTX *tls, int connectTimeoutMs,
                                             IoError &error)
{
    const std::string display = endpoint.display();
    auto addresses = resolveHost(endpoint.host, endpoint.port);
    if (!addresses) {
        error = {Failure::Unreachable, "cannot reach " + display + ": " + addresses.error().message};
        return nullptr;
    }
    const auto deadline = Clock::now() + std::chrono::milliseconds(connectTimeoutMs);
    std::string lastWhy = "no address";
    std::unique_ptr<Connection> connection;
    for (const Address &address : *addresses) {
        const int fd = ::socket(address.storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            lastWhy = errnoText(errno);
            continue;
        }
        std::unique_ptr<Connection> candidate(new Connection);
        candidate->m_fd = fd;
        candidate->m_display = display;
        int err = 0;
        if (::connect(fd, reinterpret_cast<const sockaddr *>(&address.storage), address.length) != 0) {
            err = errno;
            if (err == EINPROGRESS || err == EINTR) {
                if (!pollFor(fd, POLLOUT, deadline, err)) {
                    lastWhy = err == ETIMEDOUT ? "no connection within " + std::to_string(connectTimeoutMs) + " ms"
                                               : errnoText(err);
                    continue;
                }
                socklen_t length = sizeof err;
                if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &length) != 0)
                    err = errno;
            }
        }
        if (err != 0) {
            lastWhy = errnoText(err);
            continue;
        }
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        connection = std::move(candidate);
        break;
    }
    if (!connection) {
        error = {Failure::Unreachable, "cannot reach " + display + ": " + lastWhy};
        return nullptr;
    }
    if (!tls)
        return connection;

    ERR_clear_error();
    SSL *ssl = SSL_new(tls);
    if (!ssl) {
        error = {Failure::Tls, "TLS with " + display + ": cannot create a session: " + tlsErrorText()};
        return nullptr;
    }
    connection->m_ssl = ssl;
    SSL_set_fd(ssl, connection->m_fd);
    if (isNumericHost(endpoint.host)) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), endpoint.host.c_str());
    } else {
        SSL_set_tlsext_host_name(ssl, endpoint.host.c_str());
        SSL_set1_host(ssl, endpoint.host.c_str());
    }
    SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
    for (;;) {
        ERR_clear_error();
        int rc;
        {
            SigpipeBlock block;
            rc = SSL_connect(ssl);
        }
        if (rc == 1)
            return connection;
        const int code = SSL_get_error(ssl, rc);
        int err = 0;
        if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) {
            if (!pollFor(connection->m_fd, code == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, err)) {
                error = {err == ETIMEDOUT ? Failure::Unreachable : Failure::Tls,
                         "TLS handshake with " + display + " failed: "
                             + (err == ETIMEDOUT ? "no answer within " + std::to_string(connectTimeoutMs) + " ms"
                                                 : errnoText(err))};
                return nullptr;
            }
            continue;
        }
        const long verify = SSL_get_verify_result(ssl);
        std::string why;
        if (verify != X509_V_OK) {
            why = std::string("the server's certificate is not trusted: ") + X509_verify_cert_error_string(verify);
            if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH)
                why += " (it is not issued for " + endpoint.host + ")";
            else
                why += " (give its CA with LOADLENS_CLICKHOUSE_CA)";
        } else {
            why = tlsErrorText();
            if (why.empty())
                why = code == SSL_ERROR_SYSCALL && errno != 0 ? errnoText(errno) : "the connection closed during the handshake";
        }
        error = {Failure::Tls, "TLS handshake with " + display + " failed: " + why};
        return nullptr;
    }
}

bool Connection::waitFor(short events, Clock::time_point deadline, IoError &error, const char *what)
{
    int err = 0;
    if (pollFor(m_fd, events, deadline, err))
        return true;
    if (err == ETIMEDOUT)
        error = {Failure::Unreachable, m_display + " did not " + what + " in time (I/O timeout)", true};
    else
        error = {Failure::Unreachable, m_display + ": " + errnoText(err)};
    return false;
}

bool Connection::sendAll(std::string_view bytes, Clock::time_point deadline, IoError &error)
{
    while (!bytes.empty()) {
        long n;
        if (m_ssl) {
            ERR_clear_error();
            SigpipeBlock block;
            const int chunk = int(std::min<std::size_t>(bytes.size(), 1 << 20));
            const int rc = SSL_write(m_ssl, bytes.data(), chunk);
            if (rc > 0) {
                n = rc;
            } else {
                const int code = SSL_get_error(m_ssl, rc);
                if (code == SSL_ERROR_WANT_WRITE || code == SSL_ERROR_WANT_READ) {
                    if (!waitFor(code == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, error, "take the request"))
                        return false;
                    continue;
                }
                const std::string why = tlsErrorText();
                error = {Failure::Unreachable, "cannot send to " + m_display + ": "
                                                   + (why.empty() ? errnoText(errno ? errno : EPIPE) : why)};
                return false;
            }
        } else {
            n = ::send(m_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK) {
                    if (!waitFor(POLLOUT, deadline, error, "take the request"))
                        return false;
                    continue;
                }
                error = {Failure::Unreachable, "cannot send to " + m_display + ": " + errnoText(errno)};
                return false;
            }
        }
        bytes.remove_prefix(std::size_t(n));
    }
    return true;
}

long Connection::receive(char *buffer, std::size_t size, Clock::time_point deadline, IoError &error)
{
    const int chunk = int(std::min<std::size_t>(size, 1 << 20));
    for (;;) {
        if (m_ssl) {
            ERR_clear_error();
            int rc;
            {
                SigpipeBlock block;
                rc = SSL_read(m_ssl, buffer, chunk);
            }
            if (rc > 0)
                return rc;
            const int code = SSL_get_error(m_ssl, rc);
            if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) {
                if (!waitFor(code == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, error, "answer"))
                    return -1;
                continue;
            }
            if (code == SSL_ERROR_ZERO_RETURN)
                return 0;
            if (code == SSL_ERROR_SYSCALL && errno == 0)
                return 0;
            const std::string why = tlsErrorText();
            error = {Failure::Unreachable, "cannot read from " + m_display + ": "
                                               + (why.empty() ? errnoText(errno ? errno : ECONNRESET) : why)};
            return -1;
        }
        const ssize_t n = ::recv(m_fd, buffer, std::size_t(chunk), 0);
        if (n >= 0)
            return long(n);
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (!waitFor(POLLIN, deadline, error, "answer"))
                return -1;
            continue;
        }
        error = {Failure::Unreachable, "cannot read from " + m_display + ": " + errnoText(errno)};
        return -1;
    }
}

} // namespace loadlens::clickhouse
