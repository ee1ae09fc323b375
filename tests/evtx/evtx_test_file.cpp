#include "evtx_test_file.h"

#include <zlib.h>

namespace loadlens::testing {

namespace {

Bytes le(std::uint64_t v, int n)
{
    Bytes b;
    for (int i = 0; i < n; ++i)
        b.push_back(std::uint8_t(v >> (8 * i)));
    return b;
}

} // namespace

SubstValue utf16Value(const std::u16string &text)
{
    SubstValue v{0x01, {}, {}};
    for (char16_t c : text) {
        v.bytes.push_back(std::uint8_t(c & 0xff));
        v.bytes.push_back(std::uint8_t(c >> 8));
    }
    return v;
}
SubstValue u16Value(std::uint16_t v) { return {0x06, le(v, 2), {}}; }
SubstValue u64Value(std::uint64_t v) { return {0x0a, le(v, 8), {}}; }
SubstValue fileTimeValue(std::uint64_t ft) { return {0x11, le(ft, 8), {}}; }
SubstValue guidValue(const Bytes &sixteen) { return {0x0f, sixteen, {}}; }
SubstValue hex32Value(std::uint32_t v) { return {0x14, le(v, 4), {}}; }
SubstValue nullValue() { return {0x00, {}, {}}; }
SubstValue sidValue(std::uint8_t authority, const std::vector<std::uint32_t> &subs)
{
    SubstValue v{0x13, {1, std::uint8_t(subs.size()), 0, 0, 0, 0, 0, authority}, {}};
    for (std::uint32_t s : subs) {
        const Bytes b = le(s, 4);
        v.bytes.insert(v.bytes.end(), b.begin(), b.end());
    }
    return v;
}
SubstValue binaryValue(std::size_t size, std::uint8_t fill) { return {0x0e, Bytes(size, fill), {}}; }
SubstValue binXmlValue(std::function<void(BinXmlWriter &)> body) { return {0x21, {}, std::move(body)}; }

void BinXmlWriter::raw(const Bytes &b)
{
    if (m_pos + b.size() > m_chunk.size())
        m_chunk.resize(m_pos + b.size());
    std::copy(b.begin(), b.end(), m_chunk.begin() + std::ptrdiff_t(m_pos));
    m_pos += b.size();
}
void BinXmlWriter::u8(std::uint8_t v) { raw({v}); }
void BinXmlWriter::u16(std::uint16_t v) { raw(le(v, 2)); }
void BinXmlWriter::u32(std::uint32_t v) { raw(le(v, 4)); }
void BinXmlWriter::u64(std::uint64_t v) { raw(le(v, 8)); }
void BinXmlWriter::patch32(std::size_t at, std::uint32_t v) { put32(m_chunk, at, v); }

void BinXmlWriter::fragmentHeader() { raw({0x0f, 0x01, 0x01, 0x00}); }

void BinXmlWriter::name(const std::string &ascii)
{
    u32(std::uint32_t(m_pos + 4));
    u32(0);   // next name in the hash bucket
    u16(0);   // hash (not checked by readers)
    u16(std::uint16_t(ascii.size()));
    for (char c : ascii)
        u16(std::uint16_t(c));
    u16(0);
}

void BinXmlWriter::open(const std::string &element, bool hasAttributes)
{
    u8(hasAttributes ? 0x41 : 0x01);
    if (m_template)
        u16(0xffff);
    u32(0);  // data size: not used by the reader
    name(element);
    if (hasAttributes)
        u32(0);
}

void BinXmlWriter::attribute(const std::string &attr)
{
    u8(0x06);
    name(attr);
}

void BinXmlWriter::text(const std::u16string &t)
{
    u8(0x05);
    u8(0x01);
    u16(std::uint16_t(t.size()));
    for (char16_t c : t)
        u16(std::uint16_t(c));
}

void BinXmlWriter::substitution(std::uint16_t index, std::uint8_t type, bool optional)
{
    u8(optional ? 0x0e : 0x0d);
    u16(index);
    u8(type);
}
void BinXmlWriter::closeStart() { u8(0x02); }
void BinXmlWriter::closeEmpty() { u8(0x03); }
void BinXmlWriter::end() { u8(0x04); }
void BinXmlWriter::endOfStream() { u8(0x00); }

std::uint32_t BinXmlWriter::templateInstance(std::uint32_t definitionOffset,
                                             const std::function<void(BinXmlWriter &)> &body,
                                             const std::vector<SubstValue> &values)
{
    u8(0x0c);
    u8(0x01);
    u32(0x1234);  // template id
    if (definitionOffset == 0) {
        definitionOffset = std::uint32_t(m_pos + 4);
        u32(definitionOffset);
        u32(0);                  // next template
        raw(Bytes(16, 0xab));    // GUID
        const std::size_t sizeAt = m_pos;
        u32(0);
        BinXmlWriter def(m_chunk, m_pos, true);
        def.fragmentHeader();
        body(def);
        def.endOfStream();
        patch32(sizeAt, std::uint32_t(def.pos() - sizeAt - 4));
        m_pos = def.pos();
    } else {
        u32(definitionOffset);
    }
    u32(std::uint32_t(values.size()));
    const std::size_t descriptors = m_pos;
    for (std::size_t i = 0; i < values.size(); ++i)
        u32(0);
    for (std::size_t i = 0; i < values.size(); ++i) {
        const std::size_t start = m_pos;
        if (values[i].writeInPlace) {
            BinXmlWriter nested(m_chunk, m_pos, false);
            values[i].writeInPlace(nested);
            m_pos = nested.pos();
        } else {
            raw(values[i].bytes);
        }
        const std::uint32_t size = std::uint32_t(m_pos - start);
        patch32(descriptors + 4 * i, size | (std::uint32_t(values[i].type) << 16));
    }
    return definitionOffset;
}

ChunkWriter::ChunkWriter() : m_chunk(65536, 0), m_pos(512)
{
    const char magic[8] = {'E', 'l', 'f', 'C', 'h', 'n', 'k', 0};
    std::copy(magic, magic + 8, m_chunk.begin());
}

std::size_t ChunkWriter::addRecord(std::uint64_t recordId, std::uint64_t writtenTime,
                                   const std::function<void(BinXmlWriter &)> &body)
{
    const std::size_t start = m_pos;
    BinXmlWriter w(m_chunk, m_pos, false);
    w.u32(0x00002a2a);
    w.u32(0);
    w.u64(recordId);
    w.u64(writtenTime);
    body(w);
    while ((w.pos() + 4) % 8)
        w.u8(0);
    const std::uint32_t size = std::uint32_t(w.pos() + 4 - start);
    w.u32(size);
    put32(m_chunk, start + 4, size);
    m_pos = w.pos();
    m_chunk.resize(65536);
    if (m_firstId == 0)
        m_firstId = recordId;
    m_lastId = recordId;
    m_lastRecord = start;
    return start;
}

Bytes ChunkWriter::finish()
{
    BinXmlWriter h(m_chunk, 8, false);
    h.u64(1);
    h.u64(m_lastId - m_firstId + 1);
    h.u64(m_firstId);
    h.u64(m_lastId);
    h.u32(128);
    h.u32(std::uint32_t(m_lastRecord));
    h.u32(std::uint32_t(m_pos));
    put32(m_chunk, 52, crc32Of(m_chunk, 512, m_pos));
    const std::uint32_t headerCrc =
        std::uint32_t(::crc32_z(::crc32_z(0, m_chunk.data(), 120), m_chunk.data() + 128, 512 - 128));
    put32(m_chunk, 124, headerCrc);
    return m_chunk;
}

std::uint32_t crc32Of(const Bytes &b, std::size_t from, std::size_t to)
{
    return std::uint32_t(::crc32_z(0, b.data() + from, to - from));
}

void put32(Bytes &b, std::size_t at, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        b[at + std::size_t(i)] = std::uint8_t(v >> (8 * i));
}

std::uint32_t le32At(const Bytes &b, std::size_t at)
{
    return std::uint32_t(b[at]) | std::uint32_t(b[at + 1]) << 8 | std::uint32_t(b[at + 2]) << 16 |
           std::uint32_t(b[at + 3]) << 24;
}

Bytes evtxFile(const std::vector<Bytes> &chunks, std::uint32_t flags)
{
    Bytes file(4096, 0);
    const char magic[8] = {'E', 'l', 'f', 'F', 'i', 'l', 'e', 0};
    std::copy(magic, magic + 8, file.begin());
    BinXmlWriter h(file, 8, false);
    h.u64(0);
    h.u64(chunks.empty() ? 0 : chunks.size() - 1);
    h.u64(1000);
    h.u32(128);
    h.u16(1);
    h.u16(3);
    h.u16(4096);
    h.u16(std::uint16_t(chunks.size()));
    put32(file, 120, flags);
    put32(file, 124, crc32Of(file, 0, 120));
    for (const Bytes &c : chunks)
        file.insert(file.end(), c.begin(), c.end());
    return file;
}

void sysmonLikeTemplate(BinXmlWriter &w, const std::vector<std::string> &dataNames)
{
    auto simple = [&](const char *element, std::uint16_t index, std::uint8_t type) {
        w.open(element, false);
        w.closeStart();
        w.substitution(index, type);
        w.end();
    };
    w.open("Event", false);
    w.closeStart();
    w.open("System", false);
    w.closeStart();
    w.open("Provider", true);
    w.attribute("Name");
    w.substitution(0, 0x01);
    w.closeEmpty();
    simple("EventID", 1, 0x06);
    w.open("TimeCreated", true);
    w.attribute("SystemTime");
    w.substitution(2, 0x11);
    w.closeEmpty();
    simple("EventRecordID", 3, 0x0a);
    simple("Channel", 4, 0x01);
    simple("Computer", 5, 0x01);
    w.end();
    w.open("EventData", false);
    w.closeStart();
    for (std::size_t i = 0; i < dataNames.size(); ++i) {
        w.open("Data", true);
        w.attribute("Name");
        w.text(std::u16string(dataNames[i].begin(), dataNames[i].end()));
        w.closeStart();
        w.substitution(std::uint16_t(6 + i), 0x01, true);
        w.end();
    }
    w.end();
    w.end();
}

void nestedBombRecord(BinXmlWriter &w, int substitutions, std::size_t binaryBytes)
{
    auto body = [substitutions](BinXmlWriter &t) {
        t.open("Event", false);
        t.closeStart();
        t.open("UserData", false);
        t.closeStart();
        for (int i = 0; i < substitutions; ++i) {
            t.open("Item", false);
            t.closeStart();
            t.substitution(0, 0x21);
            t.end();
        }
        t.end();
        t.end();
    };
    w.fragmentHeader();
    // The definition follows the instance token (1), its version (1), the template id (4) and
    // the definition offset itself (4).
    const std::uint32_t def = std::uint32_t(w.pos() + 10);
    w.templateInstance(0, body, {binXmlValue([def, binaryBytes](BinXmlWriter &n) {
                           n.fragmentHeader();
                           n.templateInstance(def, {}, {binaryValue(binaryBytes)});
                           n.endOfStream();
                       })});
    w.endOfStream();
}

void flatBombRecord(BinXmlWriter &w, int substitutions, std::size_t binaryBytes)
{
    w.fragmentHeader();
    w.templateInstance(0, [substitutions](BinXmlWriter &t) {
        t.open("Event", false);
        t.closeStart();
        t.open("EventData", false);
        t.closeStart();
        t.open("Data", false);
        t.closeStart();
        for (int i = 0; i < substitutions; ++i)
            t.substitution(0, 0x0e);
        t.end();
        t.end();
        t.end();
    }, {binaryValue(binaryBytes)});
    w.endOfStream();
}

namespace {

constexpr std::uint64_t kBombFileTime = 132474256146795829ULL;

std::vector<SubstValue> normalValues(std::uint64_t recordId)
{
    return {utf16Value(u"Microsoft-Windows-Sysmon"), u16Value(7), fileTimeValue(kBombFileTime), u64Value(recordId),
            utf16Value(u"Microsoft-Windows-Sysmon/Operational"), utf16Value(u"host1"),
            utf16Value(u"C:\\Windows\\System32\\svchost.exe"), utf16Value(u"C:\\Windows\\System32\\ntdll.dll"),
            utf16Value(u"true"), guidValue(Bytes(16, 0x11)), sidValue(5, {18})};
}

void normalRecord(ChunkWriter &chunk, std::uint64_t id, std::uint32_t &def)
{
    chunk.addRecord(id, kBombFileTime, [&](BinXmlWriter &w) {
        w.fragmentHeader();
        def = w.templateInstance(def, [](BinXmlWriter &t) {
            sysmonLikeTemplate(t, {"Image", "ImageLoaded", "Signed", "ProcessGuid", "User"});
        }, normalValues(id));
        w.endOfStream();
    });
}

} // namespace

Bytes fileWithBomb(const std::function<void(BinXmlWriter &)> &bomb, int normalAfter, int secondChunk)
{
    ChunkWriter first;
    std::uint32_t def = 0;
    std::uint64_t id = 1;
    normalRecord(first, id++, def);
    first.addRecord(id++, kBombFileTime, bomb);
    for (int i = 0; i < normalAfter; ++i)
        normalRecord(first, id++, def);
    if (secondChunk == 0)
        return evtxFile({first.finish()});
    ChunkWriter second;
    std::uint32_t def2 = 0;
    for (int i = 0; i < secondChunk; ++i)
        normalRecord(second, id++, def2);
    return evtxFile({first.finish(), second.finish()});
}

int normalRecordsOf(int normalAfter, int secondChunk) { return 1 + normalAfter + secondChunk; }

} // namespace loadlens::testing
