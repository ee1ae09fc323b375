#pragma once
// Hand-made JSON events for the reader tests.
#include <string>
#include <vector>

namespace loadlens::testing {

struct JsonLayoutCase {
    const char *name;
    const char *json;
    const char *layout;
    const char *provider;
    int eventId;
    const char *imageLoaded;
};
std::vector<JsonLayoutCase> jsonLayoutCases();

// Line i of a JSON-lines file whose strings hold braces and escaped quotes.
std::string chunkTestJsonLine(int i);

} // namespace loadlens::testing
