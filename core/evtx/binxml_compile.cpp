// Token reader for EVTX binary XML (token values as documented by libyal's "Windows XML Event
// Log (EVTX)" format description): compiles a fragment into the flat op list of binxml.h.
#include "evtx/binxml.h"

#include "evtx/evtx_bytes.h"

#include <string_view>

namespace loadlens::evtx {

namespace {

namespace tok {
constexpr std::uint8_t EndOfStream = 0x00, OpenStart = 0x01, CloseStart = 0x02, CloseEmpty = 0x03, EndElement = 0x04,
                       Value = 0x05, Attribute = 0x06, CData = 0x07, CharRef = 0x08, EntityRef = 0x09,
                       PITarget = 0x0a, PIData = 0x0b, TemplateInstance = 0x0c, NormalSubst = 0x0d,
                       OptionalSubst = 0x0e, FragmentHeader = 0x0f, MoreFlag = 0x40;
}

constexpr std::size_t kNameHeader = 8;            // next-name offset, hash, character count
constexpr std::size_t kTemplateHeader = 24;       // next-template offset, GUID, data size

KnownName classify(std::string_view s)
{
    struct Entry {
        std::string_view text;
        KnownName known;
    };
    static constexpr Entry table[] = {
        {"Event", KnownName::Event},         {"System", KnownName::System},
        {"Provider", KnownName::Provider},   {"EventID", KnownName::EventID},
        {"TimeCreated", KnownName::TimeCreated}, {"EventRecordID", KnownName::EventRecordID},
        {"Channel", KnownName::Channel},     {"Computer", KnownName::Computer},
        {"EventData", KnownName::EventData}, {"Data", KnownName::Data},
        {"UserData", KnownName::UserData},   {"Name", KnownName::Name},
        {"SystemTime", KnownName::SystemTime},
    };
    for (const Entry &e : table)
        if (e.text == s)
            return e.known;
    return KnownName::Other;
}

class Compiler {
public:
    Compiler(ChunkContext &ctx, ByteCursor cur, bool templateDefinition, Fragment &out, ParseError &err)
        : m_ctx(ctx), m_cur(cur), m_template(templateDefinition), m_out(out), m_err(err)
    {
    }

    bool fragment()
    {
        std::uint8_t t;
        while (m_cur.remaining() > 0) {
            if (!m_cur.u8(t))
                return fail("truncated token");
            switch (t & std::uint8_t(~tok::MoreFlag)) {
            case tok::EndOfStream: return true;
            case tok::FragmentHeader:
                if (!m_cur.skip(3))
                    return fail("truncated fragment header");
                break;
            case tok::OpenStart:
                if (!element(t, 0))
                    return false;
                break;
            case tok::TemplateInstance:
                if (!instance())
                    return false;
                break;
            case tok::PITarget: case tok::PIData:
                if (!processingInstruction(t))
                    return false;
                break;
            default: return fail("unexpected token " + std::to_string(t) + " at fragment level");
            }
        }
        return true;
    }

private:
    bool fail(std::string what)
    {
        m_err.what = std::move(what);
        m_err.pos = m_cur.pos();
        return false;
    }

    void emit(OpKind kind, std::uint32_t arg = 0, const XmlName *name = nullptr, bool optional = false)
    {
        m_out.ops.push_back(Op{kind, optional, arg, name});
    }

    bool readName(const XmlName *&name)
    {
        std::uint32_t offset;
        if (!m_cur.u32(offset))
            return fail("truncated name offset");
        std::size_t used = 0;
        name = m_ctx.nameAt(offset, &used, m_err);
        if (!name)
            return false;
        if (offset == m_cur.pos() && !m_cur.skip(used))  // stored inline: step over it
            return fail("inline name runs past its fragment");
        return true;
    }

    void emitText(std::string text)
    {
        m_out.texts.push_back(std::move(text));
        emit(OpKind::Text, std::uint32_t(m_out.texts.size() - 1));
    }

    bool utf16Text(std::string &text)
    {
        std::uint16_t units;
        if (!m_cur.u16(units))
            return fail("truncated text length");
        const std::uint8_t *p = m_cur.here();
        if (!m_cur.skip(std::size_t(units) * 2))
            return fail("text runs past its fragment");
        appendUtf16(text, p, units);
        return true;
    }

    // One piece of character data; false with no error set when `t` is not character data.
    bool characterData(std::uint8_t t, bool &handled)
    {
        handled = true;
        switch (t & std::uint8_t(~tok::MoreFlag)) {
        case tok::Value: {
            std::uint8_t type;
            if (!m_cur.u8(type))
                return fail("truncated value type");
            if (type != vt::String)
                return fail("value text of type " + std::to_string(type));
            std::string text;
            if (!utf16Text(text))
                return false;
            emitText(std::move(text));
            return true;
        }
        case tok::CData: {
            std::string text;
            if (!utf16Text(text))
                return false;
            emitText(std::move(text));
            return true;
        }
        case tok::CharRef: {
            std::uint16_t c;
            if (!m_cur.u16(c))
                return fail("truncated character reference");
            std::string text;
            const std::uint8_t bytes[2] = {std::uint8_t(c & 0xff), std::uint8_t(c >> 8)};
            appendUtf16(text, bytes, 1);
            emitText(std::move(text));
            return true;
        }
        case tok::EntityRef: {
            const XmlName *name = nullptr;
            if (!readName(name))
                return false;
            const std::string &n = name->utf8;
            emitText(n == "lt" ? "<" : n == "gt" ? ">" : n == "amp" ? "&" : n == "quot" ? "\"" : n == "apos" ? "'"
                                                                                           : "&" + n + ";");
            return true;
        }
        case tok::NormalSubst: case tok::OptionalSubst: {
            std::uint16_t index;
            std::uint8_t type;
            if (!m_cur.u16(index) || !m_cur.u8(type))
                return fail("truncated substitution");
            emit(OpKind::Substitution, index, nullptr, (t & std::uint8_t(~tok::MoreFlag)) == tok::OptionalSubst);
            return true;
        }
        default: handled = false; return true;
        }
    }

    bool processingInstruction(std::uint8_t t)
    {
        if ((t & std::uint8_t(~tok::MoreFlag)) == tok::PITarget) {
            const XmlName *name = nullptr;
            return readName(name);
        }
        std::string ignored;
        return utf16Text(ignored);
    }

    bool element(std::uint8_t openToken, int depth)
    {
        if (depth >= kMaxElementDepth)
            return fail("elements nested deeper than " + std::to_string(kMaxElementDepth));
        if (m_template && !m_cur.skip(2))  // dependency identifier
            return fail("truncated element header");
        std::uint32_t dataSize;
        if (!m_cur.u32(dataSize))
            return fail("truncated element header");
        const XmlName *name = nullptr;
        if (!readName(name))
            return false;
        std::uint32_t attributeListSize = 0;
        if ((openToken & tok::MoreFlag) && !m_cur.u32(attributeListSize))
            return fail("truncated attribute list size");
        emit(OpKind::StartElement, 0, name);

        std::uint8_t t;
        for (;;) {
            if (!m_cur.u8(t))
                return fail("element '" + name->utf8 + "' is not closed");
            if ((t & std::uint8_t(~tok::MoreFlag)) != tok::Attribute)
                break;
            const XmlName *attr = nullptr;
            if (!readName(attr))
                return false;
            emit(OpKind::Attribute, 0, attr);
            for (;;) {
                std::uint8_t next;
                if (!m_cur.peek(next))
                    return fail("attribute '" + attr->utf8 + "' has no value");
                const std::uint8_t kind = next & std::uint8_t(~tok::MoreFlag);
                if (kind == tok::Attribute || kind == tok::CloseStart || kind == tok::CloseEmpty)
                    break;
                m_cur.skip(1);
                bool handled;
                if (!characterData(next, handled))
                    return false;
                if (!handled)
                    return fail("unexpected token " + std::to_string(next) + " in attribute '" + attr->utf8 + "'");
            }
        }
        emit(OpKind::CloseStart);
        if (t == tok::CloseEmpty) {
            emit(OpKind::EndElement);
            return true;
        }
        if (t != tok::CloseStart)
            return fail("unexpected token " + std::to_string(t) + " after the start of '" + name->utf8 + "'");

        for (;;) {
            if (!m_cur.u8(t))
                return fail("element '" + name->utf8 + "' has no end");
            const std::uint8_t kind = t & std::uint8_t(~tok::MoreFlag);
            if (kind == tok::EndElement) {
                emit(OpKind::EndElement);
                return true;
            }
            if (kind == tok::OpenStart) {
                if (!element(t, depth + 1))
                    return false;
                continue;
            }
            if (kind == tok::TemplateInstance) {
                if (!instance())
                    return false;
                continue;
            }
            if (kind == tok::PITarget || kind == tok::PIData) {
                if (!processingInstruction(t))
                    return false;
                continue;
            }
            bool handled;
            if (!characterData(t, handled))
                return false;
            if (!handled)
                return fail("unexpected token " + std::to_string(t) + " inside '" + name->utf8 + "'");
        }
    }

    bool instance()
    {
        if (m_template)
            return fail("template instance inside a template definition");
        std::uint32_t templateId, defOffset;
        if (!m_cur.skip(1) || !m_cur.u32(templateId) || !m_cur.u32(defOffset))
            return fail("truncated template instance");
        if (defOffset == m_cur.pos()) {  // the definition follows inline: step over it
            if (m_cur.remaining() < kTemplateHeader)
                return fail("truncated inline template definition");
            const std::uint32_t dataSize = le32(m_cur.here() + 20);
            if (!m_cur.skip(kTemplateHeader) || !m_cur.skip(dataSize))
                return fail("inline template definition runs past its record");
        }
        const Fragment *tmpl = m_ctx.templateAt(defOffset, m_err);
        if (!tmpl)
            return false;
        std::uint32_t count;
        if (!m_cur.u32(count))
            return fail("truncated substitution count");
        if (std::size_t(count) * 4 > m_cur.remaining())
            return fail("substitution count " + std::to_string(count) + " exceeds the record");
        InstanceRef ref{tmpl, std::uint32_t(m_out.values.size()), count};
        const std::size_t firstDescriptor = m_cur.pos();
        m_cur.skip(std::size_t(count) * 4);
        for (std::uint32_t i = 0; i < count; ++i) {
            const std::uint8_t *d = m_cur.base() + firstDescriptor + 4 * std::size_t(i);
            ValueRef v;
            v.size = le16(d);
            v.type = d[2];
            v.pos = std::uint32_t(m_cur.pos());
            if (!m_cur.skip(v.size))
                return fail("substitution value " + std::to_string(i) + " runs past the record");
            m_out.values.push_back(v);
        }
        m_out.instances.push_back(ref);
        emit(OpKind::Instance, std::uint32_t(m_out.instances.size() - 1));
        return true;
    }

    ChunkContext &m_ctx;
    ByteCursor m_cur;
    bool m_template;
    Fragment &m_out;
    ParseError &m_err;
};

} // namespace

const XmlName *ChunkContext::nameAt(std::uint32_t offset, std::size_t *bytesUsed, ParseError &err)
{
    if (std::size_t(offset) + kNameHeader > m_size) {
        err = {"name offset " + std::to_string(offset) + " outside the chunk", offset};
        return nullptr;
    }
    const std::size_t units = le16(m_chunk + offset + 6);
    const std::size_t used = kNameHeader + 2 * units + 2;
    if (offset + used > m_size) {
        err = {"name at " + std::to_string(offset) + " runs past the chunk", offset};
        return nullptr;
    }
    if (bytesUsed)
        *bytesUsed = used;
    auto it = m_names.find(offset);
    if (it != m_names.end())
        return &it->second;
    XmlName name;
    appendUtf16(name.utf8, m_chunk + offset + kNameHeader, units);
    name.known = classify(name.utf8);
    return &m_names.emplace(offset, std::move(name)).first->second;
}

const Fragment *ChunkContext::templateAt(std::uint32_t offset, ParseError &err)
{
    auto it = m_templates.find(offset);
    if (it != m_templates.end()) {
        TemplateSlot &slot = *it->second;
        if (slot.state == TemplateSlot::State::Ready)
            return &slot.fragment;
        err = slot.state == TemplateSlot::State::Compiling
                  ? ParseError{"template at " + std::to_string(offset) + " refers to itself", offset}
                  : slot.error;
        return nullptr;
    }
    TemplateSlot &slot = *m_templates.emplace(offset, std::make_unique<TemplateSlot>()).first->second;
    if (std::size_t(offset) + kTemplateHeader > m_size) {
        slot.state = TemplateSlot::State::Failed;
        slot.error = {"template offset " + std::to_string(offset) + " outside the chunk", offset};
        err = slot.error;
        return nullptr;
    }
    const std::size_t begin = std::size_t(offset) + kTemplateHeader;
    const std::size_t end = begin + le32(m_chunk + offset + 20);
    if (end > m_size) {
        slot.state = TemplateSlot::State::Failed;
        slot.error = {"template at " + std::to_string(offset) + " runs past the chunk", offset};
        err = slot.error;
        return nullptr;
    }
    if (!compileFragment(*this, begin, end, true, slot.fragment, slot.error)) {
        slot.state = TemplateSlot::State::Failed;
        slot.error.what = "template at " + std::to_string(offset) + ": " + slot.error.what;
        slot.fragment.clear();
        err = slot.error;
        return nullptr;
    }
    slot.state = TemplateSlot::State::Ready;
    return &slot.fragment;
}

bool compileFragment(ChunkContext &ctx, std::size_t begin, std::size_t end, bool templateDefinition, Fragment &out,
                     ParseError &err)
{
    if (end > ctx.size() || begin > end) {
        err = {"fragment outside the chunk", begin};
        return false;
    }
    Compiler compiler(ctx, ByteCursor(ctx.data(), begin, end), templateDefinition, out, err);
    return compiler.fragment();
}

} // namespace loadlens::evtx
