#include "pkg/rpm_db.h"

#include <algorithm>
#include <cstring>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unordered_map>

namespace loadlens::pkg {

namespace {

constexpr std::size_t kMaxExamples = 5;

bool isRegularFile(const std::string &path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string joinRoot(const std::string &root, const char *path)
{
    if (root.empty() || root == "/")
        return path;
    return (root.back() == '/' ? root.substr(0, root.size() - 1) : root) + path;
}

// A file: URI for SQLite, with the characters that URIs give a meaning escaped.
std::string fileUri(const std::string &path)
{
    static const char *hex = "0123456789ABCDEF";
    std::string out = "file:";
    for (unsigned char c : path) {
        if (c == '%' || c == '?' || c == '#' || c < 0x21 || c >= 0x7f) {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += char(c);
        }
    }
    return out;
}

struct DbClose {
    void operator()(sqlite3 *db) const { sqlite3_close(db); }
};
struct StmtFree {
    void operator()(sqlite3_stmt *stmt) const { sqlite3_finalize(stmt); }
};

} // namespace

// Paths and digests of every file of every package (hundreds of thousands on a real host) live
// in large chunks instead of one allocation each: building and freeing the index then costs a
// few hundred allocations, not a million.
class StringArena {
public:
    std::string_view store(std::string_view s)
    {
        if (s.empty())
            return {};
        if (m_chunks.empty() || m_used + s.size() > m_capacity) {
            m_capacity = std::max<std::size_t>(kChunk, s.size());
            m_chunks.push_back(std::make_unique<char[]>(m_capacity));
            m_used = 0;
        }
        char *at = m_chunks.back().get() + m_used;
        std::memcpy(at, s.data(), s.size());
        m_used += s.size();
        return {at, s.size()};
    }

private:
    static constexpr std::size_t kChunk = 1u << 20;
    std::vector<std::unique_ptr<char[]>> m_chunks;
    std::size_t m_used = 0;
    std::size_t m_capacity = 0;
};

struct RpmIndex::Data {
    struct File {
        std::uint32_t package = 0;
        std::uint32_t flags = 0;
        std::string_view digest;  // in `arena`
        std::string listedBy;     // further packages, "; "-joined (rare: multilib and shared docs)
    };
    struct Package {
        std::string nevra;
        std::uint32_t digestAlgo = 1;
    };
    std::string source;
    std::vector<Package> packages;
    StringArena arena;
    std::unordered_map<std::string_view, File> files;  // keys in `arena`
    RpmIndexWarnings warnings;
};

std::string RpmDbLocation::unsupportedReason() const
{
    switch (format) {
    case RpmDbFormat::BerkeleyDb:
        return "the RPM database " + file +
               " is in the BerkeleyDB format (RHEL 8 and older), which LoadLens does not read; only rpmdb.sqlite "
               "(RHEL 9, Fedora 33 and later, current SUSE) is supported";
    case RpmDbFormat::Ndb:
        return "the RPM database " + file +
               " is in the NDB format (older SUSE), which LoadLens does not read; only rpmdb.sqlite (RHEL 9, "
               "Fedora 33 and later, current SUSE) is supported";
    case RpmDbFormat::None:
    case RpmDbFormat::Sqlite:
        break;
    }
    return {};
}

RpmDbLocation findRpmDatabase(const std::string &rootDir)
{
    for (const char *dir : {"/usr/lib/sysimage/rpm", "/var/lib/rpm"}) {
        const std::string d = joinRoot(rootDir, dir);
        for (auto [name, format] : {std::pair{"/rpmdb.sqlite", RpmDbFormat::Sqlite},
                                    std::pair{"/Packages.db", RpmDbFormat::Ndb},
                                    std::pair{"/Packages", RpmDbFormat::BerkeleyDb}}) {
            if (isRegularFile(d + name))
                return RpmDbLocation{format, d, d + name};
        }
    }
    return {};
}

RpmIndex::RpmIndex()
    : m_data(std::make_shared<Data>())
{
}

bool RpmIndex::addHeader(std::span<const unsigned char> blob, std::string_view label)
{
    auto parsed = parseRpmHeader(blob);
    auto &d = *m_data;
    if (!parsed) {
        ++d.warnings.badHeaders;
        if (d.warnings.examples.size() < kMaxExamples)
            d.warnings.examples.push_back(std::string(label) + ": " + parsed.error().message);
        return false;
    }
    const auto index = static_cast<std::uint32_t>(d.packages.size());
    d.packages.push_back(Data::Package{parsed->nevra(), parsed->digestAlgo});
    for (auto &f : parsed->files) {
        if (S_ISDIR(f.mode))
            continue;  // directories are shared by many packages and never loaded
        auto found = d.files.find(f.path);
        if (found == d.files.end()) {
            d.files.emplace(d.arena.store(f.path), Data::File{index, f.flags, d.arena.store(f.digest), {}});
            continue;
        }
        Data::File &entry = found->second;
        // Several packages list the path (multilib pairs, shared files): a copy that ships
        // content wins over a ghost, the first otherwise.
        const std::string &other = d.packages[entry.package].nevra;
        const bool replace = (entry.flags & kRpmFileGhost) && !(f.flags & kRpmFileGhost);
        std::string listed = entry.listedBy;
        listed += (listed.empty() ? "" : "; ") + (replace ? other : d.packages[index].nevra);
        if (replace)
            entry = Data::File{index, f.flags, d.arena.store(f.digest), {}};
        entry.listedBy = std::move(listed);
    }
    return true;
}

Result<RpmIndex> RpmIndex::open(const std::string &sqliteFile)
{
    // Pending transactions live in the -wal file: read through it when there is one (read-only,
    // with a shared lock that does not stop rpm writing); otherwise immutable, with no lock and
    // no -shm file at all.
    struct stat wal {};
    const bool hasWal = ::stat((sqliteFile + "-wal").c_str(), &wal) == 0 && wal.st_size > 0;
    RpmIndex index;
    index.m_data->source = sqliteFile;
    std::string lastError;
    for (const char *mode : {hasWal ? "?mode=ro" : "?immutable=1", "?immutable=1"}) {
        sqlite3 *raw = nullptr;
        const int rc = sqlite3_open_v2((fileUri(sqliteFile) + mode).c_str(), &raw,
                                       SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
        std::unique_ptr<sqlite3, DbClose> db(raw);
        if (rc != SQLITE_OK) {
            lastError = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
            continue;
        }
        // A crafted file must not run its triggers or views, nor reach around its schema.
        sqlite3_db_config(raw, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
        sqlite3_db_config(raw, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
        sqlite3_db_config(raw, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, nullptr);
        sqlite3_db_config(raw, SQLITE_DBCONFIG_ENABLE_VIEW, 0, nullptr);
        sqlite3_stmt *rawStmt = nullptr;
        if (sqlite3_prepare_v2(raw, "SELECT hnum, blob FROM Packages", -1, &rawStmt, nullptr) != SQLITE_OK) {
            lastError = sqlite3_errmsg(raw);
            continue;
        }
        std::unique_ptr<sqlite3_stmt, StmtFree> stmt(rawStmt);
        // A typical package lists ~150 files: size the table once instead of rehashing as it grows.
        sqlite3_stmt *countStmt = nullptr;
        if (sqlite3_prepare_v2(raw, "SELECT count(*) FROM Packages", -1, &countStmt, nullptr) == SQLITE_OK &&
            sqlite3_step(countStmt) == SQLITE_ROW)
            index.m_data->files.reserve(static_cast<std::size_t>(std::clamp<sqlite3_int64>(
                sqlite3_column_int64(countStmt, 0), 0, 100000)) * 150);
        sqlite3_finalize(countStmt);
        int step = SQLITE_ROW;
        while ((step = sqlite3_step(rawStmt)) == SQLITE_ROW) {
            const auto hnum = sqlite3_column_int64(rawStmt, 0);
            const void *blob = sqlite3_column_blob(rawStmt, 1);
            const int size = sqlite3_column_bytes(rawStmt, 1);
            const std::span<const unsigned char> bytes(static_cast<const unsigned char *>(blob),
                                                       blob ? static_cast<std::size_t>(size) : 0);
            index.addHeader(bytes, "header #" + std::to_string(hnum));
        }
        if (step != SQLITE_DONE)
            return Error{0, "cannot read the RPM database " + sqliteFile + ": " + sqlite3_errmsg(raw)};
        if (mode[1] == 'i' && hasWal)
            index.m_data->warnings.examples.push_back(
                "its write-ahead log could not be read: the latest transactions may be missing");
        return index;
    }
    return Error{0, "cannot read the RPM database " + sqliteFile + ": " + lastError};
}

std::optional<OwnedFile> RpmIndex::lookup(std::string_view path) const
{
    const auto &d = *m_data;
    auto it = d.files.find(path);
    if (it == d.files.end())
        return std::nullopt;
    const Data::File &f = it->second;
    const Data::Package &p = d.packages[f.package];
    OwnedFile out;
    out.package = p.nevra;
    out.dpkgPath = std::string(it->first);
    out.fromRpm = true;
    out.configFile = (f.flags & kRpmFileConfig) != 0;
    if (!f.listedBy.empty())
        out.alsoListedBy.push_back(f.listedBy);
    if (f.flags & kRpmFileGhost) {
        out.digestNote = "it is a %ghost file of " + p.nevra + ": the package reserves the path but ships no content";
    } else if (f.digest.empty()) {
        out.digestNote = "the header of " + p.nevra + " gives no digest for it";
    } else if (p.digestAlgo == static_cast<std::uint32_t>(RpmDigestAlgo::Sha256) && f.digest.size() == 64) {
        out.sha256 = std::string(f.digest);
    } else if (p.digestAlgo == static_cast<std::uint32_t>(RpmDigestAlgo::Md5) && f.digest.size() == 32) {
        out.md5 = std::string(f.digest);
    } else {
        out.digestNote = "the header of " + p.nevra + " gives a " + rpmDigestAlgoName(p.digestAlgo) +
                         " digest, which LoadLens does not compute";
    }
    return out;
}

std::size_t RpmIndex::packageCount() const { return m_data->packages.size(); }
std::size_t RpmIndex::pathCount() const { return m_data->files.size(); }
const RpmIndexWarnings &RpmIndex::warnings() const { return m_data->warnings; }
const std::string &RpmIndex::source() const { return m_data->source; }

} // namespace loadlens::pkg
