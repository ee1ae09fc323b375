#pragma once
// The loader's view of one process: which modules LD_PRELOAD, LD_AUDIT or /etc/ld.so.preload
// named, which were found through LD_LIBRARY_PATH, which could have been hijacked through a
// writable directory searched earlier, which RPATH/RUNPATH entries are unsafe, and which
// shadow a system library. Results are cached across processes that share libraries.
#include "common/types.h"
#include "elf/ld_cache.h"
#include "scan/file_survey.h"
#include "verdict/module_facts.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace loadlens::scan {

class LoaderPathAnalyzer {
public:
    LoaderPathAnalyzer(const std::map<FileKey, SurveyedFile> &files, const elf::LdCache *cache,
                       std::vector<std::string> preloadFileEntries);

    // Facts for each module of `process`, in the order of process.modules.
    std::vector<verdict::ModuleFacts> analyse(const ProcessInfo &process);

    // The processes judged are those of another mount namespace, whose root is `rootDir`
    // (/proc/PID/root): directories are checked under it, and a module named by the preload file
    // says which file that was (`preloadFileShown`).
    void setRoot(std::string rootDir, std::string preloadFileShown)
    {
        m_rootDir = std::move(rootDir);
        m_preloadFileShown = std::move(preloadFileShown);
    }

    // Hook analysis: the exports of preloaded modules are always compared with the system
    // libraries' (interposition); those of other modules when no package verified them, or of
    // every module when `all` is set.
    void compareExportsOfAllModules(bool all) { m_interpositionForAll = all; }
    // System libraries a process does not map are looked up in ld.so.cache (else the default
    // directories) under `rootDir`; `packageOf` names the package that owns a path, empty when
    // none. Without it, libraries of the same project are recognised by name and directory only.
    void lookUpSystemLibraries(std::string rootDir, std::function<std::string(const std::string &)> packageOf)
    {
        m_rootDir = std::move(rootDir);
        m_packageOf = std::move(packageOf);
    }

    // Whoever other than root can add a file to `dir`, or create it when it is missing; empty
    // when only root can. Cached per directory.
    std::string whoCanPlantIn(const std::string &dir);

private:
    void addPreloadFacts(const ProcessInfo &process, std::vector<verdict::ModuleFacts> &facts);
    void addSearchPathFacts(const ProcessInfo &process, std::vector<verdict::ModuleFacts> &facts);
    const std::vector<verdict::RpathFact> &rpathFacts(const FileKey &key, const SurveyedFile &file);
    const std::vector<std::string> &shadowCopies(const FileKey &key, const SurveyedFile &file);
    void addInterposition(const ProcessInfo &process, std::vector<verdict::ModuleFacts> &facts);
    void addOwnPrefixFacts(const ProcessInfo &process, std::vector<verdict::ModuleFacts> &facts);
    // A system library whose exports a module's are compared with.
    struct SystemLibrary {
        std::size_t family = 0;     // index into the table of system libraries
        std::string path;           // as the process maps it, or as ld.so.cache names it
        std::string package;        // owning package, empty when none or unknown
        FileKey key;
        const std::vector<std::string> *exports = nullptr;
    };
    std::vector<SystemLibrary> systemLibraries(const ProcessInfo &process);
    // The system library of `family` that the host would give a process that does not map one.
    const std::optional<SystemLibrary> &hostSystemLibrary(std::size_t family);
    // The exported functions of a surveyed file, read once per file; an error says why unknown.
    const Result<std::vector<std::string>> &exportedFunctions(const FileKey &key, const SurveyedFile &file);

    const std::map<FileKey, SurveyedFile> &m_files;
    const elf::LdCache *m_cache;
    std::vector<std::string> m_preloadFile;
    std::string m_rootDir = "/";
    std::string m_preloadFileShown;  // empty: the host's /etc/ld.so.preload
    bool hostRoot() const { return m_rootDir.empty() || m_rootDir == "/"; }
    std::map<FileKey, Result<std::vector<std::string>>> m_exports;
    bool m_interpositionForAll = false;
    std::function<std::string(const std::string &)> m_packageOf;
    std::map<std::size_t, std::optional<SystemLibrary>> m_hostSystemLibraries;
    std::unordered_map<std::string, std::string> m_plantable;
    std::map<FileKey, std::vector<verdict::RpathFact>> m_rpath;
    std::map<FileKey, std::vector<std::string>> m_shadow;
    struct SearchOutcome {
        std::vector<verdict::SearchPathFact> hijackable;
        std::string libraryPathDir;  // non-empty when found through LD_LIBRARY_PATH
        std::string foundThrough;    // the search step that found it, as ModuleFacts::foundThrough
    };
    std::unordered_map<std::string, SearchOutcome> m_search;
};

// LD_PRELOAD / ld.so.preload entry matching: an entry with a slash names a file, one without
// a slash a library name searched like a DT_NEEDED.
// rootDir: the root the process sees; an entry that names a file through a symlink is resolved
// only under LoadLens's own root (elsewhere it must name the module's path itself).
bool preloadEntryMatches(const std::string &entry, const ModuleRecord &module, const std::string &rootDir = "/");
std::vector<std::string> splitPreloadList(const std::string &value);

} // namespace loadlens::scan
