// One HijackLibs YAML file -> Entry, following docs/SCHEMA.md of the dataset.
#include "hijacklibs/hijacklibs.h"
#include "hijacklibs/yaml_tree.h"

namespace loadlens::hijacklibs {

namespace {

std::string scalarOf(const yaml::Node *node)
{
    return node && node->isScalar() ? node->scalar : std::string();
}

bool isTrue(const yaml::Node *node)
{
    return node && node->isScalar() && winpath::toLowerAscii(node->scalar) == "true";
}

// ExpectedSignatureInformation is a list of mappings in the dataset; a single mapping is
// accepted as well.
std::vector<SignatureInfo> signaturesOf(const yaml::Node *node)
{
    std::vector<SignatureInfo> out;
    if (!node)
        return out;
    auto one = [&out](const yaml::Node &item) {
        if (!item.isMapping())
            return;
        out.push_back({scalarOf(item.find("Subject")), scalarOf(item.find("Issuer")),
                       scalarOf(item.find("Type"))});
    };
    if (node->isMapping())
        one(*node);
    else if (node->isSequence())
        for (const auto &item : node->items)
            one(item);
    return out;
}

} // namespace

Result<Entry> Dataset::parseEntry(std::string_view yamlText, const std::string &file)
{
    auto doc = yaml::parseDocument(yamlText);
    if (!doc)
        return Error{0, file + ": " + doc.error().message};
    const yaml::Node &root = *doc;
    if (!root.isMapping())
        return Error{0, file + ": the document is not a mapping"};

    Entry entry;
    entry.file = file;
    entry.name = winpath::toLowerAscii(scalarOf(root.find("Name")));
    if (entry.name.empty())
        return Error{0, file + ": no Name"};
    entry.vendor = scalarOf(root.find("Vendor"));

    if (const auto *locations = root.find("ExpectedLocations")) {
        if (!locations->isSequence() && locations->kind != yaml::Node::Kind::Null)
            return Error{0, file + ": ExpectedLocations is not a list"};
        for (const auto &item : locations->items) {
            if (!item.isScalar() || item.scalar.empty()) {
                entry.warnings.push_back("an ExpectedLocations item is empty or not a string");
                continue;
            }
            winpath::LocationPattern pattern(item.scalar);
            if (!pattern.valid()) {
                entry.warnings.push_back(pattern.error());
                continue;
            }
            entry.expectedLocations.push_back(std::move(pattern));
        }
    }
    entry.expectedSignatures = signaturesOf(root.find("ExpectedSignatureInformation"));

    const auto *executables = root.find("VulnerableExecutables");
    if (!executables || !executables->isSequence() || executables->items.empty())
        return Error{0, file + ": VulnerableExecutables is missing or not a list"};
    for (const auto &item : executables->items) {
        if (!item.isMapping()) {
            entry.warnings.push_back("a VulnerableExecutables item is not a mapping");
            continue;
        }
        VulnerableExecutable exe;
        exe.path = scalarOf(item.find("Path"));
        exe.type = scalarOf(item.find("Type"));
        if (exe.path.empty() || exe.type.empty()) {
            entry.warnings.push_back("a VulnerableExecutables item without Path or Type");
            continue;
        }
        exe.pattern = winpath::LocationPattern(exe.path);
        if (!exe.pattern.valid())
            entry.warnings.push_back(exe.pattern.error());
        exe.variable = scalarOf(item.find("Variable"));
        exe.condition = scalarOf(item.find("Condition"));
        exe.autoElevate = isTrue(item.find("AutoElevate"));
        exe.privilegeEscalation = isTrue(item.find("PrivilegeEscalation"));
        exe.expectedSignatures = signaturesOf(item.find("ExpectedSignatureInformation"));
        entry.vulnerableExecutables.push_back(std::move(exe));
    }
    if (entry.vulnerableExecutables.empty())
        return Error{0, file + ": no usable VulnerableExecutables item"};

    if (const auto *resources = root.find("Resources"); resources && resources->isSequence())
        for (const auto &item : resources->items)
            if (item.isScalar())
                entry.resources.push_back(item.scalar);
    return entry;
}

} // namespace loadlens::hijacklibs
