#pragma once
// A small YAML document tree built from libyaml's event stream, enough for the HijackLibs
// entries (mappings, sequences, plain and quoted scalars). Anchors and aliases are not
// followed, nesting and size are bounded, and errors come back as text with a line number.
#include "common/result.h"

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loadlens::yaml {

struct Node {
    enum class Kind { Null, Scalar, Sequence, Mapping };
    Kind kind = Kind::Null;
    std::string scalar;
    std::vector<Node> items;        // Sequence items, or Mapping values in document order
    std::vector<std::string> keys;  // Mapping keys, parallel to items (a pair<string, Node>
                                    // member would need Node complete)

    bool isScalar() const { return kind == Kind::Scalar; }
    bool isSequence() const { return kind == Kind::Sequence; }
    bool isMapping() const { return kind == Kind::Mapping; }
    // The value of `key` in a mapping, or nullptr.
    const Node *find(std::string_view key) const;
};

// Parses the first document of `text`. Limits: nesting depth 32, 100,000 nodes.
Result<Node> parseDocument(std::string_view text);

} // namespace loadlens::yaml
