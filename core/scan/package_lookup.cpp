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

constexpr const char *kHeader = "loadlens-dpkg-lookup 1";

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
    , m_cachePath(std::move(cachePath))
{
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

PackageLookup PackageLookup::forRoot(const std::string &rootDir, const std::string &cachePath)
{
    std::string root = rootDir;
    while (root.size() > 1 && root.back() == '/')
        root.pop_back();
    return PackageLookup(root == "/" || root.empty() ? std::string("/var/lib/dpkg") : root + "/var/lib/dpkg",
                         cachePath);
}

std::string PackageLookup::databaseStamp() const
{
    return statStamp(m_adminDir + "/status") + "|" + statStamp(m_adminDir + "/info") + "|" +
           statStamp(m_adminDir + "/diversions");
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
        if (f.size() != 7)
            continue;
        Entry e;
        if (f[1] == "1") {
            pkg::OwnedFile owner;
            owner.package = unescape(f[2]);
            if (f[3] != "-")
                owner.md5 = std::string(f[3]);
            owner.dpkgPath = unescape(f[4]);
            owner.diversion = unescape(f[5]);
            e.owner = std::move(owner);
            e.md5sumsStamp = std::string(f[6]);
            if (e.md5sumsStamp != md5sumsStamp(e.owner->package))
                continue;  // that package's manifest changed in place: ask the index again
        }
        m_known.emplace(unescape(f[0]), std::move(e));
    }
}

const pkg::DpkgIndex *PackageLookup::index()
{
    if (!m_index) {
        m_index = pkg::DpkgIndex::build(m_adminDir);
        if (!*m_index)
            log::get("core.scan")->warn("package database not read: {}", m_index->error().message);
    }
    return *m_index ? &m_index->value() : nullptr;
}

bool PackageLookup::available()
{
    if (!m_known.empty())
        return true;
    const auto *idx = index();
    return idx && idx->available();
}

std::string PackageLookup::unavailableReason()
{
    const auto *idx = index();
    if (!idx)
        return m_index->error().message;
    return idx->unavailableReason();
}

std::optional<pkg::OwnedFile> PackageLookup::lookup(const std::string &path)
{
    if (auto it = m_known.find(path); it != m_known.end())
        return it->second.owner;
    const auto *idx = index();
    if (!idx || !idx->available())
        return std::nullopt;
    Entry e;
    e.owner = idx->lookup(path);
    if (e.owner)
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
            if (e.owner)
                out << escape(e.owner->package) << "\t" << (e.owner->md5 ? *e.owner->md5 : "-") << "\t"
                    << escape(e.owner->dpkgPath) << "\t" << escape(e.owner->diversion) << "\t" << e.md5sumsStamp;
            else
                out << "\t-\t\t\t";
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
