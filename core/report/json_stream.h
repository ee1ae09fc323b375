#pragma once
// A streaming JSON writer for large outputs (a whole host's scan is tens of megabytes): no
// document tree, one growing buffer. Strings that are not valid UTF-8 (paths and command lines
// are bytes) get U+FFFD for the bad bytes, as the tree-based output does.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::report {

class JsonStream {
public:
    explicit JsonStream(std::string &out) : m_out(out) {}

    JsonStream &beginObject();
    JsonStream &endObject();
    JsonStream &beginArray();
    JsonStream &endArray();
    JsonStream &key(std::string_view name);

    JsonStream &value(std::string_view text);
    JsonStream &value(const char *text) { return value(std::string_view(text)); }
    JsonStream &value(const std::string &text) { return value(std::string_view(text)); }
    JsonStream &value(bool b);
    JsonStream &null();
    JsonStream &value(std::int64_t n);
    JsonStream &value(std::uint64_t n);
    JsonStream &value(int n) { return value(static_cast<std::int64_t>(n)); }
    JsonStream &value(unsigned n) { return value(static_cast<std::uint64_t>(n)); }

    template<typename T>
    JsonStream &field(std::string_view name, const T &v)
    {
        key(name);
        return value(v);
    }

private:
    void separate();
    std::string &m_out;
    std::vector<bool> m_first;  // per open container: nothing written in it yet
    bool m_afterKey = false;
};

// Appends `text` as a JSON string literal (quotes included).
void appendJsonString(std::string &out, std::string_view text);

} // namespace loadlens::report
