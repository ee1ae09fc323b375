#pragma once
// Where chunk slots come from: a file read with pread (each worker reads its own chunk, so the
// file is never held in memory) or bytes already in memory.
#include "common/io.h"
#include "common/result.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace loadlens::evtx {

class ChunkSource {
public:
    virtual ~ChunkSource() = default;
    virtual std::uint64_t size() const = 0;
    // Reads up to `want` bytes at `offset` into `buf`; returns the count read or an error text.
    virtual Result<std::size_t> readAt(std::uint64_t offset, std::uint8_t *buf, std::size_t want) const = 0;
};

class FileChunkSource final : public ChunkSource {
public:
    static Result<FileChunkSource> open(const std::string &path);
    std::uint64_t size() const override { return m_size; }
    Result<std::size_t> readAt(std::uint64_t offset, std::uint8_t *buf, std::size_t want) const override;

private:
    FileChunkSource(io::UniqueFd fd, std::uint64_t size, std::string path)
        : m_fd(std::move(fd)), m_size(size), m_path(std::move(path))
    {
    }
    io::UniqueFd m_fd;
    std::uint64_t m_size = 0;
    std::string m_path;
};

class MemoryChunkSource final : public ChunkSource {
public:
    explicit MemoryChunkSource(std::string_view bytes) : m_bytes(bytes) {}
    std::uint64_t size() const override { return m_bytes.size(); }
    Result<std::size_t> readAt(std::uint64_t offset, std::uint8_t *buf, std::size_t want) const override;

private:
    std::string_view m_bytes;
};

} // namespace loadlens::evtx
