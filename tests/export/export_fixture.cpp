#include "export_fixture.h"

#include "scan/scanner.h"
#include "verdict/reason_catalog.h"

#include <QFile>

namespace loadlens::testing {

namespace {

bool copyLibrary(const QString &to)
{
    QFile::remove(to);
    return QFile::copy(fixtureLibraryPath(), to) &&
           QFile::setPermissions(to, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                         QFileDevice::ReadGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                         QFileDevice::ExeOther);
}

} // namespace

QString PreloadedFixture::preloadedPath() const { return m_dir.filePath(QStringLiteral("libhook.so")); }

QString PreloadedFixture::hostileNamePath() const
{
    return m_dir.filePath(QStringLiteral("=cmd,\"quoted\"\nline-\u00e9.so"));
}

bool PreloadedFixture::start()
{
    // The program's name becomes the process name (comm), a cell a spreadsheet would evaluate.
    const QString program = m_dir.filePath(QStringLiteral("=SUM(1,2)"));
    if (!m_dir.isValid() || !copyLibrary(preloadedPath()) || !copyLibrary(hostileNamePath()) ||
        !QFile::copy(fixtureTargetPath(), program) ||
        !QFile::setPermissions(program, QFileDevice::ReadOwner | QFileDevice::ExeOwner)) {
        m_error = QStringLiteral("cannot prepare the libraries in ") + m_dir.path();
        return false;
    }
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LD_PRELOAD"), preloadedPath());
    if (!m_process.start({QStringLiteral("--dlopen"), hostileNamePath()}, env, program)) {
        m_error = m_process.error();
        return false;
    }
    scan::ScanOptions options;
    options.pid = m_process.pid();
    m_scan = scan::runScan(options);
    if (!module(preloadedPath()) || !module(hostileNamePath())) {
        m_error = QStringLiteral("the scan does not show the fixture libraries");
        return false;
    }
    return true;
}

const ModuleRecord *PreloadedFixture::module(const QString &path) const
{
    for (const auto &p : m_scan.processes)
        if (p.pid == m_process.pid())
            for (const auto &m : p.modules)
                if (QString::fromStdString(m.path) == path)
                    return &m;
    return nullptr;
}

std::vector<LoadEvent> handBuiltEvents()
{
    LoadEvent load;
    load.source = "sysmon";
    load.eventId = 7;
    load.kind = "image-load";
    load.timeUs = 1714564800123456;  // 2024-05-01T12:00:00.123456Z
    load.host = "WS-042.contoso.local";
    load.channel = "Microsoft-Windows-Sysmon/Operational";
    load.recordId = 4711;
    load.processGuid = "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}";
    load.pid = 6228;
    load.image = "C:\\Program Files\\Vendor\\app.exe";
    load.imageLoaded = "C:\\Users\\alice\\AppData\\Local\\Temp\\version.dll";
    load.user = "CONTOSO\\alice";
    load.hashes = "SHA256=9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08,MD5=098F6BCD4621D373CADE4E832627B4F6,IMPHASH=00000000000000000000000000000000";
    load.signedField = "false";
    load.signatureStatus = "Unavailable";
    load.signatureState = SignatureState::Unsigned;
    load.verdict.add(verdict::makeReason(verdict::code::UntrustedLocation, Level::High,
                                         "A DLL next to a user-writable path was loaded by a program in Program Files.",
                                         {{"path", load.imageLoaded}}));
    load.sourceFile = "/cases/ws-042/Sysmon.evtx";
    load.sourceOffset = 69632;

    LoadEvent create = load;
    create.eventId = 1;
    create.kind = "process-create";
    create.recordId = 4700;
    create.imageLoaded.clear();
    create.signedField.clear();
    create.signatureStatus.clear();
    create.signatureState = SignatureState::Unknown;
    create.commandLine = "\"C:\\Program Files\\Vendor\\app.exe\" --update";
    create.parentImage = "C:\\Windows\\explorer.exe";
    create.verdict = {};

    LoadEvent file = create;
    file.eventId = 11;
    file.kind = "file-create";
    file.recordId = 4705;
    file.imageLoaded = "C:\\Users\\alice\\AppData\\Local\\Temp\\version.dll";
    file.hashes.clear();

    LoadEvent audit;
    audit.source = "auditd";
    audit.kind = "preload-config-write";
    audit.timeUs = -1500000;  // before the epoch: the formatter must still be right
    audit.host = "db-01";
    audit.channel = "auditd";
    audit.recordId = 88;
    audit.pid = 4242;
    audit.image = "/usr/bin/tee";
    audit.imageLoaded = "/etc/ld.so.preload";
    audit.user = "root";
    audit.verdict.add(verdict::makeReason(verdict::code::PreloadFile, Level::High,
                                          "/etc/ld.so.preload was written.", {{"path", "/etc/ld.so.preload"}}));
    return {load, create, file, audit};
}

} // namespace loadlens::testing
