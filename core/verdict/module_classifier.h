#pragma once
// One verdict per loaded module, from the facts the scan gathered. Pure: reads no files.
#include "common/types.h"
#include "verdict/module_facts.h"

namespace loadlens::verdict {

Verdict classifyModule(const ProcessInfo &process, const ModuleRecord &module, const ModuleFacts &facts);

} // namespace loadlens::verdict
