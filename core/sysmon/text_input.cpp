#include "sysmon/text_input.h"

#include "common/compressed_input.h"

#include <optional>

namespace loadlens::sysmon {

namespace {
constexpr std::size_t kChunkBytes = 1u << 20;
}

void Utf16Decoder::emit(char32_t cp, std::string &out)
{
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

void Utf16Decoder::feed(std::string_view bytes, std::string &out)
{
    for (char byte : bytes) {
        const int b = static_cast<unsigned char>(byte);
        if (m_pendingByte < 0) {
            m_pendingByte = b;
            continue;
        }
        const char16_t unit = m_bigEndian ? char16_t((m_pendingByte << 8) | b) : char16_t((b << 8) | m_pendingByte);
        m_pendingByte = -1;
        if (unit >= 0xD800 && unit <= 0xDBFF) {
            if (m_highSurrogate)
                emit(0xFFFD, out);
            m_highSurrogate = unit;
            continue;
        }
        if (unit >= 0xDC00 && unit <= 0xDFFF) {
            if (m_highSurrogate)
                emit(0x10000 + ((char32_t(m_highSurrogate) - 0xD800) << 10) + (unit - 0xDC00), out);
            else
                emit(0xFFFD, out);
            m_highSurrogate = 0;
            continue;
        }
        if (m_highSurrogate) {
            emit(0xFFFD, out);
            m_highSurrogate = 0;
        }
        emit(unit, out);
    }
}

void Utf16Decoder::finish(std::string &out)
{
    if (m_highSurrogate || m_pendingByte >= 0)
        emit(0xFFFD, out);
    m_highSurrogate = 0;
    m_pendingByte = -1;
}

Status forEachTextChunk(const std::string &path, ImportReport &report, const CancelToken &cancel,
                        const TextChunkFn &fn)
{
    auto file = io::TextFileReader::open(path);
    if (!file)
        return file.error();
    if (file->gzip())
        report.notes.push_back("decompressed from gzip; record offsets count bytes of the decompressed text");

    std::string buffer;
    std::string decoded;
    bool first = true;
    std::optional<Utf16Decoder> utf16;
    for (;;) {
        if (cancel.cancelled()) {
            report.complete = false;
            report.errors.push_back("cancelled while reading " + path);
            return Ok{};
        }
        if (auto s = file->read(buffer, kChunkBytes); !s) {
            // What was read before the failure has been handed on; the caller reports the rest
            // as missing.
            report.complete = false;
            return s;
        }
        std::string_view chunk(buffer);
        const bool end = chunk.empty();
        if (first && !end) {
            first = false;
            if (chunk.size() >= 2 && (chunk.starts_with("\xFF\xFE") || chunk.starts_with("\xFE\xFF"))) {
                const bool bigEndian = chunk[0] == '\xFE';
                utf16.emplace(bigEndian);
                chunk.remove_prefix(2);
                report.notes.push_back(std::string("decoded from UTF-16") + (bigEndian ? "BE" : "LE") +
                                       "; record offsets count bytes of the UTF-8 text");
            }
        }
        if (end) {
            if (utf16) {
                decoded.clear();
                utf16->finish(decoded);
                if (!decoded.empty() && !fn(decoded)) {
                    report.complete = false;
                    return Ok{};
                }
            }
            return Ok{};
        }
        bool goOn = true;
        if (utf16) {
            decoded.clear();
            utf16->feed(chunk, decoded);
            goOn = fn(decoded);
        } else {
            goOn = fn(chunk);
        }
        if (!goOn) {
            report.complete = false;
            return Ok{};
        }
    }
}

} // namespace loadlens::sysmon
