#include "audit/audit_codes.h"
#include "audit/audit_facts.h"
#include "verdict/reason_catalog.h"

#include <algorithm>
#include <array>

namespace loadlens::audit {

namespace {

namespace catalog = loadlens::verdict;

constexpr std::array kLoaderVariables{std::string_view("LD_PRELOAD="), std::string_view("LD_AUDIT="),
                                      std::string_view("LD_LIBRARY_PATH=")};

// Kinds from most to least telling; an event gets the first one any of its findings has.
constexpr std::array kKindOrder{kind::PreloadConfigWrite, kind::LdConfigWrite,  kind::LdCacheWrite,
                                kind::LibraryWrite,       kind::LoaderEnvExec,  kind::AuditConfigChange,
                                kind::LibraryOpen,        kind::LoaderConfigRead};

// A reason with one of our codes that borrows the technique and measure of a catalog code.
Reason reasonLike(std::string_view ownCode, std::string_view catalogCode, Level level, std::string text,
                  Evidence evidence)
{
    Reason reason = catalog::makeReason(ownCode, level, std::move(text), std::move(evidence));
    reason.technique = std::string(catalog::techniqueFor(catalogCode));
    reason.measure = std::string(catalog::measureFor(catalogCode));
    return reason;
}

Level lower(Level level)
{
    return level > Level::Ok ? Level(int(level) - 1) : level;
}

std::string actor(const EventFacts &facts)
{
    std::string text = facts.get("exe").empty() ? std::string("an unknown program") : std::string(facts.get("exe"));
    if (!facts.get("pid").empty())
        text += " (pid " + std::string(facts.get("pid"));
    if (!facts.get("auid").empty())
        text += std::string(facts.get("pid").empty() ? " (" : ", ") + "auid " + std::string(facts.get("auid"));
    if (!facts.get("pid").empty() || !facts.get("auid").empty())
        text += ")";
    return text;
}

Evidence processEvidence(const EventFacts &facts)
{
    Evidence evidence;
    for (std::string_view name : {"exe", "pid", "auid", "uid", "syscall", "success", "key"})
        if (!facts.get(name).empty())
            evidence.emplace_back(std::string(name), std::string(facts.get(name)));
    return evidence;
}

bool failed(const EventFacts &facts)
{
    return facts.get("success") == "no";
}

// Level and wording for a change to a loader file, given who made it.
struct WriteJudgement {
    Level level;
    std::string how;
};

WriteJudgement judgeWrite(const EventFacts &facts, Access access, Level attacker, Level packageLevel)
{
    const bool package = isPackageManager(facts.get("exe"));
    Level level = package ? packageLevel : attacker;
    std::string how = package ? "by the package tool " + actor(facts) : "by " + actor(facts) + ", not a package tool";
    if (access == Access::Unknown) {
        level = lower(level);
        how = "touched (a write could not be confirmed from the syscall) " + how;
    } else {
        how = "written " + how;
    }
    if (failed(facts)) {
        level = std::min(level, Level::Low);
        how = "attempt failed: " + how;
    }
    return {level, how};
}

void judgePath(const EventFacts &facts, const PathFacts &path, std::vector<std::pair<std::string_view, Reason>> &found)
{
    Access access = facts.access;
    if (path.nametype == "CREATE" || path.nametype == "DELETE")
        access = Access::Write;
    Evidence evidence = processEvidence(facts);
    evidence.insert(evidence.begin(), {"path", path.resolved});
    if (!path.nametype.empty())
        evidence.emplace_back("nametype", path.nametype);
    const bool so = isSharedObjectName(path.resolved);
    const auto read = [&](std::string_view kindName, std::string_view code, std::string text) {
        found.emplace_back(kindName, catalog::makeReason(code, Level::Ok, std::move(text), evidence));
    };

    switch (path.pathClass) {
    case PathClass::None:
        return;
    case PathClass::PreloadFile:
    case PathClass::LdConfig:
    case PathClass::LdCache: {
        const bool preload = path.pathClass == PathClass::PreloadFile;
        const bool cache = path.pathClass == PathClass::LdCache;
        if (access == Access::Read) {
            read(kind::LoaderConfigRead, code::LoaderConfigRead, path.resolved + " read by " + actor(facts));
            return;
        }
        // ldconfig rewrites the cache as its job; for the preload file and ld.so.conf a package
        // tool is expected but still worth a note.
        const bool ldconfig = cache && facts.get("exe").find("ldconfig") != std::string_view::npos;
        const WriteJudgement w =
            judgeWrite(facts, access, Level::High, ldconfig ? Level::Ok : (cache ? Level::Info : Level::Low));
        const std::string why = preload ? ": every dynamically linked program loads the libraries it lists"
                                : cache ? ": the loader resolves library names through this cache"
                                        : ": it adds directories the loader searches for libraries";
        found.emplace_back(preload ? kind::PreloadConfigWrite : cache ? kind::LdCacheWrite : kind::LdConfigWrite,
                           reasonLike(preload ? code::PreloadFileWritten
                                      : cache ? code::LdCacheWritten
                                              : code::LdConfigWritten,
                                      catalog::code::PreloadFile,
                                      w.level, path.resolved + " " + w.how + why, evidence));
        return;
    }
    case PathClass::LibraryDir:
    case PathClass::SharedObject: {
        if (access == Access::Write) {
            const bool system = isSystemLibraryPath(path.resolved);
            Level attacker = path.pathClass == PathClass::SharedObject
                                 ? (isUntrustedLocation(path.resolved) ? Level::Medium : Level::Low)
                                 : (system && so ? Level::High : Level::Medium);
            const WriteJudgement w = judgeWrite(facts, access, attacker, Level::Info);
            found.emplace_back(kind::LibraryWrite,
                               reasonLike(path.pathClass == PathClass::LibraryDir ? code::LibraryDirWritten
                                                                                  : code::LibraryFileWritten,
                                          catalog::code::WritablePath, w.level,
                                          path.resolved + " " + w.how +
                                              ": a library placed here can be loaded by other programs",
                                          evidence));
            return;
        }
        if (!so)
            return;  // reads of other files under /usr/lib are not about loading
        if (isUntrustedLocation(path.resolved))
            found.emplace_back(kind::LibraryOpen,
                               catalog::makeReason(catalog::code::UntrustedLocation, Level::Medium,
                                                   "shared object " + path.resolved + " opened by " + actor(facts) +
                                                       " from a user-writable location",
                                                   evidence));
        else
            read(kind::LibraryOpen, code::LibraryOpened, "shared object " + path.resolved + " opened by " + actor(facts));
        return;
    }
    }
}

void judgeVariables(const EventFacts &facts, std::vector<std::pair<std::string_view, Reason>> &found)
{
    for (const LoaderVariable &variable : facts.variables) {
        const bool libraryPath = variable.name == "LD_LIBRARY_PATH";
        Evidence evidence = processEvidence(facts);
        evidence.insert(evidence.begin(), {variable.name, variable.value});
        evidence.emplace_back("seen in", variable.where);
        const Level level = libraryPath ? Level::Medium : Level::High;
        found.emplace_back(kind::LoaderEnvExec,
                           reasonLike(code::LoaderEnvExec,
                                      libraryPath ? catalog::code::LibraryPathEnv : catalog::code::PreloadEnv,
                                      failed(facts) ? std::min(level, Level::Low) : level,
                                      variable.name + "=" + variable.value + " on the command line run by " +
                                          actor(facts) + ": the loader will " +
                                          (libraryPath ? "search these directories first"
                                                       : "load this library into the program"),
                                      evidence));
    }
}

void judgeConfigChange(const EventFacts &facts, std::vector<std::pair<std::string_view, Reason>> &found)
{
    const auto field = [&](std::string_view name) {
        const auto it = facts.config.find(name);
        return it == facts.config.end() ? std::string() : it->second;
    };
    const std::string op = field("op");
    Level level = Level::Low;
    std::string what = op.empty() ? "audit configuration changed" : "audit configuration changed (op=" + op + ")";
    if (field("audit_enabled") == "0") {
        level = Level::High;
        what = "auditing disabled (audit_enabled=0)";
    } else if (op.find("remove") != std::string::npos || op.find("del") != std::string::npos) {
        level = Level::Medium;
        what = "audit rule removed (op=" + op + ")";
    }
    if (field("res") == "0" || field("res") == "no")
        level = Level::Info;
    Evidence evidence;
    for (const auto &[name, value] : facts.config)
        evidence.emplace_back(name, value);
    Reason reason = catalog::makeReason(code::AuditRulesChanged, level,
                                        what + " by auid " + field("auid") +
                                            ": changed rules can hide later writes to loader files",
                                        std::move(evidence));
    reason.technique = std::string(kAuditTamperingTechnique);
    reason.measure = std::string(catalog::measure::AuditAndMonitor);
    found.emplace_back(kind::AuditConfigChange, std::move(reason));
}

} // namespace

void findLoaderVariables(std::string_view text, std::string_view where, std::vector<LoaderVariable> &out)
{
    for (std::string_view prefix : kLoaderVariables) {
        for (std::size_t at = text.find(prefix); at != std::string_view::npos; at = text.find(prefix, at + 1)) {
            // A whole word: start of text or after a separator ("env LD_PRELOAD=..", "sh -c '..").
            if (at > 0 && text[at - 1] != ' ' && text[at - 1] != '\'' && text[at - 1] != '"' && text[at - 1] != ';')
                continue;
            const std::size_t begin = at + prefix.size();
            std::size_t end = text.find_first_of(" '\";", begin);
            if (end == std::string_view::npos)
                end = text.size();
            out.push_back({std::string(prefix.substr(0, prefix.size() - 1)), std::string(text.substr(begin, end - begin)),
                           std::string(where)});
        }
    }
}

Judgement judgeEvent(const EventFacts &facts)
{
    std::vector<std::pair<std::string_view, Reason>> found;
    for (const PathFacts &path : facts.paths)
        judgePath(facts, path, found);
    judgeVariables(facts, found);
    if (facts.configChange)
        judgeConfigChange(facts, found);

    Judgement judgement;
    judgement.kind = kind::Irrelevant;
    for (std::string_view candidate : kKindOrder) {
        for (const auto &[kindName, reason] : found)
            if (kindName == candidate) {
                judgement.kind = candidate;
                for (const auto &[name, value] : reason.evidence)
                    if (name == "path" || name == "LD_PRELOAD" || name == "LD_AUDIT" || name == "LD_LIBRARY_PATH") {
                        judgement.imageLoaded = value;
                        break;
                    }
                break;
            }
        if (judgement.kind != kind::Irrelevant)
            break;
    }
    for (auto &[kindName, reason] : found)
        judgement.verdict.add(std::move(reason));
    return judgement;
}

} // namespace loadlens::audit
