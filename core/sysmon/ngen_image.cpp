#include "sysmon/ngen_image.h"

#include <vector>

namespace loadlens::sysmon {

namespace {

constexpr std::string_view kAssemblyRoot = "c:\\windows\\assembly\\";

std::vector<std::string_view> components(std::string_view path)
{
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find('\\', start);
        if (end == std::string_view::npos)
            end = path.size();
        parts.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

bool isHex(std::string_view s)
{
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return !s.empty();
}

// "nativeimages_v4.0.30319_64", "nativeimages_v2.0.50727_32", "nativeimages_v4.0.30319".
bool isRuntimeFolder(std::string_view folder)
{
    constexpr std::string_view prefix = "nativeimages_v";
    if (!folder.starts_with(prefix))
        return false;
    std::string_view version = folder.substr(prefix.size());
    if (version.ends_with("_32") || version.ends_with("_64"))
        version.remove_suffix(3);
    if (version.empty() || version.front() == '.' || version.back() == '.')
        return false;
    for (char c : version)
        if (!((c >= '0' && c <= '9') || c == '.'))
            return false;
    return true;
}

// NGEN names the folder after the assembly; a long name is cut to its first characters and
// followed by eight hex digits of a hash and '#' ("System.Dire5d62f0a2#" for
// System.DirectoryServices).
bool folderNamesAssembly(std::string_view folder, std::string_view stem)
{
    if (folder == stem)
        return true;
    if (folder.size() <= 9 || folder.back() != '#')
        return false;
    const std::string_view prefix = folder.substr(0, folder.size() - 9);
    return isHex(folder.substr(folder.size() - 9, 8)) && stem.starts_with(prefix);
}

} // namespace

NgenLayout ngenLayoutOf(std::string_view p)
{
    NgenLayout layout;
    if (!p.starts_with(kAssemblyRoot))
        return layout;
    const auto parts = components(p.substr(kAssemblyRoot.size()));
    if (parts.empty() || !parts[0].starts_with("nativeimages"))
        return layout;
    layout.underNativeImages = true;
    layout.runtimeFolder = std::string(parts[0]);
    if (!isRuntimeFolder(parts[0])) {
        layout.problem = "the folder is not NativeImages_v<runtime version>[_32|_64]";
        return layout;
    }
    if (parts.size() != 4) {
        layout.problem = "NGEN keeps each image two folders below " + std::string(parts[0]) +
                         " (assembly name, then a hash); this one is " + std::to_string(parts.size() - 2) +
                         " folder(s) below";
        return layout;
    }
    const std::string_view folder = parts[1], hash = parts[2], file = parts[3];
    std::string_view stem = file, extension;
    for (std::string_view suffix : {std::string_view(".ni.dll"), std::string_view(".ni.exe")})
        if (file.size() > suffix.size() && file.ends_with(suffix)) {
            stem = file.substr(0, file.size() - suffix.size());
            extension = suffix.substr(3);
        }
    if (extension.empty()) {
        layout.problem = "the name does not end in .ni.dll (or .ni.exe), as every NGEN image's does";
        return layout;
    }
    if (hash.size() != 32 || !isHex(hash)) {
        layout.problem = "the folder above it is not the 32-hex-digit hash NGEN names it after";
        return layout;
    }
    if (!folderNamesAssembly(folder, stem)) {
        layout.problem = "the assembly folder '" + std::string(folder) + "' does not name the assembly '" +
                         std::string(stem) + "'";
        return layout;
    }
    layout.valid = true;
    layout.assemblyName = std::string(stem) + std::string(extension);
    return layout;
}

} // namespace loadlens::sysmon
