// Feeds arbitrary bytes to the ELF parser and, when something parses, its RPATH/RUNPATH to the
// token expansion and search-order code, as a scan would.
#include "elf/dynamic_symbols.h"
#include "elf/elf_reader.h"
#include "elf/search_order.h"
#include "elf/token_expansion.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace loadlens::elf;
    MemoryByteSource source({data, size});
    (void)readExportedFunctions(source);
    auto result = parseElf({data, size});
    if (!result.ok())
        return 0;
    const ElfInfo &info = *result;
    TokenContext context;
    context.origin = "/opt/fuzz";
    for (const auto &entry : splitSearchPath(info.rpath))
        (void)expandEntry(entry, context);
    for (const auto &entry : splitSearchPath(info.runpath))
        (void)expandEntry(entry, context);

    SearchRequest request;
    request.requester = {"/opt/fuzz/libfuzz.so", info};
    request.loaders = {{"/opt/fuzz/bin/app", info}};
    request.ldLibraryPath = info.soname;
    request.defaultDirs = {"/nonexistent/lib"};
    for (const auto &name : info.needed) {
        request.neededName = name;
        const auto steps = searchOrder(request);
        if (!steps.empty())
            (void)stepIndexForDirectory(steps, "/nonexistent/other");
    }
    return 0;
}
