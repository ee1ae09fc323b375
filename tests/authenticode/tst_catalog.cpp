// Security catalogs from ../shared/data/windows/cat: members and their hashes, the catalog's own
// signature, and files that are signed only through a catalog (DXCore.dll, a flat .inf).
#include "authenticode/authenticode.h"
#include "pe/pe_reader.h"
#include "shared_data.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

using namespace loadlens;
using namespace loadlens::authenticode;

namespace {

std::vector<std::uint8_t> bytesOf(const QString &path)
{
    auto bytes = pe::readImageFile(path.toStdString());
    if (!bytes)
        qFatal("%s", bytes.error().message.c_str());
    return std::move(*bytes);
}

bool hasMember(const CatalogReport &catalog, const char *digest)
{
    return std::any_of(catalog.members.begin(), catalog.members.end(),
                       [&](const CatalogMember &m) { return m.digest == digest; });
}

} // namespace

class TestCatalog : public QObject {
    Q_OBJECT
private slots:
    void microsoftCatalog()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(path, "windows/cat/signify/115fe8649854ad531fb7ecd1318fbee6b33c9cbd78f02ed582092a96d5eb5899.cat");
        LOADLENS_SHARED_DATA_OR_SKIP(bundle, "windows/trust/code_signing_ca.pem");
        TrustStore store;
        QVERIFY(store.add(bundle.toStdString()).ok());
        VerifyOptions options;
        options.anchors = &store;
        const auto bytes = bytesOf(path);
        const auto catalog = readCatalog(bytes, path.toStdString(), options);
        QVERIFY2(catalog.ok(), catalog.ok() ? "" : catalog.error().message.c_str());
        QVERIFY(!catalog->members.empty());
        // DXCore.dll's Authenticode SHA-256 is a PE member (shared data README).
        QVERIFY(hasMember(*catalog, "06fa542ca0a1626e11e99e79896c9eaa79b5cfc3f9ad0ac8b84d4b2e8c5a292c"));
        const auto member = std::find_if(catalog->members.begin(), catalog->members.end(), [](const CatalogMember &m) {
            return m.digest == "06fa542ca0a1626e11e99e79896c9eaa79b5cfc3f9ad0ac8b84d4b2e8c5a292c";
        });
        QVERIFY(member->peImage);
        QCOMPARE(QString::fromStdString(member->digestAlgorithm), QStringLiteral("SHA256"));
        QVERIFY(catalog->signature.has_value());
        QCOMPARE(QString::fromStdString(catalog->signature->signer->commonName), QStringLiteral("Microsoft Windows"));
        QVERIFY(catalog->signature->timestamp && catalog->signature->timestamp->verified);
        QCOMPARE(qint64(*catalog->signature->timestamp->time), qint64(1754773343)); // 2025-08-09 21:02:23 UTC
        QCOMPARE(catalog->state, SignatureState::Valid);
    }

    void dxcoreIsCatalogSigned()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(catDir, "windows/cat/signify");
        LOADLENS_SHARED_DATA_OR_SKIP(dll, "windows/pe/signify/DXCore.dll");
        CatalogIndex index;
        QVERIFY(index.addDirectory(catDir.toStdString()).ok());
        QVERIFY(index.size() >= 2);
        const auto bytes = bytesOf(dll);
        const auto info = pe::parsePe(bytes);
        QVERIFY(info.ok());
        const auto result = catalogSignature(bytes, &*info, index);
        QVERIFY(result.catalogSigned);
        QCOMPARE(result.state, SignatureState::SignatureValidChainUnknown); // no trust store given
        QVERIFY(QString::fromStdString(result.catalog->name).endsWith(QLatin1String("115fe8649854ad531fb7ecd1318fbee6b33c9cbd78f02ed582092a96d5eb5899.cat")));

        // One changed byte and the hash is no longer listed.
        auto changed = bytes;
        changed[info->sections.front().rawOffset + 10] ^= 1;
        const auto changedInfo = pe::parsePe(changed);
        QVERIFY(!catalogSignature(changed, &*changedInfo, index).catalogSigned);
    }

    // A driver catalog that lists a flat file (an .inf) by its SHA-1.
    void flatFileMember()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(cat, "windows/cat/signify/oem89.cat");
        LOADLENS_SHARED_DATA_OR_SKIP(inf, "windows/cat/signify/amdacpbtscoext.inf");
        const auto catalog = readCatalog(bytesOf(cat), "oem89.cat");
        QVERIFY(catalog.ok());
        QVERIFY(hasMember(*catalog, "b1e795b69b4c2a901a8bc8e8b36e988c6c05d836"));
        QCOMPARE(QString::fromStdString(catalog->signature->signer->commonName),
                 QStringLiteral("Microsoft Windows Hardware Compatibility Publisher"));
        QCOMPARE(catalog->state, SignatureState::SignatureValidChainUnknown);
        CatalogIndex index;
        index.add(*catalog);
        const auto result = catalogSignature(bytesOf(inf), nullptr, index);
        QVERIFY(result.catalogSigned);
        QCOMPARE(QString::fromStdString(result.catalogDigest), QStringLiteral("b1e795b69b4c2a901a8bc8e8b36e988c6c05d836"));
    }

    // Catalogs without a signer list hashes but sign nothing.
    void unsignedCatalogSignsNothing()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(cat, "windows/cat/osslsigncode/unsigned.cat");
        LOADLENS_SHARED_DATA_OR_SKIP(js, "windows/cat/osslsigncode/unsigned.js");
        const auto catalog = readCatalog(bytesOf(cat), "unsigned.cat");
        QVERIFY2(catalog.ok(), catalog.ok() ? "" : catalog.error().message.c_str());
        QCOMPARE(catalog->state, SignatureState::Unsigned);
        QVERIFY(hasMember(*catalog, "3b8b000e04c38f910ff3a79f56d38423be8d90a65ea0a1d1cd02250758f8f0b8"));
        CatalogIndex index;
        index.add(*catalog);
        QVERIFY(!index.lookup("3B8B000E04C38F910FF3A79F56D38423BE8D90A65EA0A1D1CD02250758F8F0B8").empty());
        QVERIFY(!catalogSignature(bytesOf(js), nullptr, index).catalogSigned);

        LOADLENS_SHARED_DATA_OR_SKIP(ctl, "windows/cat/signify/catfiletest.cat");
        const auto test = readCatalog(bytesOf(ctl), "catfiletest.cat");
        QVERIFY2(test.ok(), test.ok() ? "" : test.error().message.c_str());
        QCOMPARE(test->state, SignatureState::Unsigned);
    }

    void notACatalog()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(dll, "windows/pe/signify/DXCore.dll");
        const auto result = readCatalog(bytesOf(dll), "DXCore.dll");
        QVERIFY(!result.ok());
        QVERIFY(result.error().message.find("DXCore.dll: not a catalog") == 0);
        QTemporaryDir dir;
        QFile bad(dir.filePath(QStringLiteral("broken.cat")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("0\x82\x01\x00garbage");
        bad.close();
        CatalogIndex index;
        QVERIFY(index.addDirectory(dir.path().toStdString()).ok());
        QCOMPARE(index.size(), std::size_t(0));
        QCOMPARE(index.problems().size(), std::size_t(1));
        QVERIFY(!index.addDirectory("/nonexistent/CatRoot").ok());
    }
};

QTEST_GUILESS_MAIN(TestCatalog)
#include "tst_catalog.moc"
