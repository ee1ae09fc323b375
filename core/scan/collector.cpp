#include "scan/collector.h"

#include "pathsec/ld_config.h"
#include "proc/maps_parser.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <sys/auxv.h>

namespace loadlens::scan {
namespace {

std::string readWhole(const char *path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// LD_PRELOAD and LD_AUDIT take ':' or ' ' separated lists (ld.so(8)).
std::vector<std::string> splitList(const std::string &value)
{
    std::vector<std::string> out;
    std::string item;
    for (char c : value + ':') {
        if (c == ':' || c == ' ') {
            if (!item.empty())
                out.push_back(std::exchange(item, {}));
        } else {
            item += c;
        }
    }
    return out;
}

std::string baseName(const std::string &path)
{
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

CollectorInfo readSelf()
{
    CollectorInfo info;
    info.known = true;
    // A program without PT_INTERP (static or static-pie) is started by the kernel directly; the
    // auxiliary vector's AT_BASE, the interpreter's load address, is then 0.
    info.staticBinary = ::getauxval(AT_BASE) == 0;

    // /proc/self/environ is the environment as the program was started, whatever it did since.
    const std::string environ = readWhole("/proc/self/environ");
    std::size_t start = 0;
    while (start < environ.size()) {
        std::size_t end = environ.find('\0', start);
        if (end == std::string::npos)
            end = environ.size();
        const std::string_view entry(environ.data() + start, end - start);
        start = end + 1;
        const auto eq = entry.find('=');
        if (eq == std::string_view::npos || !entry.starts_with("LD_"))
            continue;
        info.loaderVariables.emplace_back(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
    }
    std::sort(info.loaderVariables.begin(), info.loaderVariables.end());

    if (auto preload = pathsec::readLdSoPreload("/"))
        info.preloadFile = std::move(*preload);

    if (info.staticBinary)
        return info;
    // What of the named libraries the loader put into this process.
    std::vector<std::string> named = info.preloadFile;
    for (const auto &[name, value] : info.loaderVariables)
        if (name == "LD_PRELOAD" || name == "LD_AUDIT")
            for (auto &item : splitList(value))
                named.push_back(std::move(item));
    if (named.empty())
        return info;
    std::istringstream maps(readWhole("/proc/self/maps"));
    std::string line;
    while (std::getline(maps, line)) {
        const auto entry = proc::parseMapsLine(line);
        if (!entry || entry->path.empty() || entry->path.front() != '/')
            continue;
        const std::string &path = entry->path;
        const bool match = std::any_of(named.begin(), named.end(), [&](const std::string &n) {
            return n == path || (n.find('/') == std::string::npos && n == baseName(path));
        });
        if (match && std::find(info.injectedModules.begin(), info.injectedModules.end(), path) == info.injectedModules.end())
            info.injectedModules.push_back(path);
    }
    return info;
}

} // namespace

const CollectorInfo &collectorInfo()
{
    static const CollectorInfo info = readSelf();
    return info;
}

std::string collectorWarning(const CollectorInfo &collector)
{
    if (!collector.tainted())
        return {};
    std::string why;
    for (const auto &[name, value] : collector.loaderVariables)
        if (CollectorInfo::choosesCode(name) && !value.empty())
            why += (why.empty() ? "" : ", ") + name + "=" + value;
    if (!collector.preloadFile.empty()) {
        std::string list;
        for (const auto &e : collector.preloadFile)
            list += (list.empty() ? "" : " ") + e;
        why += (why.empty() ? "" : ", ") + std::string("/etc/ld.so.preload: ") + list;
    }
    return "warning: this loadlens-cli is dynamically linked and started under " + why +
           "; code from those libraries runs inside it and can change what it reports. "
           "Use the static loadlens-cli for a trustworthy result.";
}

std::string collectorSummary(const CollectorInfo &collector)
{
    if (!collector.known)
        return "not recorded";
    if (collector.staticBinary)
        return "static executable: LD_PRELOAD, LD_AUDIT and /etc/ld.so.preload cannot reach it";
    if (collector.tainted())
        return "dynamically linked and started under a preload or library path: its result may be altered";
    return "dynamically linked; started without loader variables or /etc/ld.so.preload";
}

} // namespace loadlens::scan
