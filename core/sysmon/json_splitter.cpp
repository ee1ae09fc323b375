#include "sysmon/record_splitter.h"

namespace loadlens::sysmon {

bool JsonRecordSplitter::feed(std::string_view chunk)
{
    m_pending.append(chunk);
    return scan(false);
}

void JsonRecordSplitter::finish()
{
    scan(true);
    if (m_recordStart != std::string::npos && m_cb.skip)
        m_cb.skip(m_base + m_recordStart, "truncated JSON object: the input ends inside it");
    m_pending.clear();
    m_recordStart = std::string::npos;
}

// Text at the top level that is not an object: skipped up to the end of its line.
void JsonRecordSplitter::skipGarbage(std::size_t &i, bool atEnd)
{
    const std::size_t newline = m_pending.find('\n', i);
    if (newline == std::string::npos && !atEnd && m_pending.size() - i <= kMaxRecordBytes)
        return;  // wait for the end of the line
    if (m_cb.skip)
        m_cb.skip(m_base + i, "text outside any JSON object");
    m_sawContent = true;
    i = newline == std::string::npos ? m_pending.size() : newline + 1;
}

bool JsonRecordSplitter::scan(bool atEnd)
{
    std::size_t i = m_pos;
    bool goOn = true;
    while (i < m_pending.size() && goOn) {
        const char c = m_pending[i];
        if (m_recordStart == std::string::npos) {
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',') {
                ++i;
            } else if (!m_sawContent && m_base + i < 3 &&
                       static_cast<unsigned char>(c) >= 0xBB) {  // UTF-8 BOM EF BB BF
                ++i;
            } else if (c == '[' || c == ']') {
                m_sawContent = true;  // the array around the records, or its end
                ++i;
            } else if (c == '{') {
                m_sawContent = true;
                m_recordStart = i;
                m_depth = 1;
                m_maxDepth = 1;
                m_inString = m_escape = m_recordHadNewline = false;
                ++i;
            } else {
                const std::size_t before = i;
                skipGarbage(i, atEnd);
                if (i == before)
                    break;  // the rest of the line has not arrived yet
            }
            continue;
        }

        if (i - m_recordStart > kMaxRecordBytes) {
            if (m_cb.skip)
                m_cb.skip(m_base + m_recordStart, "JSON object larger than 16 MiB");
            m_recordStart = std::string::npos;
            // Resynchronise on the next line that starts an object.
            const std::size_t newline = m_pending.find('\n', i);
            i = newline == std::string::npos ? m_pending.size() : newline + 1;
            continue;
        }
        if (m_inString) {
            if (m_escape)
                m_escape = false;
            else if (c == '\\')
                m_escape = true;
            else if (c == '"')
                m_inString = false;
            else if (c == '\n' && m_lineMode) {
                if (m_cb.skip)
                    m_cb.skip(m_base + m_recordStart, "JSON line ends inside a string");
                m_recordStart = std::string::npos;
            }
            ++i;
            continue;
        }
        if (c == '"') {
            m_inString = true;
        } else if (c == '{' || c == '[') {
            if (++m_depth > m_maxDepth)
                m_maxDepth = m_depth;
        } else if (c == '}' || c == ']') {
            if (--m_depth == 0) {
                if (!m_modeKnown) {
                    m_modeKnown = true;
                    m_lineMode = !m_recordHadNewline;
                }
                const std::size_t start = m_recordStart;
                m_recordStart = std::string::npos;
                ++m_records;
                if (m_maxDepth > kMaxDepth) {
                    if (m_cb.skip)
                        m_cb.skip(m_base + start, "JSON object nested deeper than 64 levels");
                } else {
                    goOn = m_cb.record(std::string_view(m_pending).substr(start, i + 1 - start), m_base + start);
                }
            }
        } else if (c == '\n') {
            m_recordHadNewline = true;
            if (m_lineMode) {
                if (m_cb.skip)
                    m_cb.skip(m_base + m_recordStart, "JSON object not closed at the end of its line");
                m_recordStart = std::string::npos;
            }
        }
        ++i;
    }
    // Keep only the unfinished record (or the unfinished top-level line).
    const std::size_t keepFrom = m_recordStart != std::string::npos ? m_recordStart : i;
    m_pending.erase(0, keepFrom);
    m_base += keepFrom;
    m_pos = i - keepFrom;
    if (m_recordStart != std::string::npos)
        m_recordStart = 0;
    return goOn;
}

} // namespace loadlens::sysmon
