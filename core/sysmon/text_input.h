#pragma once
// Reads a log file in bounded chunks as UTF-8 text for the record splitters. UTF-8 (with or
// without a BOM) passes through unchanged, so record offsets are file offsets. UTF-16 with a
// BOM (what PowerShell redirection and some Event Viewer exports write) is decoded; the report
// then notes that offsets count bytes of the decoded text.
#include "common/cancel.h"
#include "common/events.h"
#include "common/result.h"

#include <functional>
#include <string>
#include <string_view>

namespace loadlens::sysmon {

// Returns false to stop reading.
using TextChunkFn = std::function<bool(std::string_view chunk)>;

// Stops early (report.complete = false) when cancelled or when `fn` returns false.
Status forEachTextChunk(const std::string &path, ImportReport &report, const CancelToken &cancel,
                        const TextChunkFn &fn);

// Incremental UTF-16 to UTF-8: byte pairs and surrogate pairs may straddle chunks; unpaired
// surrogates become U+FFFD.
class Utf16Decoder {
public:
    explicit Utf16Decoder(bool bigEndian) : m_bigEndian(bigEndian) {}
    void feed(std::string_view bytes, std::string &out);
    void finish(std::string &out);

private:
    void emit(char32_t cp, std::string &out);
    bool m_bigEndian;
    int m_pendingByte = -1;
    char16_t m_highSurrogate = 0;
};

} // namespace loadlens::sysmon
