// Fuzzes the RPM database header parser and the index built from parsed headers. Invariants are
// checked with abort(): a damaged header is an error with a message, never a package; a parsed
// package's files all have paths and agree with what the index answers.
#include "pkg/rpm_db.h"
#include "pkg/rpm_header.h"

#include <cstdint>
#include <cstdlib>
#include <span>

using namespace loadlens::pkg;

namespace {

void require(bool condition)
{
    if (!condition)
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::span<const unsigned char> blob(data, size);
    auto header = parseRpmHeader(blob);
    RpmIndex index;
    const bool added = index.addHeader(blob, "fuzz");
    require(added == header.ok());
    if (!header) {
        require(!header.error().message.empty());
        require(index.packageCount() == 0 && index.warnings().badHeaders == 1);
        return 0;
    }
    require(!header->name.empty());
    require(index.packageCount() == 1);
    for (const auto &f : header->files) {
        auto owned = index.lookup(f.path);
        if (!owned)
            continue;  // directories are not indexed
        require(owned->fromRpm);
        require(owned->package == header->nevra());
        require(!owned->sha256 || owned->sha256->size() == 64);
        require(!owned->md5 || owned->md5->size() == 32);
        require(!(owned->sha256 && owned->md5));
    }
    return 0;
}
