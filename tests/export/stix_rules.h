#pragma once
// The rules of STIX 2.1 (sections 2 to 6 of the specification) that LoadLens bundles must keep,
// written out as checks, so a bundle is judged against the standard and not against our own
// reader: id and timestamp formats, the properties each type requires, what each reference may
// point to, creators, and that no object published by someone else (MITRE) is re-emitted.
#include <QStringList>

#include <nlohmann/json.hpp>

namespace loadlens::testing {

// One line per broken rule ("<id>: <what>"); empty for a good bundle.
QStringList stixViolations(const nlohmann::json &bundle);

} // namespace loadlens::testing
