#include "scan/package_lookup.h"

#include "common/io.h"
#include "common/log.h"
#include "common/trusted_path.h"

#include <cstdio>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace loadlens::scan {

namespace {

constexpr const char *kHeader = "loadlens-package-lookup 2";

std::string statStamp(const std::string &path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return "-";
    return std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + ":" +
           std::to_string(st.st_size) + ":" + std::to_string(st.st_ino);
}

// Fields are tab-separated; paths may hold any byte but NUL, so escape the separators.
std::string escape(const std::string &s)
{
    std::string out;
    for (char c : s) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\t')
            out += "\\t";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string unescape(std::string_view s)
{
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
            char n = s[++i];
            out += n == 't' ? '\t' : n == 'n' ? '\n' : n;
        } else {
            out += s[i];
        }
    }
    return out;
}

bool isDirectory(const std::string &path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string joinRoot(const std::string &root, const char *path)
{
    if (root.empty() || root == "/")
        return path;
    return (root.back() == '/' ? root.substr(0, root.size() - 1) : root) + path;
}

std::vector<std::string_view> splitTabs(std::string_view line)
{
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= line.size(); ++i) {
        if (i == line.size() || line[i] == '\t') {
            out.push_back(line.substr(start, i - start));
            start = i + 1;
        }
    }
    return out;
}

} // namespace

PackageLookup::PackageLookup(std::string adminDir, std::string cachePath)
    : m_adminDir(std::move(adminDir))
{
    openCache(std::move(cachePath));
}

PackageLookup PackageLookup::forRoot(const std::string &rootDir, const std::string &cachePath)
{
    PackageLookup l;
    const std::string dpkgDir = joinRoot(rootDir, "/var/lib/dpkg");
    const bool hasDpkg = isDirectory(dpkgDir + "/info");
    const auto rpm = pkg::findRpmDatabase(rootDir);
    if (hasDpkg)
        l.m_adminDir = dpkgDir;
    if (rpm.format == pkg::RpmDbFormat::Sqlite)
        l.m_rpmFile = rpm.file;
    if (!hasDpkg && rpm.format != pkg::RpmDbFormat::Sqlite) {
        const std::string root = rootDir.empty() ? "/" : rootDir;
        l.m_unsupported = rpm.format != pkg::RpmDbFormat::None
                              ? rpm.unsupportedReason()
                              : "no package database under " + root + ": neither dpkg's var/lib/dpkg nor an RPM "
                                "rpmdb.sqlite in usr/lib/sysimage/rpm or var/lib/rpm";
    }
    l.openCache(cachePath);
    return l;
}

void PackageLookup::openCache(std::string cachePath)
{
    m_cachePath = std::move(cachePath);
    m_stamp = databaseStamp();
    if (!m_cachePath.empty()) {
        // Its answers decide verdicts, and save() writes next to it: as root, only where nobody
        // else can have planted the file or a link at its temporary name.
        if (auto trusted = checkCacheTrusted(m_cachePath); !trusted) {
            log::get("core.scan")->warn("package answer cache not used: {}", trusted.error().message);
            m_cachePath.clear();
            return;
        }
        loadCache();
    }
}

std::string PackageLookup::databaseStamp() const
{
    std::string stamp;
    if (!m_adminDir.empty())
        stamp += "dpkg " + statStamp(m_adminDir + "/status") + "|" + statStamp(m_adminDir + "/info") + "|" +
                 statStamp(m_adminDir + "/diversions");
    if (!m_rpmFile.empty())
        stamp += " rpm " + statStamp(m_rpmFile) + "|" + statStamp(m_rpmFile + "-wal");
    return stamp.empty() ? "none" : stamp;
}

std::string PackageLookup::md5sumsStamp(const std::string &package) const
{
    return statStamp(m_adminDir + "/info/" + package + ".md5sums");
}

void PackageLookup::loadCache()
{
    auto content = io::readFile(m_cachePath, 16u << 20);
    if (!content)
        return;
    std::string_view text = content->data;
    auto eol = text.find('\n');
    if (eol == std::string_view::npos || text.substr(0, eol) != std::string(kHeader) + "\t" + m_stamp)
        return;  // another database state: everything is resolved afresh
    text.remove_prefix(eol + 1);
    while (!text.empty()) {
        eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
        auto f = splitTabs(line);
        if (f.size() != 10)
            continue;
        Entry e;
        if (f[1] == "1") {
            pkg::OwnedFile owner;
            owner.package = unescape(f[2]);
            if (f[3] != "-")
                owner.md5 = std::string(f[3]);
            if (f[4] != "-")
                owner.sha256 = std::string(f[4]);
            owner.dpkgPath = unescape(f[5]);
            owner.diversion = unescape(f[6]);
            owner.fromRpm = f[7].find('r') != std::string_view::npos;
            owner.configFile = f[7].find('c') != std::string_view::npos;
            owner.digestNote = unescape(f[8]);
            e.owner = std::move(owner);
            e.md5sumsStamp = std::string(f[9]);
            // That package's manifest changed in place: ask the index again. (An RPM header
            // changes only with the database file, which the stamp of the whole cache covers.)
            if (!e.owner->fromRpm && e.md5sumsStamp != md5sumsStamp(e.owner->package))
                continue;
        }
        m_known.emplace(unescape(f[0]), std::move(e));
    }
}

const pkg::DpkgIndex *PackageLookup::index()
{
    if (m_adminDir.empty())
        return nullptr;
    if (!m_index) {
        m_index = pkg::DpkgIndex::build(m_adminDir);
        if (!*m_index)
            log::get("core.scan")->warn("package database not read: {}", m_index->error().message);
    }
    return *m_index ? &m_index->value() : nullptr;
}

const pkg::RpmIndex *PackageLookup::rpmIndex()
{
    if (m_rpmFile.empty())
        return nullptr;
    if (!m_rpm) {
        m_rpm = pkg::RpmIndex::open(m_rpmFile);
        auto logger = log::get("core.scan");
        if (!*m_rpm) {
            logger->warn("RPM database not read: {}", m_rpm->error().message);
        } else {
            const auto &w = m_rpm->value().warnings();
            if (w.badHeaders > 0)
                logger->warn("RPM database {}: {} damaged package headers skipped", m_rpmFile, w.badHeaders);
            for (const auto &example : w.examples)
                logger->warn("RPM database {}: {}", m_rpmFile, example);
        }
    }
    return *m_rpm ? &m_rpm->value() : nullptr;
}

bool PackageLookup::available()
{
    if (!m_known.empty())
        return true;
    const auto *idx = index();
    return (idx && idx->available()) || rpmIndex() != nullptr;
}

std::string PackageLookup::unavailableReason()
{
    if (!m_unsupported.empty())
        return m_unsupported;
    std::string reason;
    if (!m_adminDir.empty()) {
        const auto *idx = index();
        reason = !idx ? m_index->error().message : idx->unavailableReason();
    }
    if (!m_rpmFile.empty() && !rpmIndex())
        reason += (reason.empty() ? "" : "; ") + m_rpm->error().message;
    return reason;
}

std::optional<pkg::OwnedFile> PackageLookup::lookup(const std::string &path)
{
    if (auto it = m_known.find(path); it != m_known.end())
        return it->second.owner;
    const auto *idx = index();
    const bool dpkgAvailable = idx && idx->available();
    Entry e;
    if (dpkgAvailable)
        e.owner = idx->lookup(path);
    const auto *rpm = e.owner ? nullptr : rpmIndex();
    if (!dpkgAvailable && !rpm)
        return std::nullopt;
    if (!e.owner && rpm)
        e.owner = rpm->lookup(path);
    if (e.owner && !e.owner->fromRpm)
        e.md5sumsStamp = md5sumsStamp(e.owner->package);
    auto owner = e.owner;
    m_known.emplace(path, std::move(e));
    m_dirty = true;
    return owner;
}

void PackageLookup::save()
{
    if (m_cachePath.empty() || !m_dirty)
        return;
    const std::string tmp = m_cachePath + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << kHeader << "\t" << m_stamp << "\n";
        for (const auto &[path, e] : m_known) {
            out << escape(path) << "\t" << (e.owner ? "1" : "0") << "\t";
            if (e.owner) {
                const auto &o = *e.owner;
                std::string kind = std::string(o.fromRpm ? "r" : "d") + (o.configFile ? "c" : "");
                out << escape(o.package) << "\t" << (o.md5 ? *o.md5 : "-") << "\t" << (o.sha256 ? *o.sha256 : "-")
                    << "\t" << escape(o.dpkgPath) << "\t" << escape(o.diversion) << "\t" << kind << "\t"
                    << escape(o.digestNote) << "\t" << (e.md5sumsStamp.empty() ? "-" : e.md5sumsStamp);
            } else {
                out << "\t-\t-\t\t\t\t\t-";
            }
            out << "\n";
        }
        if (!out) {
            log::get("core.scan")->warn("cannot write {}", tmp);
            std::remove(tmp.c_str());
            return;
        }
    }
    if (std::rename(tmp.c_str(), m_cachePath.c_str()) != 0) {
        log::get("core.scan")->warn("cannot replace {}", m_cachePath);
        std::remove(tmp.c_str());
    }
}

} // namespace loadlens::scan
