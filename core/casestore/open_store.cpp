#include "casestore/case_store.h"
#include "casestore/clickhouse_store.h"
#include "clickhouse/endpoint.h"

#include <sys/stat.h>

namespace loadlens::casestore {

std::unique_ptr<CaseStore> ownedSqliteStore(store::CaseDatabase &&db);

bool isServerLocation(const std::string &location) { return clickhouse::isClickHouseUrl(location); }

Status caseFileExists(const std::string &path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return Error{ENOENT, "no case at " + path +
                                 " (import bundles with 'loadlens-cli import', or name one with --case FILE)"};
    return Ok{};
}

Result<std::unique_ptr<CaseStore>> openStore(const std::string &location, const OpenOptions &options)
{
    if (isServerLocation(location)) {
        auto endpoint = clickhouse::parseUrl(location);
        if (!endpoint)
            return endpoint.error();
        auto sources = clickhouse::CredentialSources::fromEnvironment();
        if (!options.credentialsFile.empty())
            sources.configFile = options.credentialsFile;
        if (auto s = clickhouse::loadCredentials(*endpoint, sources); !s)
            return s.error();
        ClickHouseStoreOptions storeOptions;
        if (options.batchRows > 0)
            storeOptions.batchRows = options.batchRows;
        return openClickHouseStore(std::move(*endpoint), options.mode, storeOptions);
    }
    if (options.mode == store::OpenMode::ReadOnly)
        if (auto exists = caseFileExists(location); !exists)
            return exists.error();
    auto db = store::CaseDatabase::open(location, options.mode);
    if (!db)
        return db.error();
    return ownedSqliteStore(std::move(*db));
}

} // namespace loadlens::casestore
