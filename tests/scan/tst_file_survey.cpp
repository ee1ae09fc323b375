// What the survey of mapped files reads about each file, checked on processes the test starts:
// the IMA signature in security.ima, and digests that belong to the file the process maps.
#include <QtTest>

#include "fixture_process.h"
#include "scan/file_survey.h"
#include "scan/scanner.h"

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
};

QTEST_GUILESS_MAIN(TestFileSurvey)
#include "tst_file_survey.moc"
