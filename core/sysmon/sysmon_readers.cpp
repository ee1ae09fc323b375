#include "sysmon/sysmon_readers.h"

#include "common/log.h"
#include "sysmon/json_record.h"
#include "sysmon/record_splitter.h"
#include "sysmon/sysmon_names.h"
#include "sysmon/text_input.h"
#include "sysmon/xml_record.h"

#include <chrono>

namespace loadlens::sysmon {

namespace {

void noteSkip(ImportReport &report, std::uint64_t offset, std::string reason)
{
    ++report.skipped;
    if (report.skippedRecords.size() < kMaxListedSkips)
        report.skippedRecords.push_back({offset, std::move(reason)});
}

// Feeds text through a splitter, parses each record and hands it to the sink.
template<typename Splitter, typename ParseFn>
class RecordPump {
public:
    RecordPump(const EventRecordSink &sink, ImportReport &report, ParseFn parse)
        : m_report(report),
          m_splitter(SplitterCallbacks{
              [this, &sink, parse](std::string_view text, std::uint64_t offset) {
                  auto parsed = parse(text);
                  if (!parsed) {
                      noteSkip(m_report, offset, parsed.error().message);
                      return true;
                  }
                  EventRecord record = std::move(parsed).value();
                  record.offset = offset;
                  ++m_report.recordsRead;
                  ++m_report.countsByKind[eventCountKey(record)];
                  if (!sink(std::move(record))) {
                      m_stoppedBySink = true;
                      return false;
                  }
                  return true;
              },
              [this](std::uint64_t offset, std::string reason) { noteSkip(m_report, offset, std::move(reason)); }})
    {
    }

    bool feed(std::string_view chunk)
    {
        if (!m_sawText)
            m_sawText = chunk.find_first_not_of(" \t\r\n") != std::string_view::npos;
        return m_splitter.feed(chunk);
    }
    void finish()
    {
        if (!m_stoppedBySink)
            m_splitter.finish();
        else
            m_report.complete = false;
    }
    // Non-blank text in which not even a damaged record was found.
    bool foundNothing() const { return m_sawText && m_splitter.recordsSeen() == 0 && m_report.skipped == 0; }

private:
    ImportReport &m_report;
    Splitter m_splitter;
    bool m_sawText = false;
    bool m_stoppedBySink = false;
};

template<typename Splitter, typename ParseFn>
Status readFile(const std::string &path, const char *format, const char *nothingFound,
                const EventRecordSink &sink, ImportReport &report, const CancelToken &cancel, ParseFn parse)
{
    const auto started = std::chrono::steady_clock::now();
    report.file = path;
    report.format = format;
    RecordPump<Splitter, ParseFn> pump(sink, report, parse);
    auto status = forEachTextChunk(path, report, cancel, [&](std::string_view chunk) { return pump.feed(chunk); });
    pump.finish();
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!status) {
        report.errors.push_back(status.error().message);
        return status;
    }
    log::get("core.sysmon")->debug("{}: {} records, {} skipped", path, report.recordsRead, report.skipped);
    if (pump.foundNothing()) {
        std::string message = path + ": " + nothingFound;
        report.errors.push_back(message);
        return Error{0, message};
    }
    return Ok{};
}

template<typename Splitter, typename ParseFn>
Status parseText(std::string_view text, const char *format, const char *nothingFound, const EventRecordSink &sink,
                 ImportReport &report, ParseFn parse)
{
    report.format = format;
    RecordPump<Splitter, ParseFn> pump(sink, report, parse);
    pump.feed(text);
    pump.finish();
    if (pump.foundNothing()) {
        report.errors.push_back(nothingFound);
        return Error{0, nothingFound};
    }
    return Ok{};
}

constexpr const char *kNoXmlEvent = "no <Event> element found (not a Windows event XML export)";
constexpr const char *kNoJsonEvent = "no JSON object found (not a JSON event export)";

} // namespace

std::string eventCountKey(const EventRecord &record)
{
    if (isSysmonProvider(record.provider))
        return "sysmon " + std::to_string(record.eventId);
    return (record.provider.empty() ? std::string("unknown") : record.provider) + " " + std::to_string(record.eventId);
}

Status readSysmonXml(const std::string &path, const EventRecordSink &sink, ImportReport &report,
                     const CancelToken &cancel)
{
    return readFile<XmlEventSplitter>(path, "sysmon-xml", kNoXmlEvent, sink, report, cancel, parseEventXml);
}

Status readSysmonJson(const std::string &path, const EventRecordSink &sink, ImportReport &report,
                      const CancelToken &cancel)
{
    return readFile<JsonRecordSplitter>(path, "sysmon-json", kNoJsonEvent, sink, report, cancel, parseEventJson);
}

Status parseSysmonXml(std::string_view text, const EventRecordSink &sink, ImportReport &report)
{
    return parseText<XmlEventSplitter>(text, "sysmon-xml", kNoXmlEvent, sink, report, parseEventXml);
}

Status parseSysmonJson(std::string_view text, const EventRecordSink &sink, ImportReport &report)
{
    return parseText<JsonRecordSplitter>(text, "sysmon-json", kNoJsonEvent, sink, report, parseEventJson);
}

} // namespace loadlens::sysmon
