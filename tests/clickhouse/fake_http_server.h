#pragma once
// A scripted HTTP server on 127.0.0.1 for client tests: answers each request (read up to the end
// of its Content-Length body) with the next scripted reply, then keeps the connection, closes it
// or holds it silent until the server is destroyed.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace loadlens::test {

class FakeHttpServer {
public:
    struct Reply {
        enum class After { Keep, Close, Hang };
        std::string bytes;          // sent as is (may be empty)
        After after = After::Keep;
    };

    explicit FakeHttpServer(std::vector<Reply> replies);
    ~FakeHttpServer();
    FakeHttpServer(const FakeHttpServer &) = delete;
    FakeHttpServer &operator=(const FakeHttpServer &) = delete;

    std::uint16_t port() const { return m_port; }
    std::string url(const std::string &database = "db") const;
    std::vector<std::string> requests() const;   // head and body of each request read
    int connections() const { return m_connections; }
    // Closes the listening socket and every open connection: the server is gone.
    void shutDown();

private:
    void run();
    bool serve(int fd);

    std::vector<Reply> m_replies;
    std::size_t m_next = 0;
    int m_listen = -1;
    int m_wake[2] = {-1, -1};
    std::uint16_t m_port = 0;
    std::atomic<int> m_connections{0};
    std::atomic<bool> m_stop{false};
    mutable std::mutex m_mutex;
    std::vector<std::string> m_requests;
    std::thread m_thread;
};

} // namespace loadlens::test
