// docs/scan.schema.json against what `loadlens-cli scan --json` really writes: a fixture process
// with preloaded, deleted, memfd and anonymous code, the whole host as the user running the test
// (and, as root, as an unprivileged user too, whose output lists unreadable processes with their
// errors); and mutated documents that the schema must reject, so that it is known to be strict.
// Validation is python3-jsonschema's (Draft 2020-12), driven through tests/app/validate_json_schema.py.
#include <QtTest>

#include "fixture_process.h"
#include "program_run.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <functional>
#include <nlohmann/json.hpp>
#include <unistd.h>

using loadlens::testing::FixtureProcess;
using loadlens::testing::ProgramRun;
using nlohmann::json;

namespace {

const QString kPython = QStringLiteral("/usr/bin/python3");

ProgramRun cli(const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    return loadlens::testing::runProgram(QStringLiteral(LOADLENS_CLI), args, 240000, env);
}

// 0 valid, 1 invalid (errors in `err`), anything else: the validator could not run.
ProgramRun validate(const QString &document)
{
    return loadlens::testing::runProgram(
        kPython, {QStringLiteral(LOADLENS_SCHEMA_VALIDATOR), QStringLiteral(LOADLENS_SCAN_SCHEMA), document}, 120000);
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeAll(const QString &path, const std::string &text)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) &&
           f.write(text.data(), qint64(text.size())) == qint64(text.size());
}

json &firstModuleWithFile(json &doc)
{
    for (auto &p : doc["processes"])
        for (auto &m : p["modules"])
            if (m.contains("file"))
                return m;
    throw std::runtime_error("no module with file facts");
}

} // namespace

class TestCliScanSchema : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    FixtureProcess m_target;
    QString m_preloaded;
    QString m_fixtureDocument;

    // Runs the real CLI into a file and validates it; returns the parsed document.
    json scanAndValidate(const QStringList &scanArgs, const QString &name,
                         const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
    {
        const QString out = m_dir.filePath(name);
        const ProgramRun r =
            cli(QStringList{QStringLiteral("scan"), QStringLiteral("--json"), QStringLiteral("-o"), out} + scanArgs, env);
        if (r.exitCode != 0) {
            QTest::qFail(qPrintable(QStringLiteral("scan failed: ") + QString::fromUtf8(r.err)), __FILE__, __LINE__);
            return json();
        }
        const ProgramRun v = validate(out);
        if (v.exitCode != 0) {
            QTest::qFail(qPrintable(QStringLiteral("%1 does not match docs/scan.schema.json (validator exit %2):\n%3")
                                        .arg(out).arg(v.exitCode).arg(QString::fromUtf8(v.err))),
                         __FILE__, __LINE__);
            return json();
        }
        return json::parse(readAll(out).toStdString());
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const ProgramRun probe = loadlens::testing::runProgram(kPython, {QStringLiteral("-c"), QStringLiteral("import jsonschema")});
        if (probe.exitCode != 0)
            QSKIP("python3-jsonschema is not installed (scripts/install-deps.sh installs it): the schema cannot be checked");
        QVERIFY(QFile::exists(QStringLiteral(LOADLENS_SCAN_SCHEMA)));

        // A process showing the shapes the schema has to cover: an LD_PRELOADed library outside
        // any package (reasons with evidence), a deleted mapped file, memfd and anonymous code.
        m_preloaded = m_dir.filePath(QStringLiteral("libschema-lab.so"));
        QVERIFY(QFile::copy(loadlens::testing::fixtureLibraryPath(), m_preloaded));
        const QString deleted = m_dir.filePath(QStringLiteral("libdeleted-lab.so"));
        QVERIFY(QFile::copy(loadlens::testing::fixtureLibraryPath(), deleted));
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LD_PRELOAD"), m_preloaded);
        // Wine's variables are kept with the loader's (a Wine process's prefix and DLL overrides).
        env.insert(QStringLiteral("WINEPREFIX"), m_dir.filePath(QStringLiteral("prefix")));
        env.insert(QStringLiteral("WINEDLLOVERRIDES"), QStringLiteral("version=n,b"));
        QVERIFY2(m_target.start({QStringLiteral("--map-deleted"), deleted, QStringLiteral("--memfd"),
                                 QStringLiteral("schema-lab"), QStringLiteral("--anon-exec")},
                                env),
                 qPrintable(m_target.error()));
    }

    void fixtureProcessMatchesTheSchema()
    {
        const json doc = scanAndValidate({QStringLiteral("--pid"), QString::number(m_target.pid()),
                                          QStringLiteral("--hash-cache"), m_dir.filePath(QStringLiteral("hash-cache.sqlite"))},
                                         QStringLiteral("fixture.json"));
        QVERIFY(doc.is_object());
        m_fixtureDocument = m_dir.filePath(QStringLiteral("fixture.json"));
        // The document really has what the schema was checked on.
        QCOMPARE(doc["processes"].size(), std::size_t(1));
        const json &proc = doc["processes"][0];
        QCOMPARE(proc["pid"].get<int>(), m_target.pid());
        bool preloadEnv = false, deleted = false, memfd = false, anonymous = false, hashed = false;
        for (const auto &m : proc["modules"]) {
            deleted = deleted || m["deleted"].get<bool>();
            memfd = memfd || m["memfd"].get<bool>();
            anonymous = anonymous || m["anonymous_exec"].get<bool>();
            hashed = hashed || (m.contains("file") && m["file"]["sha256"].get<std::string>().size() == 64);
            for (const auto &r : m["verdict"]["reasons"])
                preloadEnv = preloadEnv || (r["code"] == "preload-env" && !r["evidence"].empty());
        }
        QVERIFY(preloadEnv);
        QVERIFY(deleted);
        QVERIFY(memfd);
        QVERIFY(anonymous);
        QVERIFY(hashed);
    }

    void wholeHostMatchesTheSchema()
    {
        const json doc = scanAndValidate({QStringLiteral("--hash-cache"), m_dir.filePath(QStringLiteral("hash-cache.sqlite"))},
                                         QStringLiteral("host.json"));
        QVERIFY(doc.is_object());
        QVERIFY(doc["processes"].size() > 1);
    }

    // As a normal user, processes of other users cannot be read: they are listed with their
    // errors, and the document still matches. As root, the scan is made as nobody (setpriv).
    void unprivilegedScanMatchesTheSchema()
    {
        QString program;
        if (::geteuid() == 0) {
            if (!QFile::exists(QStringLiteral("/usr/bin/setpriv")))
                QSKIP("running as root without /usr/bin/setpriv: cannot scan as an unprivileged user");
            program = QStringLiteral("/usr/bin/setpriv");
            // nobody must be able to write the output.
            QFile::setPermissions(m_dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                                    QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther |
                                                    QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup);
            const ProgramRun can = loadlens::testing::runProgram(
                program, {QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"), QStringLiteral("--clear-groups"),
                          QStringLiteral(LOADLENS_CLI), QStringLiteral("--version")});
            if (can.exitCode != 0)
                QSKIP(qPrintable(QStringLiteral("the build is not reachable by uid 65534: ") + QString::fromUtf8(can.err)));
        }
        QStringList args{QStringLiteral("--no-hash-cache")};
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        if (!program.isEmpty())
            env.insert(QStringLiteral("HOME"), m_dir.path());
        json doc;
        if (program.isEmpty()) {
            doc = scanAndValidate(args, QStringLiteral("user.json"), env);
        } else {
            // setpriv's own options come before the program that scanAndValidate prepends.
            const QString out = m_dir.filePath(QStringLiteral("user.json"));
            const ProgramRun r = loadlens::testing::runProgram(
                program,
                {QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"), QStringLiteral("--clear-groups"),
                 QStringLiteral(LOADLENS_CLI), QStringLiteral("scan"), QStringLiteral("--json"), QStringLiteral("-o"), out,
                 QStringLiteral("--no-hash-cache")},
                240000, env);
            QVERIFY2(r.exitCode == 0, r.err.constData());
            const ProgramRun v = validate(out);
            QVERIFY2(v.exitCode == 0, v.err.constData());
            doc = json::parse(readAll(out).toStdString());
        }
        QVERIFY(doc.is_object());
        int unreadable = 0;
        for (const auto &p : doc["processes"])
            unreadable += p["errors"].empty() ? 0 : 1;
        if (unreadable == 0)
            QSKIP("every process was readable by this user (hidepid, or a container of one user): no error entries to check");
        QVERIFY(doc["stats"]["processes_inaccessible"].get<int>() > 0);
    }

    void mutatedDocumentsAreRejected_data()
    {
        QTest::addColumn<int>("mutation");
        QTest::addRow("unknown level") << 0;
        QTest::addRow("unknown module field") << 1;
        QTest::addRow("module without verdict") << 2;
        QTest::addRow("unknown reason code") << 3;
        QTest::addRow("pid as a string") << 4;
        QTest::addRow("short sha256") << 5;
        QTest::addRow("no findings") << 6;
        QTest::addRow("mode with file type bits") << 7;
        QTest::addRow("range perms") << 8;
        QTest::addRow("process without errors") << 9;
        QTest::addRow("process without mount_namespace") << 10;
        QTest::addRow("container of an unknown runtime") << 11;
        QTest::addRow("container without id") << 12;
    }
    void mutatedDocumentsAreRejected()
    {
        QFETCH(int, mutation);
        if (m_fixtureDocument.isEmpty())
            QSKIP("the fixture scan did not produce a document");
        json doc = json::parse(readAll(m_fixtureDocument).toStdString());
        json &proc = doc["processes"][0];
        json &module = firstModuleWithFile(doc);
        const std::vector<std::function<void()>> mutations = {
            [&] { proc["worst_level"] = "severe"; },
            [&] { module["surprise"] = true; },
            [&] { module.erase("verdict"); },
            [&] { proc["modules"][0]["verdict"]["reasons"].push_back({{"code", "made-up-code"}, {"level", "low"},
                                                                       {"text", "x"}, {"technique", ""},
                                                                       {"measure", ""}, {"evidence", json::object()}}); },
            [&] { proc["pid"] = std::to_string(proc["pid"].get<int>()); },
            [&] { module["file"]["sha256"] = "abc123"; },
            [&] { doc.erase("findings"); },
            [&] { module["file"]["mode"] = 0100644; },
            [&] { module["ranges"][0]["perms"] = "rwx"; },
            [&] { proc.erase("errors"); },
            [&] { proc.erase("mount_namespace"); },
            [&] { proc["container"] = {{"runtime", "made-up-runtime"}, {"id", "abc"}}; },
            [&] { proc["container"] = {{"runtime", "docker"}}; },
        };
        mutations.at(std::size_t(mutation))();
        const QString path = m_dir.filePath(QStringLiteral("mutated-%1.json").arg(mutation));
        QVERIFY(writeAll(path, doc.dump()));
        const ProgramRun v = validate(path);
        QVERIFY2(v.exitCode == 1, qPrintable(QStringLiteral("validator exit %1 for a document that must be rejected: %2")
                                                 .arg(v.exitCode).arg(QString::fromUtf8(v.err))));
        // The unchanged document still passes: the rejection is the mutation's.
        QCOMPARE(validate(m_fixtureDocument).exitCode, 0);
    }

    void cleanupTestCase() { m_target.stop(); }
};

QTEST_GUILESS_MAIN(TestCliScanSchema)
#include "tst_cli_scan_schema.moc"
