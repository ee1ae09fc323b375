#include "hijacklibs/yaml_tree.h"

#include <yaml.h>

namespace loadlens::yaml {

namespace {

constexpr std::size_t kMaxDepth = 32;
constexpr std::size_t kMaxNodes = 100000;

class EventParser {
public:
    explicit EventParser(std::string_view text)
    {
        yaml_parser_initialize(&m_parser);
        // libyaml asserts on a null pointer, which an empty string_view may carry.
        static const unsigned char empty[1] = {0};
        yaml_parser_set_input_string(&m_parser,
                                     text.data() ? reinterpret_cast<const unsigned char *>(text.data()) : empty,
                                     text.size());
    }
    ~EventParser() { yaml_parser_delete(&m_parser); }
    EventParser(const EventParser &) = delete;
    EventParser &operator=(const EventParser &) = delete;

    Result<Node> document()
    {
        // Skip STREAM-START and DOCUMENT-START; an empty stream is an empty document.
        for (;;) {
            if (!next())
                return failure();
            if (m_event.type == YAML_STREAM_END_EVENT)
                return Node{};
            if (m_event.type == YAML_DOCUMENT_START_EVENT)
                break;
            release();
        }
        release();
        if (!next())
            return failure();
        Node root;
        if (!build(root, 0))
            return failure();
        return root;
    }

private:
    bool next()
    {
        if (!yaml_parser_parse(&m_parser, &m_event)) {
            m_haveEvent = false;
            return false;
        }
        m_haveEvent = true;
        return true;
    }
    void release()
    {
        if (m_haveEvent)
            yaml_event_delete(&m_event);
        m_haveEvent = false;
    }

    Error failure()
    {
        release();
        if (!m_error.empty())
            return Error{0, m_error};
        std::string message = m_parser.problem ? m_parser.problem : "malformed YAML";
        if (m_parser.context)
            message = std::string(m_parser.context) + ": " + message;
        return Error{0, message + " (line " + std::to_string(m_parser.problem_mark.line + 1) + ")"};
    }

    bool fail(std::string message)
    {
        m_error = std::move(message) + " (line " + std::to_string(m_event.start_mark.line + 1) + ")";
        return false;
    }

    // Consumes the node whose first event is the current one (and the events it contains).
    bool build(Node &node, std::size_t depth)
    {
        if (++m_nodes > kMaxNodes)
            return fail("more than 100000 YAML nodes");
        if (depth > kMaxDepth)
            return fail("YAML nested deeper than 32 levels");
        switch (m_event.type) {
        case YAML_SCALAR_EVENT: {
            node.kind = Node::Kind::Scalar;
            node.scalar.assign(reinterpret_cast<const char *>(m_event.data.scalar.value),
                               m_event.data.scalar.length);
            const bool plain = m_event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            if (plain && (node.scalar.empty() || node.scalar == "~" || node.scalar == "null"))
                node.kind = Node::Kind::Null;
            release();
            return true;
        }
        case YAML_ALIAS_EVENT:
            release();
            return true;  // aliases are left as null: the dataset does not use them
        case YAML_SEQUENCE_START_EVENT:
            node.kind = Node::Kind::Sequence;
            release();
            for (;;) {
                if (!next())
                    return false;
                if (m_event.type == YAML_SEQUENCE_END_EVENT) {
                    release();
                    return true;
                }
                node.items.emplace_back();
                if (!build(node.items.back(), depth + 1))
                    return false;
            }
        case YAML_MAPPING_START_EVENT:
            node.kind = Node::Kind::Mapping;
            release();
            for (;;) {
                if (!next())
                    return false;
                if (m_event.type == YAML_MAPPING_END_EVENT) {
                    release();
                    return true;
                }
                if (m_event.type != YAML_SCALAR_EVENT)
                    return fail("a mapping key that is not a scalar");
                std::string key(reinterpret_cast<const char *>(m_event.data.scalar.value),
                                m_event.data.scalar.length);
                release();
                if (!next())
                    return false;
                Node value;
                if (!build(value, depth + 1))
                    return false;
                node.keys.push_back(std::move(key));
                node.items.push_back(std::move(value));
            }
        default:
            return fail("unexpected YAML event");
        }
    }

    yaml_parser_t m_parser{};
    yaml_event_t m_event{};
    bool m_haveEvent = false;
    std::size_t m_nodes = 0;
    std::string m_error;
};

} // namespace

const Node *Node::find(std::string_view key) const
{
    if (kind != Kind::Mapping)
        return nullptr;
    for (std::size_t i = 0; i < keys.size() && i < items.size(); ++i)
        if (keys[i] == key)
            return &items[i];
    return nullptr;
}

Result<Node> parseDocument(std::string_view text)
{
    EventParser parser(text);
    return parser.document();
}

} // namespace loadlens::yaml
