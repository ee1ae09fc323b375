// The one-line summary of a WritabilityReport, kept apart from the walk that builds it.
#include "pathsec/writability.h"

#include "pathsec/path_names.h"

#include <algorithm>

namespace loadlens::pathsec {
namespace {

// " with members alice, bob" for the root group; others' members are not looked up.
std::string memberList(const Writer &w)
{
    std::string out;
    for (const auto &m : w.members)
        out += (out.empty() ? " with members " : ", ") + m;
    return out;
}

std::string principalText(const Writer &w)
{
    switch (w.kind) {
    case PrincipalKind::Other:
        return "everyone";
    case PrincipalKind::User:
    case PrincipalKind::AclUser:
        return "user " + w.name + (w.name == std::to_string(w.id) ? "" : " (" + std::to_string(w.id) + ")");
    case PrincipalKind::Group:
    case PrincipalKind::AclGroup:
        if (w.rootGroup)
            return "the root group";
        return "group " + w.name + (w.name == std::to_string(w.id) ? "" : " (" + std::to_string(w.id) + ")") +
               memberList(w);
    }
    return "everyone";
}

// "everyone, user nobody (65534)" in first-seen order without repeats.
std::string principalList(const std::vector<const Writer *> &writers)
{
    std::vector<std::string> names;
    for (const Writer *w : writers) {
        std::string text = principalText(*w);
        if (w->via == "acl")
            text += " via ACL";
        if (std::find(names.begin(), names.end(), text) == names.end())
            names.push_back(std::move(text));
    }
    std::string out;
    for (const auto &n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

std::string incompleteSuffix(const WritabilityReport &r)
{
    if (r.errors.empty())
        return {};
    return "; not fully checked: " + r.errors.front();
}

} // namespace

std::string describeWritability(const WritabilityReport &r)
{
    const std::string &subject = r.path;
    std::vector<const Writer *> replacing;
    std::vector<const Writer *> creating;
    std::vector<const Writer *> rootGroup;
    const std::string finalDir = r.isDirectory ? r.resolvedPath : parentPath(r.resolvedPath);
    for (const auto &w : r.writers) {
        const bool writesFinalDir = r.isDirectory && w.component == r.resolvedPath && w.canCreate;
        if (w.rootGroup) {
            if (w.canReplace || writesFinalDir)
                rootGroup.push_back(&w);
        } else if (w.canReplace || writesFinalDir) {
            replacing.push_back(&w);
        } else if (w.canCreate && r.creatableByNonRoot && w.component == finalDir) {
            creating.push_back(&w);
        }
    }

    if (!r.exists && replacing.empty() && creating.empty() && !r.errors.empty()) {
        std::string text = subject + " could not be checked: " + r.errors.front();
        if (r.creatableByNonRoot)
            text += " (but a non-root user could create it)";
        return text;
    }
    if (!replacing.empty()) {
        const Writer &first = *replacing.front();
        std::string text = subject + " is writable by " + principalList(replacing);
        if (r.isDirectory && first.component == r.resolvedPath && first.sticky && !first.canReplace)
            text += " (sticky: others may add files but not replace ones they do not own)";
        else if (first.component != r.resolvedPath)
            text += " (through " + first.component + ")";
        return text + incompleteSuffix(r);
    }
    if (!creating.empty() && !r.exists) {
        const Writer &first = *creating.front();
        return subject + " does not exist, and " + principalList(creating) + " could create " + first.affects +
               " in " + first.component;
    }
    if (!creating.empty()) {
        const Writer &first = *creating.front();
        std::string text = first.component + " is writable by " + principalList(creating);
        if (first.sticky)
            text += " (sticky: others may add files but not replace this one)";
        else
            text += " (others may add files next to " + subject + ")";
        return text + incompleteSuffix(r);
    }
    if (!rootGroup.empty())
        return subject + " is writable only by root and the root group, which has no members besides root (through " +
               rootGroup.front()->component + ")" + incompleteSuffix(r);
    if (!r.errors.empty())
        return subject + " could not be fully checked: " + r.errors.front();
    return subject + " is writable only by root";
}

} // namespace loadlens::pathsec
