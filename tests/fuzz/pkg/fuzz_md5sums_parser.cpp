// Fuzzes the dpkg admin-dir parsers: md5sums, list and diversions lines, and the index built
// from them. The first input byte picks how the rest is fed, so one corpus covers all three.
// Invariants are checked with abort(): a corrupt line must never produce a digest or a path.
#include "pkg/dpkg_index.h"
#include "pkg/dpkg_parse.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace loadlens::pkg;

namespace {

void require(bool condition)
{
    if (!condition)
        std::abort();
}

bool isHexDigit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

void checkLines(std::string_view text)
{
    forEachLine(text, [](std::string_view line, std::size_t number) {
        require(number > 0);
        require(line.find('\n') == std::string_view::npos);
        Md5Bytes md5{};
        std::string_view relative;
        if (parseMd5sumsLine(line, md5, relative) == LineStatus::Ok) {
            require(line.size() >= 35);
            for (std::size_t i = 0; i < 32; ++i)
                require(isHexDigit(line[i]));
            std::string lower(line.substr(0, 32));
            for (char &c : lower)
                if (c >= 'A' && c <= 'F')
                    c = char(c - 'A' + 'a');
            require(md5ToHex(md5) == lower);
            require(!relative.empty() && relative.front() != '/');
        }
        std::string_view path;
        if (parseListLine(line, path) == LineStatus::Ok)
            require(!path.empty() && path.front() == '/');
    });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::string_view text(reinterpret_cast<const char *>(data) + 1, size - 1);
    checkLines(text);

    const DiversionsParse diversions = parseDiversions(text);
    for (const DiversionRecord &r : diversions.records) {
        require(!r.original.empty() && r.original.front() == '/');
        require(!r.divertedTo.empty() && r.divertedTo.front() == '/');
    }

    // The same bytes as every kind of admin-dir file of one package, then lookups of whatever
    // paths they name: lookups must stay consistent with what was parsed.
    DpkgIndexBuilder builder("/fuzz", (data[0] & 1) != 0);
    builder.addList("pkg:amd64", std::string(text), "info/pkg:amd64.list");
    builder.addMd5sums("pkg:amd64", std::string(text), "info/pkg:amd64.md5sums");
    if (data[0] & 2)
        builder.addDiversions(text, "diversions");
    const DpkgIndex index = builder.finish();
    require(index.available());
    forEachLine(text, [&](std::string_view line, std::size_t) {
        auto owned = index.lookup(line);
        if (owned) {
            require(!owned->package.empty());
            require(!owned->dpkgPath.empty() && owned->dpkgPath.front() == '/');
            require(!owned->md5 || owned->md5->size() == 32);
        }
    });
    require(index.warnings().examples.size() <= 5);
    return 0;
}
