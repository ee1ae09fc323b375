#pragma once
// The case database: one SQLite file holding snapshots of many hosts (and, later, their logs).
// A snapshot bundle (loadlens-cli collect) is the same schema with one snapshot in it.
// One writer at a time: a CaseDatabase is used from one thread; other processes may read.
#include "common/result.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace loadlens::store {

enum class OpenMode {
    ReadWrite,  // create when absent, migrate an older schema forward
    ReadOnly,   // never writes; an older schema is an Error (it cannot be migrated)
    CreateNew,  // the file must not exist yet (bundles)
    // Never writes; an older schema is read as it is. For snapshot bundles: their snapshot
    // tables are the same in every schema version (later versions changed only the events
    // table), so a bundle collected by an older loadlens-cli still imports.
    ReadBundle,
};

// A cached prepared statement, reset and unbound when this view goes out of scope.
// Bind indexes are 1-based, as in SQL (?1, ?2, ...).
class Statement {
public:
    Statement(sqlite3_stmt *stmt, const class CaseDatabase *db) : m_stmt(stmt), m_db(db) {}
    Statement(Statement &&other) noexcept : m_stmt(other.m_stmt), m_db(other.m_db) { other.m_stmt = nullptr; }
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;
    Statement &operator=(Statement &&) = delete;
    ~Statement();

    Statement &bind(int index, std::int64_t value);
    Statement &bind(int index, std::string_view text);
    Statement &bind(int index, const char *text) { return bind(index, std::string_view(text)); }
    Statement &bind(int index, const std::string &text) { return bind(index, std::string_view(text)); }
    Statement &bindNull(int index);

    // One step: true with a row, false when done. Errors name the database file.
    Result<bool> step();
    // Steps to the end (for INSERT/UPDATE); returns sqlite3_changes().
    Result<std::int64_t> run();
    // Steps through every row, handing each to `row`.
    Status forEach(const std::function<void(const Statement &)> &row);
    // The id of an INSERT ... RETURNING id (an upsert that always returns a row).
    Result<std::int64_t> returnedId();

    std::int64_t integer(int column) const;
    std::string text(int column) const;
    bool isNull(int column) const;
    // Ends a statement that still has rows before the scope does (COMMIT needs that).
    void reset();

private:
    sqlite3_stmt *m_stmt = nullptr;
    const CaseDatabase *m_db = nullptr;
    // Keeps the first bind that failed, with its parameter and cause: SQLite's own message is
    // reset by the next bind that succeeds, so it cannot be asked for later.
    void noteBind(int rc, int index, const std::string &value);
    std::string m_bindProblem;
};

class CaseDatabase {
public:
    static constexpr std::int32_t kApplicationId = 0x4c4c4353;  // "LLCS": a LoadLens case or bundle
    static constexpr int kSchemaVersion = 3;

    // Opens (or creates) `path`. Every file is opened defensively (no extensions, untrusted
    // schema, no writable schema), since cases and bundles travel between colleagues. A file
    // that is not SQLite, is truncated or damaged, belongs to another application or has a
    // newer schema is an Error naming the file and the cause. `verify` adds a full quick_check
    // (imports do it for every bundle).
    static Result<CaseDatabase> open(const std::string &path, OpenMode mode = OpenMode::ReadWrite,
                                     bool verify = false);

    CaseDatabase(CaseDatabase &&other) noexcept;
    CaseDatabase &operator=(CaseDatabase &&other) noexcept;
    CaseDatabase(const CaseDatabase &) = delete;
    CaseDatabase &operator=(const CaseDatabase &) = delete;
    ~CaseDatabase();

    const std::string &path() const;
    bool readOnly() const;
    int schemaVersion() const;
    sqlite3 *handle() const;

    // A prepared statement, compiled once per connection and cached by its text.
    Result<Statement> statement(const std::string &sql) const;
    Status exec(const std::string &sql) const;
    Result<std::int64_t> queryInt(const std::string &sql) const;
    std::int64_t lastInsertId() const;
    // "what PATH: sqlite's message". `rc` is the result code that failed; it names the cause
    // when the connection holds no error of its own (SQLite would say "not an error").
    Error error(const std::string &what, int rc = 0) const;

    // Creates the event indexes a bulk load left out (a no-op when they exist or read-only).
    Status ensureEventIndexes() const;

private:
    struct Impl;
    explicit CaseDatabase(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// BEGIN IMMEDIATE on construction through begin(); ROLLBACK unless commit() succeeded.
class Transaction {
public:
    static Result<Transaction> begin(const CaseDatabase &db);
    Transaction(Transaction &&other) noexcept : m_db(other.m_db) { other.m_db = nullptr; }
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    Transaction &operator=(Transaction &&) = delete;
    ~Transaction();
    Status commit();
    void rollback();

private:
    explicit Transaction(const CaseDatabase *db) : m_db(db) {}
    const CaseDatabase *m_db = nullptr;
};

// case.sqlite in dataDirectory(): $XDG_DATA_HOME/loadlens, else ~/.local/share/loadlens;
// as root /var/cache/loadlens whatever the environment says.
std::string defaultCasePath();

} // namespace loadlens::store
