#include "casequeryrunner.h"

#include "qtstrings.h"

#include <QMetaObject>

#include <exception>

namespace loadlens::ui {

CaseQueryRunner::CaseQueryRunner(QObject *parent)
    : QObject(parent)
{
    m_pool.setMaxThreadCount(2);
}

CaseQueryRunner::~CaseQueryRunner()
{
    m_generations.clear();
    m_pool.waitForDone();
}

void CaseQueryRunner::setCasePath(const QString &path)
{
    m_casePath = path;
    m_generations.clear();  // nothing pending is current any more
    m_running.clear();
}

quint64 CaseQueryRunner::run(const QString &channel, Query query)
{
    return start(channel, [query = std::move(query)](const std::string &location) -> Result<Apply> {
        if (casestore::isServerLocation(location))
            return Error{EINVAL, "This is a ClickHouse case: browsing a stored snapshot's processes needs a SQLite "
                                 "case (the snapshot list, stacking and diffs work on both)"};
        auto db = store::CaseDatabase::open(location, store::OpenMode::ReadOnly);
        return db ? query(*db) : Result<Apply>(db.error());
    });
}

quint64 CaseQueryRunner::runOnStore(const QString &channel, StoreQuery query)
{
    return start(channel, [query = std::move(query)](const std::string &location) -> Result<Apply> {
        auto opened = casestore::openStore(location, {store::OpenMode::ReadOnly, {}});
        return opened ? query(**opened) : Result<Apply>(opened.error());
    });
}

quint64 CaseQueryRunner::start(const QString &channel, std::function<Result<Apply>(const std::string &location)> job)
{
    const quint64 generation = ++m_nextGeneration;
    m_generations[channel] = generation;
    m_running[channel] = true;
    m_pool.start([this, channel, generation, job = std::move(job), path = toStdString(m_casePath)] {
        Result<Apply> outcome = Error{0, "no case is open"};
        try {
            if (!path.empty())
                outcome = job(path);
        } catch (const std::exception &error) {
            outcome = Error{0, std::string("query failed: ") + error.what()};
        }
        QMetaObject::invokeMethod(
            this, [this, channel, generation, outcome] { deliver(channel, generation, outcome); }, Qt::QueuedConnection);
    });
    return generation;
}

void CaseQueryRunner::cancel(const QString &channel)
{
    m_generations.remove(channel);
    m_running.remove(channel);
}

bool CaseQueryRunner::isRunning(const QString &channel) const
{
    return m_running.value(channel);
}

bool CaseQueryRunner::isIdle() const
{
    for (auto it = m_running.cbegin(); it != m_running.cend(); ++it)
        if (it.value())
            return false;
    return true;
}

void CaseQueryRunner::deliver(const QString &channel, quint64 generation, const Result<Apply> &outcome)
{
    if (m_generations.value(channel) != generation)
        return;  // superseded, or the case changed
    m_running[channel] = false;
    if (!outcome) {
        emit failed(channel, generation, toQString(outcome.error().message));
        return;
    }
    if (*outcome)
        (*outcome)();
    emit finished(channel, generation);
}

} // namespace loadlens::ui
