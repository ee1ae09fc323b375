// The loader settings of a Windows image, from its SYSTEM, SOFTWARE and user hives (or Wine's
// system.reg and user.reg).
#include "wintriage/ci_tree.h"
#include "wintriage/image_layout.h"
#include "wintriage/triage.h"
#include "winreg/registry.h"

namespace loadlens::wintriage {

namespace {

std::vector<std::string> splitList(const std::string &text, char separator)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find(separator, start);
        if (end == std::string::npos)
            end = text.size();
        std::string part = text.substr(start, end - start);
        while (!part.empty() && (part.front() == ' ' || part.front() == '"'))
            part.erase(part.begin());
        while (!part.empty() && (part.back() == ' ' || part.back() == '"'))
            part.pop_back();
        if (!part.empty())
            out.push_back(part);
        start = end + 1;
    }
    return out;
}

std::optional<std::uint64_t> number(const winreg::Hive &hive, const std::string &key, const std::string &name)
{
    const auto v = hive.value(key, name);
    if (!v)
        return std::nullopt;
    if (v->type == winreg::Value::Type::Dword || v->type == winreg::Value::Type::Qword)
        return v->number;
    if (v->type == winreg::Value::Type::String)
        return std::strtoull(v->text.c_str(), nullptr, 0);
    return std::nullopt;
}

} // namespace

Result<Settings> readSettings(const ImageLayout &layout)
{
    Settings s;
    s.missing = layout.missing;
    if (!layout.system) {
        s.missing.push_back("SYSTEM hive: loader settings, KnownDLLs, PATH and services are unknown");
        return s;
    }
    const winreg::Hive &system = *layout.system;
    s.registrySources.push_back(system.source());
    // The current control set: Select\Current in a real hive; Wine keeps CurrentControlSet itself.
    // (Wine also has Select\Current, with ControlSet001 only a link to CurrentControlSet.)
    const auto current = number(system, "Select", "Current");
    char selected[32] = "";
    if (current)
        std::snprintf(selected, sizeof selected, "ControlSet%03u", unsigned(*current % 1000));
    if (current && system.key(std::string(selected) + "\\Control")) {
        s.controlSet = selected;
    } else if (system.key("CurrentControlSet\\Control")) {
        s.controlSet = "CurrentControlSet";
    } else {
        s.missing.push_back("SYSTEM hive has no Select\\Current and no CurrentControlSet");
        return s;
    }
    const std::string control = s.controlSet + "\\Control";
    const std::string sessionManager = control + "\\Session Manager";
    if (const auto v = system.value(control + "\\ComputerName\\ComputerName", "ComputerName"))
        s.computerName = v->text;
    if (const auto known = system.key(sessionManager + "\\KnownDLLs")) {
        for (const auto &v : known->values) {
            if (winreg::foldCase(v.name) == "dlldirectory" || winreg::foldCase(v.name) == "dlldirectory32")
                s.knownDllsDirectory = s.knownDllsDirectory.empty() ? v.text : s.knownDllsDirectory;
            else if (!v.text.empty())
                s.knownDlls.push_back(v.text);
        }
    }
    if (const auto exclude = system.value(sessionManager, "ExcludeFromKnownDlls"))
        s.excludeFromKnownDlls = exclude->strings;
    s.safeDllSearchMode = number(system, sessionManager, "SafeDllSearchMode");
    s.cwdIllegalInDllSearch = number(system, sessionManager, "CWDIllegalInDllSearch");
    if (const auto certs = system.key(sessionManager + "\\AppCertDlls"))
        for (const auto &v : certs->values)
            if (!v.text.empty())
                s.appCertDlls.push_back(v.text);
    if (const auto path = system.value(sessionManager + "\\Environment", "Path"))
        s.systemPath = splitList(path->text, ';');
    if (const auto arch = system.value(sessionManager + "\\Environment", "PROCESSOR_ARCHITECTURE"))
        s.architecture = arch->text;
    if (const auto services = system.key(s.controlSet + "\\Services")) {
        for (const auto &name : services->subkeys) {
            const auto key = system.key(s.controlSet + "\\Services\\" + name);
            if (!key)
                continue;
            Service service;
            service.name = name;
            if (const auto *image = key->value("ImagePath"))
                service.imagePath = image->text;
            if (const auto dll = system.value(s.controlSet + "\\Services\\" + name + "\\Parameters", "ServiceDll"))
                service.serviceDll = dll->text;
            if (!service.imagePath.empty() || !service.serviceDll.empty())
                s.services.push_back(std::move(service));
        }
    }
    if (layout.software) {
        const winreg::Hive &software = *layout.software;
        s.registrySources.push_back(software.source());
        const std::string windows = "Microsoft\\Windows NT\\CurrentVersion\\Windows";
        if (const auto v = software.value(windows, "AppInit_DLLs"))
            s.appInitDlls = v->text;
        s.loadAppInitDlls = number(software, windows, "LoadAppInit_DLLs");
        s.requireSignedAppInitDlls = number(software, windows, "RequireSignedAppInit_DLLs");
        s.devOverrideEnable = number(software, "Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options",
                                     "DevOverrideEnable");
        const std::string version = "Microsoft\\Windows NT\\CurrentVersion";
        auto text = [&](const char *name) {
            const auto v = software.value(version, name);
            return v ? v->text : std::string();
        };
        s.productName = text("ProductName");
        s.currentVersion = text("DisplayVersion").empty() ? text("CurrentVersion") : text("DisplayVersion");
        s.currentBuild = text("CurrentBuildNumber").empty() ? text("CurrentBuild") : text("CurrentBuildNumber");
        s.servicePack = text("CSDVersion");
    } else {
        s.missing.push_back("SOFTWARE hive: AppInit_DLLs settings are unknown");
    }
    for (const auto &user : layout.users) {
        s.registrySources.push_back(user->source());
        if (const auto path = user->value("Environment", "Path"))
            for (const auto &entry : splitList(path->text, ';'))
                s.userPaths.emplace_back(user->source(), entry);
    }
    return s;
}

Result<Settings> readSettings(const std::string &root)
{
    auto layout = openLayout(root);
    if (!layout)
        return layout.error();
    return readSettings(*layout);
}

} // namespace loadlens::wintriage
