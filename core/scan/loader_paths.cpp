#include "scan/loader_paths.h"

#include "elf/byte_source.h"
#include "elf/dynamic_symbols.h"

#include "elf/search_order.h"
#include "elf/token_expansion.h"
#include "pathsec/ld_config.h"
#include "pathsec/location.h"

#include <algorithm>
#include <iterator>
#include <string_view>
#include <climits>
#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

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

namespace {

// The libraries of one project ship together and legitimately export each other's names
// (glibc's libpthread and ld.so repeat libc's; libcrypto sits beside libssl): basename prefixes.
const std::vector<std::string_view> kGlibcLibraries{
    "libc.so.", "libpthread.so.", "libm.so.", "libdl.so.", "librt.so.", "libresolv.so.", "libutil.so.",
    "libanl.so.", "libnsl.so.", "libBrokenLocale.so.", "libmvec.so.", "libthread_db.so.", "libcrypt.so.",
    "libnss_", "libmemusage.so", "libpcprofile.so", "libSegFault.so", "libc_malloc_debug.so.", "ld-linux",
    "ld64.so.", "ld.so."};
const std::vector<std::string_view> kPamLibraries{"libpam.so.", "libpam_misc.so.", "libpamc.so.", "pam_"};
const std::vector<std::string_view> kCryptLibraries{"libcrypt.so."};
const std::vector<std::string_view> kSslLibraries{"libssl.so.", "libcrypto.so."};
const std::vector<std::string_view> kAuditLibraries{"libaudit.so.", "libauparse.so."};

struct SystemFamily {
    std::vector<std::string_view> names;       // basename prefixes of the library itself
    std::vector<std::string_view> cacheNames;  // SONAMEs to look up when a process maps none
    const std::vector<std::string_view> *project;
};

// The libraries whose functions a hook replaces: the C library, the dynamic loader, libpam,
// libcrypt, libssl and libaudit.
const std::vector<SystemFamily> &systemFamilies()
{
    static const std::vector<SystemFamily> families{
        {{"libc.so."}, {"libc.so.6"}, &kGlibcLibraries},
        {{"ld-linux", "ld64.so."},
         {"ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "ld-linux-armhf.so.3", "ld-linux.so.2", "ld64.so.2",
          "ld-linux-riscv64-lp64d.so.1"},
         &kGlibcLibraries},
        {{"libpam.so."}, {"libpam.so.0"}, &kPamLibraries},
        {{"libcrypt.so."}, {"libcrypt.so.1", "libcrypt.so.2"}, &kCryptLibraries},
        {{"libssl.so."}, {"libssl.so.3", "libssl.so.1.1"}, &kSslLibraries},
        {{"libaudit.so."}, {"libaudit.so.1"}, &kAuditLibraries},
    };
    return families;
}

bool startsWithAny(std::string_view name, const std::vector<std::string_view> &prefixes)
{
    return std::any_of(prefixes.begin(), prefixes.end(), [&](std::string_view p) { return name.starts_with(p); });
}

std::string underScanRoot(const std::string &root, const std::string &path)
{
    if (root.empty() || root == "/")
        return path;
    return (root.back() == '/' ? root.substr(0, root.size() - 1) : root) + path;
}

// ld.so.cache names the SONAME link (libpam.so.0 -> libpam.so.0.85.1), and the ELF reader opens
// no final symlink: follow them, an absolute target inside the scan root.
std::string followFinalLinks(const std::string &root, std::string path)
{
    for (int hops = 0; hops < 8; ++hops) {
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode))
            return path;
        char target[PATH_MAX];
        const ssize_t n = ::readlink(path.c_str(), target, sizeof target - 1);
        if (n <= 0)
            return path;
        const std::string link(target, static_cast<std::size_t>(n));
        path = link[0] == '/' ? underScanRoot(root, link) : elf::directoryOf(path) + "/" + link;
    }
    return path;
}

// `dir` is `parent` or below it (PAM modules live in security/ under libpam's directory).
bool inOrBelow(const std::string &dir, const std::string &parent)
{
    return dir == parent || (dir.size() > parent.size() && dir.compare(0, parent.size(), parent) == 0 &&
                             dir[parent.size()] == '/');
}

} // namespace

const std::optional<LoaderPathAnalyzer::SystemLibrary> &LoaderPathAnalyzer::hostSystemLibrary(std::size_t family)
{
    if (auto it = m_hostSystemLibraries.find(family); it != m_hostSystemLibraries.end())
        return it->second;
    std::optional<SystemLibrary> found;
    for (std::string_view soname : systemFamilies()[family].cacheNames) {
        std::vector<std::string> candidates;
        if (m_cache) {
            if (auto cached = m_cache->lookup(soname))
                candidates.push_back(*cached);
            for (const auto *entry : m_cache->lookupAll(soname))
                if (entry->hwcap == 0)
                    candidates.push_back(entry->path);
        }
        for (const auto &dir : elf::defaultLibraryDirs())
            candidates.push_back(dir + "/" + std::string(soname));
        for (const auto &candidate : candidates) {
            const std::string onDisk = followFinalLinks(m_rootDir, underScanRoot(m_rootDir, candidate));
            struct stat st {};
            if (::stat(onDisk.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
                continue;
            const FileKey key{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
            auto it = m_exports.find(key);
            if (it == m_exports.end()) {
                Result<std::vector<std::string>> result = Error{0, "not read"};
                if (auto source = elf::FileByteSource::open(onDisk))
                    result = elf::readExportedFunctions(*source);
                else
                    result = source.error();
                it = m_exports.emplace(key, std::move(result)).first;
            }
            if (!it->second)
                continue;
            found = SystemLibrary{family, candidate, m_packageOf ? m_packageOf(candidate) : std::string(), key,
                                  &*it->second};
            break;
        }
        if (found)
            break;
    }
    return m_hostSystemLibraries.emplace(family, std::move(found)).first->second;
}

std::vector<LoaderPathAnalyzer::SystemLibrary> LoaderPathAnalyzer::systemLibraries(const ProcessInfo &process)
{
    const auto &families = systemFamilies();
    std::vector<SystemLibrary> out;
    std::vector<bool> mapped(families.size(), false);
    for (const auto &m : process.modules) {
        const SurveyedFile *file = surveyed(m_files, m);
        if (!file || file->deleted)
            continue;
        const std::string name = baseName(m.path);
        for (std::size_t family = 0; family < families.size(); ++family) {
            if (mapped[family] || !startsWithAny(name, families[family].names))
                continue;
            const auto &exports = exportedFunctions(m.file, *file);
            if (!exports)
                continue;
            mapped[family] = true;
            out.push_back({family, m.path, file->facts.package, m.file, &*exports});
        }
    }
    for (std::size_t family = 0; family < families.size(); ++family)
        if (!mapped[family])
            if (const auto &host = hostSystemLibrary(family))
                out.push_back(*host);
    return out;
}

// For each module to examine: the functions it defines that a system library also exports.
void LoaderPathAnalyzer::addInterposition(const ProcessInfo &process, std::vector<verdict::ModuleFacts> &facts)
{
    std::optional<std::vector<SystemLibrary>> systems;  // read when the first module needs them
    for (std::size_t i = 0; i < process.modules.size(); ++i) {
        auto &f = facts[i];
        const ModuleRecord &m = process.modules[i];
        const bool preloaded = f.inPreloadEnv || f.inPreloadFile;
        if (m.pseudo || m.anonymousExec)
            continue;
        if (!preloaded && !m_interpositionForAll && f.package.state == verdict::PackageFacts::State::Verified)
            continue;
        const SurveyedFile *own = surveyed(m_files, m);
        if (!own) {
            if (preloaded)
                f.interposesUnknown = "the library could not be read";
            continue;
        }
        if (!systems)
            systems = systemLibraries(process);
        if (systems->empty()) {
            if (preloaded)
                f.interposesUnknown = "no C library or other system library could be read to compare with";
            continue;
        }
        const auto &mine = exportedFunctions(m.file, *own);
        if (!mine) {
            if (preloaded)
                f.interposesUnknown = mine.error().message;
            continue;
        }
        if (mine->empty())
            continue;
        const std::string name = baseName(m.path);
        const std::string dir = elf::directoryOf(m.path);
        const std::string &package = own->facts.package;
        const auto &families = systemFamilies();
        std::vector<std::string> shared;
        for (const auto &sys : *systems) {
            if (sys.key == m.file || sys.path == m.path)
                continue;
            // A library of the same package (libc6's libm against its libc), or, where no package
            // owns either, of the same project in the same directory (a container's or bundle's
            // own glibc), is not a hook but the system library's own kin.
            if (!package.empty() && package == sys.package)
                continue;
            if (package.empty() && sys.package.empty() && startsWithAny(name, *families[sys.family].project) &&
                inOrBelow(dir, elf::directoryOf(sys.path)))
                continue;
            // A private copy of the library itself (a bundled libssl) is shadowing, reported as
            // such; only one that was injected is also asked what it replaces.
            if (!preloaded && startsWithAny(name, families[sys.family].names))
                continue;
            const std::size_t before = shared.size();
            std::set_intersection(mine->begin(), mine->end(), sys.exports->begin(), sys.exports->end(),
                                  std::back_inserter(shared));
            if (shared.size() > before)
                f.interposedLibraries.push_back(sys.path);
        }
        std::sort(shared.begin(), shared.end());
        shared.erase(std::unique(shared.begin(), shared.end()), shared.end());
        f.interposes = std::move(shared);
    }
}

namespace {

// Nobody but user `uid` can replace the file or a directory above it (someone who may only add
// entries to a sticky directory such as /tmp cannot).
bool onlyOwnerWrites(const SurveyedFile &file, std::uint32_t uid)
{
    if (!file.writable.errors.empty())
        return false;
    const std::string suffix = " (" + std::to_string(uid) + ")";
    return std::all_of(file.writable.writers.begin(), file.writable.writers.end(), [&](const verdict::WriterFact &w) {
        return !w.canReplace || (w.principal.rfind("user ", 0) == 0 && w.principal.size() > suffix.size() &&
                                 w.principal.compare(w.principal.size() - suffix.size(), suffix.size(), suffix) == 0);
    });
}

} // namespace

void LoaderPathAnalyzer::addOwnPrefixFacts(const ProcessInfo &process, std::vector<verdict::ModuleFacts> &facts)
{
    const SurveyedFile *exe = nullptr;
    for (const auto &m : process.modules)
        if (!m.path.empty() && m.path == process.exe)
            exe = surveyed(m_files, m);
    if (!exe || exe->deleted || exe->pathMismatch || exe->facts.uid == 0 || !onlyOwnerWrites(*exe, exe->facts.uid))
        return;
    const std::string through = std::string(elf::searchSourceName(elf::SearchSource::Runpath)) + " of " + process.exe;
    for (std::size_t i = 0; i < process.modules.size(); ++i) {
        auto &f = facts[i];
        if (f.shadowedBy.empty() || f.foundThrough != through)
            continue;
        const SurveyedFile *lib = surveyed(m_files, process.modules[i]);
        if (!lib || lib->deleted || lib->pathMismatch || lib->facts.uid != exe->facts.uid)
            continue;
        struct stat st {};
        const std::string dir = elf::directoryOf(process.modules[i].path);
        if (::stat(dir.c_str(), &st) != 0 || st.st_uid != exe->facts.uid || !onlyOwnerWrites(*lib, exe->facts.uid))
            continue;
        f.ownPrefixOwner = lib->facts.ownerName;
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
    addOwnPrefixFacts(process, facts);
    return facts;
}

} // namespace loadlens::scan
