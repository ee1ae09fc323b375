#include "store/case_database.h"

#include "common/data_dir.h"

#include "common/io.h"
#include "common/log.h"
#include "store/schema.h"
#include "store/sqlite_header.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>

namespace loadlens::store {

namespace {

std::string hex32(std::int32_t value)
{
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "0x%08x", static_cast<unsigned>(value));
    return buffer;
}

Status makeParentDirs(const std::string &path)
{
    for (std::size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
        const std::string dir = path.substr(0, slash);
        if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
            return Error::fromErrno(errno, "cannot create directory " + dir + " for the case " + path);
    }
    return Ok{};
}

// What can be told from the bytes before SQLite opens the file: not SQLite at all, another
// application's database, or cut short (a truncated copy would otherwise fail mid-query).
Status checkExistingFile(const std::string &path, const struct stat &st)
{
    auto head = io::readFile(path, kSqliteHeaderSize);
    if (!head)
        return head.error();
    const auto header = parseSqliteHeader(head->data);
    if (!header)
        return Error{0, "cannot open " + path + ": not a SQLite database, so not a LoadLens case or bundle"};
    if (header->applicationId != 0 && header->applicationId != CaseDatabase::kApplicationId)
        return Error{0, "cannot open " + path + ": a SQLite database of another application (application_id " +
                            hex32(header->applicationId) + "), not a LoadLens case or bundle"};
    struct stat walSt {};
    const bool hasWal = ::stat((path + "-wal").c_str(), &walSt) == 0 && walSt.st_size > 0;
    const auto expected = std::uint64_t(header->pageCount) * header->pageSize;
    if (!hasWal && expected > 0 && std::uint64_t(st.st_size) < expected)
        return Error{0, "cannot open " + path + ": the file is truncated (" + std::to_string(st.st_size) +
                            " bytes of the " + std::to_string(expected) + " its header declares)"};
    return Ok{};
}

} // namespace

// --- Statement ---

Statement::~Statement()
{
    if (m_stmt) {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
}

void Statement::noteBind(int rc, int index, const std::string &value)
{
    if (rc == SQLITE_OK || !m_bindProblem.empty())
        return;
    m_bindProblem = "parameter " + std::to_string(index);
    if (const char *name = sqlite3_bind_parameter_name(m_stmt, index))
        m_bindProblem += std::string(" (") + name + ")";
    m_bindProblem += ", " + value + ": " + sqlite3_errstr(rc);
    if (rc == SQLITE_RANGE)
        m_bindProblem += " (the query has " + std::to_string(sqlite3_bind_parameter_count(m_stmt)) + " parameters)";
}

Statement &Statement::bind(int index, std::int64_t value)
{
    if (const int rc = sqlite3_bind_int64(m_stmt, index, value); rc != SQLITE_OK)
        noteBind(rc, index, "the integer " + std::to_string(value));
    return *this;
}

Statement &Statement::bind(int index, std::string_view text)
{
    const int rc = sqlite3_bind_text64(m_stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (rc != SQLITE_OK)
        noteBind(rc, index, "a text of " + std::to_string(text.size()) + " bytes");
    return *this;
}

Statement &Statement::bindNull(int index)
{
    if (const int rc = sqlite3_bind_null(m_stmt, index); rc != SQLITE_OK)
        noteBind(rc, index, "NULL");
    return *this;
}

Result<bool> Statement::step()
{
    if (!m_bindProblem.empty()) {
        const char *sql = sqlite3_sql(m_stmt);
        std::string query = sql ? std::string(sql).substr(0, 80) : std::string();
        for (char &c : query)
            if (c == '\n' || c == '\t')
                c = ' ';
        return Error{0, "cannot bind " + m_bindProblem + ", in the query \"" + query + "\" on " + m_db->path()};
    }
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    return m_db->error("query failed on", rc);
}

Result<std::int64_t> Statement::run()
{
    for (;;) {
        auto row = step();
        if (!row)
            return row.error();
        if (!*row)
            break;
    }
    return static_cast<std::int64_t>(sqlite3_changes64(sqlite3_db_handle(m_stmt)));
}

Status Statement::forEach(const std::function<void(const Statement &)> &row)
{
    for (;;) {
        auto more = step();
        if (!more)
            return more.error();
        if (!*more)
            return Ok{};
        row(*this);
    }
}

Result<std::int64_t> Statement::returnedId()
{
    auto row = step();
    if (!row)
        return row.error();
    if (!*row)
        return m_db->error("no id returned by");
    const std::int64_t id = integer(0);
    reset();
    return id;
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(m_stmt, column); }

std::string Statement::text(int column) const
{
    const auto *p = sqlite3_column_text(m_stmt, column);
    return p ? std::string(reinterpret_cast<const char *>(p), std::size_t(sqlite3_column_bytes(m_stmt, column))) : std::string();
}

void Statement::reset()
{
    if (m_stmt)
        sqlite3_reset(m_stmt);
}

bool Statement::isNull(int column) const { return sqlite3_column_type(m_stmt, column) == SQLITE_NULL; }

// --- CaseDatabase ---

struct CaseDatabase::Impl {
    std::string path;
    sqlite3 *db = nullptr;
    bool readOnly = false;
    int version = 0;
    mutable std::unordered_map<std::string, sqlite3_stmt *> cache;

    ~Impl()
    {
        for (auto &[sql, stmt] : cache)
            sqlite3_finalize(stmt);
        if (db)
            sqlite3_close(db);
    }
};

CaseDatabase::CaseDatabase(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
CaseDatabase::CaseDatabase(CaseDatabase &&other) noexcept = default;
CaseDatabase &CaseDatabase::operator=(CaseDatabase &&other) noexcept = default;
CaseDatabase::~CaseDatabase() = default;

const std::string &CaseDatabase::path() const { return m_impl->path; }
bool CaseDatabase::readOnly() const { return m_impl->readOnly; }
int CaseDatabase::schemaVersion() const { return m_impl->version; }
sqlite3 *CaseDatabase::handle() const { return m_impl->db; }

Error CaseDatabase::error(const std::string &what, int rc) const
{
    std::string cause;
    if (!m_impl->db)
        cause = "out of memory";
    else if (sqlite3_errcode(m_impl->db) != SQLITE_OK)
        cause = sqlite3_errmsg(m_impl->db);
    else if (rc != SQLITE_OK)
        cause = sqlite3_errstr(rc);
    else
        cause = "SQLite reported no cause";
    return Error{0, what + " " + m_impl->path + ": " + cause};
}

Result<Statement> CaseDatabase::statement(const std::string &sql) const
{
    auto it = m_impl->cache.find(sql);
    if (it == m_impl->cache.end()) {
        sqlite3_stmt *raw = nullptr;
        if (sqlite3_prepare_v3(m_impl->db, sql.c_str(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK)
            return error("cannot prepare a query on");
        it = m_impl->cache.emplace(sql, raw).first;
    }
    return Statement(it->second, this);
}

Status CaseDatabase::exec(const std::string &sql) const
{
    if (sqlite3_exec(m_impl->db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
        return error("query failed on");
    return Ok{};
}

Result<std::int64_t> CaseDatabase::queryInt(const std::string &sql) const
{
    sqlite3_stmt *raw = nullptr;
    if (sqlite3_prepare_v2(m_impl->db, sql.c_str(), int(sql.size()), &raw, nullptr) != SQLITE_OK)
        return error("cannot read");
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt *)> stmt(raw, sqlite3_finalize);
    const int rc = sqlite3_step(raw);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? Error{0, "no result from " + m_impl->path} : error("cannot read");
    return static_cast<std::int64_t>(sqlite3_column_int64(raw, 0));
}

std::int64_t CaseDatabase::lastInsertId() const { return sqlite3_last_insert_rowid(m_impl->db); }

Status CaseDatabase::ensureEventIndexes() const
{
    if (m_impl->readOnly)
        return Ok{};
    return exec(kEventIndexesSql);
}

namespace {

Status migrate(CaseDatabase &db, int from)
{
    for (const Migration &m : migrations()) {
        if (m.version <= from)
            continue;
        auto tx = Transaction::begin(db);
        if (!tx)
            return tx.error();
        if (from == 0) {
            if (auto s = db.exec("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER PRIMARY KEY,"
                                 " applied_at INTEGER NOT NULL);"
                                 "PRAGMA application_id = " + std::to_string(CaseDatabase::kApplicationId));
                !s)
                return s;
        }
        if (auto s = db.exec(m.sql); !s)
            return Error{0, "cannot apply schema migration " + std::to_string(m.version) + ": " + s.error().message};
        if (auto s = db.exec("INSERT INTO schema_version(version, applied_at) VALUES(" + std::to_string(m.version) +
                             ", " + std::to_string(std::time(nullptr)) + ")");
            !s)
            return s;
        if (auto s = tx->commit(); !s)
            return s;
        log::get("store")->debug("{}: schema migrated to version {}", db.path(), m.version);
    }
    return Ok{};
}

} // namespace

Result<CaseDatabase> CaseDatabase::open(const std::string &path, OpenMode mode, bool verify)
{
    if (path.empty())
        return Error{EINVAL, "no case file given"};
    struct stat st {};
    const bool exists = ::stat(path.c_str(), &st) == 0;
    if (mode == OpenMode::CreateNew && exists)
        return Error{EEXIST, "cannot create " + path + ": the file already exists"};
    const bool readOnly = mode == OpenMode::ReadOnly || mode == OpenMode::ReadBundle;
    if (readOnly && !exists)
        return Error::fromErrno(ENOENT, "cannot open " + path);
    if (exists && st.st_size > 0)
        if (auto s = checkExistingFile(path, st); !s)
            return s.error();
    if (!exists && !readOnly)
        if (auto s = makeParentDirs(path); !s)
            return s.error();

    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->readOnly = readOnly;
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_URI;
    flags |= impl->readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    // SQLITE_OPEN_URI is for ATTACH of bundles; a plain path must not be read as a URI.
    const std::string openName = path.rfind("file:", 0) == 0 ? "./" + path : path;
    const int rc = sqlite3_open_v2(openName.c_str(), &impl->db, flags, nullptr);
    CaseDatabase db(std::move(impl));
    if (rc != SQLITE_OK)
        return db.error("cannot open");
    sqlite3 *h = db.handle();
    // Cases and bundles travel between colleagues: a crafted file must not run code through
    // its schema (views, triggers, functions) or reach around it.
    sqlite3_db_config(h, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
    sqlite3_db_config(h, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
    sqlite3_db_config(h, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
    sqlite3_db_config(h, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, nullptr);
    sqlite3_db_config(h, SQLITE_DBCONFIG_ENABLE_VIEW, 0, nullptr);
    sqlite3_busy_timeout(h, 5000);
    if (auto s = db.exec("PRAGMA trusted_schema=OFF"); !s)
        return s.error();

    auto tables = db.queryInt("SELECT count(*) FROM sqlite_schema");
    if (!tables)
        return Error{0, "cannot open " + path + ": not a usable SQLite database (" + sqlite3_errmsg(h) + ")"};
    auto appId = db.queryInt("PRAGMA application_id");
    if (!appId)
        return appId.error();
    if (*tables > 0 && *appId != kApplicationId)
        return Error{0, "cannot open " + path + ": a SQLite database of another application (application_id " +
                            hex32(static_cast<std::int32_t>(*appId)) + "), not a LoadLens case or bundle"};
    if (verify) {
        auto check = db.queryInt("SELECT \"quick_check\" = 'ok' FROM pragma_quick_check");
        if (!check || *check != 1)
            return Error{0, "cannot open " + path + ": the database is damaged (quick_check failed)"};
    }
    if (*tables > 0) {
        auto foreign = db.queryInt("SELECT count(*) FROM sqlite_schema WHERE type IN ('view', 'trigger')");
        if (!foreign || *foreign > 0)
            return Error{0, "cannot open " + path + ": it contains views or triggers, which LoadLens never creates"};
    }

    int version = 0;
    if (*tables > 0) {
        auto v = db.queryInt("SELECT max(version) FROM schema_version");
        if (!v)
            return Error{0, "cannot open " + path + ": no schema version (" + sqlite3_errmsg(h) + ")"};
        version = static_cast<int>(*v);
    }
    if (version > kSchemaVersion)
        return Error{0, "cannot open " + path + ": written by a newer LoadLens (schema version " +
                            std::to_string(version) + "; this build reads up to " + std::to_string(kSchemaVersion) + ")"};
    // Only a file found acceptable is changed (journal mode, migrations).
    if (!db.readOnly()) {
        const char *journal = mode == OpenMode::CreateNew ? "PRAGMA journal_mode=DELETE" : "PRAGMA journal_mode=WAL";
        if (auto s = db.exec(journal); !s)
            log::get("store")->warn("{}", s.error().message);
        (void)db.exec("PRAGMA synchronous=NORMAL");
    }
    if (auto s = db.exec("PRAGMA foreign_keys=ON"); !s)
        return s.error();
    if (version < kSchemaVersion && mode == OpenMode::ReadBundle && version >= 1) {
        db.m_impl->version = version;
        return db;
    }
    if (version < kSchemaVersion) {
        if (db.readOnly())
            return Error{0, "cannot open " + path + (version == 0 ? ": an empty database, not a LoadLens case"
                                                                  : ": schema version " + std::to_string(version) +
                                                                        " needs migrating, and the file is opened read-only")};
        if (auto s = migrate(db, version); !s)
            return s.error();
    }
    db.m_impl->version = kSchemaVersion;
    return db;
}

// --- Transaction ---

Result<Transaction> Transaction::begin(const CaseDatabase &db)
{
    if (auto s = db.exec("BEGIN IMMEDIATE"); !s)
        return s.error();
    return Transaction(&db);
}

Transaction::~Transaction() { rollback(); }

Status Transaction::commit()
{
    if (!m_db)
        return Error{0, "transaction already finished"};
    auto s = m_db->exec("COMMIT");
    if (!s) {
        rollback();
        return s;
    }
    m_db = nullptr;
    return Ok{};
}

void Transaction::rollback()
{
    if (m_db && !sqlite3_get_autocommit(m_db->handle()))
        sqlite3_exec(m_db->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    m_db = nullptr;
}

std::string defaultCasePath()
{
    return dataDirectory() + "/case.sqlite";
}

} // namespace loadlens::store
