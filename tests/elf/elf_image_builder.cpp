#include "elf_image_builder.h"

#include <stdexcept>

namespace loadlens::elftest {

namespace {

constexpr std::uint64_t kDtNull = 0, kDtNeeded = 1, kDtStrtab = 5, kDtStrsz = 10, kDtSoname = 14,
                        kDtRpath = 15, kDtRunpath = 29, kDtFlags1 = 0x6ffffffb;

} // namespace

void ElfImage::put(std::size_t offset, std::uint64_t value, int width)
{
    if (width == 0)
        width = is64 ? 8 : 4;
    for (int i = 0; i < width; ++i) {
        const int shift = bigEndian ? 8 * (width - 1 - i) : 8 * i;
        bytes.at(offset + std::size_t(i)) = static_cast<std::uint8_t>(value >> shift);
    }
}

std::uint64_t ElfImage::get(std::size_t offset, int width) const
{
    if (width == 0)
        width = is64 ? 8 : 4;
    std::uint64_t v = 0;
    for (int i = 0; i < width; ++i) {
        const int shift = bigEndian ? 8 * (width - 1 - i) : 8 * i;
        v |= std::uint64_t(bytes.at(offset + std::size_t(i))) << shift;
    }
    return v;
}

std::size_t ElfImage::phdrField(std::size_t phdr, int field) const
{
    static constexpr std::size_t offsets64[] = {0, 8, 16, 32, 40};
    static constexpr std::size_t offsets32[] = {0, 4, 8, 16, 20};
    return phdr + (is64 ? offsets64[field] : offsets32[field]);
}

std::size_t ElfImage::dynamicField(std::uint64_t tag, bool value) const
{
    const std::size_t entry = is64 ? 16 : 8;
    for (std::size_t i = 0; i < dynamicCount; ++i) {
        const std::size_t at = dynamicOffset + i * entry;
        if (get(at) == tag)
            return value ? at + entry / 2 : at;
    }
    throw std::runtime_error("dynamic tag not in image");
}

ElfImage buildElfImage(const ElfImageSpec &spec)
{
    ElfImage img;
    img.is64 = spec.is64;
    img.bigEndian = spec.bigEndian;
    img.loadVaddr = 0x400000;
    const std::size_t ehdrSize = spec.is64 ? 64 : 52;
    const std::size_t phdrSize = spec.is64 ? 56 : 32;
    const std::size_t word = spec.is64 ? 8 : 4;

    // String table: offset 0 is the empty string.
    std::string strtab(1, '\0');
    auto addString = [&](const std::string &s) {
        const std::size_t at = strtab.size();
        strtab += s;
        strtab.push_back('\0');
        return at;
    };
    std::vector<std::pair<std::uint64_t, std::uint64_t>> dyn;
    for (const auto &n : spec.needed)
        dyn.emplace_back(kDtNeeded, addString(n));
    if (spec.soname)
        dyn.emplace_back(kDtSoname, addString(*spec.soname));
    if (spec.rpath)
        dyn.emplace_back(kDtRpath, addString(*spec.rpath));
    if (spec.runpath)
        dyn.emplace_back(kDtRunpath, addString(*spec.runpath));
    if (spec.flags1)
        dyn.emplace_back(kDtFlags1, *spec.flags1);

    const std::size_t phnum = 1 + (spec.interp.empty() ? 0 : 1) + (spec.withDynamic ? 1 : 0);
    std::size_t pos = ehdrSize + phnum * phdrSize;
    const std::size_t interpOffset = pos;
    pos += spec.interp.empty() ? 0 : spec.interp.size() + 1;
    img.strtabOffset = pos;
    img.strtabSize = strtab.size();
    pos += strtab.size();
    pos = (pos + 7) & ~std::size_t(7);
    img.dynamicOffset = pos;
    dyn.emplace_back(kDtStrtab, img.loadVaddr + img.strtabOffset);
    dyn.emplace_back(kDtStrsz, strtab.size());
    dyn.emplace_back(kDtNull, 0);
    img.dynamicCount = dyn.size();
    pos += spec.withDynamic ? dyn.size() * 2 * word : 0;
    img.bytes.assign(pos, 0);

    std::uint8_t *b = img.bytes.data();
    b[0] = 0x7f; b[1] = 'E'; b[2] = 'L'; b[3] = 'F';
    b[4] = spec.is64 ? 2 : 1;
    b[5] = spec.bigEndian ? 2 : 1;
    b[6] = 1;
    img.put(16, spec.type, 2);
    img.put(18, spec.machine, 2);
    img.put(20, 1, 4);
    img.phoffField = spec.is64 ? 32 : 28;
    img.phentsizeField = spec.is64 ? 54 : 42;
    img.phnumField = spec.is64 ? 56 : 44;
    img.put(img.phoffField, ehdrSize);
    img.put(spec.is64 ? 52 : 40, ehdrSize, 2);
    img.put(img.phentsizeField, phdrSize, 2);
    img.put(img.phnumField, phnum, 2);

    auto writePhdr = [&](std::size_t at, std::uint32_t type, std::uint64_t offset, std::uint64_t size) {
        img.put(img.phdrField(at, 0), type, 4);
        img.put(img.phdrField(at, 1), offset);
        img.put(img.phdrField(at, 2), img.loadVaddr + offset);
        img.put(img.phdrField(at, 3), size);
        img.put(img.phdrField(at, 4), size);
    };
    std::size_t ph = ehdrSize;
    img.loadPhdr = ph;
    writePhdr(ph, 1, 0, img.bytes.size());
    ph += phdrSize;
    if (!spec.interp.empty()) {
        writePhdr(ph, 3, interpOffset, spec.interp.size() + 1);
        std::copy(spec.interp.begin(), spec.interp.end(), img.bytes.begin() + std::ptrdiff_t(interpOffset));
        ph += phdrSize;
    }
    if (spec.withDynamic) {
        img.dynamicPhdr = ph;
        writePhdr(ph, 2, img.dynamicOffset, dyn.size() * 2 * word);
        for (std::size_t i = 0; i < dyn.size(); ++i) {
            img.put(img.dynamicOffset + i * 2 * word, dyn[i].first);
            img.put(img.dynamicOffset + i * 2 * word + word, dyn[i].second);
        }
    }
    std::copy(strtab.begin(), strtab.end(), img.bytes.begin() + std::ptrdiff_t(img.strtabOffset));
    return img;
}

} // namespace loadlens::elftest
