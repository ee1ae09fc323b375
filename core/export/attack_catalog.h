#pragma once
// The ATT&CK objects exports refer to, with MITRE's own STIX ids so that a consumer holding
// the ATT&CK data set sees the same objects rather than look-alikes. Technique ids come from
// verdict/reason_catalog.h; this only adds names, URLs and STIX ids.
#include <string>
#include <string_view>

namespace loadlens::exporting {

struct AttackTechnique {
    std::string_view id;        // "T1574.006"
    std::string_view name;      // MITRE's current name
    std::string_view stixId;    // "attack-pattern--..."
    bool mitigatedByM1044;      // ATT&CK lists M1044 "Restrict Library Loading" for it
};

// nullptr for an id the catalog does not know.
const AttackTechnique *attackTechnique(std::string_view id);
// "https://attack.mitre.org/techniques/T1574/006/"
std::string attackTechniqueUrl(std::string_view id);
// "T1574" for "T1574.006"; the id itself for a technique.
std::string_view parentTechniqueOf(std::string_view id);

namespace m1044 {
inline constexpr std::string_view Id = "M1044";
inline constexpr std::string_view Name = "Restrict Library Loading";
inline constexpr std::string_view StixId = "course-of-action--e8242a33-481c-4891-af63-4cf3e4cf6aff";
inline constexpr std::string_view Url = "https://attack.mitre.org/mitigations/M1044";
} // namespace m1044

} // namespace loadlens::exporting
