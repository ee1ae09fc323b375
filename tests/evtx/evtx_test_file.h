#pragma once
// Writes EVTX files for tests: a file header, chunks with records whose binary XML is written
// token by token (template definitions inline on first use, names inline), with real CRC32s.
// Lets a test build exactly the damage it wants to see handled.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace loadlens::testing {

using Bytes = std::vector<std::uint8_t>;

class BinXmlWriter;

// A substitution value: its type code and bytes, or (for BinXml values, whose names must sit at
// their final chunk offset) a function that writes it in place.
struct SubstValue {
    std::uint8_t type = 0;
    Bytes bytes;
    std::function<void(BinXmlWriter &)> writeInPlace;
};
SubstValue utf16Value(const std::u16string &text);
SubstValue u16Value(std::uint16_t v);
SubstValue u64Value(std::uint64_t v);
SubstValue fileTimeValue(std::uint64_t fileTime);
SubstValue guidValue(const Bytes &sixteen);
SubstValue sidValue(std::uint8_t authority, const std::vector<std::uint32_t> &subAuthorities);
SubstValue hex32Value(std::uint32_t v);
SubstValue binaryValue(std::size_t size, std::uint8_t fill = 0x41);
SubstValue binXmlValue(std::function<void(BinXmlWriter &)> body);
SubstValue nullValue();

class BinXmlWriter {
public:
    BinXmlWriter(Bytes &chunk, std::size_t pos, bool templateDefinition)
        : m_chunk(chunk), m_pos(pos), m_template(templateDefinition)
    {
    }
    std::size_t pos() const { return m_pos; }

    void raw(const Bytes &b);
    void u8(std::uint8_t v);
    void u16(std::uint16_t v);
    void u32(std::uint32_t v);
    void u64(std::uint64_t v);
    void patch32(std::size_t at, std::uint32_t v);

    void fragmentHeader();
    void name(const std::string &ascii);  // inline: its offset is where it is written
    void open(const std::string &element, bool hasAttributes);
    void attribute(const std::string &attr);
    void text(const std::u16string &t);
    void substitution(std::uint16_t index, std::uint8_t type, bool optional = false);
    void closeStart();
    void closeEmpty();
    void end();
    void endOfStream();
    // A template instance; defines the template inline when `definitionOffset` is 0, else refers
    // to the definition at that chunk offset. Returns the definition offset.
    std::uint32_t templateInstance(std::uint32_t definitionOffset, const std::function<void(BinXmlWriter &)> &body,
                                   const std::vector<SubstValue> &values);

private:
    Bytes &m_chunk;
    std::size_t m_pos;
    bool m_template;
};

class ChunkWriter {
public:
    ChunkWriter();
    // Appends a record; returns its chunk offset.
    std::size_t addRecord(std::uint64_t recordId, std::uint64_t writtenTime,
                          const std::function<void(BinXmlWriter &)> &body);
    // Fills the header (record ranges, free offset, CRCs) and returns the 64 KiB chunk.
    Bytes finish();

private:
    Bytes m_chunk;
    std::size_t m_pos;
    std::uint64_t m_firstId = 0, m_lastId = 0;
    std::size_t m_lastRecord = 0;
};

// A file header for `chunks` chunks (with its CRC), followed by the chunks.
Bytes evtxFile(const std::vector<Bytes> &chunks, std::uint32_t flags = 0);
std::uint32_t crc32Of(const Bytes &b, std::size_t from, std::size_t to);
void put32(Bytes &b, std::size_t at, std::uint32_t v);
std::uint32_t le32At(const Bytes &b, std::size_t at);

// The Sysmon-like template used by most tests: System fields plus five named Data items, each
// filled by a substitution, in the order given by `dataNames`.
void sysmonLikeTemplate(BinXmlWriter &w, const std::vector<std::string> &dataNames);

// Record bodies that expand far beyond their size (what a hostile file does to exhaust memory).
// Nested: a template of `substitutions` UserData leaves, each filled by value 0, a BinXml value
// that instantiates the same template again, whose value 0 is a Binary of `binaryBytes`:
// substitutions^2 copies of its hex text.
void nestedBombRecord(BinXmlWriter &w, int substitutions, std::size_t binaryBytes);
// Flat: one Data element filled by `substitutions` substitutions of one Binary value.
void flatBombRecord(BinXmlWriter &w, int substitutions, std::size_t binaryBytes);

// A file of two chunks: the first holds a normal Sysmon-like record, then `bomb`, then
// `normalAfter` more normal records; the second holds `secondChunk` normal records (no second
// chunk when 0). Record ids run from 1; the bomb is record 2.
Bytes fileWithBomb(const std::function<void(BinXmlWriter &)> &bomb, int normalAfter = 5, int secondChunk = 10);
// Normal records of the file above (all but the bomb).
int normalRecordsOf(int normalAfter = 5, int secondChunk = 10);

} // namespace loadlens::testing
