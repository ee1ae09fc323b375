#include "scan/loader_paths.h"

#include "elf/byte_source.h"
#include "elf/dynamic_symbols.h"

#include "elf/search_order.h"
#include "elf/token_expansion.h"
#include "pathsec/ld_config.h"
#include "pathsec/location.h"

#include <algorithm>
#include <iterator>
#include <climits>
#include <cstdlib>
#include <sys/stat.h>

namespace loadlens::scan {

namespace {

std::string baseName(const std::string &path)
{
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool underSystemLibraries(const std::string &path)
{
    for (const char *prefix : {"/lib/", "/lib64/", "/lib32/", "/libx32/", "/usr/lib/", "/usr/lib64/", "/usr/lib32/",
                               "/usr/libx32/"})
        if (path.rfind(prefix, 0) == 0)
            return true;
    return false;
}

const SurveyedFile *surveyed(const std::map<FileKey, SurveyedFile> &files, const ModuleRecord &m)
{
    if (m.anonymousExec || m.pseudo || m.memfd)
        return nullptr;
    auto it = files.find(m.file);
    return it == files.end() ? nullptr : &it->second;
}

} // namespace

std::vector<std::string> splitPreloadList(const std::string &value)
{
    std::vector<std::string> out;
    std::string current;
    for (char c : value) {
        if (c == ' ' || c == ':' || c == '\t' || c == '\n') {
            if (!current.empty())
                out.push_back(std::move(current));
            current.clear();
        } else {
            current += c;
        }
    }
    if (!current.empty())
        out.push_back(std::move(current));
    return out;
}

bool preloadEntryMatches(const std::string &rawEntry, const ModuleRecord &module, const std::string &rootDir)
{
    if (module.path.empty() || module.anonymousExec || module.pseudo)
        return false;
    elf::TokenContext tokens;
    const std::string entry = elf::expandTokens(rawEntry, tokens);
    if (entry.empty())
        return false;
    if (entry.find('/') == std::string::npos)
        return baseName(module.path) == entry;
    if (entry == module.path)
        return true;
    if (!rootDir.empty() && rootDir != "/")
        return false;  // realpath would follow absolute symlinks in LoadLens's root, not the process's
    char resolved[PATH_MAX];
    if (::realpath(entry.c_str(), resolved))
        return module.path == resolved;
    return false;
}

LoaderPathAnalyzer::LoaderPathAnalyzer(const std::map<FileKey, SurveyedFile> &files, const elf::LdCache *cache,
                                       std::vector<std::string> preloadFileEntries)
    : m_files(files)
    , m_cache(cache)
    , m_preloadFile(std::move(preloadFileEntries))
{
}

std::string LoaderPathAnalyzer::whoCanPlantIn(const std::string &dir)
{
    if (auto it = m_plantable.find(dir); it != m_plantable.end())
        return it->second;
    std::string who;
    struct stat st {};
    if (::stat(underRoot(m_rootDir, dir).c_str(), &st) == 0) {
        const auto w = summariseWritability(dir, m_rootDir);
        if (w.creatable || w.writable)
            who = w.who.empty() ? std::string("a non-root user") : w.who;
    } else {
        // Missing: whoever can create the first missing component can create the directory.
        std::string parent = elf::directoryOf(dir);
        while (parent != "/" && parent != "." && ::stat(underRoot(m_rootDir, parent).c_str(), &st) != 0)
            parent = elf::directoryOf(parent);
        if (parent != ".") {
            const auto w = summariseWritability(parent, m_rootDir);
            if (w.creatable || w.writable)
                who = (w.who.empty() ? std::string("a non-root user") : w.who) + " (by creating it in " + parent + ")";
        }
    }
    m_plantable.emplace(dir, who);
    return who;
}

const std::vector<verdict::RpathFact> &LoaderPathAnalyzer::rpathFacts(const FileKey &key, const SurveyedFile &file)
{
    if (auto it = m_rpath.find(key); it != m_rpath.end())
        return it->second;
    std::vector<verdict::RpathFact> facts;
    if (file.elf && (file.elf->hasRunpath || file.elf->hasRpath)) {
        const bool runpath = file.elf->hasRunpath;
        const std::string tag = runpath ? "DT_RUNPATH" : "DT_RPATH";
        elf::TokenContext tokens;
        tokens.origin = elf::directoryOf(file.facts.path);
        for (const auto &entry : elf::splitSearchPath(runpath ? file.elf->runpath : file.elf->rpath)) {
            const auto expanded = elf::expandEntry(entry, tokens);
            if (expanded.discarded)
                continue;
            if (expanded.relative) {
                facts.push_back({verdict::RpathFact::Kind::Relative, entry, expanded.path, tag, {}});
                continue;
            }
            const std::string who = whoCanPlantIn(expanded.path);
            if (who.empty())
                continue;
            struct stat st {};
            const bool exists = ::stat(underRoot(m_rootDir, expanded.path).c_str(), &st) == 0;
            facts.push_back({exists ? verdict::RpathFact::Kind::Writable : verdict::RpathFact::Kind::MissingCreatable,
                             entry, expanded.path, tag, who});
        }
    }
    return m_rpath.emplace(key, std::move(facts)).first->second;
}

const std::vector<std::string> &LoaderPathAnalyzer::shadowCopies(const FileKey &key, const SurveyedFile &file)
{
    if (auto it = m_shadow.find(key); it != m_shadow.end())
        return it->second;
    std::vector<std::string> copies;
    if (file.elf && !file.elf->soname.empty() && !underSystemLibraries(file.facts.path) && !file.pathMismatch) {
        const std::string &soname = file.elf->soname;
        std::vector<std::string> candidates;
        if (m_cache)
            if (auto cached = m_cache->lookup(soname))
                candidates.push_back(*cached);
        for (const auto &dir : elf::defaultLibraryDirs())
            candidates.push_back(dir + "/" + soname);
        for (const auto &candidate : candidates) {
            struct stat st {};
            if (::stat(underRoot(m_rootDir, candidate).c_str(), &st) != 0 ||
                static_cast<std::uint64_t>(st.st_ino) == key.inode)
                continue;
            char resolved[PATH_MAX];
            std::string real =
                hostRoot() && ::realpath(candidate.c_str(), resolved) ? std::string(resolved) : candidate;
            if (std::find(copies.begin(), copies.end(), real) == copies.end())
                copies.push_back(real);
        }
    }
    return m_shadow.emplace(key, std::move(copies)).first->second;
}

void LoaderPathAnalyzer::addPreloadFacts(const ProcessInfo &process, std::vector<verdict::ModuleFacts> &facts)
{
    for (const char *variable : {"LD_PRELOAD", "LD_AUDIT"}) {
        auto it = process.loaderEnv.find(variable);
        if (it == process.loaderEnv.end())
            continue;
        for (const auto &entry : splitPreloadList(it->second))
            for (std::size_t i = 0; i < process.modules.size(); ++i)
                if (!facts[i].inPreloadEnv && preloadEntryMatches(entry, process.modules[i], m_rootDir)) {
                    facts[i].inPreloadEnv = true;
                    facts[i].preloadVariable = variable;
                }
    }
    for (const auto &entry : m_preloadFile)
        for (std::size_t i = 0; i < process.modules.size(); ++i)
            if (preloadEntryMatches(entry, process.modules[i], m_rootDir)) {
                facts[i].inPreloadFile = true;
                facts[i].preloadFile = m_preloadFileShown;
            }

    // A module that sits in an LD_LIBRARY_PATH directory was found through it, whether it was
    // a DT_NEEDED or a dlopen by name (the search-order analysis only sees the former).
    if (auto it = process.loaderEnv.find("LD_LIBRARY_PATH"); it != process.loaderEnv.end()) {
        for (const auto &dir : elf::splitSearchPath(it->second, ":;")) {
            if (dir.empty() || dir[0] != '/' || pathsec::isSystemLibraryDir(dir))
                continue;
            std::string normalised = dir;
            while (normalised.size() > 1 && normalised.back() == '/')
                normalised.pop_back();
            for (std::size_t i = 0; i < process.modules.size(); ++i) {
                const auto &m = process.modules[i];
                if (!m.anonymousExec && !m.pseudo && elf::directoryOf(m.path) == normalised) {
                    facts[i].viaLibraryPathEnv = true;
                    facts[i].libraryPathDir = normalised;
                }
            }
        }
    }
}

void LoaderPathAnalyzer::addSearchPathFacts(const ProcessInfo &process, std::vector<verdict::ModuleFacts> &facts)
{
    const auto &mods = process.modules;
    std::optional<std::size_t> exeIndex;
    for (std::size_t i = 0; i < mods.size(); ++i)
        if (!mods[i].path.empty() && mods[i].path == process.exe)
            exeIndex = i;
    const SurveyedFile *exe = exeIndex ? surveyed(m_files, mods[*exeIndex]) : nullptr;
    const bool exeMatters = exe && exe->elf && !exe->elf->hasRunpath && exe->elf->hasRpath;
    std::optional<std::string> ldLibraryPath;
    if (auto it = process.loaderEnv.find("LD_LIBRARY_PATH"); it != process.loaderEnv.end())
        ldLibraryPath = it->second;

    // name -> module index, for resolving DT_NEEDED names to what the process really loaded
    std::unordered_map<std::string, std::size_t> byName;
    for (std::size_t i = 0; i < mods.size(); ++i) {
        const SurveyedFile *f = surveyed(m_files, mods[i]);
        if (!f || f->deleted)
            continue;
        byName.emplace(baseName(mods[i].path), i);
        if (f->elf && !f->elf->soname.empty())
            byName.emplace(f->elf->soname, i);
    }

    for (std::size_t r = 0; r < mods.size(); ++r) {
        const SurveyedFile *requester = surveyed(m_files, mods[r]);
        if (!requester || !requester->elf || requester->deleted || requester->pathMismatch)
            continue;
        for (const auto &needed : requester->elf->needed) {
            if (needed.find('/') != std::string::npos)
                continue;
            auto target = byName.find(needed);
            if (target == byName.end())
                continue;
            const ModuleRecord &loaded = mods[target->second];
            const std::string loadedDir = elf::directoryOf(loaded.path);
            const bool viaExe = exeMatters && exeIndex && *exeIndex != r && !requester->elf->hasRunpath;
            std::string key = mods[r].path + '\n' + needed + '\n' + loadedDir + '\n' +
                              (ldLibraryPath ? *ldLibraryPath : std::string("\x01")) + '\n' +
                              (viaExe ? process.exe : std::string());
            auto cached = m_search.find(key);
            if (cached == m_search.end()) {
                SearchOutcome outcome;
                elf::SearchRequest request;
                request.neededName = needed;
                request.requester = {mods[r].path, *requester->elf};
                if (viaExe)
                    request.loaders.push_back({process.exe, *exe->elf});
                request.ldLibraryPath = ldLibraryPath;
                request.cache = m_cache;
                const auto steps = elf::searchOrder(request);
                const auto found = elf::stepIndexForDirectory(steps, loadedDir, m_rootDir);
                if (found) {
                    const auto &step = steps[*found];
                    outcome.foundThrough = step.source == elf::SearchSource::DefaultDir
                                               ? std::string("default directories")
                                               : std::string(elf::searchSourceName(step.source));
                    if (!step.objectPath.empty())
                        outcome.foundThrough += " of " + step.objectPath;
                    if (steps[*found].source == elf::SearchSource::LdLibraryPath)
                        outcome.libraryPathDir = steps[*found].directory;
                    for (std::size_t s = 0; s < *found; ++s) {
                        const auto &step = steps[s];
                        if (step.relative || step.source == elf::SearchSource::Cache)
                            continue;
                        const std::string who = whoCanPlantIn(step.directory);
                        if (who.empty())
                            continue;
                        std::string source = std::string(elf::searchSourceName(step.source));
                        if (!step.objectPath.empty())
                            source += " of " + step.objectPath;
                        outcome.hijackable.push_back({needed, mods[r].path, step.directory, source, who, loadedDir});
                    }
                }
                cached = m_search.emplace(std::move(key), std::move(outcome)).first;
            }
            auto &f = facts[target->second];
            if (f.foundThrough.empty())
                f.foundThrough = cached->second.foundThrough;
            if (!cached->second.libraryPathDir.empty()) {
                f.viaLibraryPathEnv = !pathsec::isSystemLibraryDir(cached->second.libraryPathDir);
                f.libraryPathDir = cached->second.libraryPathDir;
            }
            for (const auto &h : cached->second.hijackable) {
                const bool known = std::any_of(f.searchPath.begin(), f.searchPath.end(), [&](const auto &x) {
                    return x.writableDir == h.writableDir;
                });
                if (!known)
                    f.searchPath.push_back(h);
            }
        }
    }
}

const Result<std::vector<std::string>> &LoaderPathAnalyzer::exportedFunctions(const FileKey &key,
                                                                              const SurveyedFile &file)
{
    if (auto it = m_exports.find(key); it != m_exports.end())
        return it->second;
    Result<std::vector<std::string>> result = Error{0, "not read"};
    if (auto source = elf::FileByteSource::open(file.accessPath))
        result = elf::readExportedFunctions(*source);
    else
        result = source.error();
    return m_exports.emplace(key, std::move(result)).first->second;
}

// For each preloaded library: the functions it shares with the process's C library.
void LoaderPathAnalyzer::addInterposition(const ProcessInfo &process, std::vector<verdict::ModuleFacts> &facts)
{
    const ModuleRecord *libc = nullptr;
    for (const auto &m : process.modules) {
        const auto slash = m.path.rfind('/');
        if (m.path.compare(slash == std::string::npos ? 0 : slash + 1, 8, "libc.so.") == 0) {
            libc = &m;
            break;
        }
    }
    for (std::size_t i = 0; i < process.modules.size(); ++i) {
        auto &f = facts[i];
        if (!f.inPreloadEnv && !f.inPreloadFile)
            continue;
        const SurveyedFile *own = surveyed(m_files, process.modules[i]);
        const SurveyedFile *c = libc ? surveyed(m_files, *libc) : nullptr;
        if (!own || !c) {
            f.interposesUnknown = own ? "the process maps no C library that could be read" : "the library could not be read";
            continue;
        }
        const auto &mine = exportedFunctions(process.modules[i].file, *own);
        const auto &theirs = exportedFunctions(libc->file, *c);
        if (!mine || !theirs) {
            f.interposesUnknown = (!mine ? mine : theirs).error().message;
            continue;
        }
        std::set_intersection(mine->begin(), mine->end(), theirs->begin(), theirs->end(),
                              std::back_inserter(f.interposes));
    }
}

std::vector<verdict::ModuleFacts> LoaderPathAnalyzer::analyse(const ProcessInfo &process)
{
    std::vector<verdict::ModuleFacts> facts(process.modules.size());
    for (std::size_t i = 0; i < process.modules.size(); ++i) {
        const ModuleRecord &m = process.modules[i];
        const SurveyedFile *f = surveyed(m_files, m);
        if (!f)
            continue;
        auto &mf = facts[i];
        mf.package = f->package;
        mf.writable = f->writable;
        mf.location = f->location;
        mf.sha256 = f->facts.sha256;
        if (f->elf) {
            mf.soname = f->elf->soname;
            mf.rpath = rpathFacts(m.file, *f);
            mf.shadowedBy = shadowCopies(m.file, *f);
        }
    }
    addPreloadFacts(process, facts);
    addInterposition(process, facts);
    addSearchPathFacts(process, facts);
    return facts;
}

} // namespace loadlens::scan
