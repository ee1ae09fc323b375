// CaseDatabase: schema creation and reopening, and clear errors (naming the file and the
// cause) for files that are not ours, damaged, truncated or from a newer version.
#include <QtTest>

#include "store/case_database.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <sqlite3.h>

using namespace loadlens;
using store::CaseDatabase;
using store::OpenMode;

namespace {

bool execRaw(const QString &path, const char *sql)
{
    sqlite3 *db = nullptr;
    bool ok = sqlite3_open(path.toUtf8().constData(), &db) == SQLITE_OK &&
              sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(db);
    return ok;
}

QString makeCase(const QString &path, int extraPaths)
{
    auto db = CaseDatabase::open(path.toStdString());
    if (!db)
        return QString::fromStdString(db.error().message);
    auto tx = store::Transaction::begin(*db);
    if (!tx)
        return QString::fromStdString(tx.error().message);
    for (int i = 0; i < extraPaths; ++i) {
        auto insert = db->statement("INSERT INTO paths(path, name) VALUES(?1, ?2)");
        if (!insert || !insert->bind(1, "/usr/lib/lib" + std::to_string(i) + std::string(200, 'x')).bind(2, "n").run())
            return QStringLiteral("insert failed");
    }
    return tx->commit() ? QString() : QStringLiteral("commit failed");
}

enum class Bad { RandomBytes, ForeignSqlite, Truncated, NewerSchema, ViewInSchema, Damaged };

} // namespace

class TestCaseDatabase : public QObject {
    Q_OBJECT

private slots:
    void createsSchemaAndReopens()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("deep/er/case.sqlite"));
        {
            auto db = CaseDatabase::open(path.toStdString());
            QVERIFY2(db.ok(), db.ok() ? "" : db.error().message.c_str());
            QCOMPARE(db->schemaVersion(), CaseDatabase::kSchemaVersion);
            QCOMPARE(*db->queryInt("PRAGMA application_id"), std::int64_t(CaseDatabase::kApplicationId));
            QCOMPARE(*db->queryInt("PRAGMA foreign_keys"), std::int64_t(1));
            QCOMPARE(*db->queryInt("SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), std::int64_t(1));
            QCOMPARE(*db->queryInt("SELECT count(*) FROM schema_version"), std::int64_t(CaseDatabase::kSchemaVersion));
            QVERIFY(db->exec("INSERT INTO hosts(name) VALUES('h1')").ok());
        }
        auto again = CaseDatabase::open(path.toStdString(), OpenMode::ReadOnly);
        QVERIFY2(again.ok(), again.ok() ? "" : again.error().message.c_str());
        QCOMPARE(*again->queryInt("SELECT count(*) FROM hosts"), std::int64_t(1));
        QCOMPARE(*again->queryInt("SELECT count(*) FROM schema_version"), std::int64_t(CaseDatabase::kSchemaVersion));
        QVERIFY(!again->exec("INSERT INTO hosts(name) VALUES('h2')").ok());
    }

    void foreignKeysAreEnforced()
    {
        QTemporaryDir dir;
        auto db = CaseDatabase::open(dir.filePath(QStringLiteral("c.sqlite")).toStdString());
        QVERIFY(db.ok());
        auto s = db->exec("INSERT INTO snapshots(host_id, scanned_at, boot_id, kernel, os_release, machine, stats)"
                          " VALUES(42, 1, 'b', 'k', 'o', 'm', '{}')");
        QVERIFY(!s.ok());
        QVERIFY2(QString::fromStdString(s.error().message).contains(QLatin1String("FOREIGN KEY")), s.error().message.c_str());
    }

    void transactionRollsBackUnlessCommitted()
    {
        QTemporaryDir dir;
        auto db = CaseDatabase::open(dir.filePath(QStringLiteral("c.sqlite")).toStdString());
        QVERIFY(db.ok());
        {
            auto tx = store::Transaction::begin(*db);
            QVERIFY(tx.ok());
            QVERIFY(db->exec("INSERT INTO hosts(name) VALUES('gone')").ok());
        }
        QCOMPARE(*db->queryInt("SELECT count(*) FROM hosts"), std::int64_t(0));
        {
            auto tx = store::Transaction::begin(*db);
            QVERIFY(db->exec("INSERT INTO hosts(name) VALUES('kept')").ok());
            QVERIFY(tx->commit().ok());
        }
        QCOMPARE(*db->queryInt("SELECT count(*) FROM hosts"), std::int64_t(1));
    }

    void cachedStatementsAreReusable()
    {
        QTemporaryDir dir;
        auto db = CaseDatabase::open(dir.filePath(QStringLiteral("c.sqlite")).toStdString());
        QVERIFY(db.ok());
        for (int i = 0; i < 3; ++i) {
            auto insert = db->statement("INSERT INTO hosts(name) VALUES(?1)");
            QVERIFY(insert.ok());
            QCOMPARE(*insert->bind(1, "h" + std::to_string(i)).run(), std::int64_t(1));
        }
        auto duplicate = db->statement("INSERT INTO hosts(name) VALUES(?1)");
        QVERIFY(!duplicate->bind(1, "h1").run().ok());
        QCOMPARE(*db->queryInt("SELECT count(*) FROM hosts"), std::int64_t(3));
    }

    // A failed bind is reported with its parameter and cause, not with whatever SQLite's
    // connection says by the time the statement runs (after a later bind that succeeded, that
    // is "not an error").
    void bindErrorsNameTheParameterAndCause()
    {
        QTemporaryDir dir;
        auto db = CaseDatabase::open(dir.filePath(QStringLiteral("c.sqlite")).toStdString());
        QVERIFY(db.ok());
        {
            auto insert = db->statement("INSERT INTO hosts(name) VALUES(:name)");
            QVERIFY(insert.ok());
            auto ran = insert->bind(2, "x").bind(1, "h").run();
            QVERIFY(!ran.ok());
            const QString message = QString::fromStdString(ran.error().message);
            QVERIFY2(message.contains(QLatin1String("parameter 2")), qPrintable(message));
            QVERIFY2(message.contains(QLatin1String("out of range")), qPrintable(message));
            QVERIFY2(message.contains(QLatin1String("has 1 parameters")), qPrintable(message));
            QVERIFY2(!message.contains(QLatin1String("not an error")), qPrintable(message));
        }
        sqlite3_limit(db->handle(), SQLITE_LIMIT_LENGTH, 1000);
        {
            auto insert = db->statement("INSERT INTO hosts(name) VALUES(:name)");
            QVERIFY(insert.ok());
            auto ran = insert->bind(1, std::string(2000, 'a')).run();
            QVERIFY(!ran.ok());
            const QString message = QString::fromStdString(ran.error().message);
            QVERIFY2(message.contains(QLatin1String("parameter 1 (:name)")), qPrintable(message));
            QVERIFY2(message.contains(QLatin1String("2000 bytes")), qPrintable(message));
            QVERIFY2(message.contains(QLatin1String("too big")), qPrintable(message));
            QVERIFY2(message.contains(QLatin1String("INSERT INTO hosts")), qPrintable(message));
        }
        QCOMPARE(*db->queryInt("SELECT count(*) FROM hosts"), std::int64_t(0));
    }

    void missingFileReadOnly()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("absent.sqlite"));
        auto db = CaseDatabase::open(path.toStdString(), OpenMode::ReadOnly);
        QVERIFY(!db.ok());
        QVERIFY(QString::fromStdString(db.error().message).contains(path));
        QVERIFY(!QFile::exists(path));
    }

    void createNewRefusesExisting()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("b.llsnap"));
        QVERIFY(CaseDatabase::open(path.toStdString(), OpenMode::CreateNew).ok());
        auto again = CaseDatabase::open(path.toStdString(), OpenMode::CreateNew);
        QVERIFY(!again.ok());
        QVERIFY(QString::fromStdString(again.error().message).contains(QLatin1String("already exists")));
    }

    void rejectsBadFiles_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("cause");
        QTest::addRow("random bytes") << int(Bad::RandomBytes) << QStringLiteral("not a SQLite database");
        QTest::addRow("foreign sqlite") << int(Bad::ForeignSqlite) << QStringLiteral("another application");
        QTest::addRow("truncated case") << int(Bad::Truncated) << QStringLiteral("truncated");
        QTest::addRow("newer schema") << int(Bad::NewerSchema) << QStringLiteral("newer LoadLens (schema version 99");
        QTest::addRow("view in schema") << int(Bad::ViewInSchema) << QStringLiteral("views or triggers");
        QTest::addRow("damaged page") << int(Bad::Damaged) << QStringLiteral("damaged");
    }

    void rejectsBadFiles()
    {
        QFETCH(int, kind);
        QFETCH(QString, cause);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("colleague.llsnap"));
        switch (Bad(kind)) {
        case Bad::RandomBytes: {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QByteArray bytes(8192, '\0');
            for (auto &b : bytes)
                b = char(QRandomGenerator::global()->bounded(256));
            bytes[0] = 'X';  // never the SQLite magic by chance
            f.write(bytes);
            break;
        }
        case Bad::ForeignSqlite:
            QVERIFY(execRaw(path, "CREATE TABLE recipes(name TEXT); INSERT INTO recipes VALUES('bread');"));
            break;
        case Bad::Truncated: {
            QCOMPARE(makeCase(path, 2000), QString());
            QFile f(path);
            QVERIFY(f.size() > 100000);
            QVERIFY(f.resize(f.size() / 2));
            break;
        }
        case Bad::NewerSchema:
            QCOMPARE(makeCase(path, 1), QString());
            QVERIFY(execRaw(path, "INSERT INTO schema_version(version, applied_at) VALUES(99, 0)"));
            break;
        case Bad::ViewInSchema:
            QCOMPARE(makeCase(path, 1), QString());
            QVERIFY(execRaw(path, "CREATE VIEW modules_view AS SELECT * FROM paths"));
            break;
        case Bad::Damaged: {
            QCOMPARE(makeCase(path, 2000), QString());
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadWrite));
            // Overwrite an interior page (not the header) with garbage of the same length.
            QVERIFY(f.seek(4096 * 5));
            f.write(QByteArray(4096 * 3, char(0x5a)));
            break;
        }
        }
        const bool verify = Bad(kind) == Bad::Damaged;
        auto db = CaseDatabase::open(path.toStdString(), OpenMode::ReadOnly, verify);
        QVERIFY(!db.ok());
        const QString message = QString::fromStdString(db.error().message);
        QVERIFY2(message.contains(path), qPrintable(message));
        QVERIFY2(message.contains(cause), qPrintable(message));
        // Read-write opening refuses it too and leaves the file as it was.
        const QByteArray before = [&] { QFile f(path); f.open(QIODevice::ReadOnly); return f.readAll(); }();
        auto rw = CaseDatabase::open(path.toStdString(), OpenMode::ReadWrite, verify);
        QVERIFY(!rw.ok());
        QFile after(path);
        QVERIFY(after.open(QIODevice::ReadOnly));
        QCOMPARE(after.readAll(), before);
    }
};

QTEST_GUILESS_MAIN(TestCaseDatabase)
#include "tst_case_database.moc"
