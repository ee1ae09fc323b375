#include "pkg/hash_cache.h"

#include "common/data_dir.h"

#include "common/log.h"
#include "common/trusted_path.h"
#include "pkg/hash_internal.h"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

namespace loadlens::pkg {

namespace {

constexpr int kApplicationId = 0x4c4c4843;  // "LLHC"

struct StmtFree {
    void operator()(sqlite3_stmt *stmt) const { sqlite3_finalize(stmt); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFree>;

bool isHex(const unsigned char *text, int length, int expected)
{
    if (!text || length != expected)
        return false;
    for (int i = 0; i < length; ++i) {
        const unsigned char c = text[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

Status makeParentDirs(const std::string &path)
{
    for (std::size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
        const std::string dir = path.substr(0, slash);
        if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
            return Error::fromErrno(errno, "cannot create directory " + dir + " for the hash cache");
    }
    return Ok{};
}

} // namespace

struct HashCache::Impl {
    std::string path;
    sqlite3 *db = nullptr;
    Stmt find;
    Stmt upsert;

    ~Impl()
    {
        find.reset();
        upsert.reset();
        if (db)
            sqlite3_close(db);
    }

    Error error(const std::string &what) const
    {
        return Error{0, what + " " + path + ": " + (db ? sqlite3_errmsg(db) : "out of memory")};
    }
    Status exec(const char *sql, const std::string &what)
    {
        if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
            return error(what);
        return Ok{};
    }
    // The single integer of a one-row query.
    Result<sqlite3_int64> queryInt(const char *sql, const std::string &what)
    {
        sqlite3_stmt *raw = nullptr;
        if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK)
            return error(what);
        Stmt stmt(raw);
        if (sqlite3_step(stmt.get()) != SQLITE_ROW)
            return error(what);
        return sqlite3_column_int64(stmt.get(), 0);
    }
    Status prepare(const char *sql, Stmt &out)
    {
        sqlite3_stmt *raw = nullptr;
        if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK)
            return error("cannot prepare statements for hash cache");
        out.reset(raw);
        return Ok{};
    }
    Status createSchema()
    {
        static const char *const sql =
            "BEGIN IMMEDIATE;"
            "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);"
            "CREATE TABLE IF NOT EXISTS file_hash("
            " dev INTEGER NOT NULL, inode INTEGER NOT NULL, size INTEGER NOT NULL,"
            " mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL,"
            " sha256 TEXT NOT NULL, md5 TEXT NOT NULL, stored_at INTEGER NOT NULL,"
            " PRIMARY KEY(dev, inode)) WITHOUT ROWID;"
            "INSERT INTO schema_version(version) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM schema_version);"
            "PRAGMA application_id = 1280067651;"
            "COMMIT;";
        if (auto s = exec(sql, "cannot create hash cache schema in"); !s) {
            sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
            return s;
        }
        return Ok{};
    }
    Status bindStamp(sqlite3_stmt *stmt, const FileStamp &s)
    {
        if (sqlite3_bind_int64(stmt, 1, static_cast<sqlite3_int64>(s.dev)) != SQLITE_OK
            || sqlite3_bind_int64(stmt, 2, static_cast<sqlite3_int64>(s.inode)) != SQLITE_OK
            || sqlite3_bind_int64(stmt, 3, static_cast<sqlite3_int64>(s.size)) != SQLITE_OK
            || sqlite3_bind_int64(stmt, 4, s.mtimeNs) != SQLITE_OK || sqlite3_bind_int64(stmt, 5, s.ctimeNs) != SQLITE_OK)
            return error("cannot bind values for hash cache");
        return Ok{};
    }
    Status storeOne(const FileStamp &stamp, const Digests &d)
    {
        sqlite3_stmt *stmt = upsert.get();
        sqlite3_reset(stmt);
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
        if (auto s = bindStamp(stmt, stamp); !s)
            return s;
        if (sqlite3_bind_text(stmt, 6, d.sha256.data(), int(d.sha256.size()), SQLITE_TRANSIENT) != SQLITE_OK
            || sqlite3_bind_text(stmt, 7, d.md5.data(), int(d.md5.size()), SQLITE_TRANSIENT) != SQLITE_OK
            || sqlite3_bind_int64(stmt, 8, now) != SQLITE_OK)
            return error("cannot bind values for hash cache");
        const int rc = sqlite3_step(stmt);
        sqlite3_reset(stmt);
        if (rc != SQLITE_DONE)
            return error("cannot write hash cache");
        return Ok{};
    }
};

HashCache::HashCache(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
HashCache::HashCache(HashCache &&other) noexcept = default;
HashCache &HashCache::operator=(HashCache &&other) noexcept = default;
HashCache::~HashCache() = default;

const std::string &HashCache::path() const { return m_impl->path; }

Result<HashCache> HashCache::open(const std::string &path)
{
    // Its digests decide verdicts: as root, only a file nobody else can have written.
    if (auto trusted = checkCacheTrusted(path); !trusted)
        return trusted.error();
    if (auto dirs = makeParentDirs(path); !dirs)
        return dirs.error();
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
    if (sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr) != SQLITE_OK)
        return impl->error("cannot open hash cache");
    sqlite3 *db = impl->db;
    // A foreign or crafted file must not run its triggers/views or reach around the schema.
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, nullptr);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, nullptr);
    sqlite3_busy_timeout(db, 2000);
    if (auto s = impl->exec("PRAGMA trusted_schema=OFF", "cannot configure hash cache"); !s)
        return s.error();

    // The first read of the header: a file that is not SQLite fails here.
    auto tables = impl->queryInt("SELECT count(*) FROM sqlite_schema", "cannot read hash cache");
    if (!tables)
        return tables.error();
    auto appId = impl->queryInt("PRAGMA application_id", "cannot read hash cache");
    if (!appId)
        return appId.error();
    if (*tables > 0 && *appId != kApplicationId)
        return Error{0, "cannot use " + path + " as hash cache: it is a SQLite database of another application"};
    if (auto check = impl->queryInt("SELECT \"quick_check\" = 'ok' FROM pragma_quick_check", "cannot check hash cache");
        !check || *check != 1)
        return Error{0, "cannot use hash cache " + path + ": the database is damaged"};

    auto mode = impl->exec("PRAGMA journal_mode=WAL", "cannot switch hash cache to WAL");
    if (!mode)
        log::get("core.pkg")->warn("{}", mode.error().message);
    (void)impl->exec("PRAGMA synchronous=NORMAL", "cannot configure hash cache");

    if (*tables == 0) {
        if (auto s = impl->createSchema(); !s)
            return s.error();
    }
    auto version = impl->queryInt("SELECT max(version) FROM schema_version", "cannot read hash cache schema version of");
    if (!version)
        return version.error();
    if (*version != kSchemaVersion)
        return Error{0, "cannot use hash cache " + path + ": schema version " + std::to_string(*version)
                            + " (this build reads version " + std::to_string(kSchemaVersion) + ")"};
    if (auto s = impl->prepare("SELECT sha256, md5 FROM file_hash WHERE dev=?1 AND inode=?2 AND size=?3"
                               " AND mtime_ns=?4 AND ctime_ns=?5",
                               impl->find);
        !s)
        return s.error();
    if (auto s = impl->prepare("INSERT INTO file_hash(dev, inode, size, mtime_ns, ctime_ns, sha256, md5, stored_at)"
                               " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(dev, inode) DO UPDATE SET"
                               " size=excluded.size, mtime_ns=excluded.mtime_ns, ctime_ns=excluded.ctime_ns,"
                               " sha256=excluded.sha256, md5=excluded.md5, stored_at=excluded.stored_at",
                               impl->upsert);
        !s)
        return s.error();
    return HashCache(std::move(impl));
}

std::optional<Digests> HashCache::find(const FileStamp &stamp)
{
    sqlite3_stmt *stmt = m_impl->find.get();
    sqlite3_reset(stmt);
    if (!m_impl->bindStamp(stmt, stamp))
        return std::nullopt;
    const int rc = sqlite3_step(stmt);
    std::optional<Digests> out;
    if (rc == SQLITE_ROW) {
        const auto *sha = sqlite3_column_text(stmt, 0);
        const int shaLength = sqlite3_column_bytes(stmt, 0);
        const auto *md5 = sqlite3_column_text(stmt, 1);
        const int md5Length = sqlite3_column_bytes(stmt, 1);
        // A row that is not well-formed hex is never trusted as a digest.
        if (isHex(sha, shaLength, 64) && (md5Length == 0 || isHex(md5, md5Length, 32)))
            out = Digests{std::string(reinterpret_cast<const char *>(sha), std::size_t(shaLength)),
                          std::string(reinterpret_cast<const char *>(md5), std::size_t(md5Length))};
    } else if (rc != SQLITE_DONE) {
        log::get("core.pkg")->warn("{}", m_impl->error("cannot read hash cache").message);
    }
    sqlite3_reset(stmt);
    return out;
}

Status HashCache::store(const FileStamp &stamp, const Digests &digests)
{
    return storeBatch({{stamp, digests}});
}

Status HashCache::storeBatch(const std::vector<std::pair<FileStamp, Digests>> &entries)
{
    if (entries.empty())
        return Ok{};
    if (auto s = m_impl->exec("BEGIN IMMEDIATE", "cannot write hash cache"); !s)
        return s;
    for (const auto &[stamp, digests] : entries) {
        if (auto s = m_impl->storeOne(stamp, digests); !s) {
            sqlite3_exec(m_impl->db, "ROLLBACK", nullptr, nullptr, nullptr);
            return s;
        }
    }
    if (auto s = m_impl->exec("COMMIT", "cannot write hash cache"); !s) {
        sqlite3_exec(m_impl->db, "ROLLBACK", nullptr, nullptr, nullptr);
        return s;
    }
    return Ok{};
}

std::string defaultHashCachePath()
{
    return dataDirectory() + "/hash-cache.sqlite";
}

CachedHashRun hashFilesCached(const std::vector<HashJob> &jobs, HashCache *cache, unsigned threads,
                              const ProgressFn &progress, const CancelToken &cancel, const HashOptions &options)
{
    CachedHashRun run;
    run.outcomes.resize(jobs.size());
    std::vector<HashJob> misses;
    std::vector<std::size_t> missIndex;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        if (cache) {
            struct stat st {};
            const int rc = jobs[i].fd >= 0 ? ::fstat(jobs[i].fd, &st)
                                           : ::fstatat(AT_FDCWD, jobs[i].path.c_str(), &st, AT_SYMLINK_NOFOLLOW);
            if (rc == 0 && S_ISREG(st.st_mode)) {
                const FileStamp stamp = detail::stampOf(st);
                auto hit = cache->find(stamp);
                if (hit && (!options.md5 || !hit->md5.empty())) {
                    run.outcomes[i].digests = std::move(*hit);
                    run.outcomes[i].stamp = stamp;
                    run.outcomes[i].fromCache = true;
                    ++run.cacheHits;
                    continue;
                }
            }
        }
        misses.push_back(jobs[i]);
        missIndex.push_back(i);
    }
    ProgressFn offsetProgress;
    if (progress)
        offsetProgress = [&](std::size_t done, std::size_t, const std::string &step) {
            progress(run.cacheHits + done, jobs.size(), step);
        };
    auto hashed = hashFiles(misses, threads, offsetProgress, cancel, options);
    std::vector<std::pair<FileStamp, Digests>> fresh;
    for (std::size_t k = 0; k < hashed.size(); ++k) {
        if (!hashed[k].cancelled)
            ++run.hashed;
        if (hashed[k].ok())
            fresh.emplace_back(hashed[k].stamp, hashed[k].digests);
        run.outcomes[missIndex[k]] = std::move(hashed[k]);
    }
    if (cache && !fresh.empty())
        if (auto s = cache->storeBatch(fresh); !s) {
            log::get("core.pkg")->warn("{}", s.error().message);
            run.cacheError = s.error();
        }
    return run;
}

} // namespace loadlens::pkg
