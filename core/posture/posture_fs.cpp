#include "posture/posture_fs.h"

#include "common/io.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

namespace loadlens::posture {

namespace {

constexpr std::size_t kMaxConfigBytes = 4u << 20;
constexpr int kMaxSymlinks = 40;

std::vector<std::string> splitComponents(std::string_view path)
{
    std::vector<std::string> parts;
    std::size_t pos = 0;
    while (pos <= path.size()) {
        std::size_t slash = path.find('/', pos);
        if (slash == std::string_view::npos)
            slash = path.size();
        if (slash > pos)
            parts.emplace_back(path.substr(pos, slash - pos));
        pos = slash + 1;
    }
    return parts;
}

} // namespace

std::string underRoot(const std::string &rootDir, std::string_view path)
{
    std::string root = rootDir;
    while (root.size() > 1 && root.back() == '/')
        root.pop_back();
    if (root.empty() || root == "/") {
        std::string absolute;
        if (path.empty() || path.front() != '/')
            absolute.push_back('/');
        absolute += path;
        return absolute;
    }
    if (path.empty() || path.front() != '/')
        return root + "/" + std::string(path);
    return root + std::string(path);
}

TextFile readTextFile(const std::string &rootDir, std::string_view path)
{
    TextFile out;
    const std::string full = underRoot(rootDir, path);
    auto content = io::readFile(full, kMaxConfigBytes);
    if (!content) {
        if (content.error().code == ENOENT || content.error().code == ENOTDIR)
            return out;
        out.exists = true;
        out.error = content.error().message;
        return out;
    }
    out.exists = true;
    std::string_view data = content->data;
    std::size_t pos = 0;
    while (pos < data.size()) {
        std::size_t nl = data.find('\n', pos);
        if (nl == std::string_view::npos)
            nl = data.size();
        out.lines.emplace_back(data.substr(pos, nl - pos));
        pos = nl + 1;
    }
    if (content->truncated)
        out.error = full + ": only the first 4 MiB were read";
    return out;
}

std::optional<std::vector<std::string>> listDirectory(const std::string &rootDir, std::string_view dir,
                                                      std::string *error)
{
    const std::string full = underRoot(rootDir, dir);
    DIR *d = ::opendir(full.c_str());
    if (!d) {
        const int err = errno;
        if (err == ENOENT || err == ENOTDIR)
            return std::nullopt;
        if (error)
            *error = "cannot list " + full + ": " + std::strerror(err);
        return std::vector<std::string>{};
    }
    std::vector<std::string> names;
    while (const dirent *entry = ::readdir(d)) {
        const std::string_view name = entry->d_name;
        if (name != "." && name != "..")
            names.emplace_back(name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

bool isDirectoryUnder(const std::string &rootDir, std::string_view path)
{
    struct stat st {};
    return ::stat(underRoot(rootDir, path).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool existsUnder(const std::string &rootDir, std::string_view path)
{
    struct stat st {};
    return ::lstat(underRoot(rootDir, path).c_str(), &st) == 0;
}

std::string resolveUnderRoot(const std::string &rootDir, std::string_view path)
{
    std::vector<std::string> pending = splitComponents(path);
    std::reverse(pending.begin(), pending.end());  // a stack: next component at the back
    std::vector<std::string> done;
    int links = 0;
    bool missing = false;
    while (!pending.empty()) {
        std::string part = std::move(pending.back());
        pending.pop_back();
        if (part == ".")
            continue;
        if (part == "..") {
            if (!done.empty())
                done.pop_back();
            continue;
        }
        done.push_back(part);
        if (missing)
            continue;
        std::string current;
        for (const auto &c : done)
            current += "/" + c;
        const std::string full = underRoot(rootDir, current);
        struct stat st {};
        if (::lstat(full.c_str(), &st) != 0) {
            missing = true;
            continue;
        }
        if (!S_ISLNK(st.st_mode))
            continue;
        if (++links > kMaxSymlinks) {
            missing = true;
            continue;
        }
        char target[4096];
        const ssize_t n = ::readlink(full.c_str(), target, sizeof target - 1);
        if (n <= 0) {
            missing = true;
            continue;
        }
        const std::string_view link(target, static_cast<std::size_t>(n));
        done.pop_back();
        if (!link.empty() && link.front() == '/')
            done.clear();
        auto parts = splitComponents(link);
        for (auto it = parts.rbegin(); it != parts.rend(); ++it)
            pending.push_back(*it);
    }
    std::string out;
    for (const auto &c : done)
        out += "/" + c;
    return out.empty() ? "/" : out;
}

bool isSameOrBelow(std::string_view path, std::string_view dir)
{
    while (dir.size() > 1 && dir.back() == '/')
        dir.remove_suffix(1);
    if (dir == "/")
        return !path.empty() && path.front() == '/';
    if (path.substr(0, dir.size()) != dir)
        return false;
    return path.size() == dir.size() || path[dir.size()] == '/';
}

std::string trim(std::string_view text)
{
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos)
        return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(first, last - first + 1));
}

std::vector<std::string> splitBlanks(std::string_view text)
{
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto start = text.find_first_not_of(" \t", pos);
        if (start == std::string_view::npos)
            break;
        auto end = text.find_first_of(" \t", start);
        if (end == std::string_view::npos)
            end = text.size();
        out.emplace_back(text.substr(start, end - start));
        pos = end;
    }
    return out;
}

std::vector<std::pair<int, std::string>> joinContinuationLines(const std::vector<std::string> &lines)
{
    std::vector<std::pair<int, std::string>> out;
    std::string pending;
    int start = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string line = lines[i];
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (pending.empty())
            start = static_cast<int>(i) + 1;
        if (!line.empty() && line.back() == '\\') {
            line.pop_back();
            pending += line + " ";
            continue;
        }
        out.emplace_back(start, pending + line);
        pending.clear();
    }
    if (!pending.empty())
        out.emplace_back(start, pending);
    return out;
}

std::string joinList(const std::vector<std::string> &items, std::string_view separator)
{
    std::string out;
    for (const auto &item : items) {
        if (!out.empty())
            out += separator;
        out += item;
    }
    return out;
}

CheckBuilder::CheckBuilder(std::string_view id, std::string_view measure, std::string title)
{
    m_check.id = std::string(id);
    m_check.measure = std::string(measure);
    m_check.title = std::move(title);
}

void CheckBuilder::add(Status status, std::string text)
{
    m_check.evidence.push_back({status, std::move(text)});
}

void CheckBuilder::addCapped(Status status, const std::vector<std::string> &lines, std::size_t limit)
{
    for (std::size_t i = 0; i < lines.size() && i < limit; ++i)
        add(status, lines[i]);
    if (lines.size() > limit)
        add(status, "... and " + std::to_string(lines.size() - limit) + " more");
}

bool CheckBuilder::hasFailures() const
{
    return std::any_of(m_check.evidence.begin(), m_check.evidence.end(),
                       [](const Observation &o) { return o.status == Status::Fail; });
}

PostureCheck CheckBuilder::finish(std::string remediation)
{
    bool unknown = false;
    bool fail = false;
    for (const auto &o : m_check.evidence) {
        fail = fail || o.status == Status::Fail;
        unknown = unknown || o.status == Status::Unknown;
    }
    if (fail)
        m_check.status = Status::Fail;
    else if (unknown)
        m_check.status = Status::Unknown;
    else if (std::any_of(m_check.evidence.begin(), m_check.evidence.end(),
                         [](const Observation &o) { return o.status == Status::Pass; }))
        m_check.status = Status::Pass;
    else
        m_check.status = Status::Unknown;  // nothing was established either way
    if (m_check.status == Status::Unknown && m_check.evidence.empty())
        m_check.evidence.push_back({Status::Unknown, "nothing could be checked"});
    m_check.remediation = std::move(remediation);
    return std::move(m_check);
}

} // namespace loadlens::posture
