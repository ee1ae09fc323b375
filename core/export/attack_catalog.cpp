#include "export/attack_catalog.h"

#include <array>

namespace loadlens::exporting {

namespace {

// Ids checked against MITRE's enterprise-attack STIX data. T1574.001 was "DLL Search Order
// Hijacking" until ATT&CK v17 merged side-loading into it and renamed it "DLL".
constexpr std::array kTechniques{
    AttackTechnique{"T1574", "Hijack Execution Flow", "attack-pattern--aedfca76-3b30-4866-b2aa-0f1d7fd1e4b6", true},
    AttackTechnique{"T1574.001", "DLL", "attack-pattern--2fee9321-3e71-4cf4-af24-d4d40d355b34", true},
    AttackTechnique{"T1574.006", "Dynamic Linker Hijacking", "attack-pattern--633a100c-b2c9-41bf-9be5-905c1b16c825",
                    true},
    AttackTechnique{"T1055", "Process Injection", "attack-pattern--43e7dc91-05b2-474c-b9ac-2ed4fe101f4d", false},
    AttackTechnique{"T1620", "Reflective Code Loading", "attack-pattern--4933e63b-9b77-476e-ab29-761bc5b7d15a", false},
    AttackTechnique{"T1014", "Rootkit", "attack-pattern--0f20e3cb-245b-4a61-8a91-2d93f7cb0e9b", false},
};

} // namespace

const AttackTechnique *attackTechnique(std::string_view id)
{
    for (const auto &t : kTechniques)
        if (t.id == id)
            return &t;
    return nullptr;
}

std::string attackTechniqueUrl(std::string_view id)
{
    std::string path(id);
    if (const auto dot = path.find('.'); dot != std::string::npos)
        path[dot] = '/';
    return "https://attack.mitre.org/techniques/" + path + "/";
}

std::string_view parentTechniqueOf(std::string_view id)
{
    return id.substr(0, id.find('.'));
}

} // namespace loadlens::exporting
