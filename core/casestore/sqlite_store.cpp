#include "casestore/case_store.h"

namespace loadlens::casestore {

namespace {

// The eventstats form of a store filter (its text and exact level are fields of their own there).
eventstats::EventQuery queryOf(const store::EventFilter &filter)
{
    eventstats::EventQuery query;
    query.filter = filter;
    query.text = filter.text;
    query.level = filter.exactLevel;
    return query;
}

// Owns the CaseDatabase when openStore opened it; borrows it from sqliteStore().
class SqliteStore final : public CaseStore {
public:
    explicit SqliteStore(const store::CaseDatabase &db) : m_db(&db) {}
    explicit SqliteStore(store::CaseDatabase &&db)
        : m_owned(std::make_unique<store::CaseDatabase>(std::move(db))), m_db(m_owned.get())
    {
    }

    StoreKind kind() const override { return StoreKind::Sqlite; }
    std::string location() const override { return m_db->path(); }
    const store::CaseDatabase *sqlite() const override { return m_db; }

    std::unique_ptr<store::EventBatchWriter> eventWriter() override
    {
        return std::make_unique<store::EventWriter>(*m_db);
    }
    Result<std::vector<LoadEvent>> listEvents(const store::EventFilter &filter) const override
    {
        return store::listEvents(*m_db, filter);
    }
    Result<std::int64_t> countEvents(const store::EventFilter &filter) const override
    {
        return store::countEvents(*m_db, filter);
    }
    Result<std::vector<store::EventBucket>> eventBuckets(const store::BucketWidth &width,
                                                         const store::EventFilter &filter) const override
    {
        return store::eventBuckets(*m_db, width, filter);
    }
    Result<std::optional<eventstats::TimeSpan>> eventTimeSpan(const store::EventFilter &filter) const override
    {
        return eventstats::eventTimeSpan(*m_db, queryOf(filter));
    }
    Result<std::vector<eventstats::ImageStackEntry>> loadedImageStack(const store::EventFilter &filter,
                                                                      eventstats::ImageOrder order,
                                                                      std::int64_t limit,
                                                                      std::int64_t maxHosts) const override
    {
        return eventstats::loadedImageStack(*m_db, queryOf(filter), order, limit, maxHosts);
    }
    Result<std::vector<eventstats::EventHost>> eventHosts() const override { return eventstats::eventHosts(*m_db); }

    ImportReport importBundle(const std::string &file, const store::BundleImportOptions &options) override
    {
        return store::importBundle(*m_db, file, options);
    }
    Result<std::vector<analysis::SnapshotSummary>> listSnapshots() const override
    {
        return analysis::listSnapshots(*m_db);
    }
    Result<analysis::StackResult> snapshotStack(const analysis::StackOptions &options) const override
    {
        return analysis::stack(*m_db, options);
    }
    Result<std::vector<analysis::CaseWhoLoadsHit>> whoLoads(const std::string &needle,
                                                            bool allSnapshots) const override
    {
        return analysis::whoLoads(*m_db, needle, allSnapshots);
    }
    Result<analysis::SnapshotDiff> diffSnapshots(std::int64_t before, std::int64_t after) const override
    {
        return analysis::diffSnapshots(*m_db, before, after);
    }
    Result<store::StoredSnapshot> readSnapshot(std::int64_t snapshotId) const override
    {
        return store::readSnapshot(*m_db, snapshotId);
    }

    Result<std::map<std::int64_t, eventstats::LevelCounts>> snapshotFindingLevels() const override
    {
        return eventstats::findingsByLevel(*m_db);
    }

private:
    std::unique_ptr<store::CaseDatabase> m_owned;
    const store::CaseDatabase *m_db;
};

} // namespace

std::unique_ptr<CaseStore> sqliteStore(const store::CaseDatabase &db) { return std::make_unique<SqliteStore>(db); }

std::unique_ptr<CaseStore> ownedSqliteStore(store::CaseDatabase &&db)
{
    return std::make_unique<SqliteStore>(std::move(db));
}

} // namespace loadlens::casestore
