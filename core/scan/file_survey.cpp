#include "scan/file_survey.h"

#include "common/io.h"
#include "common/log.h"
#include "elf/elf_reader.h"
#include "pathsec/file_facts.h"
#include "pathsec/location.h"
#include "pathsec/principals.h"
#include "pathsec/writability.h"
#include "scan/package_lookup.h"
#include "pkg/hash.h"
#include "pkg/hash_cache.h"

#include <cerrno>
#include <cstring>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <thread>
#include <vector>

namespace loadlens::scan {

namespace {

std::string mapFilesPath(const std::string &procRoot, int pid, const MappedRange &range)
{
    char buf[96];
    std::snprintf(buf, sizeof buf, "/%d/map_files/%llx-%llx", pid, static_cast<unsigned long long>(range.start),
                  static_cast<unsigned long long>(range.end));
    return procRoot + buf;
}

// The root group's non-root members, who are the ones that can write.
std::string memberList(const pathsec::Writer &w)
{
    std::string out;
    for (const auto &m : w.members)
        out += (out.empty() ? " with members " : ", ") + m;
    return out;
}

std::string principalText(const pathsec::Writer &w)
{
    switch (w.kind) {
    case pathsec::PrincipalKind::Other:
        return "everyone";
    case pathsec::PrincipalKind::User:
        return "user " + w.name + " (" + std::to_string(w.id) + ")";
    case pathsec::PrincipalKind::Group:
        return "group " + w.name + " (" + std::to_string(w.id) + ")" + memberList(w);
    case pathsec::PrincipalKind::AclUser:
        return "ACL user " + w.name + " (" + std::to_string(w.id) + ")";
    case pathsec::PrincipalKind::AclGroup:
        return "ACL group " + w.name + " (" + std::to_string(w.id) + ")" + memberList(w);
    }
    return w.name;
}

} // namespace

bool isImaSignature(const unsigned char *value, std::size_t size)
{
    // EVM_IMA_XATTR_DIGSIG (3) followed by a signature_v2_hdr: version 2, hash algorithm, key id
    // (4 bytes), signature size (16-bit big endian), then the signature itself. A plain hash
    // (IMA_XATTR_DIGEST_NG, 4) proves nothing by itself, and neither does a truncated header.
    constexpr std::size_t kHeader = 1 + 1 + 1 + 4 + 2;
    if (size < kHeader || value[0] != 3 || value[1] != 2)
        return false;
    const std::size_t signatureSize = (std::size_t(value[7]) << 8) | value[8];
    return signatureSize > 0 && kHeader + signatureSize == size;
}

bool hasImaSignature(int fd)
{
    // A real signature is hundreds of bytes: ask for the size first, and again if the value grew
    // between the two calls (ERANGE).
    for (int attempt = 0; attempt < 4; ++attempt) {
        const ssize_t size = ::fgetxattr(fd, "security.ima", nullptr, 0);
        if (size <= 0)
            return false;
        std::vector<unsigned char> value(static_cast<std::size_t>(size));
        const ssize_t n = ::fgetxattr(fd, "security.ima", value.data(), value.size());
        if (n >= 0)
            return isImaSignature(value.data(), static_cast<std::size_t>(n));
        if (errno != ERANGE)
            return false;
    }
    return false;
}

namespace {

// The same version of the same file: what the hash cache keys on, less the ctime (which a
// rename alone changes).
bool sameFileVersion(const pkg::FileStamp &a, const pkg::FileStamp &b)
{
    return a.dev == b.dev && a.inode == b.inode && a.size == b.size && a.mtimeNs == b.mtimeNs;
}

std::string describeStamp(const pkg::FileStamp &s)
{
    return "inode " + std::to_string(s.inode) + ", " + std::to_string(s.size) + " bytes, mtime " +
           std::to_string(s.mtimeNs) + " ns";
}

struct PendingFile {
    FileKey key;
    std::string path;
    bool deleted = false;
    std::string mapFiles;  // /proc/PID/map_files/... of one mapping, for deleted or replaced files
};

void judgePackage(SurveyedFile &s, PackageLookup *packages, const std::string &rootUnreadable)
{
    auto &p = s.package;
    if (s.deleted)
        return;  // the old content cannot be compared with the current manifest: deletion rules decide
    if (!rootUnreadable.empty()) {
        p.state = verdict::PackageFacts::State::NoDatabase;
        p.detail = "the root of its mount namespace could not be read: " + rootUnreadable;
        return;
    }
    if (s.changedDuringScan) {
        p.state = verdict::PackageFacts::State::Unverifiable;
        p.detail = "file changed during scan: the file at the path was replaced or rewritten between being "
                   "identified as the mapped one and being hashed";
        return;
    }
    if (s.pathMismatch) {
        // Another mount namespace, or replaced since it was mapped: the manifest describes the file
        // at this path here, not the one the process runs.
        p.state = verdict::PackageFacts::State::Unverifiable;
        p.detail = "the path names a different file from LoadLens's view (another mount namespace, or "
                   "replaced since it was loaded)";
        return;
    }
    if (!packages || !packages->available()) {
        p.state = verdict::PackageFacts::State::NoDatabase;
        p.detail = packages ? packages->unavailableReason() : "no package database given";
        return;
    }
    auto owned = packages->lookup(s.facts.path);
    if (!owned) {
        p.state = verdict::PackageFacts::State::Unowned;
        return;
    }
    p.package = owned->package;
    p.listedPath = owned->dpkgPath;
    s.facts.package = owned->package;
    if (!owned->md5 && !owned->sha256) {
        // dpkg lists no digest for conffiles; RPM none for ghosts, or one of an algorithm not computed here.
        p.state = verdict::PackageFacts::State::OwnedNoDigest;
        p.detail = owned->digestNote;
        return;
    }
    const bool sha256 = owned->sha256.has_value();
    p.digestAlgorithm = sha256 ? "SHA-256" : "MD5";
    p.expectedDigest = sha256 ? *owned->sha256 : *owned->md5;
    const std::string &actual = sha256 ? s.facts.sha256 : s.facts.md5;
    if (actual.empty()) {
        p.state = verdict::PackageFacts::State::Unverifiable;
        p.detail = s.facts.errors.empty() ? "the file could not be hashed" : s.facts.errors.back();
        return;
    }
    p.actualDigest = actual;
    if (p.actualDigest == p.expectedDigest) {
        p.state = verdict::PackageFacts::State::Verified;
    } else if (owned->configFile) {
        // Config files are the administrator's to edit: RPM keeps their digests, but a changed
        // one is reported as dpkg's conffiles are, owned and not compared.
        p.state = verdict::PackageFacts::State::OwnedNoDigest;
        p.configFile = true;
        p.detail = p.digestAlgorithm + " " + p.actualDigest + ", the package's " + p.expectedDigest;
    } else {
        p.state = verdict::PackageFacts::State::Modified;
    }
}

void judgeLocation(SurveyedFile &s, const pathsec::LocationContext &context, const WritabilitySummary &w)
{
    const auto loc = pathsec::classifyLocation(s.facts.path, context);
    auto &l = s.location;
    l.temporaryDir = loc.has(pathsec::LocationFlag::TempDir);
    // root's own home is written by root alone: what makes a home untrusted is its ordinary
    // owner (and whatever they download) being able to plant code there.
    l.homeDir = loc.has(pathsec::LocationFlag::HomeDir) && loc.homeOwner != "root";
    l.systemLibraryDir = loc.has(pathsec::LocationFlag::SystemLibraryDir);
    if (l.temporaryDir)
        l.matchedPrefix = loc.tempRoot;
    else if (l.homeDir)
        l.matchedPrefix = "home of " + loc.homeOwner;
    for (const auto &writer : w.writers) {
        if (writer.principal == "everyone" && writer.component != s.facts.path) {
            l.worldWritableTree = true;
            if (l.matchedPrefix.empty())
                l.matchedPrefix = writer.component;
        }
    }
}

} // namespace

std::string underRoot(const std::string &root, const std::string &path)
{
    if (root.empty() || root == "/")
        return path;
    return (root.back() == '/' ? root.substr(0, root.size() - 1) : root) + path;
}

WritabilitySummary summariseWritability(const std::string &path, const std::string &rootDir)
{
    pathsec::CheckOptions options;
    if (!rootDir.empty() && rootDir != "/") {
        options.rootDir = rootDir;
        options.groupFile = underRoot(rootDir, "/etc/group");
        options.passwdFile = underRoot(rootDir, "/etc/passwd");
    }
    const auto report = pathsec::checkWritable(path, options);
    WritabilitySummary out;
    out.writable = report.writableByNonRoot;
    out.creatable = report.creatableByNonRoot;
    out.errors = report.errors;
    for (const auto &w : report.writers) {
        if (w.rootGroup)
            continue;
        verdict::WriterFact fact{w.component, principalText(w), w.canReplace};
        if (out.who.empty() && (w.canReplace || w.canCreate))
            out.who = fact.principal;
        out.writers.push_back(std::move(fact));
    }
    if (!report.writers.empty() || !report.errors.empty())
        out.summary = pathsec::describeWritability(report);
    return out;
}

std::map<FileKey, SurveyedFile> surveyFiles(const std::vector<ProcessInfo> &processes, const SurveyInputs &in,
                                            SurveyStats &stats, const ProgressFn &progress,
                                            const CancelToken &cancel)
{
    std::vector<const ProcessInfo *> all;
    all.reserve(processes.size());
    for (const auto &p : processes)
        all.push_back(&p);
    return surveyFiles(all, in, stats, progress, cancel);
}

std::map<FileKey, SurveyedFile> surveyFiles(const std::vector<const ProcessInfo *> &processes,
                                            const SurveyInputs &in, SurveyStats &stats,
                                            const ProgressFn &progress, const CancelToken &cancel)
{
    auto logger = log::get("core.scan");
    std::map<FileKey, PendingFile> pending;
    for (const ProcessInfo *process : processes) {
        const ProcessInfo &p = *process;
        for (const auto &m : p.modules) {
            if (m.anonymousExec || m.pseudo || m.path.empty() || m.path[0] != '/')
                continue;
            auto [it, inserted] = pending.try_emplace(m.file);
            if (inserted) {
                it->second.key = m.file;
                it->second.path = m.path;
                // A memfd never had a link: like a deleted file, it is read through the mapping.
                it->second.deleted = m.deleted || m.memfd;
            }
            if (it->second.mapFiles.empty() && !m.ranges.empty())
                it->second.mapFiles = mapFilesPath(in.procRoot, p.pid, m.ranges.front());
        }
    }

    std::map<FileKey, SurveyedFile> out;
    const auto locationContext = pathsec::LocationContext::forRoot(in.rootDir);
    std::vector<pkg::HashJob> jobs;
    std::vector<FileKey> jobKeys;
    std::vector<io::UniqueFd> fds;
    std::map<std::size_t, pkg::FileStamp> expected;  // job index -> the file identified as mapped
    const std::size_t total = pending.size();
    std::size_t done = 0;

    for (auto &[key, file] : pending) {
        if (cancel.cancelled())
            break;
        SurveyedFile s;
        const std::string physicalPath = underRoot(in.rootDir, file.path);
        s.deleted = file.deleted;
        s.accessPath = physicalPath;
        s.facts = pathsec::statFile(physicalPath);
        s.facts.key = key;
        s.facts.path = file.path;
        // A deleted file or a memfd has no path to stat ("/memfd:x" never existed): that error
        // stands only when the mapping cannot be read either.
        std::vector<std::string> pathErrors;
        if (file.deleted)
            pathErrors.swap(s.facts.errors);
        bool readThroughMapping = false;

        struct stat st {};
        bool pathIsMappedFile = !file.deleted && ::stat(physicalPath.c_str(), &st) == 0 &&
                                static_cast<std::uint64_t>(st.st_ino) == key.inode;
        io::UniqueFd fd;
        int openError = ENOENT;
        if (pathIsMappedFile) {
            fd = io::UniqueFd(::open(physicalPath.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC));
            openError = errno;
            struct stat opened {};
            if (fd.valid() && (::fstat(fd.get(), &opened) != 0 || static_cast<std::uint64_t>(opened.st_ino) != key.inode)) {
                // Replaced between the stat and the open: what was opened is not what is mapped.
                fd = io::UniqueFd();
                pathIsMappedFile = false;
            }
        }
        if (!pathIsMappedFile && !file.deleted && !in.rootUnreadable.empty())
            s.facts.errors.push_back("the root of its mount namespace could not be read; facts were read through " +
                                     file.mapFiles);
        else if (!pathIsMappedFile && !file.deleted)
            s.facts.errors.push_back("the path now names another file than the one mapped (inode " +
                                     std::to_string(key.inode) + "); facts were read through " + file.mapFiles);

        // Open what the process really mapped: the path when it still names that file, else the
        // mapping itself through /proc/PID/map_files (needs ptrace-read access to the process).
        if (pathIsMappedFile) {
            // opened above
        } else if (!file.mapFiles.empty()) {
            s.accessPath = file.mapFiles;
            fd = io::UniqueFd(::open(file.mapFiles.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
            openError = errno;
        }
        // Read from what was opened, so the signature belongs to the file that is hashed.
        const bool imaSigned = fd.valid() && hasImaSignature(fd.get());
        if (!fd.valid()) {
            s.facts.errors.push_back("cannot open " + s.accessPath + ": " + std::strerror(openError));
        } else {
            struct stat fst {};
            if (::fstat(fd.get(), &fst) != 0 || !S_ISREG(fst.st_mode)) {
                s.facts.errors.push_back(s.accessPath + " is not a regular file");
            } else {
                if (!pathIsMappedFile) {
                    // Deleted or replaced: the path says nothing, the mapping itself all there is.
                    readThroughMapping = true;
                    s.facts.size = static_cast<std::uint64_t>(fst.st_size);
                    s.facts.mtimeNs = fst.st_mtim.tv_sec * 1000000000LL + fst.st_mtim.tv_nsec;
                    s.facts.ctimeNs = fst.st_ctim.tv_sec * 1000000000LL + fst.st_ctim.tv_nsec;
                    s.facts.uid = fst.st_uid;
                    s.facts.gid = fst.st_gid;
                    s.facts.mode = fst.st_mode;
                    s.facts.ownerName = pathsec::userName(fst.st_uid);
                    s.facts.groupName = pathsec::groupName(fst.st_gid);
                }
                pkg::FileStamp stamp{static_cast<std::uint64_t>(fst.st_dev), static_cast<std::uint64_t>(fst.st_ino),
                                     static_cast<std::uint64_t>(fst.st_size),
                                     fst.st_mtim.tv_sec * 1000000000LL + fst.st_mtim.tv_nsec,
                                     fst.st_ctim.tv_sec * 1000000000LL + fst.st_ctim.tv_nsec};
                std::optional<pkg::Digests> cached;
                if (in.surveyedElsewhere) {
                    auto there = in.surveyedElsewhere->find(key);
                    if (there != in.surveyedElsewhere->end() && !there->second.facts.md5.empty() &&
                        !there->second.changedDuringScan && there->second.facts.size == stamp.size &&
                        (there->second.deleted || there->second.facts.mtimeNs == stamp.mtimeNs))
                        cached = pkg::Digests{there->second.facts.sha256, there->second.facts.md5};
                }
                if (!cached && in.hashCache)
                    cached = in.hashCache->find(stamp);
                if (cached) {
                    s.facts.sha256 = cached->sha256;
                    s.facts.md5 = cached->md5;
                    ++stats.fromCache;
                } else if (pathIsMappedFile) {
                    // Reopened by the hasher (no descriptor held per file: a busy host maps thousands),
                    // so what it reads must be shown to be this same file afterwards.
                    jobs.push_back(pkg::HashJob{physicalPath, -1});
                    jobKeys.push_back(key);
                    expected.emplace(jobs.size() - 1, stamp);
                } else {
                    jobs.push_back(pkg::HashJob{s.accessPath, fd.get()});
                    jobKeys.push_back(key);
                    fds.push_back(std::move(fd));
                }
            }
        }
        if (!readThroughMapping)
            s.facts.errors.insert(s.facts.errors.begin(), pathErrors.begin(), pathErrors.end());

        s.pathMismatch = !pathIsMappedFile && !file.deleted;
        if (!file.deleted && !s.pathMismatch) {
            auto w = summariseWritability(file.path, in.rootDir);
            s.writable.writableByNonRoot = w.writable;
            s.writable.writers = w.writers;
            s.writable.summary = w.summary;
            s.writable.errors = w.errors;
            judgeLocation(s, locationContext, w);
            s.package.imaSigned = imaSigned;
            if (pathIsMappedFile) {
                auto elf = elf::readElf(physicalPath);
                if (elf)
                    s.elf = std::move(*elf);
            }
        }
        if (file.deleted)
            judgeLocation(s, locationContext, WritabilitySummary{});
        out.emplace(key, std::move(s));
        if (progress)
            progress(++done, total, "checking files");
    }

    if (!jobs.empty() && !cancel.cancelled()) {
        const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
        auto outcomes = pkg::hashFiles(jobs, threads, progress, cancel);
        std::vector<std::pair<pkg::FileStamp, pkg::Digests>> fresh;
        for (std::size_t i = 0; i < outcomes.size(); ++i) {
            auto &s = out[jobKeys[i]];
            if (auto want = expected.find(i); want != expected.end() && outcomes[i].ok() &&
                !sameFileVersion(want->second, outcomes[i].stamp)) {
                // Swapped at the path after it was identified: those digests are another file's.
                s.changedDuringScan = true;
                s.facts.errors.push_back(s.accessPath + " changed during the scan (" + describeStamp(want->second) +
                                         " when identified, " + describeStamp(outcomes[i].stamp) + " when hashed)");
                ++stats.hashFailures;
                continue;
            }
            if (outcomes[i].ok()) {
                s.facts.sha256 = outcomes[i].digests.sha256;
                s.facts.md5 = outcomes[i].digests.md5;
                fresh.emplace_back(outcomes[i].stamp, outcomes[i].digests);
                ++stats.hashed;
            } else if (outcomes[i].error) {
                s.facts.errors.push_back(outcomes[i].error->message);
                ++stats.hashFailures;
            }
        }
        if (in.hashCache && !fresh.empty()) {
            auto stored = in.hashCache->storeBatch(fresh);
            if (!stored)
                logger->warn("hash cache not updated: {}", stored.error().message);
        }
    }
    for (auto &[key, s] : out)
        judgePackage(s, in.packages, in.rootUnreadable);
    return out;
}

} // namespace loadlens::scan
