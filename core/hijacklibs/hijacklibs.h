#pragma once
// The HijackLibs dataset (one YAML file per DLL known to be hijackable): loaded from a folder
// the user points to, never bundled. Lookups are case-insensitive, as Windows paths are.
#include "common/cancel.h"
#include "common/result.h"
#include "hijacklibs/windows_path.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace loadlens::hijacklibs {

struct SignatureInfo {
    std::string subject;  // DN, "CN=Microsoft Windows, O=Microsoft Corporation, ..."
    std::string issuer;
    std::string type;     // "Authenticode", "Catalog" or "None"
};

struct VulnerableExecutable {
    std::string path;           // as written, e.g. "%SYSTEM32%\svchost.exe" or a bare name
    winpath::LocationPattern pattern{""};
    std::string type;           // "Sideloading", "Phantom", "Search Order", "Environment Variable"
    std::string variable;       // the hijackable environment variable (Environment Variable)
    std::string condition;
    bool autoElevate = false;
    bool privilegeEscalation = false;
    std::vector<SignatureInfo> expectedSignatures;
};

struct Entry {
    std::string name;    // lower case, e.g. "cryptbase.dll"
    std::string vendor;
    std::string file;    // the YAML file it came from
    std::vector<winpath::LocationPattern> expectedLocations;
    std::vector<SignatureInfo> expectedSignatures;
    std::vector<VulnerableExecutable> vulnerableExecutables;
    std::vector<std::string> resources;
    std::vector<std::string> warnings;  // parts that were skipped (e.g. an unknown %VARIABLE%)

    // True when the normalized directory is one of ExpectedLocations. An entry without any
    // (a phantom DLL that Windows does not ship) expects the DLL nowhere.
    bool isExpectedDirectory(std::string_view normalizedDirectory) const;
    // The vulnerable executable whose path matches the normalized image path (a bare name in
    // the dataset matches by file name), or nullptr.
    const VulnerableExecutable *vulnerableExecutableFor(std::string_view normalizedImage) const;
    // The distinct hijack types of the entry, in dataset order ("Sideloading, Phantom").
    std::string hijackTypes() const;
};

struct ParseProblem {
    std::string file;
    std::string message;
};

struct LoadReport {
    std::size_t filesRead = 0;
    std::size_t entries = 0;
    std::vector<ParseProblem> problems;  // files (or locations) that could not be used, and why
};

class Dataset {
public:
    // Loads every *.yml / *.yaml below `directory` (below its yml/ folder when it has one, so
    // the repository root works too). Fails only when the folder cannot be read or holds no
    // entry at all; single bad files are listed in `report.problems` and skipped.
    static Result<Dataset> loadDirectory(const std::string &directory, LoadReport &report,
                                         const CancelToken &cancel = {});
    // Parses one entry; `file` names it in messages.
    static Result<Entry> parseEntry(std::string_view yamlText, const std::string &file);

    void add(Entry entry);
    // The first entry for a DLL file name (any case), or nullptr.
    const Entry *find(std::string_view dllName) const;
    // Every entry of that name: vendors can ship DLLs of the same name (sqlite.dll: Adobe and
    // SoftPerfect), each with its own expected folders.
    std::vector<const Entry *> findAll(std::string_view dllName) const;
    // Entries that list a vulnerable executable of this file name (any case), in dataset order.
    std::vector<const Entry *> entriesForExecutable(std::string_view exeName) const;
    std::size_t size() const { return m_entries.size(); }
    const std::vector<Entry> &entries() const { return m_entries; }

private:
    std::vector<Entry> m_entries;
    void indexExecutables(std::size_t entryIndex);
    std::unordered_map<std::string, std::vector<std::size_t>> m_byName;
    std::unordered_multimap<std::string, std::size_t> m_byExecutable;  // exe file name -> entry
};

} // namespace loadlens::hijacklibs
