#include "pathsec/location.h"

#include "common/io.h"
#include "common/log.h"
#include "pathsec/path_names.h"
#include "pathsec/writability.h"

#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <sstream>

namespace loadlens::pathsec {
namespace {

constexpr std::string_view kTempDirs[] = {"/tmp", "/var/tmp", "/dev/shm", "/run/shm"};
constexpr std::string_view kSystemLibraryRoots[] = {"/lib",   "/usr/lib",   "/lib64",  "/usr/lib64",
                                                    "/lib32", "/usr/lib32", "/libx32", "/usr/libx32"};
constexpr std::string_view kLocalLibraryRoots[] = {"/usr/local/lib", "/usr/local/lib64", "/usr/local/lib32"};

bool allDigits(std::string_view s)
{
    if (s.empty())
        return false;
    for (char c : s)
        if (c < '0' || c > '9')
            return false;
    return true;
}

// Debian multiarch tuples: x86_64-linux-gnu, arm-linux-gnueabihf, mips64el-linux-gnuabi64, ...
bool isMultiarchTuple(std::string_view name)
{
    const auto pos = name.find("-linux-gnu");
    if (pos == std::string_view::npos || pos == 0)
        return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    return true;
}

bool parseUnsigned(std::string_view text, std::uint32_t &out)
{
    if (text.empty())
        return false;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && ptr == text.data() + text.size();
}

std::string underRoot(const std::string &rootDir, std::string_view path)
{
    if (rootDir.empty() || rootDir == "/")
        return std::string(path);
    return joinPath(rootDir, path);
}

std::uint32_t uidMin(const std::string &rootDir)
{
    auto defs = io::readFile(underRoot(rootDir, "/etc/login.defs"), 1u << 20);
    std::uint32_t value = 1000;
    if (!defs.ok())
        return value;
    std::istringstream in(defs->data);
    std::string key;
    std::string number;
    for (std::string line; std::getline(in, line);) {
        std::istringstream words(line);
        if (words >> key >> number && key == "UID_MIN")
            parseUnsigned(number, value);
    }
    return value;
}

void addFlag(LocationClass &c, LocationFlag flag)
{
    c.flags |= static_cast<std::uint32_t>(flag);
}

} // namespace

std::string_view locationFlagName(LocationFlag flag)
{
    switch (flag) {
    case LocationFlag::TempDir: return "temp-dir";
    case LocationFlag::HomeDir: return "home-dir";
    case LocationFlag::WorldWritableTree: return "world-writable-tree";
    case LocationFlag::NonRootWritable: return "non-root-writable";
    case LocationFlag::SystemLibraryDir: return "system-library-dir";
    case LocationFlag::SystemLibraryTree: return "system-library-tree";
    case LocationFlag::LocalLibraryDir: return "local-library-dir";
    case LocationFlag::Relative: return "relative";
    }
    return "unknown";
}

std::vector<std::string> LocationClass::flagNames() const
{
    std::vector<std::string> out;
    for (std::uint32_t bit = 1; bit != 0 && bit <= static_cast<std::uint32_t>(LocationFlag::Relative); bit <<= 1)
        if (flags & bit)
            out.emplace_back(locationFlagName(static_cast<LocationFlag>(bit)));
    return out;
}

std::vector<HomeDirectory> readHomeDirectories(const std::string &rootDir, std::vector<std::string> *errors)
{
    std::vector<HomeDirectory> out;
    const std::string passwdPath = underRoot(rootDir, "/etc/passwd");
    auto passwd = io::readFile(passwdPath, 16u << 20);
    if (!passwd.ok()) {
        if (passwd.error().code != ENOENT && errors)
            errors->push_back(passwd.error().message);
        return out;
    }
    const std::uint32_t firstPersonUid = uidMin(rootDir);
    std::istringstream in(passwd->data);
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> fields;
        std::size_t start = 0;
        for (;;) {
            const std::size_t colon = line.find(':', start);
            fields.push_back(line.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
            if (colon == std::string::npos)
                break;
            start = colon + 1;
        }
        std::uint32_t uid = 0;
        if (fields.size() < 6 || !parseUnsigned(fields[2], uid))
            continue;
        if (uid != 0 && (uid < firstPersonUid || uid == 65534))
            continue;
        const std::string home = normalizePath(fields[5]);
        if (home.empty() || home == "/" || home.front() != '/')
            continue;
        out.push_back({fields[0], uid, home});
    }
    return out;
}

LocationContext LocationContext::forRoot(const std::string &rootDir)
{
    LocationContext context;
    context.rootDir = rootDir;
    context.homes = readHomeDirectories(rootDir);
    context.homesLoaded = true;
    return context;
}

bool isSystemLibraryDir(std::string_view dir)
{
    const std::string normal = normalizePath(dir);
    for (auto root : kSystemLibraryRoots) {
        if (normal == root)
            return true;
        if (!isSameOrBelow(normal, root))
            continue;
        const auto rest = splitComponents(std::string_view(normal).substr(root.size()));
        // root/<tuple>, root/glibc-hwcaps/<level>, root/<tuple>/glibc-hwcaps/<level>
        if (rest.size() == 1)
            return isMultiarchTuple(rest[0]);
        if (rest.size() == 2)
            return rest[0] == "glibc-hwcaps";
        if (rest.size() == 3)
            return isMultiarchTuple(rest[0]) && rest[1] == "glibc-hwcaps";
        return false;
    }
    return false;
}

LocationClass classifyLocation(const std::string &path, const LocationContext &context)
{
    LocationClass out;
    out.path = normalizePath(path);
    if (out.path.empty() || out.path.front() != '/') {
        addFlag(out, LocationFlag::Relative);
        return out;
    }
    if (context.resolveSymlinks) {
        const std::string onDisk = underRoot(context.rootDir, out.path);
        char resolved[PATH_MAX];
        if (::realpath(onDisk.c_str(), resolved)) {
            std::string real = resolved;
            const std::string root = normalizePath(context.rootDir);
            if (root.empty() || root == "/")
                out.path = real;
            else if (isSameOrBelow(real, root))
                out.path = normalizePath(real.size() == root.size() ? "/" : real.substr(root.size()));
            else
                out.errors.push_back(out.path + " resolves to " + real + ", outside " + root);
        } else {
            out.errors.push_back("cannot resolve " + onDisk + ": " + errnoText(errno));
        }
    }
    const std::string &p = out.path;

    for (auto temp : kTempDirs)
        if (isSameOrBelow(p, temp)) {
            addFlag(out, LocationFlag::TempDir);
            out.tempRoot = std::string(temp);
        }
    const auto parts = splitComponents(p);
    if (parts.size() >= 3 && parts[0] == "run" && parts[1] == "user" && allDigits(parts[2])) {
        addFlag(out, LocationFlag::TempDir);
        out.tempRoot = "/run/user/" + parts[2];
    }

    const std::vector<HomeDirectory> homes =
        context.homesLoaded ? context.homes : readHomeDirectories(context.rootDir, &out.errors);
    std::size_t bestLength = 0;
    for (const auto &home : homes)
        if (isSameOrBelow(p, home.path) && home.path.size() > bestLength) {
            bestLength = home.path.size();
            out.homeOwner = home.user;
        }
    if (bestLength > 0 || isSameOrBelow(p, "/home") || isSameOrBelow(p, "/root")) {
        addFlag(out, LocationFlag::HomeDir);
        if (out.homeOwner.empty() && isSameOrBelow(p, "/root"))
            out.homeOwner = "root";
        else if (out.homeOwner.empty() && parts.size() >= 2 && parts[0] == "home")
            out.homeOwner = parts[1];
    }

    const std::string dir = parentPath(p);
    if (isSystemLibraryDir(dir)) {
        addFlag(out, LocationFlag::SystemLibraryDir);
        out.libraryDir = dir;
    }
    for (auto root : kSystemLibraryRoots)
        if (p != root && isSameOrBelow(p, root)) {
            addFlag(out, LocationFlag::SystemLibraryTree);
            if (out.libraryDir.empty())
                out.libraryDir = std::string(root);
        }
    for (auto root : kLocalLibraryRoots)
        if (isSameOrBelow(p, root)) {
            addFlag(out, LocationFlag::LocalLibraryDir);
            out.libraryDir = std::string(root);
        }

    if (context.checkFilesystem) {
        CheckOptions check;
        check.groupFile = underRoot(context.rootDir, "/etc/group");  // who is in the root group there
        check.passwdFile = underRoot(context.rootDir, "/etc/passwd");
        const WritabilityReport report = checkWritable(underRoot(context.rootDir, p), check);
        for (const auto &w : report.writers)
            if (w.kind == PrincipalKind::Other && (w.component != report.resolvedPath || report.isDirectory))
                addFlag(out, LocationFlag::WorldWritableTree);
        if (report.writableByNonRoot)
            addFlag(out, LocationFlag::NonRootWritable);
        out.errors.insert(out.errors.end(), report.errors.begin(), report.errors.end());
    }
    for (const auto &e : out.errors)
        log::get("core.pathsec")->debug("{}", e);
    return out;
}

} // namespace loadlens::pathsec
