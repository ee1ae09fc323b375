#pragma once
// JSON text for the columns that hold structured values (reasons, evidence, lists, maps).
// Evidence keeps its order ([[key, value], ...]); bytes that are not UTF-8 are replaced, so a
// stored value always parses.
#include "common/types.h"

#include <map>
#include <string>
#include <vector>

namespace loadlens::store {

std::string reasonsToJson(const Verdict &verdict);
// The reasons stored by reasonsToJson; `level` is the stored verdict level. Malformed text gives
// an empty reason list (the level is kept).
Verdict verdictFromJson(Level level, const std::string &reasonsJson);

std::string evidenceToJson(const Evidence &evidence);
Evidence evidenceFromJson(const std::string &json);

std::string stringsToJson(const std::vector<std::string> &values);
std::vector<std::string> stringsFromJson(const std::string &json);
std::string mapToJson(const std::map<std::string, std::string> &values);
std::map<std::string, std::string> mapFromJson(const std::string &json);

Level levelFromInt(std::int64_t value);

} // namespace loadlens::store
