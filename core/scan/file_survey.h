#pragma once
// Facts about each distinct mapped file (dev, inode), gathered once however many processes
// map it: lstat, digests, package ownership, who can write it, where it lives, its ELF
// dynamic section. Cost scales with unique files, not mappings.
#include "common/cancel.h"
#include "common/types.h"
#include "elf/elf_info.h"
#include "verdict/module_facts.h"

#include <map>
#include <optional>
#include <string>

namespace loadlens::pkg {
class HashCache;
}

namespace loadlens::scan {

struct SurveyedFile {
    FileFacts facts;
    bool deleted = false;         // mapped file has no link left (survey used map_files)
    bool pathMismatch = false;    // the path names another file here than the one mapped
    bool changedDuringScan = false;  // the file hashed at the path was not the one identified: no digest
    std::string accessPath;       // what was opened to read it: the path or /proc/PID/map_files/...
    verdict::PackageFacts package;
    verdict::WritableFacts writable;
    verdict::LocationFacts location;
    std::optional<elf::ElfInfo> elf;
};

class PackageLookup;

struct SurveyInputs {
    PackageLookup *packages = nullptr;     // may be unavailable (no dpkg on this host)
    pkg::HashCache *hashCache = nullptr;   // optional
    // Where the processes' paths are looked up: "/" for LoadLens's own mount namespace, the
    // namespace's /proc/PID/root for another. Facts keep the paths as the processes see them.
    std::string rootDir = "/";
    std::string procRoot = "/proc";
    // Files surveyed already from another root: the same (dev, inode) is the same content, so
    // its digests are taken from there instead of hashing it again.
    const std::map<FileKey, SurveyedFile> *surveyedElsewhere = nullptr;
    // Non-empty when rootDir could not be read at all (why): files are read only through their
    // mappings, and no package is asked.
    std::string rootUnreadable;
};

// PATH as seen under ROOT ("/" leaves it as it is).
std::string underRoot(const std::string &root, const std::string &path);

struct SurveyStats {
    int hashed = 0;
    int fromCache = 0;
    int hashFailures = 0;
};

// Surveys every file module of `processes`. Progress: files done / total.
std::map<FileKey, SurveyedFile> surveyFiles(const std::vector<ProcessInfo> &processes, const SurveyInputs &inputs,
                                            SurveyStats &stats, const ProgressFn &progress,
                                            const CancelToken &cancel);
// The same for some of them (those of one mount namespace).
std::map<FileKey, SurveyedFile> surveyFiles(const std::vector<const ProcessInfo *> &processes,
                                            const SurveyInputs &inputs, SurveyStats &stats,
                                            const ProgressFn &progress, const CancelToken &cancel);

// Converts a pathsec writability report into the verdict's facts (also used for directories).
struct WritabilitySummary {
    bool writable = false;   // someone other than root can replace or modify it
    bool creatable = false;  // someone other than root can add entries (directories)
    std::string who;         // "everyone", "user alice (1000)", ...
    std::string summary;
    std::vector<verdict::WriterFact> writers;
    std::vector<std::string> errors;
};
// rootDir: see SurveyInputs::rootDir; `path` is the path inside it.
WritabilitySummary summariseWritability(const std::string &path, const std::string &rootDir = "/");

// Whether a security.ima value is an IMA signature (EVM_IMA_XATTR_DIGSIG with a v2 header whose
// signature size matches the value), and whether the file open at `fd` carries one.
bool isImaSignature(const unsigned char *value, std::size_t size);
bool hasImaSignature(int fd);

} // namespace loadlens::scan
