#pragma once
// The trainer lab's scenarios: what each one does, why it works, which ATT&CK technique and
// which M1044 measure it is about, the commands it runs and the verdicts LoadLens is expected
// to raise on it. The runner (lab_runner.h) carries them out; the CLI and the GUI show them.
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::lab {

// Where a scenario's flagged module is, relative to the scenario's directory ("drop/x.so"), or
// a module path prefix starting with '/' ("/memfd:loadlens-lab").
struct ExpectedFlag {
    std::string module;
    std::vector<std::string> reasons;  // reason codes of core/verdict's catalogue
};

struct Scenario {
    std::string name;       // "preload-env": what `lab start NAME` takes
    std::string title;
    std::string story;      // one paragraph: what the attacker does and why it works
    std::string technique;  // "T1574.006 Dynamic Linker Hijacking"
    std::string measure;    // the M1044 measure that prevents it
    // The commands, with $LAB for the scenario's directory and $BIN for the lab's programs.
    std::vector<std::string> commands;
    std::vector<ExpectedFlag> expected;
    std::string mitigation;  // what a defender does about it
    // What `lab mitigate` does inside the lab (empty: nothing it can apply safely), and the
    // reason codes that are gone when the attack runs again afterwards.
    std::vector<std::string> mitigationCommands;
    std::vector<ExpectedFlag> clearedByMitigation;
};

const std::vector<Scenario> &catalogue();
const Scenario *findScenario(std::string_view name);

// `text` with $LAB and $BIN replaced.
std::string substitute(std::string text, const std::string &scenarioDir, const std::string &binDir);

} // namespace loadlens::lab
