#include "store/host_facts.h"

#include "common/io.h"
#include "pathsec/ld_config.h"
#include "pkg/hash.h"

#include <cerrno>

namespace loadlens::store {

namespace {

constexpr std::size_t kMaxFactBytes = 1u << 20;

std::string underRoot(const std::string &root, const std::string &path)
{
    if (root.empty() || root == "/")
        return path;
    return (root.back() == '/' ? root.substr(0, root.size() - 1) : root) + path;
}

std::string fileFact(const std::string &path)
{
    auto content = io::readFile(path, kMaxFactBytes);
    if (!content)
        return content.error().code == ENOENT ? "<absent>" : "<unreadable: " + content.error().message + ">";
    return content->truncated ? content->data + "\n<truncated>" : content->data;
}

std::string bootTime(const std::string &procRoot)
{
    auto stat = io::readFile(procRoot + "/stat");
    if (!stat)
        return "<unreadable: " + stat.error().message + ">";
    const auto at = stat->data.find("\nbtime ");
    if (at == std::string::npos)
        return "<unreadable: no btime line in " + procRoot + "/stat>";
    const auto end = stat->data.find('\n', at + 1);
    return stat->data.substr(at + 7, end == std::string::npos ? std::string::npos : end - at - 7);
}

} // namespace

HostFacts collectHostFacts(const HostInfo &host, const std::string &rootDir, const std::string &procRoot,
                           const std::string &dpkgAdminDir)
{
    HostFacts facts;
    facts["hostname"] = host.hostname;
    facts["kernel"] = host.kernel;
    facts["os-release"] = host.osRelease;
    facts["machine"] = host.machine;
    facts["boot-id"] = host.bootId;
    facts["boot-time"] = bootTime(procRoot);
    facts["ld.so.preload"] = fileFact(underRoot(rootDir, "/etc/ld.so.preload"));
    if (auto conf = pathsec::readLdSoConf(rootDir)) {
        for (const auto &file : conf->filesRead)
            facts["ld.so.conf:" + file] = fileFact(underRoot(rootDir, file));
        if (!conf->present)
            facts["ld.so.conf:/etc/ld.so.conf"] = "<absent>";
        for (const auto &e : conf->errors)
            facts["ld.so.conf-errors"] += e + "\n";
    } else {
        facts["ld.so.conf:/etc/ld.so.conf"] = "<unreadable: " + conf.error().message + ">";
    }
    pkg::HashOptions options;
    options.md5 = false;
    if (auto digest = pkg::hashFile(dpkgAdminDir + "/status", options))
        facts["dpkg-status-sha256"] = digest->sha256;
    else
        facts["dpkg-status-sha256"] = "<unreadable: " + digest.error().message + ">";
    return facts;
}

} // namespace loadlens::store
