#include "fake_http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace loadlens::test {

FakeHttpServer::FakeHttpServer(std::vector<Reply> replies) : m_replies(std::move(replies))
{
    m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (m_listen < 0 || ::bind(m_listen, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
        || ::listen(m_listen, 8) != 0 || ::getsockname(m_listen, reinterpret_cast<sockaddr *>(&address), &length) != 0
        || ::pipe2(m_wake, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("fake server: ") + std::strerror(errno));
    m_port = ntohs(address.sin_port);
    m_thread = std::thread([this] { run(); });
}

FakeHttpServer::~FakeHttpServer()
{
    shutDown();
    if (m_thread.joinable())
        m_thread.join();
    ::close(m_wake[0]);
    ::close(m_wake[1]);
}

std::string FakeHttpServer::url(const std::string &database) const
{
    return "clickhouse://127.0.0.1:" + std::to_string(m_port) + "/" + database;
}

std::vector<std::string> FakeHttpServer::requests() const
{
    std::lock_guard lock(m_mutex);
    return m_requests;
}

void FakeHttpServer::shutDown()
{
    if (m_stop.exchange(true))
        return;
    const char byte = 'x';
    (void)!::write(m_wake[1], &byte, 1);
    if (m_thread.joinable() && m_thread.get_id() != std::this_thread::get_id())
        m_thread.join();
}

void FakeHttpServer::run()
{
    while (!m_stop) {
        pollfd fds[2] = {{m_listen, POLLIN, 0}, {m_wake[0], POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0 && errno != EINTR)
            break;
        if (m_stop || (fds[1].revents & POLLIN))
            break;
        if (!(fds[0].revents & POLLIN))
            continue;
        const int fd = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        ++m_connections;
        serve(fd);
        ::close(fd);
    }
    ::close(m_listen);
    m_listen = -1;
}

// Serves requests on one connection until a reply closes it, the script ends or the client goes.
bool FakeHttpServer::serve(int fd)
{
    std::string pending;
    // More bytes of the connection into `pending`; false when it ends or the server stops.
    const auto receiveMore = [&] {
        pollfd fds[2] = {{fd, POLLIN, 0}, {m_wake[0], POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0 || m_stop || (fds[1].revents & POLLIN))
            return false;
        char buffer[65536];
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0)
            return false;
        pending.append(buffer, std::size_t(n));
        return true;
    };
    for (;;) {
        // One request: head up to the blank line, then Content-Length bytes.
        std::size_t headEnd;
        while ((headEnd = pending.find("\r\n\r\n")) == std::string::npos)
            if (!receiveMore())
                return false;
        std::size_t bodyLength = 0;
        const std::string head = pending.substr(0, headEnd + 4);
        if (const auto at = head.find("Content-Length: "); at != std::string::npos)
            bodyLength = std::strtoul(head.c_str() + at + 16, nullptr, 10);
        while (pending.size() < headEnd + 4 + bodyLength)
            if (!receiveMore())
                return false;
        {
            std::lock_guard lock(m_mutex);
            m_requests.push_back(pending.substr(0, headEnd + 4 + bodyLength));
        }
        pending.erase(0, headEnd + 4 + bodyLength);
        if (m_next >= m_replies.size())
            return false;
        const Reply reply = m_replies[m_next++];
        std::string_view bytes = reply.bytes;
        while (!bytes.empty()) {
            const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n <= 0)
                return false;
            bytes.remove_prefix(std::size_t(n));
        }
        if (reply.after == Reply::After::Close)
            return true;
        if (reply.after == Reply::After::Hang) {
            pollfd wake{m_wake[0], POLLIN, 0};
            while (::poll(&wake, 1, -1) < 0 && errno == EINTR) {
            }
            return false;
        }
    }
}

} // namespace loadlens::test
