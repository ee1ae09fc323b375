#pragma once
// Runs queries against the open case off the GUI thread. Each query belongs to a channel
// ("hosts", "diff", "event-page", ...); a new query on a channel supersedes the running one, whose
// result is then dropped. A query returns the code that applies its result; that code runs on
// the GUI thread only while the query is still current. Every job opens its own read-only
// connection, since a SQLite connection stays in one thread. For every job that is not
// superseded exactly one of finished() or failed() is emitted.
#include "casestore/case_store.h"
#include "common/result.h"
#include "store/case_database.h"

#include <QHash>
#include <QObject>
#include <QThreadPool>

#include <functional>

namespace loadlens::ui {

class CaseQueryRunner final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CaseQueryRunner)

public:
    using Apply = std::function<void()>;
    using Query = std::function<Result<Apply>(const store::CaseDatabase &db)>;
    // A query through the store interface: works on SQLite and ClickHouse cases alike.
    using StoreQuery = std::function<Result<Apply>(const casestore::CaseStore &store)>;

    explicit CaseQueryRunner(QObject *parent = nullptr);
    ~CaseQueryRunner() override;  // waits for the running queries; their results are dropped

    // A new case drops every pending result.
    void setCasePath(const QString &path);
    QString casePath() const { return m_casePath; }

    // Queries over snapshots need a SQLite case; on another store they fail with a message.
    quint64 run(const QString &channel, Query query);
    quint64 runOnStore(const QString &channel, StoreQuery query);
    // Drops the pending result of `channel`, if any: its query still runs to its end, but
    // neither its result nor finished()/failed() is delivered.
    void cancel(const QString &channel);
    bool isRunning(const QString &channel) const;
    bool isIdle() const;
    quint64 currentGeneration(const QString &channel) const { return m_generations.value(channel); }

signals:
    void finished(const QString &channel, quint64 generation);
    void failed(const QString &channel, quint64 generation, const QString &message);

private:
    quint64 start(const QString &channel, std::function<Result<Apply>(const std::string &location)> job);
    void deliver(const QString &channel, quint64 generation, const Result<Apply> &outcome);

    QThreadPool m_pool;
    QString m_casePath;
    quint64 m_nextGeneration = 0;
    QHash<QString, quint64> m_generations;  // current job per channel
    QHash<QString, bool> m_running;
};

} // namespace loadlens::ui
