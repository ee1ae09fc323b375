#pragma once
// Binary XML of one EVTX chunk. A fragment (a template definition, a record body, or a BinXml
// substitution value) is compiled once into a flat list of operations; a record then only
// supplies its substitution values. Template definitions and names are cached per chunk by their
// chunk offset, because that is how records refer to them.
#include "evtx/binxml_values.h"

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace loadlens::evtx {

// Element and attribute names the event builder looks for, resolved once per name.
enum class KnownName : std::uint8_t {
    Other, Event, System, Provider, EventID, TimeCreated, EventRecordID, Channel, Computer,
    EventData, Data, UserData, Name, SystemTime,
};

struct XmlName {
    std::string utf8;
    KnownName known = KnownName::Other;
};

enum class OpKind : std::uint8_t { StartElement, Attribute, CloseStart, EndElement, Text, Substitution, Instance };

struct Op {
    OpKind kind;
    bool optional = false;       // Substitution: the optional form (token 0x0e)
    std::uint32_t arg = 0;       // Text: index in texts; Substitution: value index; Instance: index in instances
    const XmlName *name = nullptr;
};

struct Fragment;

// A template instance met in a record body or a BinXml value: the compiled template and where
// its values are in the owning fragment's `values`.
struct InstanceRef {
    const Fragment *tmpl = nullptr;
    std::uint32_t firstValue = 0;
    std::uint32_t valueCount = 0;
};

struct Fragment {
    std::vector<Op> ops;
    std::vector<std::string> texts;
    std::vector<InstanceRef> instances;
    std::vector<ValueRef> values;
    void clear()
    {
        ops.clear();
        texts.clear();
        instances.clear();
        values.clear();
    }
};

struct ParseError {
    std::string what;
    std::size_t pos = 0;  // chunk-relative position where it was found
};

// Limits that keep a hostile chunk from recursing or expanding without end.
constexpr int kMaxElementDepth = 128;
constexpr int kMaxFragmentDepth = 16;

// Per-chunk caches: names and compiled templates by chunk offset.
class ChunkContext {
public:
    ChunkContext(const std::uint8_t *chunk, std::size_t size) : m_chunk(chunk), m_size(size) {}
    ChunkContext(const ChunkContext &) = delete;
    ChunkContext &operator=(const ChunkContext &) = delete;

    const std::uint8_t *data() const { return m_chunk; }
    std::size_t size() const { return m_size; }

    // The name stored at `offset` (parsed on first use), or nullptr when it does not fit.
    const XmlName *nameAt(std::uint32_t offset, std::size_t *bytesUsed, ParseError &err);
    // The template whose definition header is at `offset`, compiled on first use.
    const Fragment *templateAt(std::uint32_t offset, ParseError &err);

    std::size_t templatesCompiled() const { return m_templates.size(); }

private:
    struct TemplateSlot {
        enum class State { Compiling, Ready, Failed } state = State::Compiling;
        Fragment fragment;
        ParseError error;
    };
    const std::uint8_t *m_chunk;
    std::size_t m_size;
    std::unordered_map<std::uint32_t, XmlName> m_names;
    std::unordered_map<std::uint32_t, std::unique_ptr<TemplateSlot>> m_templates;
};

// Compiles the tokens in [begin, end) of the chunk into `out` (appending). Template definitions
// carry a dependency identifier in each element header; record bodies and BinXml values do not.
// Template instances are allowed only outside template definitions.
bool compileFragment(ChunkContext &ctx, std::size_t begin, std::size_t end, bool templateDefinition, Fragment &out,
                     ParseError &err);

} // namespace loadlens::evtx
