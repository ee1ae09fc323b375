// JSON inputs of tst_sysmon_readers, kept out of the moc-parsed test source (moc of Qt 6.4
// misreads raw string literals that contain escaped quotes).
#include "reader_test_inputs.h"

namespace loadlens::testing {

std::vector<JsonLayoutCase> jsonLayoutCases()
{
    return {
        {"flat", R"({"EventID":7,"SourceName":"Microsoft-Windows-Sysmon","Hostname":"h","ImageLoaded":"C:\\a.dll","Message":"m","TimeCreated":"2020-01-01T00:00:00Z"})",
         "flat", "Microsoft-Windows-Sysmon", 7, "C:\\a.dll"},
        {"winlogbeat6", R"({"@timestamp":"2020-01-01T00:00:00Z","event_id":7,"log_name":"Microsoft-Windows-Sysmon/Operational","source_name":"Microsoft-Windows-Sysmon","computer_name":"h","record_number":"42","event_data":{"ImageLoaded":"C:\\a.dll"}})",
         "winlogbeat-6", "Microsoft-Windows-Sysmon", 7, "C:\\a.dll"},
        {"winlogbeat7", R"({"@timestamp":"2020-01-01T00:00:00Z","winlog":{"event_id":"7","channel":"Microsoft-Windows-Sysmon/Operational","provider_name":"Microsoft-Windows-Sysmon","computer_name":"h","record_id":42,"event_data":{"ImageLoaded":"C:\\a.dll"}}})",
         "winlogbeat-7", "Microsoft-Windows-Sysmon", 7, "C:\\a.dll"},
        {"azure json string", R"({"TimeGenerated":"2020-01-01T00:00:00Z","Provider":"Microsoft-Windows-Sysmon","Computer":"h","EventID":7,"EventData":"{\"ImageLoaded\":\"C:\\\\a.dll\"}"})",
         "azure-log-analytics", "Microsoft-Windows-Sysmon", 7, "C:\\a.dll"},
        {"azure xml string", R"({"TimeGenerated":"2020-01-01T00:00:00Z","Source":"Microsoft-Windows-Sysmon","Computer":"h","EventID":7,"EventData":"<DataItem><EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><Data Name=\"ImageLoaded\">C:\\a.dll</Data></EventData></DataItem>"})",
         "azure-log-analytics", "Microsoft-Windows-Sysmon", 7, "C:\\a.dll"},
        {"evtx_dump", R"({"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon"}},"EventID":7,"EventRecordID":42,"Computer":"h","TimeCreated":{"#attributes":{"SystemTime":"2020-01-01T00:00:00Z"}}},"EventData":{"ImageLoaded":"C:\\a.dll","ProcessId":12}}})",
         "evtx_dump", "Microsoft-Windows-Sysmon", 7, "C:\\a.dll"},
    };
}

std::string chunkTestJsonLine(int i)
{
    return R"({"EventID":7,"SourceName":"Microsoft-Windows-Sysmon","RecordNumber":)" + std::to_string(i) +
           R"(,"ImageLoaded":"C:\\x.dll","Note":"brace } and \" quote"})" + "\n";
}

} // namespace loadlens::testing
