// Replays files (or every file below directories) through LLVMFuzzerTestOneInput, so a fuzz
// target's corpus and the damaged samples run as a regression test without libFuzzer.
// Missing paths (e.g. ../shared/data on a machine without it) are reported and skipped.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);

namespace fs = std::filesystem;

static void replayFile(const fs::path &path, int &count)
{
    std::ifstream in(path, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t *>(bytes.data()), bytes.size());
    ++count;
}

int main(int argc, char **argv)
{
    int count = 0;
    LLVMFuzzerTestOneInput(nullptr, 0);
    for (int i = 1; i < argc; ++i) {
        const fs::path root(argv[i]);
        std::error_code ec;
        if (fs::is_regular_file(root, ec)) {
            replayFile(root, count);
        } else if (fs::is_directory(root, ec)) {
            for (const auto &entry : fs::recursive_directory_iterator(root, ec))
                if (entry.is_regular_file())
                    replayFile(entry.path(), count);
        } else {
            std::printf("skipped (absent): %s\n", argv[i]);
        }
    }
    std::printf("replayed %d inputs\n", count);
    return count > 0 ? 0 : 1;
}
