// Writes the crafted single-chunk EVTX files of tst_evtx_limits (records that expand far beyond
// their size) into a directory, as seeds for fuzz_evtx: scripts/make_evtx_fuzz_seeds.py runs it.
#include "evtx_test_file.h"

#include <cstdio>
#include <fstream>
#include <string>

using namespace loadlens::testing;

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    const std::string dir = argv[1];
    const struct {
        const char *name;
        Bytes bytes;
    } files[] = {
        {"crafted_nested_binxml_bomb", fileWithBomb([](BinXmlWriter &w) { nestedBombRecord(w, 100, 40000); }, 3, 0)},
        {"crafted_flat_substitution_bomb", fileWithBomb([](BinXmlWriter &w) { flatBombRecord(w, 4000, 12000); }, 3, 0)},
    };
    for (const auto &f : files) {
        std::ofstream out(dir + "/" + f.name, std::ios::binary);
        out.write(reinterpret_cast<const char *>(f.bytes.data()), std::streamsize(f.bytes.size()));
        if (!out) {
            std::fprintf(stderr, "cannot write %s/%s\n", dir.c_str(), f.name);
            return 1;
        }
    }
    return 0;
}
