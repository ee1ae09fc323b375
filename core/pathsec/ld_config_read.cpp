// Reading ld.so.preload and ld.so.conf (with includes) from a root tree.
#include "pathsec/ld_config.h"

#include "common/io.h"
#include "common/log.h"
#include "pathsec/path_names.h"

#include <algorithm>
#include <cerrno>
#include <glob.h>

namespace loadlens::pathsec {
namespace {

constexpr std::size_t kMaxConfigBytes = 4u << 20;

std::string rootPrefix(const std::string &rootDir)
{
    std::string root = normalizePath(rootDir.empty() ? "/" : rootDir);
    return root == "/" ? std::string() : root;
}

// Glob metacharacters in the root itself must match literally.
std::string escapeGlob(std::string_view text)
{
    std::string out;
    for (char c : text) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\')
            out += '\\';
        out += c;
    }
    return out;
}

class ConfReader {
public:
    ConfReader(std::string root, int maxDepth, LdSoConf &conf) : m_root(std::move(root)), m_maxDepth(maxDepth), m_conf(conf) {}

    void readIncluded(const std::string &file, int depth);
    void apply(const std::string &file, const std::string &text, int depth);

private:
    void include(const std::string &fromFile, int line, const std::string &pattern, int depth);

    std::string m_root;
    int m_maxDepth;
    LdSoConf &m_conf;
    std::vector<std::string> m_stack;  // files being read, for cycle detection
};

void ConfReader::apply(const std::string &file, const std::string &text, int depth)
{
    m_conf.filesRead.push_back(file);
    m_stack.push_back(file);
    for (const auto &entry : parseLdSoConfText(text)) {
        switch (entry.kind) {
        case LdSoConfLine::Kind::Directory:
            m_conf.directories.push_back({entry.value, file, entry.line});
            break;
        case LdSoConfLine::Kind::Hwcap:
            m_conf.notes.push_back(file + ":" + std::to_string(entry.line) + ": hwcap directive ignored (as ldconfig does)");
            break;
        case LdSoConfLine::Kind::Include:
            include(file, entry.line, entry.value, depth);
            break;
        }
    }
    m_stack.pop_back();
}

void ConfReader::include(const std::string &fromFile, int line, const std::string &pattern, int depth)
{
    const std::string where = fromFile + ":" + std::to_string(line);
    if (depth >= m_maxDepth) {
        m_conf.errors.push_back(where + ": include " + pattern + " not followed: includes nested more than " +
                                std::to_string(m_maxDepth) + " deep");
        return;
    }
    const std::string inRoot = pattern.front() == '/' ? pattern : joinPath(parentPath(fromFile), pattern);
    const std::string onDisk = escapeGlob(m_root) + inRoot;

    glob_t matches{};
    const int rc = ::glob(onDisk.c_str(), GLOB_NOSORT, nullptr, &matches);
    std::vector<std::string> files;
    if (rc == 0) {
        for (std::size_t i = 0; i < matches.gl_pathc; ++i) {
            std::string match = matches.gl_pathv[i];
            files.push_back(m_root.empty() ? match : match.substr(std::min(m_root.size(), match.size())));
        }
    }
    ::globfree(&matches);
    if (rc == GLOB_NOMATCH) {
        m_conf.notes.push_back(where + ": include " + pattern + " matches no file");
        return;
    }
    if (rc != 0) {
        m_conf.errors.push_back(where + ": cannot expand include " + pattern +
                                (rc == GLOB_ABORTED ? ": a directory could not be read" : ": out of memory"));
        return;
    }
    // ldconfig globs in the C locale; byte order gives the same sequence whatever our locale is.
    std::sort(files.begin(), files.end());
    for (const auto &file : files) {
        if (std::find(m_stack.begin(), m_stack.end(), file) != m_stack.end()) {
            m_conf.errors.push_back(where + ": include of " + file + " not followed: it is already being read (include loop)");
            continue;
        }
        readIncluded(file, depth + 1);
    }
}

void ConfReader::readIncluded(const std::string &file, int depth)
{
    auto content = io::readFile(m_root + file, kMaxConfigBytes);
    if (!content.ok()) {
        if (content.error().code == ENOENT)
            m_conf.notes.push_back(file + " is named by an include but does not exist (dangling link?)");
        else
            m_conf.errors.push_back(content.error().message);
        return;
    }
    if (content->truncated)
        m_conf.errors.push_back(m_root + file + ": only the first " + std::to_string(kMaxConfigBytes) + " bytes were read");
    apply(file, content->data, depth);
}

} // namespace

Result<std::vector<std::string>> readLdSoPreload(const std::string &rootDir)
{
    const std::string path = rootPrefix(rootDir) + "/etc/ld.so.preload";
    auto content = io::readFile(path, kMaxConfigBytes);
    if (!content.ok()) {
        if (content.error().code == ENOENT)
            return std::vector<std::string>{};
        log::get("core.pathsec")->warn("{}", content.error().message);
        return content.error();
    }
    if (content->truncated)
        return Error{EFBIG, path + " is larger than " + std::to_string(kMaxConfigBytes) + " bytes; not parsed"};
    return parseLdSoPreload(content->data);
}

Result<LdSoConf> readLdSoConf(const std::string &rootDir, int maxIncludeDepth)
{
    const std::string root = rootPrefix(rootDir);
    const std::string confFile = "/etc/ld.so.conf";
    LdSoConf conf;
    auto content = io::readFile(root + confFile, kMaxConfigBytes);
    if (!content.ok()) {
        if (content.error().code == ENOENT)
            return conf;
        log::get("core.pathsec")->warn("{}", content.error().message);
        return content.error();
    }
    conf.present = true;
    if (content->truncated)
        conf.errors.push_back(root + confFile + ": only the first " + std::to_string(kMaxConfigBytes) + " bytes were read");
    ConfReader reader(root, maxIncludeDepth, conf);
    reader.apply(confFile, content->data, 0);
    for (const auto &e : conf.errors)
        log::get("core.pathsec")->warn("{}", e);
    return conf;
}

} // namespace loadlens::pathsec
