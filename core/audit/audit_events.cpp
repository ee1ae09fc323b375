#include "audit/audit_events.h"

#include "audit/audit_record.h"

#include <functional>

namespace loadlens::audit {

struct EventAssembler::Pending {
    struct Record {
        std::size_t typeAt, typeSize, bodyAt, bodySize;
        std::uint64_t offset, lineNumber;
    };
    Key key;
    std::string file;
    std::string text;  // the lines of the event, one after another
    std::vector<Record> records;
    std::uint64_t lastRecord = 0;  // record counter value when it last grew
    bool open = false;
};

std::size_t EventAssembler::KeyHash::operator()(const Key &k) const
{
    std::size_t h = std::hash<std::uint64_t>()(k.serial);
    h ^= std::hash<std::int64_t>()(k.seconds * 1000 + k.millis) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    if (!k.node.empty())
        h ^= std::hash<std::string>()(k.node) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h;
}

EventAssembler::EventAssembler(const AssemblerLimits &limits, ImportReport &report, EventFn onEvent)
    : m_limits(limits), m_report(report), m_onEvent(std::move(onEvent))
{
}

EventAssembler::~EventAssembler() = default;

void EventAssembler::beginFile(const std::string &path)
{
    m_file = path;
    m_lineNumber = 0;
}

void EventAssembler::skip(std::uint64_t offset, const std::string &reason)
{
    ++m_report.skipped;
    if (m_report.skippedRecords.size() < m_limits.maxSkippedExamples)
        m_report.skippedRecords.push_back(
            {offset, m_file + ":" + std::to_string(m_lineNumber) + ": " + reason});
}

EventAssembler::Pending *EventAssembler::findOpen(const Key &key)
{
    if (m_last && m_last->open && m_last->key == key)
        return m_last;
    const auto it = m_open.find(key);
    return it == m_open.end() ? nullptr : it->second;
}

bool EventAssembler::addLine(std::string_view line, std::uint64_t offset)
{
    ++m_lineNumber;
    if (m_stopped)
        return false;
    RecordHeader header;
    std::string_view why;
    switch (parseRecordLine(line, header, why)) {
    case LineKind::Ignored:
        ++m_ignoredLines;
        return true;
    case LineKind::Malformed:
        skip(offset, std::string(why));
        return true;
    case LineKind::Record:
        break;
    }
    ++m_records;
    ++m_report.recordsRead;

    Key key{std::string(header.node), header.seconds, header.millis, header.serial};
    Pending *event = findOpen(key);
    if (!event) {
        if (m_closedKeys.count(key)) {
            skip(offset, "late " + std::string(header.type) + " record: its event " +
                             std::to_string(header.seconds) + "." + std::to_string(header.millis) + ":" +
                             std::to_string(header.serial) + " was already complete");
            return true;
        }
        if (m_free.empty()) {
            m_pool.push_back(std::make_unique<Pending>());
            m_free.push_back(m_pool.back().get());
        }
        event = m_free.back();
        m_free.pop_back();
        event->key = std::move(key);
        event->file = m_file;
        event->text.clear();
        event->records.clear();
        event->open = true;
        m_open.emplace(event->key, event);
        m_order.push_back(event);
    }
    if (event->text.size() + line.size() > m_limits.maxEventBytes) {
        skip(offset, std::string(header.type) + " record dropped: its event exceeds " +
                         std::to_string(m_limits.maxEventBytes) + " bytes");
    } else {
        const std::size_t base = event->text.size();
        event->text.append(line);
        const auto at = [&](std::string_view part) { return base + std::size_t(part.data() - line.data()); };
        event->records.push_back({at(header.type), header.type.size(), at(header.body), header.body.size(), offset,
                                  m_lineNumber});
    }
    event->lastRecord = m_records;
    m_last = event;
    if (header.type == "EOE" && !close(event))
        return false;
    return closeExpired();
}

bool EventAssembler::closeExpired()
{
    while (!m_order.empty()) {
        Pending *front = m_order.front();
        if (front->open && front->lastRecord + m_limits.reorderWindow > m_records &&
            m_open.size() <= m_limits.maxOpenEvents)
            break;
        m_order.pop_front();
        if (front->open && !close(front))
            return false;
        if (!front->open)
            m_free.push_back(front);
    }
    return !m_stopped;
}

bool EventAssembler::close(Pending *event)
{
    event->open = false;
    m_open.erase(event->key);
    if (m_last == event)
        m_last = nullptr;
    rememberClosed(event->key);
    ++m_events;

    m_view.node = event->key.node;
    m_view.seconds = event->key.seconds;
    m_view.millis = event->key.millis;
    m_view.serial = event->key.serial;
    m_view.sourceFile = event->file;
    m_view.records.clear();
    const std::string_view text = event->text;
    for (const auto &r : event->records)
        m_view.records.push_back({text.substr(r.typeAt, r.typeSize), text.substr(r.bodyAt, r.bodySize), r.offset,
                                  r.lineNumber});
    m_view.offset = m_view.records.empty() ? 0 : m_view.records.front().offset;
    if (!m_onEvent(m_view))
        m_stopped = true;
    return !m_stopped;
}

void EventAssembler::rememberClosed(const Key &key)
{
    if (m_limits.recentlyClosed == 0)
        return;
    if (m_closedOrder.size() >= m_limits.recentlyClosed) {
        m_closedKeys.erase(m_closedOrder.front());
        m_closedOrder.pop_front();
    }
    m_closedOrder.push_back(key);
    m_closedKeys.insert(key);
}

bool EventAssembler::finish()
{
    while (!m_order.empty()) {
        Pending *front = m_order.front();
        m_order.pop_front();
        if (front->open && !m_stopped && !close(front))
            return false;
        front->open = false;
        m_free.push_back(front);
    }
    m_open.clear();
    return !m_stopped;
}

} // namespace loadlens::audit
