#include "scan/windows_images.h"

#include "authenticode/file_check.h"
#include "common/accounts.h"
#include "hijacklibs/hijacklibs.h"
#include "pe/pe_reader.h"
#include "proc/modules.h"

#include <algorithm>
#include <cctype>
#include <sys/stat.h>

namespace loadlens::scan {

namespace {

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool isRegularFile(const std::string &path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string homeOf(std::uint32_t uid)
{
    return accounts::Database::system().homeOf(uid).value_or(std::string());
}

} // namespace

std::string winePrefixOf(const ProcessInfo &process, std::string *source)
{
    if (auto it = process.loaderEnv.find("WINEPREFIX"); it != process.loaderEnv.end() && !it->second.empty()) {
        if (source)
            *source = "WINEPREFIX";
        std::string prefix = it->second;
        while (prefix.size() > 1 && prefix.back() == '/')
            prefix.pop_back();
        return prefix;
    }
    const std::string home = homeOf(process.uid);
    if (home.empty())
        return {};
    if (source)
        *source = "default ~/.wine";
    return home + "/.wine";
}

std::string windowsPathOf(const std::string &unixPath, const std::string &prefix)
{
    const std::string driveC = prefix + "/drive_c/";
    if (!prefix.empty() && unixPath.rfind(driveC, 0) == 0)
        return winpath::normalize("c:\\" + unixPath.substr(driveC.size()));
    return winpath::normalize("z:" + unixPath);
}

verdict::WindowsImageFacts WindowsImageSurvey::facts(const ProcessInfo &process, const ModuleRecord &module,
                                                      bool packaged)
{
    verdict::WindowsImageFacts out;
    if (module.deleted || module.memfd || module.anonymousExec || module.pseudo ||
        !proc::hasWindowsImageName(module.path))
        return out;
    auto [it, inserted] = m_files.try_emplace(module.file);
    FileResult &file = it->second;
    if (inserted) {
        file.isPe = pe::fileLooksLikePe(module.path);
        if (file.isPe && !packaged) {
            const auto check = authenticode::checkFile(module.path);
            if (check.error.empty() && check.isPe) {
                file.signatureChecked = true;
                file.state = authenticode::stateName(check.state);
                file.signedOk = check.signedOk();
                file.authenticodeSha256 = check.authenticodeSha256;
                if (!check.embedded.signatures.empty() && check.embedded.signatures.front().signer)
                    file.signer = check.embedded.signatures.front().signer->subject;
            }
        }
    }
    if (!file.isPe)
        return out;
    out.isPe = true;
    out.signatureChecked = file.signatureChecked;
    out.signatureState = file.state;
    out.signedOk = file.signedOk;
    out.signer = file.signer;
    out.authenticodeSha256 = file.authenticodeSha256;
    if (packaged)
        return out;
    out.prefix = winePrefixOf(process, &out.prefixSource);
    if (auto o = process.loaderEnv.find("WINEDLLOVERRIDES"); o != process.loaderEnv.end())
        out.dllOverrides = o->second;
    const auto slash = module.path.rfind('/');
    const std::string name = module.path.substr(slash + 1);
    if (lower(name.substr(name.rfind('.') + 1)) != "dll")
        return out;
    if (m_dataset) {
        out.windowsPath = windowsPathOf(module.path, out.prefix);
        const auto directory = winpath::directoryOf(out.windowsPath);
        const auto entries = m_dataset->findAll(name);
        bool expectedHere = false;
        for (const auto *entry : entries)
            expectedHere = expectedHere || entry->isExpectedDirectory(directory);
        if (!entries.empty() && !expectedHere) {
            const auto &entry = *entries.front();
            out.hijackLibsEntry = entry.file;
            out.hijackLibsVendor = entry.vendor;
            out.hijackLibsTypes = entry.hijackTypes();
            for (const auto &pattern : entry.expectedLocations)
                out.hijackLibsExpected += (out.hijackLibsExpected.empty() ? "" : "; ") + pattern.text();
        }
    }
    if (out.prefix.empty())
        return out;
    const std::string windows = out.prefix + "/drive_c/windows/";
    const std::string dir = module.path.substr(0, slash);
    for (const char *systemDir : {"system32", "syswow64"})
        if (lower(dir) == lower(windows + systemDir))
            return out;  // the system DLL itself
    for (const auto &candidate : {windows + "system32/" + lower(name), windows + "system32/" + name})
        if (isRegularFile(candidate)) {
            out.system32Copy = candidate;
            break;
        }
    return out;
}

} // namespace loadlens::scan
