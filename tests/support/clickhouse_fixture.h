#pragma once
// The clickhouse-server that the CTest fixture `clickhouse` starts for the tests that need one
// (tests/clickhouse/clickhouse_server.sh): $LOADLENS_TEST_CLICKHOUSE_DIR holds its url and the
// password of the user `analyst`.
#include <QByteArray>
#include <QString>

namespace loadlens::testing {

// A file of the fixture's directory ("url", "analyst.password"), trimmed; empty when the
// variable is unset or the file is missing.
QByteArray clickHouseFixtureFile(const char *name);

// The server's base URL, ending in '/'; empty when no server was started for this test.
QString clickHouseTestUrl();

} // namespace loadlens::testing
