#include "posture/posture_export.h"

namespace loadlens::posture {

nlohmann::json postureToJson(const PostureReport &report)
{
    nlohmann::json checks = nlohmann::json::array();
    for (const auto &c : report.checks) {
        checks.push_back({{"id", c.id},
                          {"measure", c.measure},
                          {"title", c.title},
                          {"status", std::string(statusName(c.status))},
                          {"evidence", c.evidenceLines()},
                          {"remediation", c.remediation}});
    }
    return {{"checks", checks}};
}

void writePostureText(std::ostream &out, const PostureReport &report)
{
    int counts[3] = {0, 0, 0};
    for (const auto &c : report.checks) {
        const char *mark = c.status == Status::Pass ? "[PASS]   " : c.status == Status::Fail ? "[FAIL]   " : "[UNKNOWN]";
        ++counts[c.status == Status::Pass ? 0 : c.status == Status::Fail ? 1 : 2];
        out << mark << " " << c.title << "  (" << c.id << ")\n";
        out << "          M1044: " << c.measure << "\n";
        for (const auto &o : c.evidence)
            out << "          " << (o.status == Status::Fail ? "x " : o.status == Status::Pass ? "+ " : o.status == Status::Unknown ? "? " : "- ")
                << o.text << "\n";
        if (c.status != Status::Pass)
            out << "          fix: " << c.remediation << "\n";
        out << "\n";
    }
    out << counts[0] << " pass, " << counts[1] << " fail, " << counts[2] << " unknown\n";
}

std::string emitSysmonImageLoadConfig()
{
    // Field names and conditions follow the Sysmon schema for event 7 (ImageLoad): ImageLoaded,
    // Signed, SignatureStatus; "contains any" takes ';'-separated values. Rules inside one
    // ImageLoad element of an "or" group are alternatives.
    return R"(<!--
  Sysmon ImageLoad (event 7) rules for M1044 "Restrict Library Loading": record DLLs loaded from
  places ordinary users can write and DLLs that are not validly signed (T1574.001 search order
  hijacking, T1574.002 side-loading). Written by loadlens-cli posture. Merge the RuleGroup into the
  EventFiltering section of the host's configuration, then: sysmon -c config.xml
-->
<Sysmon schemaversion="4.90">
  <EventFiltering>
    <RuleGroup name="LoadLens M1044 image loads" groupRelation="or">
      <ImageLoad onmatch="include">
        <ImageLoaded name="technique_id=T1574.001,technique_name=DLL loaded from a user-writable directory" condition="contains any">\Users\;\AppData\;\Temp\;\Downloads\;\ProgramData\;\Windows\Temp\;\PerfLogs\;\$Recycle.Bin\</ImageLoaded>
        <ImageLoaded name="technique_id=T1574.002,technique_name=DLL loaded from removable or network storage" condition="begin with">\\</ImageLoaded>
        <Signed name="technique_id=T1574.002,technique_name=Unsigned DLL loaded" condition="is">false</Signed>
        <SignatureStatus name="technique_id=T1574.002,technique_name=DLL with an invalid signature" condition="is not">Valid</SignatureStatus>
      </ImageLoad>
    </RuleGroup>
  </EventFiltering>
</Sysmon>
)";
}

} // namespace loadlens::posture
