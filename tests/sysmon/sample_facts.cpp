// Facts copied from ../shared/data/README.md (measured there with libevtx evtxexport and
// Python's json), so a reader is checked against an independent count.
#include "event_source_check.h"

namespace loadlens::testing {

namespace {

SampleFacts facts(std::uint64_t records, std::map<std::string, std::uint64_t> kinds, int signedFalse,
                  std::set<std::string> hijackNames = {})
{
    return SampleFacts{records, std::move(kinds), signedFalse, std::move(hijackNames)};
}

} // namespace

const std::vector<std::pair<QString, SampleFacts>> &evtxSampleFacts()
{
    static const std::vector<std::pair<QString, SampleFacts>> table{
        {QStringLiteral("attack_sysmon7_update_session_orchestrator_dll_hijack.evtx"),
         facts(64, {{"sysmon 7", 40}, {"sysmon 1", 23}, {"sysmon 3", 1}}, 36)},
        {QStringLiteral("attack_sideloading_wwlib_sysmon_7_1_11.evtx"),
         facts(7, {{"sysmon 11", 3}, {"sysmon 1", 3}, {"sysmon 7", 1}}, 1)},
        {QStringLiteral("attack_sysmon7_dllhijack_cdpsshims_CDPSvc.evtx"),
         facts(13, {{"sysmon 1", 9}, {"sysmon 5", 3}, {"sysmon 7", 1}}, 1, {"cdpsgshims.dll"})},
        {QStringLiteral("attack_faxhell_sysmon_7_1_18_3_bindshell_dllhijack.evtx"),
         facts(10, {{"sysmon 3", 4}, {"sysmon 10", 2}, {"sysmon 1", 2}, {"sysmon 7", 1}, {"sysmon 18", 1}}, 1)},
        {QStringLiteral("attack_apt10_jjs_sideloading_sysmon_1_7_8_13.evtx"),
         facts(11, {{"sysmon 1", 3}, {"sysmon 13", 3}, {"sysmon 7", 2}, {"sysmon 5", 2}, {"sysmon 8", 1}}, 2, {"jli.dll"})},
        {QStringLiteral("attack_LM_ImageLoad_NFSH_Sysmon_7.evtx"), facts(2, {{"sysmon 7", 2}}, 2)},
        {QStringLiteral("attack_Sysmon_UACME_64.evtx"),
         facts(530, {{"sysmon 7", 511}, {"sysmon 12", 7}, {"sysmon 1", 3}, {"sysmon 23", 3}, {"sysmon 11", 2},
                     {"sysmon 5", 2}, {"sysmon 10", 1}, {"sysmon 22", 1}}, 1)},
        {QStringLiteral("attack_DE_timestomp_and_dll_sideloading_and_RunPersist.evtx"),
         facts(23, {{"sysmon 7", 9}, {"sysmon 11", 4}, {"sysmon 1", 4}, {"sysmon 2", 3}, {"sysmon 13", 1},
                    {"sysmon 10", 1}, {"sysmon 5", 1}}, 1, {"nvsmartmax.dll"})},
        {QStringLiteral("attack_sysmon_1_7_elevate_uacbypass_sysprep.evtx"),
         facts(15, {{"sysmon 1", 9}, {"sysmon 10", 5}, {"sysmon 7", 1}}, 1, {"cryptbase.dll"})},
        {QStringLiteral("evtxrs_sysmon.evtx"),
         facts(358, {{"sysmon 1", 227}, {"sysmon 10", 60}, {"sysmon 11", 34}, {"sysmon 13", 24}, {"sysmon 12", 8},
                     {"sysmon 15", 2}, {"sysmon 3", 2}, {"sysmon 16", 1}}, 0)},
        {QStringLiteral("evtxrs_new-user-security.evtx"),
         facts(4, {{"Security 4732", 2}, {"Security 4728", 1}, {"Security 4720", 1}}, 0)},
        {QStringLiteral("sigma_image_load_side_load_cpl_from_non_system_location.evtx"),
         facts(1, {{"sysmon 7", 1}}, 1, {"bthprops.cpl"})},
        {QStringLiteral("sigma_image_load_susp_offreg_dll_load.evtx"), facts(1, {{"sysmon 7", 1}}, 0)},
        {QStringLiteral("sigma_image_load_win_susp_dbgcore_dbghelp_load.evtx"), facts(1, {{"sysmon 7", 1}}, 0)},
        {QStringLiteral("sigma_file_event_win_create_non_existent_dlls.evtx"), facts(1, {{"sysmon 11", 1}}, 0)},
    };
    return table;
}

const std::vector<std::pair<QString, SampleFacts>> &textSampleFacts()
{
    static const std::vector<std::pair<QString, SampleFacts>> table{
        {QStringLiteral("sigma_image_load_side_load_cpl_from_non_system_location.json"),
         facts(1, {{"sysmon 7", 1}}, 1, {"bthprops.cpl"})},
        {QStringLiteral("sigma_image_load_susp_offreg_dll_load.json"), facts(1, {{"sysmon 7", 1}}, 0)},
        {QStringLiteral("sigma_image_load_win_susp_dbgcore_dbghelp_load.json"), facts(1, {{"sysmon 7", 1}}, 0)},
        {QStringLiteral("sigma_file_event_win_create_non_existent_dlls.json"), facts(1, {{"sysmon 11", 1}}, 0)},
        {QStringLiteral("otrf_psh_mavinject_dll_notepad.json"),
         facts(509, {{"sysmon 10", 242}, {"sysmon 7", 100}, {"sysmon 12", 72}, {"sysmon 13", 37},
                     {"Security 4658", 10}, {"Security 5158", 8}, {"Security 5156", 6}, {"Security 4690", 5}}, 2)},
        {QStringLiteral("otrf_covenant_wmi_wbemcomn_dll_hijack.sysmon_1_7_11.jsonl"),
         facts(713, {{"sysmon 7", 675}, {"sysmon 11", 25}, {"sysmon 1", 13}}, 42, {"wbemcomn.dll"})},
        {QStringLiteral("otrf_empire_scm_dll_hijack_ikeext.winlogbeat.sysmon_1_7_11.jsonl"),
         facts(1788, {{"sysmon 7", 1650}, {"sysmon 11", 106}, {"sysmon 1", 32}}, 4, {"wlbsctrl.dll"})},
        {QStringLiteral("otrf_sysmon_log4shell_java_serialized_object.azure_la.json"),
         facts(487, {{"sysmon 12", 292}, {"sysmon 7", 155}, {"sysmon 10", 12}, {"sysmon 18", 6}, {"sysmon 3", 5},
                     {"sysmon 11", 4}, {"sysmon 17", 4}, {"sysmon 26", 3}}, 16)},
        {QStringLiteral("attack_sideloading_wwlib_sysmon_7_1_11.evtxexport.xml"),
         facts(7, {{"sysmon 11", 3}, {"sysmon 7", 1}, {"sysmon 1", 3}}, 1)},
    };
    return table;
}

} // namespace loadlens::testing
