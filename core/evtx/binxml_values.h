#pragma once
// Substitution values of EVTX binary XML: their type codes and their text form. The text form
// follows what Event Viewer (and libevtx) show, so a field reads the same whichever tool
// exported it: GUIDs in braces and upper case, SIDs as S-1-..., times as ISO 8601 UTC.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace loadlens::evtx {

namespace vt {
constexpr std::uint8_t Null = 0x00, String = 0x01, AnsiString = 0x02, Int8 = 0x03, UInt8 = 0x04,
                       Int16 = 0x05, UInt16 = 0x06, Int32 = 0x07, UInt32 = 0x08, Int64 = 0x09,
                       UInt64 = 0x0a, Real32 = 0x0b, Real64 = 0x0c, Bool = 0x0d, Binary = 0x0e,
                       Guid = 0x0f, SizeT = 0x10, FileTime = 0x11, SysTime = 0x12, Sid = 0x13,
                       HexInt32 = 0x14, HexInt64 = 0x15, EvtHandle = 0x20, BinXml = 0x21,
                       EvtXml = 0x23, ArrayFlag = 0x80;
}

// One substitution value of a template instance: where its bytes are (chunk-relative) and
// what type the descriptor gave it.
struct ValueRef {
    std::uint8_t type = vt::Null;
    std::uint32_t pos = 0;
    std::uint32_t size = 0;
};

// Appends UTF-16LE text as UTF-8, stopping at the first NUL; unpaired surrogates become U+FFFD.
void appendUtf16(std::string &out, const std::uint8_t *data, std::size_t units);

// Appends the text form of a value of `type` held in `data[0..size)`. BinXml values are not
// text and append nothing (the caller expands them).
void appendValueText(std::string &out, std::uint8_t type, const std::uint8_t *data, std::size_t size);

// Calls `item` with the text of each element of an array value (type with vt::ArrayFlag).
// Windows renders an element holding an array as that element repeated once per item.
void forEachArrayItem(std::uint8_t type, const std::uint8_t *data, std::size_t size,
                      const std::function<void(std::string_view)> &item);

// FILETIME (100 ns ticks since 1601) to microseconds since the Unix epoch, UTC.
std::int64_t fileTimeToUnixUs(std::uint64_t fileTime);

// "2020-10-17T16:26:54.679582900Z" (fraction optional, any number of digits) to Unix µs.
bool parseIsoTimeUs(std::string_view text, std::int64_t &us);

} // namespace loadlens::evtx
