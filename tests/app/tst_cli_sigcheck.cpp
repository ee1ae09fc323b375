// loadlens-cli sigcheck and windows-triage end to end on the shared Windows samples: JSON and CSV parsed back,
// catalog signing of a PE whose embedded signature was stripped by the test, the filters, and
// the exit status on unreadable input and usage errors.
#include "program_run.h"
#include "shared_data.h"

#include <nlohmann/json.hpp>

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>

using namespace loadlens;

namespace {

testing::ProgramRun cli(const QStringList &args) { return testing::runProgram(QStringLiteral(LOADLENS_CLI), args); }

nlohmann::json filesOf(const testing::ProgramRun &run)
{
    const auto doc = nlohmann::json::parse(run.out.toStdString(), nullptr, false);
    if (doc.is_discarded() || !doc.contains("files"))
        return nlohmann::json::array();
    return doc["files"];
}

const nlohmann::json *fileNamed(const nlohmann::json &files, const QString &suffix)
{
    for (const auto &f : files)
        if (QString::fromStdString(f["path"].get<std::string>()).endsWith(suffix))
            return &f;
    return nullptr;
}

} // namespace

class TestCliSigcheck : public QObject {
    Q_OBJECT
private slots:
    void jsonReport()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(pe, "windows/pe");
        LOADLENS_SHARED_DATA_OR_SKIP(bundle, "windows/trust/code_signing_ca.pem");
        const auto run = cli({QStringLiteral("sigcheck"), QStringLiteral("-r"), QStringLiteral("--json"),
                              QStringLiteral("--trust-store"), bundle, pe});
        QCOMPARE(run.exitCode, 0);
        const auto doc = nlohmann::json::parse(run.out.toStdString());
        const auto &files = doc["files"];
        QCOMPARE(doc["summary"]["files"].get<int>(), int(files.size()));
        const auto *dxcore = fileNamed(files, QStringLiteral("/DXCore.dll"));
        QVERIFY(dxcore);
        QCOMPARE((*dxcore)["state"].get<std::string>(), std::string("valid"));
        QCOMPARE((*dxcore)["kind"].get<std::string>(), std::string("DLL"));
        QCOMPARE((*dxcore)["company"].get<std::string>(), std::string("Microsoft Corporation"));
        QCOMPARE((*dxcore)["authenticode_sha256"].get<std::string>(),
                 std::string("06fa542ca0a1626e11e99e79896c9eaa79b5cfc3f9ad0ac8b84d4b2e8c5a292c"));
        QCOMPARE((*dxcore)["sha256"].get<std::string>(),
                 std::string("36de2c16a1f88d33f4c77b60b94ce5f276379f8f9195f038608a94889d3680f3"));
        QCOMPARE((*dxcore)["signatures"][0]["timestamp"]["time"].get<std::string>(), std::string("2025-07-15T23:47:21Z"));
        const auto *corrupt = fileNamed(files, QStringLiteral("/pciide_corrupt.sys"));
        QVERIFY(corrupt);
        QCOMPARE((*corrupt)["state"].get<std::string>(), std::string("invalid"));
        QCOMPARE((*corrupt)["signatures"][0]["digest_matches"].get<bool>(), false);
        const auto *unsignedExe = fileNamed(files, QStringLiteral("/unsigned.exe"));
        QVERIFY(unsignedExe);
        QCOMPARE((*unsignedExe)["state"].get<std::string>(), std::string("unsigned"));
        // The certificate is not a PE image: it is listed, without PE fields.
        const auto *crt = fileNamed(files, QStringLiteral("/kdbazis.dll.crt"));
        QVERIFY(crt);
        QCOMPARE((*crt)["pe"].get<bool>(), false);
    }

    void filters()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(pe, "windows/pe");
        auto run = cli({QStringLiteral("sigcheck"), QStringLiteral("-r"), QStringLiteral("--json"),
                        QStringLiteral("--executables-only"), pe});
        QCOMPARE(run.exitCode, 0);
        auto files = filesOf(run);
        QVERIFY(!files.empty());
        for (const auto &f : files)
            QVERIFY2(f["pe"].get<bool>(), f["path"].get<std::string>().c_str());
        QVERIFY(!fileNamed(files, QStringLiteral(".crt")));

        run = cli({QStringLiteral("sigcheck"), QStringLiteral("-r"), QStringLiteral("--json"), QStringLiteral("--unsigned-only"),
                   QStringLiteral("--executables-only"), pe});
        files = filesOf(run);
        QVERIFY(fileNamed(files, QStringLiteral("/unsigned.exe")));
        QVERIFY(fileNamed(files, QStringLiteral("/pciide_corrupt.sys")));
        QVERIFY(!fileNamed(files, QStringLiteral("/DXCore.dll")));

        // Without -r only the directory's own files: windows/pe holds only directories.
        run = cli({QStringLiteral("sigcheck"), QStringLiteral("--json"), pe});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(int(filesOf(run).size()), 0);
    }

    // DXCore.dll with its certificate table removed (the Authenticode hash does not cover it) is
    // unsigned on its own and signed through the Microsoft catalog that lists it.
    void catalogSigned()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(dll, "windows/pe/signify/DXCore.dll");
        LOADLENS_SHARED_DATA_OR_SKIP(catalogs, "windows/cat");
        QFile in(dll);
        QVERIFY(in.open(QIODevice::ReadOnly));
        QByteArray bytes = in.readAll();
        const auto u32 = [&](int at) {
            quint32 v;
            std::memcpy(&v, bytes.constData() + at, 4);
            return v;
        };
        const int pe = int(u32(0x3c));
        const int certDirectory = pe + 4 + 20 + 112 + 8 * 4; // PE32+
        const quint32 tableOffset = u32(certDirectory);
        QVERIFY(tableOffset > 0 && tableOffset < quint32(bytes.size()));
        bytes.truncate(int(tableOffset));
        std::memset(bytes.data() + certDirectory, 0, 8);
        QTemporaryDir dir;
        const QString stripped = dir.filePath(QStringLiteral("DXCore.dll"));
        QFile out(stripped);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(bytes);
        out.close();

        auto run = cli({QStringLiteral("sigcheck"), QStringLiteral("--json"), stripped});
        auto files = filesOf(run);
        QCOMPARE(files[0]["state"].get<std::string>(), std::string("unsigned"));
        QCOMPARE(files[0]["authenticode_sha256"].get<std::string>(),
                 std::string("06fa542ca0a1626e11e99e79896c9eaa79b5cfc3f9ad0ac8b84d4b2e8c5a292c"));

        run = cli({QStringLiteral("sigcheck"), QStringLiteral("--json"), QStringLiteral("--catalogs"), catalogs, stripped});
        QCOMPARE(run.exitCode, 0);
        files = filesOf(run);
        QCOMPARE(files[0]["state"].get<std::string>(), std::string("signature-valid-chain-unknown"));
        QCOMPARE(files[0]["catalog_signed"].get<bool>(), true);
        QVERIFY(QString::fromStdString(files[0]["catalog"].get<std::string>()).endsWith(QLatin1String(".cat")));
        QCOMPARE(nlohmann::json::parse(run.out.toStdString())["summary"]["catalog_signed"].get<int>(), 1);
    }

    void csv()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(pe, "windows/pe/signify");
        const auto run = cli({QStringLiteral("sigcheck"), QStringLiteral("--csv"), pe});
        QCOMPARE(run.exitCode, 0);
        const QList<QByteArray> lines = run.out.trimmed().split('\n');
        QVERIFY(lines.size() >= 4);
        QVERIFY(lines[0].startsWith("path,state,catalog_signed,kind,bits"));
        const int columns = int(lines[0].count(',')) + 1;
        bool sawDxcore = false;
        for (const auto &line : lines.mid(1)) {
            QVERIFY(!line.contains('"') || line.count('"') % 2 == 0);
            if (line.contains("DXCore.dll")) {
                sawDxcore = true;
                QVERIFY(line.contains(",signature-valid-chain-unknown,no,DLL,64,no,Microsoft Windows,2025-07-15T23:47:21Z,"));
            }
            if (!line.contains('"'))
                QCOMPARE(int(line.count(',')) + 1, columns);
        }
        QVERIFY(sawDxcore);
    }

    // windows-triage on the shared Wine prefix: JSON parsed back; usage and input errors.
    void windowsTriage()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(wine, "windows/wine");
        auto run = cli({QStringLiteral("windows-triage"), QStringLiteral("--root"), wine, QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        const auto doc = nlohmann::json::parse(run.out.toStdString());
        QCOMPARE(doc["layout"].get<std::string>(), std::string("wine-prefix"));
        QCOMPARE(doc["settings"]["control_set"].get<std::string>(), std::string("CurrentControlSet"));
        QCOMPARE(doc["settings"]["system_path"].size(), std::size_t(4));
        bool knownDllsFail = false;
        for (const auto &p : doc["posture"])
            knownDllsFail |= p["id"] == "known-dlls" && p["status"] == "fail";
        QVERIFY(knownDllsFail);
        run = cli({QStringLiteral("windows-triage"), QStringLiteral("--root"), wine});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains("M1044 posture"));
        run = cli({QStringLiteral("windows-triage")});
        QCOMPARE(run.exitCode, 2);
        run = cli({QStringLiteral("windows-triage"), QStringLiteral("--root"), QStringLiteral("/nonexistent/C")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY(run.err.contains("/nonexistent/C"));

        // --acls, twice: icacls /save files (UTF-16LE) whose PATH directory Users may write.
        QTemporaryDir dir;
        auto icacls = [&](const QString &name, const QString &text) {
            QFile f(dir.filePath(name));
            const QString crlf = QString(text).replace(QLatin1Char('\n'), QStringLiteral("\r\n"));
            return f.open(QIODevice::WriteOnly) &&
                   f.write(reinterpret_cast<const char *>(crlf.utf16()), crlf.size() * 2) == crlf.size() * 2;
        };
        QVERIFY(icacls(QStringLiteral("a.txt"), QStringLiteral("windows\\system32\\wbem\nD:(A;OICI;0x1301bf;;;BU)\n")));
        QVERIFY(icacls(QStringLiteral("b.txt"), QStringLiteral("windows\nD:PAI(A;OICI;FA;;;SY)\n")));
        run = cli({QStringLiteral("windows-triage"), QStringLiteral("--root"), wine, QStringLiteral("--json"), QStringLiteral("--acls"),
                   dir.filePath(QStringLiteral("a.txt")), QStringLiteral("--acls"), dir.filePath(QStringLiteral("b.txt"))});
        QCOMPARE(run.exitCode, 0);
        const auto withAcls = nlohmann::json::parse(run.out.toStdString());
        QCOMPARE(withAcls["acl_sources"].size(), std::size_t(2));
        bool writablePath = false;
        for (const auto &f : withAcls["findings"])
            writablePath |= f["code"] == "writable-path-directory" &&
                            f["evidence"].get<std::string>().find("(A;OICI;0x1301bf;;;BU)") != std::string::npos;
        QVERIFY(writablePath);
        QVERIFY(icacls(QStringLiteral("utf8.txt"), QString()));
        run = cli({QStringLiteral("windows-triage"), QStringLiteral("--root"), wine, QStringLiteral("--acls"), dir.filePath(QStringLiteral("utf8.txt"))});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains("--acls"));
    }

    void errors()
    {
        auto run = cli({QStringLiteral("sigcheck")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains("at least one file"));
        run = cli({QStringLiteral("sigcheck"), QStringLiteral("--json"), QStringLiteral("--csv"), QStringLiteral("/tmp")});
        QCOMPARE(run.exitCode, 2);
        run = cli({QStringLiteral("sigcheck"), QStringLiteral("--trust-store"), QStringLiteral("/nonexistent/ca.pem"),
                   QStringLiteral("/tmp")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains("/nonexistent/ca.pem"));
        // A missing file is reported in the output and makes the exit status 1; the rest is checked.
        LOADLENS_SHARED_DATA_OR_SKIP(dll, "windows/pe/signify/kdbazis.dll");
        run = cli({QStringLiteral("sigcheck"), QStringLiteral("--json"), QStringLiteral("/nonexistent/a.dll"), dll});
        QCOMPARE(run.exitCode, 1);
        const auto files = filesOf(run);
        QCOMPARE(int(files.size()), 2);
        QVERIFY(files[0].contains("error"));
        QCOMPARE(files[1]["state"].get<std::string>(), std::string("signature-valid-chain-unknown"));
    }
};

QTEST_GUILESS_MAIN(TestCliSigcheck)
#include "tst_cli_sigcheck.moc"
