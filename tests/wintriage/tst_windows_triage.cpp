// Windows triage end to end: a Windows 7 volume and a Wine prefix assembled in a temporary
// directory from the shared samples (the real SYSTEM hive, Wine's DLLs and registry, a signed
// Sysinternals executable), with DLLs planted next to the executable.
#include "shared_data.h"
#include "wintriage/triage.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cstring>
#include <unistd.h>
#include <cerrno>

using namespace loadlens;
using namespace loadlens::wintriage;

namespace {

bool place(const QString &from, const QString &to, bool link = false)
{
    QDir().mkpath(QFileInfo(to).path());
    return link ? QFile::link(from, to) : QFile::copy(from, to);
}

const Finding *findingFor(const TriageResult &r, const char *code, const char *dll)
{
    for (const auto &f : r.findings)
        if (f.code == code && QString::fromStdString(f.dll).compare(QLatin1String(dll), Qt::CaseInsensitive) == 0)
            return &f;
    return nullptr;
}

const DllResolution *resolution(const TriageResult &r, const char *dll)
{
    for (const auto &e : r.executables)
        for (const auto &d : e.dlls)
            if (QString::fromStdString(d.dll).compare(QLatin1String(dll), Qt::CaseInsensitive) == 0)
                return &d;
    return nullptr;
}

const PostureCheck *check(const TriageResult &r, const char *id)
{
    for (const auto &p : r.posture)
        if (p.id == id)
            return &p;
    return nullptr;
}

} // namespace

class TestWindowsTriage : public QObject {
    Q_OBJECT
private slots:
    // A signed program changed after signing (one byte of its code flipped by the test) is a
    // high finding of its own, with the reason verification failed, though it side-loads
    // nothing; the intact copy is not. In the Windows directory only --verify-all checks it.
    void tamperedSignedExecutableIsAFinding()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(system, "windows/hives/regipy/SYSTEM");
        LOADLENS_SHARED_DATA_OR_SKIP(wine, "windows/wine/drive_c/windows/system32");
        LOADLENS_SHARED_DATA_OR_SKIP(whois, "pe/signify_whois.exe");
        QTemporaryDir dir;
        const QString root = dir.path();
        QVERIFY(place(system, root + QStringLiteral("/Windows/System32/config/SYSTEM"), true));
        QVERIFY(place(wine + QStringLiteral("/kernel32.dll"), root + QStringLiteral("/Windows/System32/kernel32.dll")));
        // Every DLL whois.exe imports is in System32 (names only: resolution reads listings), so
        // no copy has a finding of another kind that would have its signature checked anyway.
        for (const char *dll : {"comdlg32.dll", "user32.dll", "gdi32.dll", "version.dll", "riched32.dll",
                                "advapi32.dll", "ws2_32.dll", "shell32.dll"}) {
            QFile empty(root + QStringLiteral("/Windows/System32/") + QLatin1String(dll));
            QVERIFY(empty.open(QIODevice::WriteOnly));
        }
        QVERIFY(place(whois, root + QStringLiteral("/Program Files/Intact/whois.exe")));
        QFile original(whois);
        QVERIFY(original.open(QIODevice::ReadOnly));
        QByteArray bytes = original.readAll();
        bytes[bytes.size() / 3] = char(bytes[bytes.size() / 3] ^ 0x01);  // code, far from the certificate table
        for (const QString &to : QStringList{root + QStringLiteral("/Program Files/Patched/whois.exe"),
                                             root + QStringLiteral("/Windows/whois.exe")}) {
            QDir().mkpath(QFileInfo(to).path());
            QFile out(to);
            QVERIFY(out.open(QIODevice::WriteOnly));
            QCOMPARE(out.write(bytes), qint64(bytes.size()));
        }

        TriageOptions options;
        options.root = root.toStdString();
        for (const bool all : {false, true}) {
            options.verifyEverySignature = all;
            const auto result = triage(options);
            QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
            QCOMPARE(result->executablesSeen, std::size_t(3));
            std::vector<const Finding *> invalid;
            for (const auto &f : result->findings)
                if (f.code == "signature-invalid")
                    invalid.push_back(&f);
            QVERIFY2(invalid.size() == std::size_t(all ? 2 : 1) && result->findings.size() == invalid.size(),
                     qPrintable(QString::number(result->findings.size()) + u" findings"_qs));
            const Finding &patched = *invalid.front();
            QVERIFY2(patched.executable == "C:\\Program Files\\Patched\\whois.exe" ||
                         patched.executable == "C:\\Windows\\whois.exe",
                     patched.executable.c_str());
            QCOMPARE(QString::fromStdString(patched.level), QStringLiteral("high"));
            QCOMPARE(QString::fromStdString(patched.technique), QStringLiteral("T1554"));
            QVERIFY2(QString::fromStdString(patched.evidence).contains(QLatin1String("digest")), patched.evidence.c_str());
            QVERIFY(QString::fromStdString(patched.measure).startsWith(QLatin1String("M1044")));
            for (const auto &e : result->executables) {
                if (e.path == "C:\\Program Files\\Intact\\whois.exe")
                    QCOMPARE(QString::fromStdString(e.signature), QStringLiteral("signature-valid-chain-unknown"));
                if (e.path == "C:\\Program Files\\Patched\\whois.exe")
                    QCOMPARE(QString::fromStdString(e.signature), QStringLiteral("invalid"));
                if (e.path == "C:\\Windows\\whois.exe")
                    QCOMPARE(QString::fromStdString(e.signature), all ? QStringLiteral("invalid") : QString());
            }
        }
    }

    // System files are signed in catalogs, not in themselves. The System32 copy here is DXCore.dll
    // with its embedded signature removed (as most System32 files are), listed in the real
    // Microsoft catalog that covers it, placed in the image's CatRoot. With the catalog the
    // shadowed copy is signed by Microsoft, so a planted DLL signed by someone else is high; the
    // posture's code-signing check counts it. Without catalogs it is unsigned and the finding medium.
    void catalogSignedSystemCopy()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(system, "windows/hives/regipy/SYSTEM");
        LOADLENS_SHARED_DATA_OR_SKIP(whois, "pe/signify_whois.exe");
        LOADLENS_SHARED_DATA_OR_SKIP(dxcore, "windows/pe/signify/DXCore.dll");
        LOADLENS_SHARED_DATA_OR_SKIP(catalog, "windows/cat/signify/115fe8649854ad531fb7ecd1318fbee6b33c9cbd78f02ed582092a96d5eb5899.cat");
        LOADLENS_SHARED_DATA_OR_SKIP(otherSigner, "windows/pe/signify/kdbazis.dll");
        QTemporaryDir dir;
        const QString root = dir.path();
        QVERIFY(place(system, root + QStringLiteral("/Windows/System32/config/SYSTEM"), true));
        QVERIFY(place(whois, root + QStringLiteral("/Program Files/Tool/whois.exe")));
        QVERIFY(place(otherSigner, root + QStringLiteral("/Program Files/Tool/VERSION.dll")));
        QVERIFY(place(catalog, root + QStringLiteral("/Windows/System32/CatRoot/{F750E6C3-38EE-11D1-85E5-00C04FC295EE}/") +
                                   QFileInfo(catalog).fileName()));
        {
            QFile in(dxcore);
            QVERIFY(in.open(QIODevice::ReadOnly));
            QByteArray bytes = in.readAll();
            const auto u32 = [&](qsizetype at) { quint32 v; std::memcpy(&v, bytes.constData() + at, 4); return v; };
            const qsizetype opt = qsizetype(u32(0x3c)) + 24;
            const bool pe32plus = quint8(bytes[opt]) == 0x0b && quint8(bytes[opt + 1]) == 0x02;
            const qsizetype certDirectory = opt + (pe32plus ? 112 : 96) + 4 * 8;
            const quint32 table = u32(certDirectory);
            QVERIFY(table > 0 && table < quint32(bytes.size()));
            bytes.truncate(table);
            std::memset(bytes.data() + certDirectory, 0, 8);
            QDir().mkpath(root + QStringLiteral("/Windows/System32"));
            QFile out(root + QStringLiteral("/Windows/System32/version.dll"));
            QVERIFY(out.open(QIODevice::WriteOnly));
            QCOMPARE(out.write(bytes), bytes.size());
        }

        TriageOptions options;
        options.root = root.toStdString();
        options.imageCatalogs = false;
        const auto without = triage(options);
        QVERIFY2(without.ok(), without.ok() ? "" : without.error().message.c_str());
        const auto *medium = findingFor(*without, "dll-side-loading", "VERSION.dll");
        QVERIFY(medium);
        QCOMPARE(QString::fromStdString(medium->level), QStringLiteral("medium"));
        QCOMPARE(without->catalogsRead, std::size_t(0));
        QCOMPARE(QString::fromStdString(check(*without, "code-signing")->status), QStringLiteral("fail"));
        QVERIFY2(QString::fromStdString(check(*without, "code-signing")->evidence).contains(QLatin1String("version.dll (unsigned)")),
                 check(*without, "code-signing")->evidence.c_str());

        options.imageCatalogs = true;
        const auto with = triage(options);
        QVERIFY(with.ok());
        QCOMPARE(with->catalogsRead, std::size_t(1));
        const auto *high = findingFor(*with, "dll-side-loading", "VERSION.dll");
        QVERIFY(high);
        QCOMPARE(QString::fromStdString(high->level), QStringLiteral("high"));
        const QString evidence = QString::fromStdString(high->evidence);
        QVERIFY2(evidence.contains(QLatin1String("signer VirtualKD-Redux SPC")) &&
                     evidence.contains(QLatin1String("(signature: signature-valid-chain-unknown, catalog C:\\Windows\\System32\\CatRoot\\"
                                                     "{F750E6C3-38EE-11D1-85E5-00C04FC295EE}\\115fe8649854ad531fb7ecd1318fbee6b33c9cbd78f02ed582092a96d5eb5899.cat, "
                                                     "signer Microsoft Windows)")),
                 qPrintable(evidence));
        const auto *signing = check(*with, "code-signing");
        QCOMPARE(QString::fromStdString(signing->status), QStringLiteral("pass"));
        QVERIFY2(QString::fromStdString(signing->evidence).startsWith(QLatin1String("3 of 3 checked executables and DLLs are signed (1 through a catalog")),
                 signing->evidence.c_str());

        // The same catalog given apart from the image (a CatRoot collected on its own).
        const QString collected = root + QStringLiteral("/Windows/System32/CatRoot");
        QVERIFY(QDir(collected).rename(collected, root + QStringLiteral("/collected-catroot")));
        options.catalogDirectories = {QString(root + QStringLiteral("/collected-catroot")).toStdString()};
        const auto apart = triage(options);
        QVERIFY(apart.ok());
        QCOMPARE(QString::fromStdString(findingFor(*apart, "dll-side-loading", "VERSION.dll")->level), QStringLiteral("high"));
    }

    // KnownDLLs against the DLLs every Windows from 7 to 11 lists: a Wine registry given a
    // KnownDLLs key without kernel32.dll fails, naming it; with it the check passes. (The real
    // Windows 7 hive passes in windows7Volume.)
    void knownDllsAgainstTheDefaults()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(wine, "windows/wine");
        QFile original(wine + QStringLiteral("/system.reg"));
        QVERIFY(original.open(QIODevice::ReadOnly));
        const QByteArray registry = original.readAll();
        const QStringList defaults = {QStringLiteral("advapi32"), QStringLiteral("clbcatq"), QStringLiteral("comdlg32"),
                                      QStringLiteral("DifxApi"),  QStringLiteral("gdi32"),   QStringLiteral("IMAGEHLP"),
                                      QStringLiteral("IMM32"),    QStringLiteral("MSCTF"),   QStringLiteral("MSVCRT"),
                                      QStringLiteral("NORMALIZ"), QStringLiteral("NSI"),     QStringLiteral("ole32"),
                                      QStringLiteral("OLEAUT32"), QStringLiteral("PSAPI"),   QStringLiteral("rpcrt4"),
                                      QStringLiteral("sechost"),  QStringLiteral("Setupapi"), QStringLiteral("SHELL32"),
                                      QStringLiteral("SHLWAPI"),  QStringLiteral("user32"),  QStringLiteral("WLDAP32"),
                                      QStringLiteral("WS2_32"),   QStringLiteral("combase")};
        for (const bool withKernel32 : {false, true}) {
            QTemporaryDir dir;
            const QString root = dir.path();
            QByteArray section = "\n[System\\\\CurrentControlSet\\\\Control\\\\Session Manager\\\\KnownDLLs] 1796413023\n";
            for (const QString &dll : defaults)
                section += "\"" + dll.toUtf8() + "\"=\"" + dll.toLower().toUtf8() + ".dll\"\n";
            if (withKernel32)
                section += "\"kernel32\"=\"kernel32.dll\"\n";
            QFile copy(root + QStringLiteral("/system.reg"));
            QVERIFY(copy.open(QIODevice::WriteOnly));
            copy.write(registry + section);
            copy.close();
            QDir().mkpath(root + QStringLiteral("/drive_c/windows/system32"));
            TriageOptions options;
            options.root = root.toStdString();
            const auto r = triage(options);
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
            QCOMPARE(int(r->settings.knownDlls.size()), int(defaults.size()) + (withKernel32 ? 1 : 0));
            const auto *known = check(*r, "known-dlls");
            QVERIFY(known);
            QCOMPARE(QString::fromStdString(known->status), withKernel32 ? QStringLiteral("pass") : QStringLiteral("fail"));
            if (!withKernel32)
                QVERIFY2(QString::fromStdString(known->evidence).endsWith(QLatin1String("missing from the defaults: kernel32.dll")),
                         known->evidence.c_str());
        }
    }

    // WDAC policy files or enforced AppLocker DLL rules pass the application-control check;
    // what was not collected is unknown, not a pass.
    void applicationControlPolicy()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(system, "windows/hives/regipy/SYSTEM");
        QTemporaryDir dir;
        const QString root = dir.path();
        QVERIFY(place(system, root + QStringLiteral("/Windows/System32/config/SYSTEM"), true));
        TriageOptions options;
        options.root = root.toStdString();
        auto r = triage(options);
        QVERIFY(r.ok());
        QCOMPARE(QString::fromStdString(check(*r, "application-control")->status), QStringLiteral("unknown"));
        QCOMPARE(QString::fromStdString(check(*r, "code-signing")->status), QStringLiteral("unknown"));
        QDir().mkpath(root + QStringLiteral("/Windows/System32/CodeIntegrity/CiPolicies/Active"));
        QFile policy(root + QStringLiteral("/Windows/System32/CodeIntegrity/CiPolicies/Active/{A244370E-44C9-4C06-B551-F6016E563076}.cip"));
        QVERIFY(policy.open(QIODevice::WriteOnly));
        policy.close();
        r = triage(options);
        QVERIFY(r.ok());
        const auto *control = check(*r, "application-control");
        QCOMPARE(QString::fromStdString(control->status), QStringLiteral("pass"));
        QVERIFY2(QString::fromStdString(control->evidence).contains(QLatin1String("{A244370E-44C9-4C06-B551-F6016E563076}.cip")),
                 control->evidence.c_str());
    }

    void windows7Volume()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(system, "windows/hives/regipy/SYSTEM");
        LOADLENS_SHARED_DATA_OR_SKIP(wine, "windows/wine/drive_c/windows/system32");
        LOADLENS_SHARED_DATA_OR_SKIP(whois, "pe/signify_whois.exe");
        LOADLENS_SHARED_DATA_OR_SKIP(unsignedDll, "windows/pe/npm/msal-node-runtime.node");
        LOADLENS_SHARED_DATA_OR_SKIP(signedDll, "windows/pe/signify/DXCore.dll");
        QTemporaryDir dir;
        const QString root = dir.path();
        // Names in mixed case on purpose: lookups must not depend on it.
        QVERIFY(place(system, root + QStringLiteral("/WINDOWS/system32/Config/SYSTEM"), true));
        for (const char *dll : {"version.dll", "kernel32.dll", "ws2_32.dll", "imm32.dll", "psapi.dll"})
            QVERIFY(place(wine + QLatin1Char('/') + QLatin1String(dll), root + QStringLiteral("/WINDOWS/system32/") + QLatin1String(dll)));
        const QString app = root + QStringLiteral("/Program Files/Sysinternals");
        QVERIFY(place(whois, app + QStringLiteral("/whois.exe")));
        // The classic side-load: an unsigned VERSION.dll next to a signed program.
        QVERIFY(place(unsignedDll, app + QStringLiteral("/VERSION.dll")));
        // WS2_32.dll is a KnownDLL on this host: a copy beside the program is never loaded.
        QVERIFY(place(signedDll, app + QStringLiteral("/WS2_32.dll")));
        // The DNS client service's ServiceDll replaced by an unsigned DLL.
        QVERIFY(place(wine + QStringLiteral("/psapi.dll"), root + QStringLiteral("/WINDOWS/system32/dnsrslvr.dll")));

        TriageOptions options;
        options.root = root.toStdString();
        const auto result = triage(options);
        QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
        const auto &r = *result;
        QCOMPARE(QString::fromStdString(r.layout), QStringLiteral("windows-volume"));
        QCOMPARE(QString::fromStdString(r.settings.computerName), QStringLiteral("WKS-WIN732BITA"));
        QCOMPARE(QString::fromStdString(r.settings.controlSet), QStringLiteral("ControlSet001"));
        QCOMPARE(int(r.settings.knownDlls.size()), 28); // 29 values, one of them DllDirectory
        QCOMPARE(QString::fromStdString(r.settings.knownDllsDirectory), QStringLiteral("%SystemRoot%\\system32"));
        QVERIFY(!r.settings.safeDllSearchMode);
        QCOMPARE(int(r.settings.systemPath.size()), 4);
        QVERIFY(r.settings.services.size() >= 401);
        QCOMPARE(r.executablesSeen, std::size_t(1));

        const auto *version = resolution(r, "VERSION.dll");
        QVERIFY(version);
        QCOMPARE(QString::fromStdString(version->how), QStringLiteral("application-directory"));
        QCOMPARE(QString::fromStdString(version->path), QStringLiteral("C:\\Program Files\\Sysinternals\\VERSION.dll"));
        QCOMPARE(int(version->alsoIn.size()), 1);
        QCOMPARE(QString::fromStdString(version->alsoIn.front()), QStringLiteral("C:\\WINDOWS\\system32\\version.dll"));
        const auto *sideLoad = findingFor(r, "dll-side-loading", "VERSION.dll");
        QVERIFY(sideLoad);
        QCOMPARE(QString::fromStdString(sideLoad->level), QStringLiteral("high"));
        QCOMPARE(QString::fromStdString(sideLoad->technique), QStringLiteral("T1574.001"));
        QVERIFY(QString::fromStdString(sideLoad->evidence).contains(QLatin1String("the executable is signature-valid-chain-unknown by Microsoft Corporation")));
        QVERIFY(!sideLoad->measure.empty());
        QCOMPARE(QString::fromStdString(r.findings.front().level), QStringLiteral("high"));

        const auto *ws2 = resolution(r, "WS2_32.dll");
        QVERIFY(ws2);
        QCOMPARE(QString::fromStdString(ws2->how), QStringLiteral("known-dll"));
        QVERIFY(!findingFor(r, "dll-side-loading", "WS2_32.dll"));
        QCOMPARE(QString::fromStdString(resolution(r, "USER32.dll")->how), QStringLiteral("known-dll"));

        const Finding *service = nullptr;
        for (const auto &f : r.findings)
            if (f.code == "service-dll")
                service = &f;
        QVERIFY(service);
        QCOMPARE(QString::fromStdString(service->level), QStringLiteral("high"));
        QVERIFY(QString::fromStdString(service->title).startsWith(QLatin1String("service Dnscache loads dnsrslvr.dll, unsigned")));
        QVERIFY(std::any_of(r.problems.begin(), r.problems.end(),
                            [](const std::string &p) { return p.find("not in the collection") != std::string::npos; }));

        QCOMPARE(QString::fromStdString(check(r, "safe-dll-search-mode")->status), QStringLiteral("pass"));
        QCOMPARE(QString::fromStdString(check(r, "cwd-illegal-in-dll-search")->status), QStringLiteral("fail"));
        QCOMPARE(QString::fromStdString(check(r, "known-dlls")->status), QStringLiteral("pass"));
        QCOMPARE(QString::fromStdString(check(r, "appinit-dlls")->status), QStringLiteral("unknown"));
        QVERIFY(std::any_of(r.settings.missing.begin(), r.settings.missing.end(),
                            [](const std::string &m) { return m.find("SOFTWARE") != std::string::npos; }));

        // The planted DLL signed by someone other than the System32 copy's signer (here: the
        // System32 copy is unsigned) is medium, not high; a signed program and an unsigned DLL is high.
        QFile::remove(app + QStringLiteral("/VERSION.dll"));
        QVERIFY(place(signedDll, app + QStringLiteral("/VERSION.dll")));
        const auto again = triage(options);
        QVERIFY(again.ok());
        const auto *signedSideLoad = findingFor(*again, "dll-side-loading", "VERSION.dll");
        QVERIFY(signedSideLoad);
        QCOMPARE(QString::fromStdString(signedSideLoad->level), QStringLiteral("medium"));
    }

    // HijackLibs: certutil.exe is listed as vulnerable to version.dll side-loading. A copy of a
    // program with that name beside an unsigned VERSION.dll is a high HijackLibs finding.
    void hijackLibsKnownSideLoad()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(yml, "hijacklibs/yml");
        LOADLENS_SHARED_DATA_OR_SKIP(wine, "windows/wine/drive_c/windows/system32");
        LOADLENS_SHARED_DATA_OR_SKIP(whois, "pe/signify_whois.exe");
        LOADLENS_SHARED_DATA_OR_SKIP(unsignedDll, "windows/pe/npm/msal-node-runtime.node");
        hijacklibs::LoadReport report;
        auto dataset = hijacklibs::Dataset::loadDirectory(yml.toStdString(), report);
        QVERIFY2(dataset.ok(), dataset.ok() ? "" : dataset.error().message.c_str());
        QTemporaryDir dir;
        const QString root = dir.path();
        QVERIFY(place(wine + QStringLiteral("/version.dll"), root + QStringLiteral("/Windows/System32/version.dll")));
        const QString tools = root + QStringLiteral("/Users/alice/Downloads");
        QVERIFY(place(whois, tools + QStringLiteral("/certutil.exe")));
        QVERIFY(place(unsignedDll, tools + QStringLiteral("/version.dll")));
        TriageOptions options;
        options.root = root.toStdString();
        options.hijackLibs = &*dataset;
        const auto result = triage(options);
        QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
        const auto *known = findingFor(*result, "hijacklibs-dll", "VERSION.dll");
        QVERIFY(known);
        QCOMPARE(QString::fromStdString(known->level), QStringLiteral("high"));
        QVERIFY2(QString::fromStdString(known->evidence).contains(QLatin1String("certutil.exe")), known->evidence.c_str());
        QVERIFY2(QString::fromStdString(known->evidence).contains(QLatin1String("%SYSTEM32%")), known->evidence.c_str());
        // Without the dataset there is no such finding; the side-load itself is still found.
        options.hijackLibs = nullptr;
        const auto plain = triage(options);
        QVERIFY(plain.ok());
        QVERIFY(!findingFor(*plain, "hijacklibs-dll", "VERSION.dll"));
        QVERIFY(findingFor(*plain, "dll-side-loading", "VERSION.dll"));
    }

    void winePrefix()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(wine, "windows/wine");
        LOADLENS_SHARED_DATA_OR_SKIP(whois, "pe/signify_whois.exe");
        QTemporaryDir dir;
        const QString root = dir.path();
        QVERIFY(place(wine + QStringLiteral("/system.reg"), root + QStringLiteral("/system.reg"), true));
        QVERIFY(place(wine + QStringLiteral("/user.reg"), root + QStringLiteral("/user.reg"), true));
        for (const char *dll : {"version.dll", "kernel32.dll", "ws2_32.dll", "imm32.dll", "psapi.dll"})
            QVERIFY(place(wine + QStringLiteral("/drive_c/windows/system32/") + QLatin1String(dll),
                          root + QStringLiteral("/drive_c/windows/system32/") + QLatin1String(dll)));
        QVERIFY(place(whois, root + QStringLiteral("/drive_c/Program Files/Tools/whois.exe")));
        TriageOptions options;
        options.root = root.toStdString();
        const auto result = triage(options);
        QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
        const auto &r = *result;
        QCOMPARE(QString::fromStdString(r.layout), QStringLiteral("wine-prefix"));
        QCOMPARE(QString::fromStdString(r.settings.controlSet), QStringLiteral("CurrentControlSet"));
        QVERIFY(r.settings.knownDlls.empty()); // Wine sets up no KnownDLLs
        QCOMPARE(int(r.settings.systemPath.size()), 4);
        QCOMPARE(QString::fromStdString(check(r, "known-dlls")->status), QStringLiteral("fail"));
        // Without KnownDLLs, everything is searched: VERSION.dll from system32 through the search ...
        QCOMPARE(QString::fromStdString(resolution(r, "VERSION.dll")->how), QStringLiteral("system-directory"));
        // ... and USER32.dll, absent from this small tree, is a phantom, reported as info because
        // system32 is visibly incomplete.
        const auto *phantom = findingFor(r, "phantom-dll", "USER32.dll");
        QVERIFY(phantom);
        QCOMPARE(QString::fromStdString(phantom->level), QStringLiteral("info"));
        QVERIFY(QString::fromStdString(phantom->evidence).contains(QLatin1String("incomplete")));
        QVERIFY(!findingFor(r, "dll-side-loading", "VERSION.dll"));
    }

    // Progress after each executable; a cancel stops the walk and gives an error, not a
    // partial result that would look complete.
    void progressAndCancel()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(wine, "windows/wine");
        LOADLENS_SHARED_DATA_OR_SKIP(whois, "pe/signify_whois.exe");
        QTemporaryDir dir;
        const QString root = dir.path();
        QVERIFY(place(wine + QStringLiteral("/system.reg"), root + QStringLiteral("/system.reg"), true));
        for (const char *tool : {"A", "B", "C"})
            QVERIFY(place(whois, root + QStringLiteral("/drive_c/Program Files/") + QLatin1String(tool) + QStringLiteral("/whois.exe")));
        TriageOptions options;
        options.root = root.toStdString();
        std::vector<std::pair<std::size_t, std::string>> steps;
        options.progress = [&](std::size_t done, std::size_t total, const std::string &step) {
            QCOMPARE(total, std::size_t(0));
            steps.emplace_back(done, step);
        };
        const auto complete = triage(options);
        QVERIFY(complete.ok());
        QCOMPARE(complete->executablesSeen, std::size_t(3));
        QCOMPARE(steps.size(), std::size_t(3));
        for (std::size_t i = 0; i < steps.size(); ++i) {
            QCOMPARE(steps[i].first, i + 1);
            QCOMPARE(steps[i].second, complete->executables[i].path);
        }

        const CancelToken cancel;
        options.cancel = &cancel;
        steps.clear();
        options.progress = [&](std::size_t done, std::size_t, const std::string &step) {
            steps.emplace_back(done, step);
            cancel.cancel();
        };
        const auto stopped = triage(options);
        QVERIFY(!stopped.ok());
        QCOMPARE(stopped.error().code, ECANCELED);
        QVERIFY(stopped.error().message.find("cancelled") != std::string::npos);
        QCOMPARE(steps.size(), std::size_t(1)); // nothing after the cancel
        const auto before = triage(options);    // cancelled before it starts
        QVERIFY(!before.ok());
        QCOMPARE(steps.size(), std::size_t(1));
    }

    void errors()
    {
        TriageOptions options;
        options.root = "/nonexistent/volume";
        const auto missing = triage(options);
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().message.find("not a directory") != std::string::npos);
        // A root this user may not list is an error that says so, not an empty collection.
        if (::geteuid() != 0) {
            QTemporaryDir locked;
            QVERIFY(QFile::setPermissions(locked.path(), QFileDevice::Permissions()));
            options.root = locked.path().toStdString();
            const auto unreadable = triage(options);
            QFile::setPermissions(locked.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
            QVERIFY(!unreadable.ok());
            QCOMPARE(unreadable.error().code, EACCES);
            QVERIFY2(unreadable.error().message.find("cannot list") != std::string::npos, unreadable.error().message.c_str());
        }
        // An empty directory: no hives, everything unknown, said so; not an error.
        QTemporaryDir dir;
        options.root = dir.path().toStdString();
        const auto empty = triage(options);
        QVERIFY(empty.ok());
        QVERIFY(!empty->settings.missing.empty());
        QCOMPARE(QString::fromStdString(check(*empty, "safe-dll-search-mode")->status), QStringLiteral("unknown"));
        // A damaged SYSTEM hive is reported, and the walk still runs.
        QDir().mkpath(dir.filePath(QStringLiteral("Windows/System32/config")));
        QFile bad(dir.filePath(QStringLiteral("Windows/System32/config/SYSTEM")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("regf\\0\\0\\0\\0 truncated");
        bad.close();
        const auto damaged = triage(options);
        QVERIFY(damaged.ok());
        QVERIFY(std::any_of(damaged->settings.missing.begin(), damaged->settings.missing.end(),
                            [](const std::string &m) { return m.find("not a readable registry hive") != std::string::npos; }));
    }
};

QTEST_GUILESS_MAIN(TestWindowsTriage)
#include "tst_windows_triage.moc"
