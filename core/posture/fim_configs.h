#pragma once
// File integrity monitors' idea of what they watch, read from their configuration: AIDE selection
// lines (regexes anchored at the start of the path, '=' for the path alone, '!' to exclude),
// Wazuh/OSSEC syscheck <directories>/<ignore>, and Tripwire's plain-text policy. Includes are
// read as text; nothing is executed (AIDE's @@x_include would run executable files).
#include "posture/posture.h"

#include <map>
#include <string>
#include <vector>

namespace loadlens::posture {

// Which rule covers a path, for the evidence; empty `rule` when none does.
struct Coverage {
    bool covered = false;
    std::string rule;  // "/etc/aide/aide.conf:12: /lib Full"
};

struct AideConfig {
    struct Rule {
        enum class Kind { Select, Equal, Negative };
        Kind kind = Kind::Select;
        std::string pattern;  // the regex after macro expansion, without the '=' or '!'
        std::string where;    // file:line
        std::string text;
    };
    std::vector<Rule> rules;
    std::map<std::string, std::string> macros;  // @@define, as far as the reading got
    std::vector<std::string> filesRead;
    std::vector<std::string> errors;
};
// `mainFile` as seen from rootDir, e.g. /etc/aide/aide.conf.
AideConfig readAideConfig(const PostureOptions &options, const std::string &mainFile);
void parseAideText(const PostureOptions &options, const std::vector<std::string> &lines, const std::string &fileName,
                   AideConfig &config, int depth = 0);
// A directory is covered when a file directly inside it would be checked.
Coverage aideCovers(const AideConfig &config, const std::string &path, bool isDirectory);

struct SyscheckConfig {
    struct Entry {
        std::string path;
        int recursionLevel = 256;  // syscheck's default
        std::string where;
    };
    std::vector<Entry> directories;
    std::vector<std::string> ignored;  // literal ignores; sregex ignores are kept as notes
    std::vector<std::string> notes;
    bool present = false;
};
SyscheckConfig parseOssecConf(const std::string &text, const std::string &fileName);
Coverage syscheckCovers(const SyscheckConfig &config, const std::string &path, bool isDirectory);

struct TripwirePolicy {
    struct Entry {
        std::string path;
        bool stopPoint = false;  // "!/path ;": not checked
        std::string where;
    };
    std::vector<Entry> entries;
};
TripwirePolicy parseTripwirePolicy(const std::vector<std::string> &lines, const std::string &fileName);
Coverage tripwireCovers(const TripwirePolicy &policy, const std::string &path, bool isDirectory);

} // namespace loadlens::posture
