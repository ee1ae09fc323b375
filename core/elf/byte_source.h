#pragma once
// One way to read bytes at offsets, whether they come from a file (pread, never mapped) or from
// memory (fuzzing, tests). Parsers above it never see the difference.
#include "common/io.h"
#include "common/result.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace loadlens::elf {

class ByteSource {
public:
    ByteSource() = default;
    virtual ~ByteSource() = default;
    virtual std::uint64_t size() const = 0;
    // Name used in error messages: the file path, or "<memory>".
    virtual const std::string &name() const = 0;
    // Reads exactly `length` bytes at `offset`; a range past the end is an error, not a short read.
    virtual Result<std::vector<std::uint8_t>> read(std::uint64_t offset, std::size_t length) const = 0;

    bool contains(std::uint64_t offset, std::uint64_t length) const
    {
        return offset <= size() && length <= size() - offset;
    }

protected:
    ByteSource(const ByteSource &) = default;
    ByteSource(ByteSource &&) = default;
    ByteSource &operator=(const ByteSource &) = default;
    ByteSource &operator=(ByteSource &&) = default;
};

class MemoryByteSource final : public ByteSource {
public:
    explicit MemoryByteSource(std::span<const std::uint8_t> data);
    std::uint64_t size() const override { return m_data.size(); }
    const std::string &name() const override { return m_name; }
    Result<std::vector<std::uint8_t>> read(std::uint64_t offset, std::size_t length) const override;

private:
    std::span<const std::uint8_t> m_data;
    std::string m_name = "<memory>";
};

class FileByteSource final : public ByteSource {
public:
    // Opens without following a final symlink (O_NOFOLLOW) and accepts only regular files, so a
    // FIFO or device planted under a library name cannot block or feed endless data.
    static Result<FileByteSource> open(const std::string &path);

    std::uint64_t size() const override { return m_size; }
    const std::string &name() const override { return m_path; }
    Result<std::vector<std::uint8_t>> read(std::uint64_t offset, std::size_t length) const override;

private:
    FileByteSource(io::UniqueFd fd, std::string path, std::uint64_t size);

    io::UniqueFd m_fd;
    std::string m_path;
    std::uint64_t m_size = 0;
};

} // namespace loadlens::elf
