#pragma once
// Bounds-checked little-endian reads over one chunk. Positions are chunk-relative because the
// format addresses names and template definitions by their offset inside the chunk.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace loadlens::evtx {

static_assert(std::endian::native == std::endian::little, "EVTX fields are read in place as little-endian");

inline std::uint16_t le16(const std::uint8_t *p)
{
    std::uint16_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline std::uint32_t le32(const std::uint8_t *p)
{
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline std::uint64_t le64(const std::uint8_t *p)
{
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// Reads forward from `pos` up to `end` inside `base` (which is the chunk start). Every read
// checks the remaining length first; a failed read leaves the cursor unchanged.
class ByteCursor {
public:
    ByteCursor(const std::uint8_t *base, std::size_t pos, std::size_t end) : m_base(base), m_pos(pos), m_end(end) {}

    std::size_t pos() const { return m_pos; }
    std::size_t end() const { return m_end; }
    std::size_t remaining() const { return m_pos <= m_end ? m_end - m_pos : 0; }
    const std::uint8_t *here() const { return m_base + m_pos; }
    const std::uint8_t *base() const { return m_base; }

    bool skip(std::size_t n)
    {
        if (n > remaining())
            return false;
        m_pos += n;
        return true;
    }
    bool u8(std::uint8_t &v)
    {
        if (remaining() < 1)
            return false;
        v = m_base[m_pos++];
        return true;
    }
    bool u16(std::uint16_t &v)
    {
        if (remaining() < 2)
            return false;
        v = le16(m_base + m_pos);
        m_pos += 2;
        return true;
    }
    bool u32(std::uint32_t &v)
    {
        if (remaining() < 4)
            return false;
        v = le32(m_base + m_pos);
        m_pos += 4;
        return true;
    }
    bool peek(std::uint8_t &v) const
    {
        if (remaining() < 1)
            return false;
        v = m_base[m_pos];
        return true;
    }

private:
    const std::uint8_t *m_base;
    std::size_t m_pos;
    std::size_t m_end;
};

} // namespace loadlens::evtx
