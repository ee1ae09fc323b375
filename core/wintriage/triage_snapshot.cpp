#include "wintriage/triage_snapshot.h"

#include "authenticode/file_check.h"
#include "wintriage/ci_tree.h"
#include "winreg/registry.h"

#include <sys/stat.h>

#include <map>
#include <optional>
#include <set>

namespace loadlens::wintriage {

namespace {

std::string joined(const std::vector<std::string> &parts, const char *separator)
{
    std::string out;
    for (const auto &p : parts)
        out += (out.empty() ? "" : separator) + p;
    return out;
}

std::string fileName(const std::string &windowsPath)
{
    const auto slash = windowsPath.find_last_of("\\/");
    return slash == std::string::npos ? windowsPath : windowsPath.substr(slash + 1);
}

// One file of the image, read once however many executables resolve to it.
struct ImageFile {
    FileFacts facts;
    std::string signature;  // authenticode state name
    std::string signer;
};

class Converter {
public:
    Converter(const TriageResult &result, const SnapshotOptions &options)
        : m_result(result), m_options(options)
    {
        if (result.layout == "wine-prefix") {
            if (const auto drive = CiTree(result.root).resolve("drive_c"))
                m_volume.emplace(*drive);
        } else {
            m_volume.emplace(result.root);
        }
    }

    TriageSnapshot run()
    {
        TriageSnapshot out;
        ScanResult &scan = out.scan;
        const Settings &s = m_result.settings;
        scan.host.hostname = hostName();
        scan.host.bootId = std::string(kWindowsImageBootId);
        scan.host.osRelease = s.productName.empty() ? std::string("Windows (version not in the collection)")
                                                    : s.productName + (s.servicePack.empty() ? "" : " " + s.servicePack);
        scan.host.kernel = s.currentVersion.empty() && s.currentBuild.empty()
                               ? std::string("Windows NT (version unknown)")
                               : "Windows NT " + s.currentVersion + (s.currentBuild.empty() ? "" : " build " + s.currentBuild);
        scan.host.machine = s.architecture.empty() ? std::string("unknown") : s.architecture;
        scan.scannedAt = m_options.triagedAt;
        scan.collector.known = false;

        for (const auto &exe : m_result.executables)
            scan.processes.push_back(entry(exe));
        for (const auto &f : m_result.findings) {
            loadlens::Finding finding;
            finding.code = f.code;
            finding.level = parseLevel(f.level).value_or(Level::Info);
            finding.text = f.title;
            finding.technique = f.technique;
            finding.measure = f.measure;
            if (!f.executable.empty())
                finding.evidence.emplace_back("executable", f.executable);
            if (!f.dll.empty())
                finding.evidence.emplace_back("dll", f.dll);
            finding.evidence.emplace_back("evidence", f.evidence);
            scan.findings.push_back(std::move(finding));
        }
        for (const auto &[key, file] : m_files)
            scan.files.emplace(file.facts.key, file.facts);
        scan.stats.processesListed = int(scan.processes.size());
        scan.stats.processesScanned = int(scan.processes.size());
        scan.stats.uniqueFiles = int(scan.files.size());
        for (const auto &p : scan.processes)
            scan.stats.modules += int(p.modules.size());
        scan.stats.cancelled = m_result.truncated;
        if (m_result.truncated)
            scan.stats.errorCounts["executable limit reached"] = 1;
        out.facts = facts(scan);
        return out;
    }

private:
    std::string hostName() const
    {
        if (!m_result.settings.computerName.empty())
            return m_result.settings.computerName;
        if (!m_options.host.empty())
            return m_options.host;
        std::string root = m_result.root;
        while (root.size() > 1 && root.back() == '/')
            root.pop_back();
        const auto slash = root.rfind('/');
        const std::string name = slash == std::string::npos ? root : root.substr(slash + 1);
        return name.empty() ? std::string("windows-image") : name;
    }

    std::optional<std::string> hostPath(const std::string &windowsPath) const
    {
        if (!m_volume || windowsPath.size() < 3 || windowsPath[1] != ':' ||
            (windowsPath[0] != 'C' && windowsPath[0] != 'c'))
            return std::nullopt;
        return m_volume->resolve(windowsPath.substr(3));
    }

    // The file at `windowsPath`, read and hashed the first time it is asked for.
    const ImageFile &file(const std::string &windowsPath)
    {
        const std::string folded = winreg::foldCase(windowsPath);
        auto [it, inserted] = m_files.try_emplace(folded);
        if (!inserted)
            return it->second;
        ImageFile &f = it->second;
        f.facts.path = windowsPath;
        // dev 0 and a path hash: a file of an image has no device and inode of the host it is
        // read on that would mean anything in the case.
        f.facts.key = FileKey{0, imageEntryId(windowsPath)};
        const auto host = hostPath(windowsPath);
        if (!host) {
            f.facts.errors.push_back("not in the collection");
            f.signature = "unknown";
            return f;
        }
        struct stat st {};
        if (::stat(host->c_str(), &st) == 0) {
            f.facts.size = std::uint64_t(st.st_size);
            f.facts.mtimeNs = std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
            f.facts.ctimeNs = std::int64_t(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
            f.facts.mode = st.st_mode;
        }
        authenticode::FileCheckOptions options;
        options.anchors = m_options.anchors;
        options.catalogs = m_options.catalogs;
        const auto check = authenticode::checkFile(*host, options);
        if (!check.error.empty()) {
            f.facts.errors.push_back(check.error);
            f.signature = "unknown";
            return f;
        }
        f.facts.sha256 = check.sha256;
        f.facts.md5 = check.md5;
        f.signature = authenticode::stateName(check.state);
        if (check.catalogSigned)
            f.signer = "catalog " + check.catalog;
        else if (!check.embedded.signatures.empty() && check.embedded.signatures.front().signer)
            f.signer = check.embedded.signatures.front().signer->commonName;
        return f;
    }

    Verdict verdict(const Executable &exe, const std::string &dll, const ImageFile &f, const std::string &how) const
    {
        Verdict v;
        Reason signature;
        signature.code = "authenticode";
        signature.level = Level::Ok;
        signature.text = "Authenticode: " + f.signature + (f.signer.empty() ? "" : " (signer " + f.signer + ")");
        signature.evidence = {{"signature", f.signature}};
        if (!f.signer.empty())
            signature.evidence.emplace_back("signer", f.signer);
        if (!how.empty())
            signature.evidence.emplace_back("resolved", how);
        v.add(std::move(signature));
        const std::string foldedDll = winreg::foldCase(dll);
        for (const auto &finding : m_result.findings) {
            if (finding.executable != exe.path || winreg::foldCase(finding.dll) != foldedDll)
                continue;
            Reason r;
            r.code = finding.code;
            r.level = parseLevel(finding.level).value_or(Level::Info);
            r.text = finding.title + ": " + finding.evidence;
            r.technique = finding.technique;
            r.measure = finding.measure;
            r.evidence = {{"executable", exe.path}};
            if (!dll.empty())
                r.evidence.emplace_back("dll", dll);
            v.add(std::move(r));
        }
        return v;
    }

    ModuleRecord module(const Executable &exe, const std::string &path, const std::string &dll, const std::string &how)
    {
        const ImageFile &f = file(path);
        ModuleRecord m;
        m.path = path;
        m.file = f.facts.key;
        m.executable = true;
        m.confirmation = how.empty() ? std::string("image: the executable") : "image: resolved by " + how;
        m.verdict = verdict(exe, dll, f, how);
        return m;
    }

    ProcessInfo entry(const Executable &exe)
    {
        ProcessInfo p;
        p.pid = 0;
        p.startTime = imageEntryId(exe.path);
        p.name = fileName(exe.path);
        p.exe = exe.path;
        p.state = '-';
        p.user = "";
        p.modules.push_back(module(exe, exe.path, "", ""));
        std::set<std::string> seen{winreg::foldCase(exe.path)};
        for (const auto &r : exe.dlls) {
            if (r.path.empty() || !seen.insert(winreg::foldCase(r.path)).second)
                continue;  // api sets and DLLs found nowhere: findings, not modules
            p.modules.push_back(module(exe, r.path, r.dll, r.how));
        }
        return p;
    }

    store::HostFacts facts(const ScanResult &scan) const
    {
        const Settings &s = m_result.settings;
        store::HostFacts f;
        f["hostname"] = scan.host.hostname;
        f["kernel"] = scan.host.kernel;
        f["os-release"] = scan.host.osRelease;
        f["machine"] = scan.host.machine;
        f["snapshot-kind"] = "windows-image";
        f["windows-layout"] = m_result.layout;
        f["windows-root"] = m_result.root;
        f["windows-computer-name"] = s.computerName.empty() ? "<absent>" : s.computerName;
        f["windows-control-set"] = s.controlSet.empty() ? "<unknown>" : s.controlSet;
        f["KnownDLLs"] = joined(s.knownDlls, ";");
        f["KnownDLLs DllDirectory"] = s.knownDllsDirectory;
        f["ExcludeFromKnownDlls"] = joined(s.excludeFromKnownDlls, ";");
        auto number = [](const std::optional<std::uint64_t> &n) { return n ? std::to_string(*n) : std::string("<absent>"); };
        f["SafeDllSearchMode"] = number(s.safeDllSearchMode);
        f["CWDIllegalInDllSearch"] = number(s.cwdIllegalInDllSearch);
        f["AppInit_DLLs"] = s.appInitDlls ? *s.appInitDlls : std::string("<absent>");
        f["LoadAppInit_DLLs"] = number(s.loadAppInitDlls);
        f["RequireSignedAppInit_DLLs"] = number(s.requireSignedAppInitDlls);
        f["AppCertDlls"] = joined(s.appCertDlls, ";");
        f["PATH"] = joined(s.systemPath, ";");
        f["registry-sources"] = joined(s.registrySources, ";");
        if (!s.missing.empty())
            f["not-collected"] = joined(s.missing, "; ");
        if (!m_result.problems.empty())
            f["triage-problems"] = joined(m_result.problems, "; ");
        for (const auto &p : m_result.posture)
            f["posture:" + p.id] = p.status + ": " + p.evidence;
        f["trust-store"] = trustStoreText(m_result);
        if (!m_result.catalogs.empty())
            f["catalogs"] = m_result.catalogs;
        f["executables-examined"] = std::to_string(m_result.executablesSeen);
        return f;
    }

    const TriageResult &m_result;
    const SnapshotOptions &m_options;
    std::optional<CiTree> m_volume;
    std::map<std::string, ImageFile> m_files;  // by folded Windows path
};

} // namespace

std::uint64_t imageEntryId(std::string_view windowsPath)
{
    // FNV-1a over the folded path; 63 bits so the id stays a positive SQLite/ClickHouse Int64.
    std::uint64_t hash = 0xcbf29ce484222325ull;
    for (unsigned char c : winreg::foldCase(std::string(windowsPath))) {
        hash ^= c;
        hash *= 0x100000001b3ull;
    }
    hash &= 0x7fffffffffffffffull;
    return hash == 0 ? 1 : hash;
}

TriageSnapshot triageSnapshot(const TriageResult &result, const SnapshotOptions &options)
{
    return Converter(result, options).run();
}

} // namespace loadlens::wintriage
