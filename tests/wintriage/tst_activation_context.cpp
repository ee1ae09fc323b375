// Manifest redirection in the Windows triage: the manifest reader on its own (data-driven,
// malformed inputs included), then images assembled in a temporary directory around a real
// 64-bit program (osslsigncode's unsigned.exe, which imports KERNEL32.dll and msvcrt.dll):
// WinSxS assemblies, private assemblies, <file> redirection, assemblies that are not installed,
// the embedded manifest preferred to an external one, and DotLocal with and without
// DevOverrideEnable.
#include "shared_data.h"
#include "wintriage/manifest.h"
#include "wintriage/triage.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace loadlens;
using namespace loadlens::wintriage;

namespace {

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

bool copyFile(const QString &from, const QString &to)
{
    QDir().mkpath(QFileInfo(to).path());
    return QFile::copy(from, to);
}

QByteArray appManifest(const QByteArray &body)
{
    return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
           "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v1\" manifestVersion=\"1.0\">\n"
           "  <assemblyIdentity type=\"win32\" name=\"Contoso.Tool\" version=\"1.0.0.0\" processorArchitecture=\"amd64\"/>\n" +
           body + "</assembly>\n";
}

QByteArray dependency(const char *name, const char *version, const char *token)
{
    return QByteArray("  <dependency><dependentAssembly><assemblyIdentity type=\"win32\" name=\"") + name + "\" version=\"" +
           version + "\" processorArchitecture=\"amd64\"" + (token ? QByteArray(" publicKeyToken=\"") + token + "\"" : QByteArray()) +
           "/></dependentAssembly></dependency>\n";
}

QByteArray assemblyManifest(const char *name, const char *version, const char *token, const QByteArray &files)
{
    return QByteArray("<assembly xmlns=\"urn:schemas-microsoft-com:asm.v1\" manifestVersion=\"1.0\">"
                      "<assemblyIdentity type=\"win32\" name=\"") + name + "\" version=\"" + version +
           "\" processorArchitecture=\"amd64\"" + (token ? QByteArray(" publicKeyToken=\"") + token + "\"" : QByteArray()) +
           "/>" + files + "</assembly>";
}

const DllResolution *resolution(const TriageResult &r, const QString &exe, const char *dll)
{
    for (const auto &e : r.executables)
        if (QString::fromStdString(e.path).endsWith(exe, Qt::CaseInsensitive))
            for (const auto &d : e.dlls)
                if (QString::fromStdString(d.dll).compare(QLatin1String(dll), Qt::CaseInsensitive) == 0)
                    return &d;
    return nullptr;
}

const Finding *findingFor(const TriageResult &r, const char *code)
{
    for (const auto &f : r.findings)
        if (f.code == code)
            return &f;
    return nullptr;
}

QString q(const std::string &s) { return QString::fromStdString(s); }

} // namespace

class TestActivationContext : public QObject {
    Q_OBJECT
private slots:
    void parse_data()
    {
        QTest::addColumn<QByteArray>("xml");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("identity");
        QTest::addColumn<QStringList>("dependencies");
        QTest::addColumn<QStringList>("files");
        QTest::addColumn<QString>("error");
        const QByteArray app = appManifest(dependency("Microsoft.VC90.CRT", "9.0.21022.8", "1fc8b3b9a1e18e3b") +
                                           "  <file name=\"helper.dll\"/>\n");
        QTest::addRow("application") << app << true << QStringLiteral("Contoso.Tool")
                                     << QStringList{QStringLiteral("Microsoft.VC90.CRT 9.0.21022.8 amd64 1fc8b3b9a1e18e3b")}
                                     << QStringList{QStringLiteral("helper.dll")} << QString();
        QByteArray utf16("\xff\xfe", 2);
        const QString text = QString::fromUtf8(QByteArray(app).replace("UTF-8", "UTF-16"));
        utf16 += QByteArray(reinterpret_cast<const char *>(text.utf16()), text.size() * 2);
        QTest::addRow("utf-16 with a byte order mark") << utf16 << true << QStringLiteral("Contoso.Tool")
                                                       << QStringList{QStringLiteral("Microsoft.VC90.CRT 9.0.21022.8 amd64 1fc8b3b9a1e18e3b")}
                                                       << QStringList{QStringLiteral("helper.dll")} << QString();
        QTest::addRow("prefixed namespace (WinSxS style)")
            << QByteArray("<asmv1:assembly xmlns:asmv1=\"urn:schemas-microsoft-com:asm.v1\"><asmv1:assemblyIdentity name=\"A\" "
                          "version=\"1.0.0.0\"/><asmv1:file name=\"a.dll\"/><asmv1:file name=\"b.dll\"/></asmv1:assembly>")
            << true << QStringLiteral("A") << QStringList{} << QStringList{QStringLiteral("a.dll"), QStringLiteral("b.dll")} << QString();
        // A <file> inside a dependency is not a member of this assembly.
        QTest::addRow("file inside a dependency is not a member")
            << QByteArray("<assembly><dependency><dependentAssembly><assemblyIdentity name=\"X\"/><file name=\"x.dll\"/>"
                          "</dependentAssembly></dependency></assembly>")
            << true << QString() << QStringList{QStringLiteral("X")} << QStringList{} << QString();
        QTest::addRow("unclosed element") << QByteArray("<assembly><dependency><dependentAssembly>") << false << QString()
                                          << QStringList{} << QStringList{} << QStringLiteral("malformed manifest");
        QTest::addRow("not xml") << QByteArray("MZ\x90\x00garbage", 11) << false << QString() << QStringList{} << QStringList{}
                                 << QStringLiteral("malformed manifest");
        QTest::addRow("wrong root") << QByteArray("<html><file name=\"a.dll\"/></html>") << false << QString() << QStringList{}
                                    << QStringList{} << QStringLiteral("not <assembly>");
        QTest::addRow("doctype") << QByteArray("<?xml version=\"1.0\"?><!DOCTYPE assembly [<!ENTITY e \"x\">]><assembly/>") << false
                                 << QString() << QStringList{} << QStringList{} << QStringLiteral("DOCTYPE");
        QTest::addRow("empty") << QByteArray() << false << QString() << QStringList{} << QStringList{} << QStringLiteral("empty");
        QTest::addRow("too deep") << ("<assembly>" + QByteArray("<a>").repeated(40) + QByteArray("</a>").repeated(40) + "</assembly>")
                                  << false << QString() << QStringList{} << QStringList{} << QStringLiteral("deeper than 32");
        QTest::addRow("too many files") << ("<assembly>" + QByteArray("<file name=\"f.dll\"/>").repeated(5000) + "</assembly>") << false
                                        << QString() << QStringList{} << QStringList{} << QStringLiteral("more than 4096");
        QTest::addRow("too large") << QByteArray((1 << 20) + 1, ' ') << false << QString() << QStringList{} << QStringList{}
                                   << QStringLiteral("larger than");
    }

    void parse()
    {
        QFETCH(QByteArray, xml);
        QFETCH(bool, ok);
        QFETCH(QString, identity);
        QFETCH(QStringList, dependencies);
        QFETCH(QStringList, files);
        QFETCH(QString, error);
        const auto m = parseManifest(std::string_view(xml.constData(), std::size_t(xml.size())), "test.manifest");
        QCOMPARE(m.ok(), ok);
        if (!ok) {
            QVERIFY2(q(m.error().message).startsWith(QLatin1String("test.manifest: ")), m.error().message.c_str());
            QVERIFY2(q(m.error().message).contains(error), m.error().message.c_str());
            return;
        }
        QCOMPARE(q(m->identity.name), identity);
        QStringList deps, members;
        for (const auto &d : m->dependencies)
            deps << q(d.text());
        for (const auto &f : m->files)
            members << q(f);
        QCOMPARE(deps, dependencies);
        QCOMPARE(members, files);
    }

    // WinSxS, a private assembly and <file> redirection for one program each; an assembly that
    // is not installed; a malformed manifest. Every program has a System32 msvcrt.dll and one
    // beside it, which without redirection would be a side-load.
    void redirection()
    {
        // No SYSTEM hive: the sample's KnownDLLs would take msvcrt.dll out of the search.
        LOADLENS_SHARED_DATA_OR_SKIP(exe, "windows/pe/osslsigncode/unsigned.exe");
        QTemporaryDir dir;
        const QString root = dir.path();
        QVERIFY(writeFile(root + QStringLiteral("/Windows/System32/msvcrt.dll"), {}));
        QVERIFY(writeFile(root + QStringLiteral("/Windows/System32/kernel32.dll"), {}));
        const char *token = "0123456789abcdef";
        // WinSxS: the folder name in lower case, as Windows writes it; the manifest in mixed case.
        const QString sxsName = QStringLiteral("amd64_contoso.runtime_0123456789abcdef_1.0.0.0_none_4b1c0a4fdeadbeef");
        QVERIFY(writeFile(root + QStringLiteral("/Windows/WinSxS/") + sxsName + QStringLiteral("/msvcrt.dll"), {}));
        QVERIFY(writeFile(root + QStringLiteral("/Windows/WinSxS/Manifests/") + sxsName + QStringLiteral(".manifest"),
                          assemblyManifest("Contoso.Runtime", "1.0.0.0", token, "<file name=\"MSVCRT.dll\"/>")));
        // An older version beside it that must not be taken.
        QVERIFY(writeFile(root + QStringLiteral("/Windows/WinSxS/amd64_contoso.runtime_0123456789abcdef_0.9.0.0_none_1111/msvcrt.dll"), {}));

        const QString pf = root + QStringLiteral("/Program Files/");
        for (const char *app : {"Shared", "Private", "Own", "Missing", "Broken"}) {
            QVERIFY(copyFile(exe, pf + QLatin1String(app) + QStringLiteral("/tool.exe")));
            QVERIFY(writeFile(pf + QLatin1String(app) + QStringLiteral("/msvcrt.dll"), {}));
        }
        QVERIFY(writeFile(pf + QStringLiteral("Shared/tool.exe.manifest"),
                          appManifest(dependency("Contoso.Runtime", "1.0.0.0", token))));
        QVERIFY(writeFile(pf + QStringLiteral("Private/TOOL.EXE.manifest"), appManifest(dependency("Contoso.Private", "2.0.0.0", nullptr))));
        QVERIFY(writeFile(pf + QStringLiteral("Private/Contoso.Private/Contoso.Private.manifest"),
                          assemblyManifest("Contoso.Private", "2.0.0.0", nullptr, "<file name=\"msvcrt.dll\"/>")));
        QVERIFY(writeFile(pf + QStringLiteral("Private/Contoso.Private/msvcrt.dll"), {}));
        QVERIFY(writeFile(pf + QStringLiteral("Own/tool.exe.manifest"), appManifest("  <file name=\"msvcrt.dll\"/>\n")));
        QVERIFY(writeFile(pf + QStringLiteral("Missing/tool.exe.manifest"),
                          appManifest(dependency("Contoso.msvcrt", "3.0.0.0", token))));
        QVERIFY(writeFile(pf + QStringLiteral("Broken/tool.exe.manifest"), "<assembly><dependency>"));

        TriageOptions options;
        options.root = root.toStdString();
        const auto result = triage(options);
        QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
        const auto &r = *result;
        QCOMPARE(r.executablesSeen, std::size_t(5));

        const auto *shared = resolution(r, QStringLiteral("\\Shared\\tool.exe"), "msvcrt.dll");
        QVERIFY(shared);
        QCOMPARE(q(shared->how), QStringLiteral("sxs"));
        QCOMPARE(q(shared->path), QStringLiteral("C:\\Windows\\WinSxS\\") + sxsName + QStringLiteral("\\msvcrt.dll"));
        QVERIFY2(q(shared->evidence).contains(QStringLiteral("C:\\Windows\\WinSxS\\Manifests\\") + sxsName + QStringLiteral(".manifest")),
                 shared->evidence.c_str());
        QVERIFY2(q(shared->evidence).contains(QLatin1String("Shared\\tool.exe.manifest depends on Contoso.Runtime 1.0.0.0")),
                 shared->evidence.c_str());
        QCOMPARE(q(resolution(r, QStringLiteral("\\Shared\\tool.exe"), "KERNEL32.dll")->how), QStringLiteral("system-directory"));

        const auto *priv = resolution(r, QStringLiteral("\\Private\\tool.exe"), "msvcrt.dll");
        QVERIFY(priv);
        QCOMPARE(q(priv->how), QStringLiteral("manifest"));
        QCOMPARE(q(priv->path), QStringLiteral("C:\\Program Files\\Private\\Contoso.Private\\msvcrt.dll"));
        QVERIFY(q(priv->evidence).contains(QLatin1String("C:\\Program Files\\Private\\Contoso.Private\\Contoso.Private.manifest")));

        const auto *own = resolution(r, QStringLiteral("\\Own\\tool.exe"), "msvcrt.dll");
        QVERIFY(own);
        QCOMPARE(q(own->how), QStringLiteral("manifest"));
        QCOMPARE(q(own->path), QStringLiteral("C:\\Program Files\\Own\\msvcrt.dll"));
        QVERIFY(q(own->evidence).contains(QLatin1String("C:\\Program Files\\Own\\tool.exe.manifest lists <file name=\"msvcrt.dll\"/>")));

        // Redirected DLLs are neither side-loads nor phantoms; the two programs whose manifest
        // does not redirect msvcrt.dll (assembly missing, manifest broken) side-load it.
        std::vector<std::string> sideLoaded;
        for (const auto &f : r.findings)
            if (f.code == "dll-side-loading" || f.code == "phantom-dll")
                sideLoaded.push_back(f.executable);
        std::sort(sideLoaded.begin(), sideLoaded.end());
        QCOMPARE(sideLoaded, (std::vector<std::string>{"C:\\Program Files\\Broken\\tool.exe", "C:\\Program Files\\Missing\\tool.exe"}));

        const auto *missing = findingFor(r, "sxs-assembly-missing");
        QVERIFY(missing);
        QCOMPARE(q(missing->executable), QStringLiteral("C:\\Program Files\\Missing\\tool.exe"));
        QCOMPARE(q(missing->level), QStringLiteral("medium")); // no ACLs: the directory may or may not be writable
        QCOMPARE(q(missing->dll), QStringLiteral("msvcrt.dll"));
        QVERIFY2(q(missing->evidence).contains(QLatin1String("Contoso.msvcrt 3.0.0.0 amd64 0123456789abcdef")), missing->evidence.c_str());
        QVERIFY2(q(missing->evidence).contains(QLatin1String("msvcrt.dll resolves by the search order instead to "
                                                            "C:\\Program Files\\Missing\\msvcrt.dll (application-directory)")),
                 missing->evidence.c_str());
        QCOMPARE(q(resolution(r, QStringLiteral("\\Missing\\tool.exe"), "msvcrt.dll")->how), QStringLiteral("application-directory"));

        // The malformed manifest: one note naming the file, and the imports resolved as without one.
        QVERIFY(std::any_of(r.problems.begin(), r.problems.end(), [](const std::string &p) {
            return p.find("C:\\Program Files\\Broken\\tool.exe.manifest: malformed manifest") != std::string::npos &&
                   p.find("side-by-side") != std::string::npos;
        }));
        QCOMPARE(q(resolution(r, QStringLiteral("\\Broken\\tool.exe"), "msvcrt.dll")->how), QStringLiteral("application-directory"));

        // The assembly installed under a newer version only: taken, and said so.
        QDir(root + QStringLiteral("/Windows/WinSxS/") + sxsName).removeRecursively();
        QVERIFY(writeFile(root + QStringLiteral("/Windows/WinSxS/amd64_contoso.runtime_0123456789abcdef_1.0.5.0_none_2222/msvcrt.dll"), {}));
        const auto newer = triage(options);
        QVERIFY(newer.ok());
        const auto *policy = resolution(*newer, QStringLiteral("\\Shared\\tool.exe"), "msvcrt.dll");
        QCOMPARE(q(policy->how), QStringLiteral("sxs"));
        QVERIFY(q(policy->path).contains(QLatin1String("_1.0.5.0_")));
        QVERIFY2(q(policy->evidence).contains(QLatin1String("version 1.0.5.0 is installed where 1.0.0.0 is asked for")), policy->evidence.c_str());
        QVERIFY2(q(policy->evidence).contains(QLatin1String("no readable manifest")), policy->evidence.c_str());

        // Without WinSxS in the collection, the missing assembly is only info.
        QDir(root + QStringLiteral("/Windows/WinSxS")).removeRecursively();
        const auto noStore = triage(options);
        QVERIFY(noStore.ok());
        QCOMPARE(q(findingFor(*noStore, "sxs-assembly-missing")->level), QStringLiteral("info"));
    }

    // An EXE's embedded manifest (resource 1) wins over app.exe.manifest beside it.
    void embeddedManifestIsPreferred()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(whois, "pe/signify_whois.exe");
        QTemporaryDir dir;
        const QString app = dir.path() + QStringLiteral("/Program Files/Whois/");
        QVERIFY(copyFile(whois, app + QStringLiteral("whois.exe")));
        QVERIFY(writeFile(app + QStringLiteral("version.dll"), {}));
        QVERIFY(writeFile(app + QStringLiteral("whois.exe.manifest"), appManifest("  <file name=\"version.dll\"/>\n")));
        TriageOptions options;
        options.root = dir.path().toStdString();
        const auto result = triage(options);
        QVERIFY(result.ok());
        const auto *version = resolution(*result, QStringLiteral("whois.exe"), "VERSION.dll");
        QVERIFY(version);
        QCOMPARE(q(version->how), QStringLiteral("application-directory"));
        QVERIFY(result->problems.empty() || std::none_of(result->problems.begin(), result->problems.end(), [](const std::string &p) {
                    return p.find("manifest") != std::string::npos;
                }));
    }

    // DotLocal: a folder app.exe.local is honoured only with DevOverrideEnable set (here in a
    // Wine registry written by the test); otherwise its DLLs wait there, a low finding.
    void dotLocal()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(exe, "windows/pe/osslsigncode/unsigned.exe");
        QTemporaryDir dir;
        const QString root = dir.path();
        const QString app = root + QStringLiteral("/drive_c/Program Files/App/");
        QVERIFY(copyFile(exe, app + QStringLiteral("tool.exe")));
        QVERIFY(writeFile(app + QStringLiteral("tool.exe.local/MSVCRT.DLL"), {}));
        QVERIFY(writeFile(root + QStringLiteral("/drive_c/windows/system32/msvcrt.dll"), {}));
        auto registry = [&](bool devOverride) {
            QByteArray text = "WINE REGISTRY Version 2\n;; All keys relative to REGISTRY\\\\Machine\n\n"
                              "[System\\\\CurrentControlSet\\\\Control] 1\n\n"
                              "[System\\\\CurrentControlSet\\\\Control\\\\Session Manager\\\\Environment] 1\n"
                              "\"PATH\"=\"%SystemRoot%\\\\system32;%SystemRoot%\"\n\n"
                              "[Software\\\\Microsoft\\\\Windows NT\\\\CurrentVersion\\\\Image File Execution Options] 1\n";
            if (devOverride)
                text += "\"DevOverrideEnable\"=dword:00000001\n";
            return writeFile(root + QStringLiteral("/system.reg"), text);
        };
        TriageOptions options;
        options.root = root.toStdString();

        QVERIFY(registry(false));
        const auto off = triage(options);
        QVERIFY2(off.ok(), off.ok() ? "" : off.error().message.c_str());
        QCOMPARE(q(off->layout), QStringLiteral("wine-prefix"));
        QCOMPARE(q(resolution(*off, QStringLiteral("tool.exe"), "msvcrt.dll")->how), QStringLiteral("system-directory"));
        const auto *dormant = findingFor(*off, "dot-local-dormant");
        QVERIFY(dormant);
        QCOMPARE(q(dormant->level), QStringLiteral("low"));
        QVERIFY2(q(dormant->evidence).contains(QLatin1String("DevOverrideEnable is not set")), dormant->evidence.c_str());
        QVERIFY(!findingFor(*off, "dot-local-redirection"));

        QVERIFY(registry(true));
        const auto on = triage(options);
        QVERIFY(on.ok());
        QCOMPARE(on->settings.devOverrideEnable, std::optional<std::uint64_t>(1));
        const auto *local = resolution(*on, QStringLiteral("tool.exe"), "msvcrt.dll");
        QCOMPARE(q(local->how), QStringLiteral(".local"));
        QCOMPARE(q(local->path), QStringLiteral("C:\\Program Files\\App\\tool.exe.local\\MSVCRT.DLL"));
        QVERIFY(q(local->evidence).contains(QLatin1String("C:\\Program Files\\App\\tool.exe.local holds MSVCRT.DLL")));
        QVERIFY(findingFor(*on, "dot-local-redirection"));
        QVERIFY(!findingFor(*on, "dot-local-dormant"));

        // A program with a manifest ignores .local, DevOverrideEnable or not.
        QVERIFY(writeFile(app + QStringLiteral("tool.exe.manifest"), appManifest({})));
        const auto manifested = triage(options);
        QVERIFY(manifested.ok());
        QCOMPARE(q(resolution(*manifested, QStringLiteral("tool.exe"), "msvcrt.dll")->how), QStringLiteral("system-directory"));
        QVERIFY(q(findingFor(*manifested, "dot-local-dormant")->evidence).contains(QLatin1String("ignores .local for a program with a manifest")));
    }
};

QTEST_GUILESS_MAIN(TestActivationContext)
#include "tst_activation_context.moc"
