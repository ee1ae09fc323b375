#include "pkg/rpm_header.h"

#include <array>
#include <optional>
#include <string_view>

namespace loadlens::pkg {

namespace {

enum Type : std::uint32_t { Null = 0, Char = 1, Int8 = 2, Int16 = 3, Int32 = 4, Int64 = 5, String = 6, Bin = 7,
                            StringArray = 8, I18nString = 9 };

struct IndexEntry {
    std::uint32_t tag = 0;
    std::uint32_t type = 0;
    std::uint32_t offset = 0;
    std::uint32_t count = 0;
};

std::uint32_t be32(const unsigned char *p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

const char *tagName(std::uint32_t tag)
{
    switch (tag) {
    case rpmtag::Name: return "NAME";
    case rpmtag::Version: return "VERSION";
    case rpmtag::Release: return "RELEASE";
    case rpmtag::Epoch: return "EPOCH";
    case rpmtag::Arch: return "ARCH";
    case rpmtag::FileSizes: return "FILESIZES";
    case rpmtag::FileModes: return "FILEMODES";
    case rpmtag::FileDigests: return "FILEDIGESTS";
    case rpmtag::FileFlags: return "FILEFLAGS";
    case rpmtag::FileUserName: return "FILEUSERNAME";
    case rpmtag::FileGroupName: return "FILEGROUPNAME";
    case rpmtag::OldFileNames: return "OLDFILENAMES";
    case rpmtag::DirIndexes: return "DIRINDEXES";
    case rpmtag::BaseNames: return "BASENAMES";
    case rpmtag::DirNames: return "DIRNAMES";
    case rpmtag::LongFileSizes: return "LONGFILESIZES";
    case rpmtag::FileDigestAlgo: return "FILEDIGESTALGO";
    }
    return "tag";
}

constexpr std::array<std::uint32_t, 17> kWanted{
    rpmtag::Name,      rpmtag::Version,      rpmtag::Release,       rpmtag::Epoch,        rpmtag::Arch,
    rpmtag::FileSizes, rpmtag::FileModes,    rpmtag::FileDigests,   rpmtag::FileFlags,    rpmtag::FileUserName,
    rpmtag::FileGroupName, rpmtag::OldFileNames, rpmtag::DirIndexes, rpmtag::BaseNames, rpmtag::DirNames,
    rpmtag::LongFileSizes, rpmtag::FileDigestAlgo};

class Reader {
public:
    Reader(const unsigned char *data, std::uint32_t size)
        : m_data(data)
        , m_size(size)
    {
    }

    void note(const IndexEntry &e)
    {
        for (std::size_t i = 0; i < kWanted.size(); ++i)
            if (kWanted[i] == e.tag)
                m_found[i] = e;  // a later entry replaces an earlier one
    }

    const IndexEntry *find(std::uint32_t tag) const
    {
        for (std::size_t i = 0; i < kWanted.size(); ++i)
            if (kWanted[i] == tag && m_found[i])
                return &*m_found[i];
        return nullptr;
    }

    static std::string where(const IndexEntry &e)
    {
        return std::string(tagName(e.tag)) + " (" + std::to_string(e.tag) + ")";
    }

    // count strings, each NUL-terminated, from the entry's offset. Absent tag: nullopt.
    Result<std::vector<std::string_view>> strings(std::uint32_t tag, bool single) const
    {
        const IndexEntry *e = find(tag);
        if (!e)
            return std::vector<std::string_view>{};
        const bool ok = single ? (e->type == String || ((e->type == StringArray || e->type == I18nString) && e->count >= 1))
                               : (e->type == StringArray || e->type == I18nString);
        if (!ok)
            return Error{0, where(*e) + " has type " + std::to_string(e->type) + ", not a string"};
        if (e->type == String && e->count != 1)
            return Error{0, where(*e) + " is a single string with count " + std::to_string(e->count)};
        std::vector<std::string_view> out;
        const std::uint32_t want = single ? 1 : e->count;
        if (want > m_size)  // every string takes at least its NUL
            return Error{0, where(*e) + ": " + std::to_string(want) + " strings cannot fit in " +
                                std::to_string(m_size) + " bytes of data"};
        out.reserve(want);
        std::uint64_t pos = e->offset;
        for (std::uint32_t i = 0; i < want; ++i) {
            const std::string_view rest = pos < m_size ? std::string_view(reinterpret_cast<const char *>(m_data) + pos,
                                                                          m_size - pos)
                                                       : std::string_view();
            const auto nul = rest.find('\0');
            if (nul == std::string_view::npos)
                return Error{0, where(*e) + ": string " + std::to_string(i + 1) + " of " + std::to_string(want) +
                                    " runs past the end of the data (" + std::to_string(m_size) + " bytes)"};
            out.push_back(rest.substr(0, nul));
            pos += nul + 1;
        }
        return out;
    }

    Result<std::vector<std::uint64_t>> integers(std::uint32_t tag) const
    {
        const IndexEntry *e = find(tag);
        if (!e)
            return std::vector<std::uint64_t>{};
        std::uint32_t width = 0;
        switch (e->type) {
        case Char:
        case Int8: width = 1; break;
        case Int16: width = 2; break;
        case Int32: width = 4; break;
        case Int64: width = 8; break;
        default:
            return Error{0, where(*e) + " has type " + std::to_string(e->type) + ", not an integer"};
        }
        const std::uint64_t bytes = std::uint64_t(e->count) * width;
        if (std::uint64_t(e->offset) + bytes > m_size)
            return Error{0, where(*e) + ": " + std::to_string(e->count) + " values at offset " +
                                std::to_string(e->offset) + " run past the end of the data (" +
                                std::to_string(m_size) + " bytes)"};
        std::vector<std::uint64_t> out;
        out.reserve(e->count);
        const unsigned char *p = m_data + e->offset;
        for (std::uint32_t i = 0; i < e->count; ++i, p += width) {
            std::uint64_t v = 0;
            for (std::uint32_t b = 0; b < width; ++b)
                v = (v << 8) | p[b];
            out.push_back(v);
        }
        return out;
    }

private:
    const unsigned char *m_data;
    std::uint32_t m_size;
    std::array<std::optional<IndexEntry>, kWanted.size()> m_found;
};

Status sameCount(const char *what, std::size_t have, std::size_t files)
{
    if (have == 0 || have == files)
        return Ok{};
    return Error{0, std::string(what) + " has " + std::to_string(have) + " entries for " + std::to_string(files) +
                        " files"};
}

} // namespace

std::string rpmDigestAlgoName(std::uint32_t algo)
{
    switch (static_cast<RpmDigestAlgo>(algo)) {
    case RpmDigestAlgo::Md5: return "MD5";
    case RpmDigestAlgo::Sha1: return "SHA-1";
    case RpmDigestAlgo::RipeMd160: return "RIPEMD-160";
    case RpmDigestAlgo::Sha256: return "SHA-256";
    case RpmDigestAlgo::Sha384: return "SHA-384";
    case RpmDigestAlgo::Sha512: return "SHA-512";
    case RpmDigestAlgo::Sha224: return "SHA-224";
    }
    return "algorithm " + std::to_string(algo);
}

std::string RpmHeader::nevra() const
{
    std::string out = name + "-" + version + "-" + release;
    if (!arch.empty())
        out += "." + arch;
    return out;
}

Result<RpmHeader> parseRpmHeader(std::span<const unsigned char> blob)
{
    if (blob.size() < 8)
        return Error{0, "header of " + std::to_string(blob.size()) + " bytes is shorter than its 8-byte intro"};
    const std::uint32_t indexCount = be32(blob.data());
    const std::uint32_t dataSize = be32(blob.data() + 4);
    if (indexCount == 0 || indexCount > kRpmMaxIndexEntries)
        return Error{0, "header claims " + std::to_string(indexCount) + " index entries (1 to " +
                            std::to_string(kRpmMaxIndexEntries) + " allowed)"};
    if (dataSize > kRpmMaxDataSize)
        return Error{0, "header claims " + std::to_string(dataSize) + " bytes of data (at most " +
                            std::to_string(kRpmMaxDataSize) + " allowed)"};
    const std::uint64_t expected = 8 + std::uint64_t(indexCount) * 16 + dataSize;
    if (blob.size() != expected)
        return Error{0, "header is " + std::to_string(blob.size()) + " bytes, but its intro (" +
                            std::to_string(indexCount) + " entries, " + std::to_string(dataSize) +
                            " bytes of data) makes " + std::to_string(expected)};

    const unsigned char *data = blob.data() + 8 + std::size_t(indexCount) * 16;
    Reader reader(data, dataSize);
    for (std::uint32_t i = 0; i < indexCount; ++i) {
        const unsigned char *p = blob.data() + 8 + std::size_t(i) * 16;
        IndexEntry e{be32(p), be32(p + 4), be32(p + 8), be32(p + 12)};
        if (e.type > I18nString)
            return Error{0, "index entry " + std::to_string(i) + " (tag " + std::to_string(e.tag) + ") has unknown type " +
                                std::to_string(e.type)};
        if (e.count == 0 || e.offset >= dataSize) {
            // Only the tags read here are held to it; rpm's region trailer points into the data too.
            bool wanted = false;
            for (auto t : kWanted)
                wanted = wanted || t == e.tag;
            if (wanted)
                return Error{0, "index entry " + std::to_string(i) + ", " + Reader::where(e) + ", has count " +
                                    std::to_string(e.count) + " at offset " + std::to_string(e.offset) + " of " +
                                    std::to_string(dataSize) + " bytes of data"};
            continue;
        }
        reader.note(e);
    }

    RpmHeader h;
    auto one = [&](std::uint32_t tag, std::string &into) -> Status {
        auto s = reader.strings(tag, true);
        if (!s)
            return s.error();
        if (!s->empty())
            into = std::string(s->front());
        return Ok{};
    };
    for (auto [tag, into] : {std::pair{rpmtag::Name, &h.name}, std::pair{rpmtag::Version, &h.version},
                             std::pair{rpmtag::Release, &h.release}, std::pair{rpmtag::Arch, &h.arch}})
        if (auto s = one(tag, *into); !s)
            return s.error();
    if (h.name.empty())
        return Error{0, "header has no NAME (1000)"};
    const std::string who = h.nevra() + ": ";
    auto fail = [&who](const Error &e) { return Error{0, who + e.message}; };

    auto algo = reader.integers(rpmtag::FileDigestAlgo);
    if (!algo)
        return fail(algo.error());
    if (!algo->empty())
        h.digestAlgo = static_cast<std::uint32_t>(algo->front());

    // File names: BASENAMES + DIRINDEXES into DIRNAMES, or OLDFILENAMES in very old headers.
    std::vector<std::string> paths;
    auto base = reader.strings(rpmtag::BaseNames, false);
    if (!base)
        return fail(base.error());
    if (!base->empty()) {
        auto dirs = reader.strings(rpmtag::DirNames, false);
        if (!dirs)
            return fail(dirs.error());
        auto index = reader.integers(rpmtag::DirIndexes);
        if (!index)
            return fail(index.error());
        if (index->size() != base->size())
            return fail(Error{0, "DIRINDEXES has " + std::to_string(index->size()) + " entries for " +
                                     std::to_string(base->size()) + " BASENAMES"});
        paths.reserve(base->size());
        for (std::size_t i = 0; i < base->size(); ++i) {
            if ((*index)[i] >= dirs->size())
                return fail(Error{0, "file " + std::to_string(i) + " names directory " + std::to_string((*index)[i]) +
                                         " of " + std::to_string(dirs->size()) + " DIRNAMES"});
            std::string path((*dirs)[(*index)[i]]);
            path += (*base)[i];
            paths.push_back(std::move(path));
        }
    } else {
        auto old = reader.strings(rpmtag::OldFileNames, false);
        if (!old)
            return fail(old.error());
        for (auto p : *old)
            paths.emplace_back(p);
    }
    const std::size_t n = paths.size();
    if (n == 0)
        return h;

    auto digests = reader.strings(rpmtag::FileDigests, false);
    auto users = reader.strings(rpmtag::FileUserName, false);
    auto groups = reader.strings(rpmtag::FileGroupName, false);
    auto modes = reader.integers(rpmtag::FileModes);
    auto flags = reader.integers(rpmtag::FileFlags);
    auto sizes = reader.integers(rpmtag::LongFileSizes);
    if (sizes && sizes->empty())
        sizes = reader.integers(rpmtag::FileSizes);
    for (const Error *e : {digests ? nullptr : &digests.error(), users ? nullptr : &users.error(),
                           groups ? nullptr : &groups.error(), modes ? nullptr : &modes.error(),
                           flags ? nullptr : &flags.error(), sizes ? nullptr : &sizes.error()})
        if (e)
            return fail(*e);
    for (auto [what, have] : {std::pair{"FILEDIGESTS", digests->size()}, std::pair{"FILEUSERNAME", users->size()},
                              std::pair{"FILEGROUPNAME", groups->size()}, std::pair{"FILEMODES", modes->size()},
                              std::pair{"FILEFLAGS", flags->size()}, std::pair{"FILESIZES", sizes->size()}})
        if (auto s = sameCount(what, have, n); !s)
            return fail(s.error());

    h.files.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        RpmFileEntry &f = h.files[i];
        f.path = std::move(paths[i]);
        if (!digests->empty()) {
            f.digest = std::string((*digests)[i]);
            for (char &c : f.digest)
                if (c >= 'A' && c <= 'F')
                    c = char(c - 'A' + 'a');
        }
        if (!users->empty())
            f.user = std::string((*users)[i]);
        if (!groups->empty())
            f.group = std::string((*groups)[i]);
        if (!modes->empty())
            f.mode = static_cast<std::uint32_t>((*modes)[i]);
        if (!flags->empty())
            f.flags = static_cast<std::uint32_t>((*flags)[i]);
        if (!sizes->empty())
            f.size = (*sizes)[i];
    }
    return h;
}

} // namespace loadlens::pkg
