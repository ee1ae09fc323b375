#include "eventstats/event_query.h"

namespace loadlens::eventstats {

store::EventFilter EventQuery::storeFilter() const
{
    store::EventFilter f = filter;
    f.text = text;
    f.exactLevel = level;
    return f;
}

Result<std::int64_t> countEvents(const store::CaseDatabase &db, const EventQuery &query)
{
    return store::countEvents(db, query.storeFilter());
}

Result<std::vector<LoadEvent>> listEvents(const store::CaseDatabase &db, const EventQuery &query)
{
    return store::listEvents(db, query.storeFilter());
}

} // namespace loadlens::eventstats
