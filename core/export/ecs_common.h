#pragma once
// Pieces shared by the scan and the event ECS documents.
#include "common/types.h"
#include "export/ecs.h"

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace loadlens::exporting::ecs {

// threat.* (framework, technique and subtechnique ids/names/references) for the techniques
// the reasons name; null when none does.
nlohmann::json threatFor(const std::vector<Reason> &reasons);
// rule.name: the codes of the reasons above info; null when there are none.
nlohmann::json ruleFor(const std::vector<Reason> &reasons);
// loadlens.verdict: level and every reason with its text, technique, measure and evidence.
nlohmann::json verdictFor(const Verdict &verdict);
// Distinct M1044 measures of the reasons, in order.
nlohmann::json measuresFor(const std::vector<Reason> &reasons);
const char *kindFor(Level level, const EcsOptions &options);

// Writes the optional action line and the document as one line each.
void writeDocument(std::ostream &out, const nlohmann::json &document, const EcsOptions &options,
                   const std::string &defaultIndex);

} // namespace loadlens::exporting::ecs
