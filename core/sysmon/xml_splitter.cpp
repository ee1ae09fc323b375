#include "sysmon/record_splitter.h"

#include <algorithm>

namespace loadlens::sysmon {

namespace {

enum class Find { Found, NotFound, NeedMore };

bool isTagDelimiter(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '>' || c == '/';
}

// "<Event" followed by a delimiter (not "<EventData", "<EventID", "<Events").
Find findStartTag(std::string_view buf, std::size_t from, bool atEnd, std::size_t &pos)
{
    constexpr std::string_view tag = "<Event";
    for (std::size_t p = buf.find(tag, from); p != std::string_view::npos; p = buf.find(tag, p + 1)) {
        if (p + tag.size() >= buf.size()) {
            if (atEnd)
                return Find::NotFound;
            pos = p;
            return Find::NeedMore;
        }
        if (isTagDelimiter(buf[p + tag.size()])) {
            pos = p;
            return Find::Found;
        }
    }
    return Find::NotFound;
}

// "</Event" then optional whitespace then '>'; `end` is one past the '>'.
Find findEndTag(std::string_view buf, std::size_t from, bool atEnd, std::size_t &pos, std::size_t &end)
{
    constexpr std::string_view tag = "</Event";
    for (std::size_t p = buf.find(tag, from); p != std::string_view::npos; p = buf.find(tag, p + 1)) {
        std::size_t q = p + tag.size();
        while (q < buf.size() && (buf[q] == ' ' || buf[q] == '\t' || buf[q] == '\r' || buf[q] == '\n'))
            ++q;
        if (q >= buf.size()) {
            if (atEnd)
                return Find::NotFound;
            pos = p;
            return Find::NeedMore;
        }
        if (buf[q] == '>') {
            pos = p;
            end = q + 1;
            return Find::Found;
        }
    }
    return Find::NotFound;
}

} // namespace

bool XmlEventSplitter::feed(std::string_view chunk)
{
    m_pending.append(chunk);
    return scan(false);
}

void XmlEventSplitter::finish()
{
    scan(true);
    if (m_recordStart != std::string::npos && !m_discarding && m_cb.skip)
        m_cb.skip(m_base + m_recordStart, "truncated <Event> record: the input ends before </Event>");
    m_pending.clear();
    m_recordStart = std::string::npos;
}

bool XmlEventSplitter::scan(bool atEnd)
{
    const std::string_view buf(m_pending);
    std::size_t keepFrom = buf.size();
    bool goOn = true;
    while (goOn) {
        if (m_recordStart == std::string::npos) {
            std::size_t start = 0;
            const Find found = findStartTag(buf, m_scanFrom, atEnd, start);
            if (found == Find::NotFound) {
                // A partial "<Event" may sit at the very end.
                keepFrom = buf.size() > 6 ? buf.size() - 6 : 0;
                m_scanFrom = keepFrom;
                break;
            }
            if (found == Find::NeedMore) {
                keepFrom = start;
                m_scanFrom = start;
                break;
            }
            m_recordStart = start;
            m_discarding = false;
            m_scanFrom = start + 6;
            continue;
        }
        std::size_t endPos = 0, end = 0, nextStart = 0;
        const Find endFound = findEndTag(buf, m_scanFrom, atEnd, endPos, end);
        const Find startFound = findStartTag(buf, m_scanFrom, atEnd, nextStart);
        const bool startFirst = startFound == Find::Found && (endFound != Find::Found || nextStart < endPos);
        if (startFirst) {
            if (!m_discarding && m_cb.skip)
                m_cb.skip(m_base + m_recordStart, "<Event> record not closed before the next <Event>");
            m_recordStart = nextStart;
            m_discarding = false;
            m_scanFrom = nextStart + 6;
            continue;
        }
        if (endFound == Find::Found) {
            if (!m_discarding) {
                ++m_records;
                goOn = m_cb.record(buf.substr(m_recordStart, end - m_recordStart), m_base + m_recordStart);
            }
            m_recordStart = std::string::npos;
            m_discarding = false;
            m_scanFrom = end;
            continue;
        }
        // The record goes on past what has arrived.
        if (!m_discarding && buf.size() - m_recordStart > kMaxRecordBytes) {
            if (m_cb.skip)
                m_cb.skip(m_base + m_recordStart, "<Event> record larger than 16 MiB");
            m_discarding = true;
        }
        std::size_t rescan = buf.size() > 16 ? buf.size() - 16 : 0;
        if (endFound == Find::NeedMore)
            rescan = std::min(rescan, endPos);
        if (startFound == Find::NeedMore)
            rescan = std::min(rescan, nextStart);
        m_scanFrom = std::max(m_scanFrom, rescan);
        keepFrom = m_discarding ? rescan : m_recordStart;
        break;
    }
    if (!goOn)
        return false;
    // Drop what no later record can need.
    keepFrom = std::min({keepFrom, m_scanFrom, buf.size()});
    if (m_recordStart != std::string::npos && !m_discarding)
        keepFrom = std::min(keepFrom, m_recordStart);
    m_pending.erase(0, keepFrom);
    m_base += keepFrom;
    m_scanFrom -= keepFrom;
    if (m_recordStart != std::string::npos)
        m_recordStart = m_recordStart >= keepFrom ? m_recordStart - keepFrom : 0;
    return true;
}

} // namespace loadlens::sysmon
