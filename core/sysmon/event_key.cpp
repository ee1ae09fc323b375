#include "sysmon/event_key.h"

#include <array>
#include <openssl/evp.h>
#include <memory>

namespace loadlens::sysmon {

namespace {

class Encoder {
public:
    Encoder() : m_ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free)
    {
        m_ok = m_ctx && EVP_DigestInit_ex(m_ctx.get(), EVP_sha256(), nullptr) == 1;
        bytes("loadlens event content 1");
    }

    void part(char tag, std::string_view name, std::string_view value)
    {
        bytes(std::string_view(&tag, 1));
        length(name.size());
        bytes(name);
        length(value.size());
        bytes(value);
    }

    std::string key()
    {
        std::array<unsigned char, 32> digest{};
        unsigned int size = 0;
        if (!m_ok || EVP_DigestFinal_ex(m_ctx.get(), digest.data(), &size) != 1 || size != digest.size())
            return {};
        static constexpr char kHex[] = "0123456789abcdef";
        std::string out = "h:";
        for (std::size_t i = 0; i < 16; ++i) {
            out.push_back(kHex[digest[i] >> 4]);
            out.push_back(kHex[digest[i] & 0xF]);
        }
        return out;
    }

private:
    void length(std::size_t n)
    {
        const auto v = static_cast<std::uint32_t>(n > UINT32_MAX ? UINT32_MAX : n);
        const char be[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
        bytes(std::string_view(be, 4));
    }
    void bytes(std::string_view b)
    {
        if (m_ok)
            m_ok = EVP_DigestUpdate(m_ctx.get(), b.data(), b.size()) == 1;
    }

    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> m_ctx;
    bool m_ok = false;
};

} // namespace

std::string contentKey(const EventRecord &r)
{
    Encoder e;
    e.part('P', "provider", r.provider);
    e.part('I', "event id", std::to_string(r.eventId));
    e.part('C', "channel", r.channel);
    e.part('H', "computer", r.computer);
    e.part('T', "time", r.ingestionTime ? std::string() : std::to_string(r.timeUs));
    for (const auto &[name, value] : r.system)
        e.part('S', name, value);
    for (const auto &[name, value] : r.data)
        e.part('D', name, value);
    std::string key = e.key();
    // A failing digest must not merge events: fall back to a key no content can have twice
    // within the window (the caller's occurrence count still tells them apart).
    return key.empty() ? std::string("h:unhashed") : key;
}

std::string OccurrenceKeys::next(const std::string &contentKey)
{
    auto [it, inserted] = m_seen.try_emplace(contentKey, 0);
    const std::uint32_t n = ++it->second;
    if (inserted) {
        m_order.push_back(contentKey);
        if (m_order.size() > m_window) {
            m_seen.erase(m_order.front());
            m_order.pop_front();
        }
    }
    return n == 1 ? contentKey : contentKey + "#" + std::to_string(n);
}

} // namespace loadlens::sysmon
