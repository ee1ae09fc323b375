// Authenticode verification against real signed and unsigned Windows images from
// ../shared/data. Digests are checked against the facts in its README and, file by file, against
// `osslsigncode verify`; states against what the signatures are (Microsoft chains checked at
// their timestamp, a CVE-2020-0601 forgery, a file modified after signing, tampered copies).
#include "authenticode/authenticode.h"
#include "pe/pe_reader.h"
#include "program_run.h"
#include "shared_data.h"

#include <QDirIterator>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <openssl/pkcs7.h>

#include <algorithm>
#include <cstring>

using namespace loadlens;
using namespace loadlens::authenticode;

namespace {

struct Loaded {
    std::vector<std::uint8_t> bytes;
    pe::PeInfo info;
};

Loaded loadImage(const QString &path)
{
    auto bytes = pe::readImageFile(path.toStdString());
    if (!bytes)
        qFatal("%s", bytes.error().message.c_str());
    auto info = pe::parsePe(*bytes, path.toStdString());
    if (!info)
        qFatal("%s", info.error().message.c_str());
    return {std::move(*bytes), std::move(*info)};
}

QString hexOf(const std::vector<std::uint8_t> &bytes) { return QString::fromStdString(toHex(bytes)); }

QString reasons(const SignatureReport &s)
{
    QStringList out;
    for (const auto &r : s.reasons)
        out << QString::fromStdString(r);
    return out.join(QStringLiteral(" | "));
}

QStringList signedImages()
{
    QStringList files;
    for (const char *dir : {"windows/pe", "pe"}) {
        const QString root = testing::sharedDataPath(QString::fromLatin1(dir));
        if (root.isEmpty())
            continue;
        QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            auto head = pe::readImageFile(path.toStdString());
            if (head && pe::looksLikePe(*head))
                files << path;
        }
    }
    files.sort();
    return files;
}

TrustStore storeFrom(const QString &path)
{
    TrustStore store;
    auto added = store.add(path.toStdString());
    if (!added)
        qFatal("%s", added.error().message.c_str());
    return store;
}

} // namespace

class TestAuthenticode : public QObject {
    Q_OBJECT
private slots:
    // The Authenticode SHA-1 and SHA-256 of each image, as the shared data README gives them.
    void imageDigest_data()
    {
        QTest::addColumn<QString>("relative");
        QTest::addColumn<QString>("sha1");
        QTest::addColumn<QString>("sha256");
        QTest::addRow("fwupdx64.efi.signed") << "windows/pe/debian/fwupdx64.efi.signed"
            << "79954ec9017ac43170efa7d8314abb68779f2e6b" << "54563dba7fe706fab763168771637e02f82bf776e47fc16c96b87f3ecdb11958";
        QTest::addRow("pciide_corrupt.sys") << "windows/pe/derived/pciide_corrupt.sys"
            << "d25c49fecd0fd510724956f60011923d000e724a" << "d7d532d1b72d129572474b9d4bc3ed6be36840d5510161a9e55705255b4c2f82";
        QTest::addRow("DXCore.dll") << "windows/pe/signify/DXCore.dll"
            << "e8d77aacdaca9ef0be8c482435202251a6c456bf" << "06fa542ca0a1626e11e99e79896c9eaa79b5cfc3f9ad0ac8b84d4b2e8c5a292c";
        QTest::addRow("kdbazis.dll") << "windows/pe/signify/kdbazis.dll"
            << "c187960f665e82f9e2d984d8aca03feaa84e0854" << "e6a9221b1ead47cd782e693a0d19d4c6ed470115a0ab0dd3d3fb3f3c58bc8c1d";
        QTest::addRow("pciide.sys") << "windows/pe/signify/pciide.sys"
            << "9bd444d58b59cca832bb5fc911f81f6c66b40fcc" << "5cd3641543e7849664975a1465e6835c91d311dd4468decc38caa63c1fb6d462";
    }
    void imageDigest()
    {
        QFETCH(QString, relative);
        QFETCH(QString, sha1);
        QFETCH(QString, sha256);
        const QString path = testing::sharedDataPath(relative);
        if (path.isEmpty())
            QSKIP(qPrintable(QStringLiteral("shared sample missing: ") + relative));
        const auto image = loadImage(path);
        const auto d1 = authenticode::imageDigest(image.bytes, image.info, DigestAlgorithm::Sha1);
        const auto d256 = authenticode::imageDigest(image.bytes, image.info, DigestAlgorithm::Sha256);
        QVERIFY(d1.ok() && d256.ok());
        QCOMPARE(hexOf(*d1), sha1);
        QCOMPARE(hexOf(*d256), sha256);
    }

    // Every PE image in the shared data, primary signature: the same digest algorithm, signed
    // digest, computed digest and signer as osslsigncode reports.
    void matchesOsslsigncode_data()
    {
        QTest::addColumn<QString>("path");
        for (const QString &path : signedImages())
            QTest::newRow(qPrintable(path.section(QLatin1Char('/'), -2))) << path;
    }
    void matchesOsslsigncode()
    {
        QFETCH(QString, path);
        const QString tool = QStandardPaths::findExecutable(QStringLiteral("osslsigncode"));
        if (tool.isEmpty())
            QSKIP("osslsigncode is not installed (scripts/install-deps.sh installs it): the oracle is missing");
        const auto run = testing::runProgram(tool, {QStringLiteral("verify"), QStringLiteral("-in"), path});
        const QString text = QString::fromUtf8(run.out + run.err);
        const auto image = loadImage(path);
        const auto report = verifyImage(image.bytes, image.info);

        auto field = [&](const char *label) {
            const QRegularExpression re(QStringLiteral("^") + QString::fromLatin1(label) +
                                            QStringLiteral("\\s*:\\s*([0-9A-Za-z]+)"),
                                        QRegularExpression::MultilineOption);
            return re.match(text).captured(1);
        };
        const QString algorithm = field("Message digest algorithm");
        if (algorithm.isEmpty()) {
            QVERIFY2(text.contains(QLatin1String("No signature found")) || text.contains(QLatin1String("Unable to extract")) ||
                         !image.info.hasCertificateTable(),
                     qPrintable(text.left(400)));
            QCOMPARE(report.state, SignatureState::Unsigned);
            return;
        }
        QVERIFY(!report.signatures.empty());
        const auto &primary = report.signatures.front();
        QCOMPARE(QString::fromStdString(primary.digestAlgorithm), algorithm.toUpper());
        QCOMPARE(QString::fromStdString(primary.signedDigest), field("Current message digest").toLower());
        QCOMPARE(QString::fromStdString(primary.computedDigest), field("Calculated message digest").toLower());
        QCOMPARE(primary.digestMatches, !text.contains(QLatin1String("MISMATCH")));
        // Page hashes, where osslsigncode checks them (it does when the image digest matches).
        const QString pageAlgorithm = field("Page hash algorithm");
        if (!pageAlgorithm.isEmpty()) {
            QVERIFY(primary.pageHashesPresent);
            QCOMPARE(QString::fromStdString(primary.pageHashAlgorithm), pageAlgorithm.toUpper());
            static const QRegularExpression calculated(QStringLiteral("^Calculated page hash\\s*:[^\\n]*"),
                                                       QRegularExpression::MultilineOption);
            const bool theirsMatch = !calculated.match(text).captured(0).contains(QLatin1String("MISMATCH"));
            QVERIFY2(primary.pageHashesMatch.has_value(), primary.pageHashProblem.c_str());
            QCOMPARE(*primary.pageHashesMatch, theirsMatch);
        } else if (primary.digestMatches) {
            QVERIFY(!primary.pageHashesPresent);
        }
        static const QRegularExpression subject(QStringLiteral("Signer #0:\\s*\\n\\s*Subject: ([^\\n]*)"));
        const QString signerSubject = subject.match(text).captured(1);
        QVERIFY(primary.signer.has_value());
        if (signerSubject.isEmpty()) // osslsigncode names no signer when the digest does not match
            QVERIFY(!primary.digestMatches);
        else
            QVERIFY2(signerSubject.contains(QStringLiteral("CN=") + QString::fromStdString(primary.signer->commonName)),
                 qPrintable(signerSubject + QStringLiteral(" vs ") + QString::fromStdString(primary.signer->commonName)));
    }

    void states_data()
    {
        QTest::addColumn<QString>("relative");
        QTest::addColumn<QString>("anchors");   // relative path of a trust store, or empty
        QTest::addColumn<QString>("state");
        QTest::addColumn<QString>("reason");    // a part of one reason, or empty
        QTest::addColumn<qint64>("timestamp");  // -1: none expected
        const QString bundle = QStringLiteral("windows/trust/code_signing_ca.pem");
        QTest::addRow("DXCore, no trust store") << "windows/pe/signify/DXCore.dll" << QString()
            << "signature-valid-chain-unknown" << "no trust store" << qint64(1752623241);
        // Microsoft's 2025 signer certificate has expired; the chain holds at the RFC 3161 time.
        QTest::addRow("DXCore, CA bundle, chain at timestamp") << "windows/pe/signify/DXCore.dll" << bundle
            << "valid" << QString() << qint64(1752623241);
        QTest::addRow("whois, CA bundle") << "pe/signify_whois.exe" << bundle << "valid" << QString() << qint64(1576053617);
        // The 2001 Microsoft root is not in the bundle: not invalid, just no anchor.
        QTest::addRow("pciide.sys, CA bundle") << "windows/pe/signify/pciide.sys" << bundle
            << "signature-valid-chain-unknown" << "no anchor" << qint64(1247535955);
        QTest::addRow("pciide_corrupt.sys") << "windows/pe/derived/pciide_corrupt.sys" << bundle << "invalid"
            << "modified after signing" << qint64(1247535955);
        QTest::addRow("kdbazis, CA bundle") << "windows/pe/signify/kdbazis.dll" << bundle
            << "signature-valid-chain-unknown" << "no anchor" << qint64(1616373322);
        QTest::addRow("kdbazis, its own certificate") << "windows/pe/signify/kdbazis.dll" << "windows/pe/signify/kdbazis.dll.crt"
            << "valid" << QString() << qint64(1616373322);
        QTest::addRow("CVE-2020-0601 forgery") << "pe/signify_7z1900-x64_signed.exe" << bundle << "invalid"
            << "explicit elliptic-curve parameters" << qint64(-1);
        QTest::addRow("fwupd EFI, Debian CA absent") << "windows/pe/debian/fwupdx64.efi.signed" << bundle
            << "signature-valid-chain-unknown" << "no anchor" << qint64(-1);
        QTest::addRow("unsigned.exe") << "windows/pe/osslsigncode/unsigned.exe" << bundle << "unsigned" << QString() << qint64(-1);
        QTest::addRow("msal addon") << "windows/pe/npm/msal-node-runtime.node" << QString() << "unsigned" << QString() << qint64(-1);
    }
    void states()
    {
        QFETCH(QString, relative);
        QFETCH(QString, anchors);
        QFETCH(QString, state);
        QFETCH(QString, reason);
        QFETCH(qint64, timestamp);
        const QString path = testing::sharedDataPath(relative);
        if (path.isEmpty())
            QSKIP(qPrintable(QStringLiteral("shared sample missing: ") + relative));
        std::optional<TrustStore> store;
        VerifyOptions options;
        if (!anchors.isEmpty()) {
            store = storeFrom(testing::sharedDataPath(anchors));
            options.anchors = &*store;
        }
        const auto image = loadImage(path);
        const auto report = verifyImage(image.bytes, image.info, options);
        QCOMPARE(QString::fromLatin1(stateName(report.state)), state);
        if (report.signatures.empty())
            return;
        const auto &primary = report.signatures.front();
        QCOMPARE(primary.state, report.state);
        if (!reason.isEmpty())
            QVERIFY2(reasons(primary).contains(reason), qPrintable(reasons(primary)));
        if (state == QLatin1String("valid"))
            QVERIFY2(primary.reasons.empty(), qPrintable(reasons(primary)));
        if (timestamp >= 0) {
            QVERIFY(primary.timestamp.has_value());
            QVERIFY2(primary.timestamp->verified, primary.timestamp->problem.c_str());
            QCOMPARE(qint64(*primary.timestamp->time), timestamp);
        }
    }

    // sigcheck.exe carries a SHA-1 signature with a SHA-256 signature nested in it.
    void nestedSignature()
    {
        const QString path = testing::sharedDataPath(QStringLiteral("../bench-data/pe/sigcheck.exe"));
        if (path.isEmpty())
            QSKIP("shared bench sample sigcheck.exe missing");
        const auto image = loadImage(path);
        const auto report = verifyImage(image.bytes, image.info);
        QCOMPARE(report.signatures.size(), std::size_t(2));
        QCOMPARE(QString::fromStdString(report.signatures[0].digestAlgorithm), QStringLiteral("SHA1"));
        QCOMPARE(report.signatures[1].nestingDepth, std::size_t(1));
        QCOMPARE(QString::fromStdString(report.signatures[1].digestAlgorithm), QStringLiteral("SHA256"));
        for (const auto &s : report.signatures)
            QCOMPARE(s.state, SignatureState::SignatureValidChainUnknown);
    }

    // Tampered copies written by the test: a changed byte in the code, in the signature value,
    // and a second certificate-table entry (as Microsoft-signed EFI binaries carry).
    void tampered()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(path, "windows/pe/signify/DXCore.dll");
        const auto original = loadImage(path);
        const auto &cert = original.info.certificates.front();

        // 1. One byte of the first section.
        auto code = original.bytes;
        code[original.info.sections.front().rawOffset + 100] ^= 0x01;
        auto parsed = pe::parsePe(code);
        QVERIFY(parsed.ok());
        auto report = verifyImage(code, *parsed);
        QCOMPARE(report.state, SignatureState::Invalid);
        QVERIFY(!report.signatures.front().digestMatches);

        // 2. One byte of the signature value (the signer's encrypted digest, found in the file).
        {
            const unsigned char *p = original.bytes.data() + cert.contentOffset;
            PKCS7 *p7 = d2i_PKCS7(nullptr, &p, cert.contentLength);
            QVERIFY(p7);
            const ASN1_OCTET_STRING *value = sk_PKCS7_SIGNER_INFO_value(PKCS7_get_signer_info(p7), 0)->enc_digest;
            const auto at = std::search(original.bytes.begin(), original.bytes.end(), value->data, value->data + value->length);
            PKCS7_free(p7);
            QVERIFY(at != original.bytes.end());
            auto sig = original.bytes;
            sig[std::size_t(at - original.bytes.begin()) + 10] ^= 0x01;
            auto p2 = pe::parsePe(sig);
            QVERIFY(p2.ok());
            const auto r = verifyImage(sig, *p2);
            QCOMPARE(r.state, SignatureState::Invalid);
            QVERIFY(r.signatures.front().digestMatches);
            QVERIFY(!r.signatures.front().signatureVerified);
            QVERIFY2(reasons(r.signatures.front()).contains(QLatin1String("signature does not verify")),
                     qPrintable(reasons(r.signatures.front())));
            // The RFC 3161 timestamp covered the old signature value, so it no longer matches either.
            QVERIFY(r.signatures.front().timestamp && !r.signatures.front().timestamp->verified);
        }

        // 3. Two WIN_CERTIFICATE entries: both are read and verified, the image hash is unchanged.
        auto twice = original.bytes;
        const std::uint32_t padded = (cert.length + 7u) & ~7u;
        twice.resize(cert.fileOffset + padded, 0); // first entry, padded to 8 bytes
        twice.insert(twice.end(), original.bytes.begin() + std::ptrdiff_t(cert.fileOffset),
                     original.bytes.begin() + std::ptrdiff_t(cert.fileOffset + cert.length));
        const std::uint32_t tableSize = padded + cert.length;
        std::memcpy(&twice[original.info.certificateDirectoryOffset + 4], &tableSize, 4);
        auto two = pe::parsePe(twice);
        QVERIFY2(two.ok(), two.ok() ? "" : two.error().message.c_str());
        QCOMPARE(two->certificates.size(), std::size_t(2));
        report = verifyImage(twice, *two);
        QCOMPARE(report.signatures.size(), std::size_t(2));
        QCOMPARE(report.signatures[1].certificateEntry, std::size_t(1));
        for (const auto &s : report.signatures)
            QCOMPARE(s.state, SignatureState::SignatureValidChainUnknown);
    }

    // Page hashes: the table in a real Microsoft signature is the one computed from the file, and
    // a changed byte is located to its page.
    void pageHashes()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(path, "windows/pe/signify/DXCore.dll");
        const auto original = loadImage(path);
        auto report = verifyImage(original.bytes, original.info);
        QVERIFY(!report.signatures.empty());
        QVERIFY(report.signatures.front().pageHashesPresent);
        QCOMPARE(report.signatures.front().pageHashAlgorithm, std::string("SHA256"));
        QVERIFY2(report.signatures.front().pageHashesMatch == true, report.signatures.front().pageHashProblem.c_str());
        QVERIFY(report.signatures.front().changedPages.empty());

        const std::uint32_t page = original.info.sectionAlignment;
        QCOMPARE(page, 4096u);
        struct Flip {
            std::uint64_t offset;
            std::uint64_t page;
        };
        const auto &last = original.info.sections.back();
        const std::uint64_t inLast = last.rawOffset + last.rawSize - 3;
        for (const Flip flip : {Flip{0x4e, 0}, // the DOS stub's text: the header page
                                Flip{inLast, last.rawOffset + (last.rawSize - 3) / page * page}}) {
            auto bytes = original.bytes;
            bytes[flip.offset] ^= 0x20;
            auto parsed = pe::parsePe(bytes);
            QVERIFY(parsed.ok());
            report = verifyImage(bytes, *parsed);
            const auto &s = report.signatures.front();
            QCOMPARE(s.state, SignatureState::Invalid);
            QCOMPARE(s.pageHashesMatch, std::optional<bool>(false));
            QCOMPARE(s.changedPages, std::vector<std::uint64_t>{flip.page});
            QVERIFY2(reasons(s).contains(QStringLiteral("pages at file offsets 0x%1 differ").arg(flip.page, 0, 16)),
                     qPrintable(reasons(s)));
        }
    }

    // A signature with page hashes made by osslsigncode (SHA-1 and SHA-256 tables) verifies, and
    // osslsigncode agrees; without -ph there is no table and nothing is claimed.
    void pageHashesOfOsslsigncode_data()
    {
        QTest::addColumn<QString>("digest");
        QTest::addColumn<bool>("withPageHashes");
        QTest::newRow("sha256 -ph") << "sha256" << true;
        QTest::newRow("sha1 -ph") << "sha1" << true;
        QTest::newRow("sha256") << "sha256" << false;
    }
    void pageHashesOfOsslsigncode()
    {
        QFETCH(QString, digest);
        QFETCH(bool, withPageHashes);
        const QString signer = QStandardPaths::findExecutable(QStringLiteral("osslsigncode"));
        const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
        if (signer.isEmpty() || openssl.isEmpty())
            QSKIP("osslsigncode or openssl is not installed (scripts/install-deps.sh installs both)");
        LOADLENS_SHARED_DATA_OR_SKIP(unsignedExe, "windows/pe/osslsigncode/unsigned.exe");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString key = dir.filePath(QStringLiteral("key.pem")), cert = dir.filePath(QStringLiteral("cert.pem"));
        const auto made = testing::runProgram(openssl, {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                                                        QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"), key,
                                                        QStringLiteral("-out"), cert, QStringLiteral("-days"), QStringLiteral("2"),
                                                        QStringLiteral("-subj"), QStringLiteral("/CN=LoadLens page hash test"),
                                                        QStringLiteral("-addext"), QStringLiteral("extendedKeyUsage=codeSigning")});
        QVERIFY2(made.exitCode == 0, made.err.constData());
        const QString out = dir.filePath(QStringLiteral("signed.exe"));
        QStringList args{QStringLiteral("sign"), QStringLiteral("-certs"), cert, QStringLiteral("-key"), key,
                         QStringLiteral("-h"), digest, QStringLiteral("-in"), unsignedExe, QStringLiteral("-out"), out};
        if (withPageHashes)
            args << QStringLiteral("-ph");
        const auto sign = testing::runProgram(signer, args);
        QVERIFY2(sign.exitCode == 0, QByteArray(sign.out + sign.err).constData());

        TrustStore anchors = storeFrom(cert);
        VerifyOptions options;
        options.anchors = &anchors;
        const auto image = loadImage(out);
        auto report = verifyImage(image.bytes, image.info, options);
        QVERIFY(!report.signatures.empty());
        const auto &s = report.signatures.front();
        QCOMPARE(s.pageHashesPresent, withPageHashes);
        QCOMPARE(s.state, SignatureState::Valid);
        if (!withPageHashes) {
            QVERIFY(!s.pageHashesMatch.has_value());
            return;
        }
        QCOMPARE(QString::fromStdString(s.pageHashAlgorithm), digest.toUpper());
        QVERIFY2(s.pageHashesMatch == true, s.pageHashProblem.c_str());
        const auto verify = testing::runProgram(signer, {QStringLiteral("verify"), QStringLiteral("-CAfile"), cert,
                                                         QStringLiteral("-in"), out});
        const QString text = QString::fromUtf8(verify.out + verify.err);
        QVERIFY2(text.contains(QLatin1String("Calculated page hash")) && !text.contains(QLatin1String("MISMATCH")),
                 qPrintable(text));

        // A byte of the first section changed: its page is named.
        auto bytes = image.bytes;
        const auto &first = image.info.sections.front();
        bytes[first.rawOffset + 1] ^= 0x01;
        auto parsed = pe::parsePe(bytes);
        QVERIFY(parsed.ok());
        report = verifyImage(bytes, *parsed, options);
        QCOMPARE(report.signatures.front().changedPages, std::vector<std::uint64_t>{first.rawOffset});
    }

    void trustStoreErrors()
    {
        TrustStore store;
        const auto missing = store.add("/nonexistent/roots.pem");
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().message.find("/nonexistent/roots.pem") != std::string::npos);
        QTemporaryDir dir;
        QFile junk(dir.filePath(QStringLiteral("junk.pem")));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not a certificate\n");
        junk.close();
        const auto none = store.add(junk.fileName().toStdString());
        QVERIFY(!none.ok());
        QVERIFY(none.error().message.find("no PEM or DER certificate") != std::string::npos);
        LOADLENS_SHARED_DATA_OR_SKIP(bundle, "windows/trust/code_signing_ca.pem");
        const auto added = store.add(bundle.toStdString());
        QVERIFY(added.ok());
        QVERIFY(*added > 0);
        QCOMPARE(store.size(), *added);
    }
};

QTEST_GUILESS_MAIN(TestAuthenticode)
#include "tst_authenticode.moc"
