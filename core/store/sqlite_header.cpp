#include "store/sqlite_header.h"

namespace loadlens::store {

namespace {
std::uint32_t bigEndian32(std::string_view bytes, std::size_t at)
{
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i)
        v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
    return v;
}
} // namespace

std::optional<SqliteHeader> parseSqliteHeader(std::string_view bytes)
{
    static constexpr std::string_view kMagic("SQLite format 3\0", 16);
    if (bytes.size() < kSqliteHeaderSize || bytes.substr(0, kMagic.size()) != kMagic)
        return std::nullopt;
    SqliteHeader h;
    const std::uint32_t rawPageSize = (static_cast<unsigned char>(bytes[16]) << 8) | static_cast<unsigned char>(bytes[17]);
    h.pageSize = rawPageSize == 1 ? 65536u : rawPageSize;
    // The in-header size is only valid when the change counter matches "version-valid-for"
    // (older writers did not maintain it).
    if (bigEndian32(bytes, 24) == bigEndian32(bytes, 92))
        h.pageCount = bigEndian32(bytes, 28);
    h.userVersion = bigEndian32(bytes, 60);
    h.applicationId = static_cast<std::int32_t>(bigEndian32(bytes, 68));
    return h;
}

} // namespace loadlens::store
