#pragma once
// One line of a raw audit log (/var/log/audit/audit.log): the header
//   [node=NAME ]type=TYPE msg=audit(SECONDS.MILLIS:SERIAL):
// and the name=value fields after it, split the way libauparse splits them so that what this
// reader and auparse-based tools report agree field for field. With log_format=ENRICHED, auditd
// appends the interpreted fields after a 0x1D byte; they are kept apart from the raw ones.
#include <cstdint>
#include <string>
#include <string_view>

namespace loadlens::audit {

inline constexpr char kEnrichedSeparator = '\x1d';
// 9999-12-31T23:59:59Z: a later audit(SECONDS...) stamp makes the line Malformed.
inline constexpr std::uint64_t kMaxAuditSeconds = 253402300799;

struct RecordHeader {
    std::string_view node;  // empty without a node= prefix
    std::string_view type;  // "SYSCALL", "PATH", "UNKNOWN[1420]", ...
    std::int64_t seconds = 0;
    std::uint32_t millis = 0;
    std::uint64_t serial = 0;
    std::string_view body;  // everything after the header, enriched part included
};

enum class LineKind {
    Record,    // a header was found; `header` is filled
    Ignored,   // blank line or '#' comment
    Malformed, // not an audit record; `why` says what is wrong
};

LineKind parseRecordLine(std::string_view line, RecordHeader &header, std::string_view &why);

// The raw fields (before any 0x1D) and the interpreted ones after it.
std::string_view rawFields(std::string_view body);
std::string_view enrichedFields(std::string_view body);

// Calls fn(name, value) for each field of a record body, in order, with libauparse's rules:
// tokens split on spaces; tokens without '=' or with nothing after it dropped (AVC/USER_AVC:
// "seresult" and "seperms" are made from the unlabelled words); a leading "msg='" and "(" are
// stripped from names; trailing ':' ',' '\'' ')' from values ("(null)"/"(none)" kept); an
// unquoted hex key is split into one "key" field per key. Views are valid only during the call.
class FieldSplitter {
public:
    template<typename Fn>
    void forEach(std::string_view type, std::string_view body, Fn &&fn);

    // The enriched fields: plain space-separated name=value tokens.
    template<typename Fn>
    static void forEachEnriched(std::string_view body, Fn &&fn);

private:
    enum class Step { Emit, Skip, Seperms };
    Step prepare(std::string_view token, std::size_t fieldsSoFar, bool avc, std::string_view &name,
                 std::string_view &value);
    // Splits an unquoted hex key into its parts (libauparse's virtual keys); false to keep as is.
    bool splitKey(std::string_view value);

    std::string m_scratch;
    std::string m_keys;  // the escaped keys, NUL-separated
};

std::string_view nextToken(std::string_view text, std::size_t &pos);

template<typename Fn>
void FieldSplitter::forEach(std::string_view type, std::string_view body, Fn &&fn)
{
    const std::string_view raw = rawFields(body);
    const bool avc = type == "AVC" || type == "USER_AVC";
    std::size_t pos = 0;
    std::size_t count = 0;
    for (std::string_view token = nextToken(raw, pos); !token.empty(); token = nextToken(raw, pos)) {
        std::string_view name;
        std::string_view value;
        const Step step = prepare(token, count, avc, name, value);
        if (step == Step::Skip)
            continue;
        if (step == Step::Seperms) {
            m_scratch.clear();
            for (std::string_view perm = nextToken(raw, pos); !perm.empty() && perm.front() != '}';
                 perm = nextToken(raw, pos)) {
                if (!m_scratch.empty())
                    m_scratch += ',';
                m_scratch += perm;
            }
            fn(std::string_view("seperms"), std::string_view(m_scratch));
            ++count;
            continue;
        }
        if (name == "key" && splitKey(value)) {
            for (std::size_t at = 0; at < m_keys.size();) {
                const std::size_t end = m_keys.find('\0', at);
                fn(std::string_view("key"), std::string_view(m_keys).substr(at, end - at));
                ++count;
                at = end + 1;
            }
            continue;
        }
        fn(name, value);
        ++count;
    }
}

template<typename Fn>
void FieldSplitter::forEachEnriched(std::string_view body, Fn &&fn)
{
    const std::string_view text = enrichedFields(body);
    std::size_t pos = 0;
    for (std::string_view token = nextToken(text, pos); !token.empty(); token = nextToken(text, pos)) {
        const std::size_t eq = token.find('=');
        if (eq != std::string_view::npos)
            fn(token.substr(0, eq), token.substr(eq + 1));
    }
}

} // namespace loadlens::audit
