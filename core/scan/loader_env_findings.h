#pragma once
// Process-level findings about the loader variables of a process: a directory named by
// LD_LIBRARY_PATH, LD_PRELOAD or LD_AUDIT that someone other than root can write to is a way
// in whether or not a library was planted there yet.
#include "common/types.h"

#include <functional>
#include <string>
#include <vector>

namespace loadlens::scan {

// Who other than root can add a file to a directory ("" when only root can).
using PlantCheck = std::function<std::string(const std::string &dir)>;

std::vector<Finding> loaderEnvFindings(const ProcessInfo &process, const PlantCheck &whoCanPlantIn);

} // namespace loadlens::scan
