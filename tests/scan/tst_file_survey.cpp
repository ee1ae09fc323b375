// What the survey of mapped files reads about each file, checked on processes the test starts:
// the IMA signature in security.ima, and digests that belong to the file the process maps.
#include <QtTest>

#include "fixture_process.h"
#include "scan/file_survey.h"
#include "scan/scanner.h"

#include <QCryptographicHash>
#include <QTemporaryDir>
#include <cerrno>
#include <cstring>
#include <sys/xattr.h>
#include <unistd.h>

using namespace loadlens;
using loadlens::testing::FixtureProcess;

namespace {

ScanResult scanPid(int pid)
{
    scan::ScanOptions options;
    options.pid = pid;
    return scan::runScan(options);
}

const ModuleRecord *moduleAt(const ScanResult &scan, int pid, const QString &path)
{
    for (const auto &p : scan.processes)
        if (p.pid == pid)
            for (const auto &m : p.modules)
                if (QString::fromStdString(m.path) == path)
                    return &m;
    return nullptr;
}

QStringList codesOf(const ModuleRecord &m)
{
    QStringList codes;
    for (const auto &r : m.verdict.reasons)
        codes << QString::fromStdString(r.code);
    return codes;
}

// security.ima as evmctl writes it for an RSA-4096 key: EVM_IMA_XATTR_DIGSIG (3), then the v2
// header (version 2, hash algorithm 4 = SHA-256, key id, big-endian signature size) and the
// signature: 521 bytes, far more than a fixed small buffer holds.
QByteArray imaSignatureValue(int signatureSize = 512)
{
    QByteArray value;
    value.append(char(0x03));
    value.append(char(0x02));
    value.append(char(0x04));
    value.append(QByteArray::fromHex("a1b2c3d4"));
    value.append(char((signatureSize >> 8) & 0xff));
    value.append(char(signatureSize & 0xff));
    for (int i = 0; i < signatureSize; ++i)
        value.append(char((i * 37 + 11) & 0xff));
    return value;
}

// Copies the fixture library into a scratch dir whose file system accepts security.ima and sets
// `value` on it. Empty with `why` set when no scratch place accepts it.
QString signedLibraryCopy(QTemporaryDir &dir, const QByteArray &value, QString &why)
{
    const QStringList bases{QDir::tempPath(), QStringLiteral("/dev/shm"), QCoreApplication::applicationDirPath()};
    for (const QString &base : bases) {
        QTemporaryDir candidate(base + QStringLiteral("/ll-ima-XXXXXX"));
        if (!candidate.isValid())
            continue;
        const QString lib = candidate.filePath(QStringLiteral("libllsigned.so"));
        if (!QFile::copy(loadlens::testing::fixtureLibraryPath(), lib))
            continue;
        if (::setxattr(lib.toLocal8Bit().constData(), "security.ima", value.constData(), std::size_t(value.size()), 0) == 0) {
            dir.swap(candidate);
            return lib;
        }
        const int err = errno;
        why += base + QStringLiteral(": ") + QString::fromLocal8Bit(std::strerror(err)) + QStringLiteral("; ");
        if (err == EPERM) {
            why = QStringLiteral("setting security.* extended attributes needs CAP_SYS_ADMIN (run as root): ") + why;
            return {};
        }
    }
    why = QStringLiteral("no scratch file system accepts security.ima: ") + why;
    return {};
}

QString sha256Of(const QByteArray &data)
{
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

QByteArray contentOf(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Following /proc/PID/map_files links needs CAP_SYS_ADMIN (CAP_CHECKPOINT_RESTORE since 5.9).
bool mapFilesReadable()
{
    const QDir dir(QStringLiteral("/proc/self/map_files"));
    const QStringList entries = dir.entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot);
    if (entries.isEmpty())
        return false;
    QFile f(dir.filePath(entries.first()));
    return f.open(QIODevice::ReadOnly);
}

const std::string *errorContaining(const std::vector<std::string> &errors, const char *part)
{
    for (const auto &e : errors)
        if (e.find(part) != std::string::npos)
            return &e;
    return nullptr;
}

} // namespace

class TestFileSurvey : public QObject {
    Q_OBJECT
private slots:
    void imaValueForms_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<bool>("signature");
        QTest::addRow("v2 signature, RSA-4096") << imaSignatureValue(512) << true;
        QTest::addRow("v2 signature, RSA-2048") << imaSignatureValue(256) << true;
        QTest::addRow("signature size beyond the value") << imaSignatureValue(256).left(200) << false;
        QTest::addRow("header only") << imaSignatureValue(0) << false;
        QByteArray digest = QByteArray::fromHex("0404") + QByteArray(32, 'x');
        QTest::addRow("digest (IMA_XATTR_DIGEST_NG)") << digest << false;
        QByteArray bare = QByteArray::fromHex("03");
        QTest::addRow("type byte only") << bare << false;
    }
    void imaValueForms()
    {
        QFETCH(QByteArray, value);
        QFETCH(bool, signature);
        QCOMPARE(scan::isImaSignature(reinterpret_cast<const unsigned char *>(value.constData()),
                                      std::size_t(value.size())),
                 signature);
    }

    // A loaded library with a real-sized IMA signature is reported as signed.
    void imaSignedLibraryIsReported()
    {
        QTemporaryDir dir;
        QString why;
        const QString lib = signedLibraryCopy(dir, imaSignatureValue(), why);
        if (lib.isEmpty())
            QSKIP(qPrintable(why));
        FixtureProcess target;
        QVERIFY2(target.start({QStringLiteral("--dlopen"), lib}), qPrintable(target.error()));
        const ScanResult scan = scanPid(target.pid());
        const ModuleRecord *m = moduleAt(scan, target.pid(), lib);
        QVERIFY2(m, "the signed library is not among the modules");
        QVERIFY2(codesOf(*m).contains(QStringLiteral("ima-signed")), qPrintable(codesOf(*m).join(u' ')));
    }

    // A plain digest in security.ima is not a signature.
    void imaDigestIsNotASignature()
    {
        QTemporaryDir dir;
        QString why;
        const QString lib = signedLibraryCopy(dir, QByteArray::fromHex("0404") + QByteArray(32, 'x'), why);
        if (lib.isEmpty())
            QSKIP(qPrintable(why));
        FixtureProcess target;
        QVERIFY2(target.start({QStringLiteral("--dlopen"), lib}), qPrintable(target.error()));
        const ScanResult scan = scanPid(target.pid());
        const ModuleRecord *m = moduleAt(scan, target.pid(), lib);
        QVERIFY2(m, "the library is not among the modules");
        QVERIFY2(!codesOf(*m).contains(QStringLiteral("ima-signed")), qPrintable(codesOf(*m).join(u' ')));
    }

    // The file at the path is swapped after the survey identified it as the mapped one and
    // before the hasher reopens it: the new file's digest must not be reported as the module's.
    void fileSwappedBeforeHashingIsNotAttributed()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString lib = dir.filePath(QStringLiteral("libswapped.so"));
        QVERIFY(QFile::copy(loadlens::testing::fixtureLibraryPath(), lib));
        const QString other = dir.filePath(QStringLiteral("other.so"));
        QByteArray otherContent = contentOf(lib);
        otherContent.append("a different library");
        {
            QFile f(other);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(otherContent);
        }
        FixtureProcess target;
        QVERIFY2(target.start({QStringLiteral("--dlopen"), lib}), qPrintable(target.error()));

        scan::ScanOptions options;
        options.pid = target.pid();
        bool swapped = false;
        const ProgressFn swapAfterSurvey = [&](std::size_t done, std::size_t total, const std::string &step) {
            if (!swapped && step == "checking files" && done == total)
                swapped = ::rename(QFile::encodeName(other).constData(), QFile::encodeName(lib).constData()) == 0;
        };
        const ScanResult scan = scan::runScan(options, swapAfterSurvey);
        QVERIFY2(swapped, "the file was not swapped between the survey and the hashing");
        const ModuleRecord *m = moduleAt(scan, target.pid(), lib);
        QVERIFY2(m, "the library is not among the modules");
        const auto facts = scan.files.find(m->file);
        QVERIFY(facts != scan.files.end());
        QVERIFY2(QString::fromStdString(facts->second.sha256) != sha256Of(otherContent),
                 "the digest of the file swapped in was attributed to the mapped library");
        QVERIFY2(facts->second.sha256.empty(), facts->second.sha256.c_str());
        QVERIFY2(errorContaining(facts->second.errors, "changed during the scan"), "no error says what happened");
        QVERIFY2(codesOf(*m).contains(QStringLiteral("unverifiable")), qPrintable(codesOf(*m).join(u' ')));
        bool saysChanged = false;
        for (const auto &r : m->verdict.reasons)
            saysChanged = saysChanged || (r.code == "unverifiable" && r.text.find("file changed during scan") != std::string::npos);
        QVERIFY2(saysChanged, "the unverifiable reason does not say the file changed during the scan");
    }

    // A memfd and a deleted file have no path to open: their digests come through the mapping.
    void memfdAndDeletedAreHashedThroughTheMapping()
    {
        if (!mapFilesReadable())
            QSKIP("following /proc/PID/map_files needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE (run as root)");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString deleted = dir.filePath(QStringLiteral("deleted-blob.bin"));
        const QByteArray deletedContent(6000, 'd');
        {
            QFile f(deleted);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(deletedContent);
        }
        FixtureProcess target;
        QVERIFY2(target.start({QStringLiteral("--memfd"), QStringLiteral("ll-survey-memfd"), QStringLiteral("--map-deleted"),
                               deleted}),
                 qPrintable(target.error()));
        const ScanResult scan = scanPid(target.pid());
        const ModuleRecord *memfd = nullptr;
        const ModuleRecord *gone = nullptr;
        for (const auto &p : scan.processes)
            for (const auto &m : p.modules) {
                if (m.memfd)
                    memfd = &m;
                else if (m.deleted && QString::fromStdString(m.path) == deleted)
                    gone = &m;
            }
        QVERIFY2(memfd, "no memfd module");
        QVERIFY2(gone, "no deleted module");
        QVERIFY(codesOf(*memfd).contains(QStringLiteral("memfd-exec")));
        const auto digestOf = [&scan](const ModuleRecord &m) {
            const auto it = scan.files.find(m.file);
            return it == scan.files.end() ? QString() : QString::fromStdString(it->second.sha256);
        };
        QCOMPARE(digestOf(*memfd), sha256Of(QByteArray(4096, char(0xc3))));
        QCOMPARE(digestOf(*gone), sha256Of(deletedContent));
        // Read through the mapping, nothing is missing: no "cannot stat /memfd:..." left over
        // from the path that never existed, and the facts are the mapped file's.
        for (const ModuleRecord *m : {memfd, gone}) {
            const FileFacts &facts = scan.files.at(m->file);
            std::string errors;
            for (const auto &e : facts.errors)
                errors += e + "; ";
            QVERIFY2(facts.errors.empty(), errors.c_str());
            QVERIFY(facts.size > 0);
        }
        QCOMPARE(scan.files.at(gone->file).size, std::uint64_t(deletedContent.size()));
    }

    // Without access to the mapping (map_files needs privileges) the digest is missing, and the
    // facts say why.
    void memfdWithoutTheMappingSaysWhy()
    {
        if (mapFilesReadable())
            QSKIP("map_files is readable here (root): the mapping is read, so nothing is missing");
        FixtureProcess target;
        QVERIFY2(target.start({QStringLiteral("--memfd"), QStringLiteral("ll-survey-memfd2")}), qPrintable(target.error()));
        const ScanResult scan = scanPid(target.pid());
        const ModuleRecord *memfd = nullptr;
        for (const auto &p : scan.processes)
            for (const auto &m : p.modules)
                if (m.memfd)
                    memfd = &m;
        QVERIFY2(memfd, "no memfd module");
        const auto it = scan.files.find(memfd->file);
        QVERIFY(it != scan.files.end());
        QVERIFY(it->second.sha256.empty());
        QVERIFY(!it->second.errors.empty());
    }

    // A mapped file was deleted and a package lists its path: an upgrade only when the file now
    // there is the package's (its MD5 matches the manifest). The package database is a scratch
    // one in dpkg's format that lists the scratch path.
    void deletedUpgradedNeedsThePackagesFile_data()
    {
        QTest::addColumn<bool>("manifestMatches");
        QTest::addColumn<QString>("code");
        QTest::addRow("file matches the manifest") << true << u"deleted-upgraded"_qs;
        QTest::addRow("file differs from the manifest") << false << u"deleted"_qs;
    }
    void deletedUpgradedNeedsThePackagesFile()
    {
        QFETCH(bool, manifestMatches);
        QFETCH(QString, code);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString lib = dir.filePath(QStringLiteral("libupgraded.so"));
        QVERIFY(QFile::copy(loadlens::testing::fixtureLibraryPath(), lib));
        FixtureProcess target;
        QVERIFY2(target.start({QStringLiteral("--map-deleted"), lib}), qPrintable(target.error()));
        QVERIFY(!QFileInfo::exists(lib));

        const QByteArray newVersion = contentOf(loadlens::testing::fixtureLibraryPath()) + "version 2";
        {
            QFile f(lib);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(newVersion);
        }
        const QByteArray md5 = manifestMatches ? QCryptographicHash::hash(newVersion, QCryptographicHash::Md5).toHex()
                                               : QByteArray(32, '0');
        const QString admin = dir.filePath(QStringLiteral("dpkg"));
        QVERIFY(QDir().mkpath(admin + QStringLiteral("/info")));
        auto write = [](const QString &path, const QByteArray &text) {
            QFile f(path);
            return f.open(QIODevice::WriteOnly) && f.write(text) == text.size();
        };
        QVERIFY(write(admin + QStringLiteral("/status"), "Package: llupgrade\nStatus: install ok installed\n\n"));
        QVERIFY(write(admin + QStringLiteral("/info/llupgrade.list"), lib.toLocal8Bit() + '\n'));
        QVERIFY(write(admin + QStringLiteral("/info/llupgrade.md5sums"), md5 + "  " + lib.toLocal8Bit().mid(1) + '\n'));

        scan::ScanOptions options;
        options.pid = target.pid();
        options.dpkgAdminDir = admin.toStdString();
        const ScanResult scan = scan::runScan(options);
        const ModuleRecord *m = nullptr;
        for (const auto &p : scan.processes)
            for (const auto &module : p.modules)
                if (module.deleted && QString::fromStdString(module.path) == lib)
                    m = &module;
        QVERIFY2(m, "the deleted file is not among the modules");
        const QStringList codes = codesOf(*m);
        QVERIFY2(codes.contains(code), qPrintable(codes.join(u' ')));
        if (!manifestMatches) {
            QVERIFY2(!codes.contains(u"deleted-upgraded"_qs), qPrintable(codes.join(u' ')));
            QCOMPARE(m->verdict.level, Level::High);
        }
    }
};

QTEST_GUILESS_MAIN(TestFileSurvey)
#include "tst_file_survey.moc"
