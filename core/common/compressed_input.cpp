#include "common/compressed_input.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace loadlens::io {

namespace {
constexpr std::size_t kCompressedBlock = 16u << 10;  // at most ~16 MiB of text per block (deflate's 1:1032)
constexpr std::size_t kOutBlock = 64u << 10;
} // namespace

struct GzipDecoder::Impl {
    z_stream stream{};
    bool initialised = false;
};

GzipDecoder::GzipDecoder() : m_impl(std::make_unique<Impl>())
{
    // 16 + MAX_WBITS: gzip wrapper only (a zlib or raw deflate stream is damage here).
    m_impl->initialised = inflateInit2(&m_impl->stream, 16 + MAX_WBITS) == Z_OK;
}

GzipDecoder::~GzipDecoder()
{
    if (m_impl->initialised)
        inflateEnd(&m_impl->stream);
}

Status GzipDecoder::feed(std::string_view compressed, std::string &out)
{
    if (!m_impl->initialised)
        return Error{ENOMEM, "cannot start the gzip decoder"};
    if (m_failed)
        return Error{0, "the gzip data is damaged"};
    z_stream &z = m_impl->stream;
    std::size_t pos = 0;
    char block[kOutBlock];
    while (pos < compressed.size()) {
        if (m_trailing) {
            const std::size_t nonZero = compressed.find_first_not_of('\0', pos);
            if (nonZero == std::string_view::npos) {
                m_in += compressed.size() - pos;
                return Ok{};
            }
            m_failed = true;
            return Error{0, "data that is not gzip follows the gzip data at compressed byte " +
                                std::to_string(m_in + (nonZero - pos)) + ", after " + std::to_string(m_out) +
                                " bytes of text; it is not read"};
        }
        if (!m_inMember) {
            // Between members: zero padding ends the stream, anything else starts a member
            // (and a bad header is reported by inflate as damage).
            if (compressed[pos] == '\0' && m_out > 0) {
                m_trailing = true;
                continue;
            }
            if (m_in > 0 && inflateReset(&z) != Z_OK) {
                m_failed = true;
                return Error{0, "cannot restart the gzip decoder"};
            }
            m_inMember = true;
        }
        z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(compressed.data() + pos));
        z.avail_in = static_cast<uInt>(compressed.size() - pos);
        z.next_out = reinterpret_cast<Bytef *>(block);
        z.avail_out = sizeof block;
        const int rc = inflate(&z, Z_NO_FLUSH);
        const std::size_t used = (compressed.size() - pos) - z.avail_in;
        const std::size_t produced = sizeof block - z.avail_out;
        out.append(block, produced);
        m_out += produced;
        m_in += used;
        pos += used;
        if (rc == Z_STREAM_END) {
            m_inMember = false;
            continue;
        }
        if (rc == Z_OK)
            continue;
        if (rc == Z_BUF_ERROR && used == 0 && produced == 0)
            break;  // needs more input than this block holds
        m_failed = true;
        return Error{0, std::string("damaged gzip data (") + (z.msg ? z.msg : "zlib error " + std::to_string(rc)) +
                            ") at compressed byte " + std::to_string(m_in) + ", after " + std::to_string(m_out) +
                            " bytes of text; the rest is not read"};
    }
    return Ok{};
}

Status GzipDecoder::finish() const
{
    if (m_failed)
        return Error{0, "the gzip data is damaged"};
    if (m_inMember || m_in == 0)
        return Error{0, "the gzip data ends early (a truncated file): " + std::to_string(m_out) +
                            " bytes of text were decompressed and the rest of the file is missing"};
    return Ok{};
}

// --- TextFileReader ---

TextFileReader::TextFileReader(TextFileReader &&) noexcept = default;
TextFileReader &TextFileReader::operator=(TextFileReader &&) noexcept = default;
TextFileReader::~TextFileReader() = default;

Result<TextFileReader> TextFileReader::open(const std::string &path)
{
    TextFileReader reader;
    reader.m_path = path;
    reader.m_fd = UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!reader.m_fd.valid())
        return Error::fromErrno(errno, "cannot open " + path);
    struct stat st {};
    if (::fstat(reader.m_fd.get(), &st) != 0)
        return Error::fromErrno(errno, "cannot stat " + path);
    if (S_ISDIR(st.st_mode))
        return Error{EISDIR, "cannot read " + path + ": it is a directory"};
    reader.m_fileSize = static_cast<std::uint64_t>(st.st_size);
    // The magic decides, whatever the name says.
    char head[2];
    std::size_t have = 0;
    while (have < sizeof head) {
        const ssize_t got = ::read(reader.m_fd.get(), head + have, sizeof head - have);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return Error::fromErrno(errno, "cannot read " + path);
        if (got == 0)
            break;
        have += static_cast<std::size_t>(got);
    }
    reader.m_pendingHead.assign(head, have);
    if (hasGzipMagic(reader.m_pendingHead))
        reader.m_decoder = std::make_unique<GzipDecoder>();
    return reader;
}

Status TextFileReader::read(std::string &out, std::size_t max)
{
    out.clear();
    max = std::max<std::size_t>(max, 2);
    std::string raw;
    while (out.empty() && !m_eof) {
        const std::size_t want = m_decoder ? kCompressedBlock : max;
        raw.assign(std::move(m_pendingHead));
        m_pendingHead.clear();
        const std::size_t start = raw.size();
        raw.resize(std::max(want, start));
        ssize_t got = 0;
        if (start < raw.size()) {
            do
                got = ::read(m_fd.get(), raw.data() + start, raw.size() - start);
            while (got < 0 && errno == EINTR);
            if (got < 0)
                return Error::fromErrno(errno, "cannot read " + m_path);
        }
        raw.resize(start + static_cast<std::size_t>(got));
        if (got == 0 && start < want)
            m_eof = true;
        if (!m_decoder) {
            out = std::move(raw);
            return Ok{};
        }
        if (auto s = m_decoder->feed(raw, out); !s)
            return Error{s.error().code, m_path + ": " + s.error().message};
        if (m_eof)
            if (auto s = m_decoder->finish(); !s)
                return Error{s.error().code, m_path + ": " + s.error().message};
    }
    return Ok{};
}

} // namespace loadlens::io
