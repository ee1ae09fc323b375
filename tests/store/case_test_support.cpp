#include "case_test_support.h"

#include "scan/scanner.h"
#include "store/snapshot_writer.h"

#include <sqlite3.h>

namespace loadlens::testing {

ScanResult scanPid(int pid)
{
    scan::ScanOptions options;
    options.pid = pid;
    return scan::runScan(options);
}

QString writeBundle(const QString &path, const ScanResult &scan, const store::HostFacts &facts)
{
    auto db = store::CaseDatabase::open(path.toStdString(), store::OpenMode::CreateNew);
    if (!db)
        return QString::fromStdString(db.error().message);
    store::SnapshotWriter writer(*db);
    auto id = writer.write(scan, facts);
    return id ? QString() : QString::fromStdString(id.error().message);
}

qint64 countRows(const store::CaseDatabase &db, const QString &fromWhere)
{
    auto n = db.queryInt("SELECT count(*) FROM " + fromWhere.toStdString());
    return n ? *n : -1;
}

QString integrityOf(const QString &path)
{
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return QStringLiteral("cannot open");
    }
    QString result;
    for (const char *sql : {"PRAGMA integrity_check", "PRAGMA foreign_key_check"}) {
        sqlite3_stmt *stmt = nullptr;
        if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
            result += QString::fromUtf8(sqlite3_errmsg(db));
            continue;
        }
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            const auto *text = sqlite3_column_text(stmt, 0);
            const QString line = text ? QString::fromUtf8(reinterpret_cast<const char *>(text)) : QStringLiteral("?");
            if (line != QLatin1String("ok"))
                result += line + QLatin1Char('\n');
        }
        sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return result.isEmpty() ? QStringLiteral("ok") : result;
}

} // namespace loadlens::testing
