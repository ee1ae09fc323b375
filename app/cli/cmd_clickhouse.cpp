// loadlens-cli clickhouse-ping: checks that a ClickHouse server answers at a clickhouse:// or
// clickhouses:// URL with the configured credentials, before cases are put there.
#include "arg_parser.h"
#include "cmd_case_support.h"
#include "command_registry.h"
#include "clickhouse/client.h"

#include <iostream>

namespace loadlens::cli {

namespace {

int runClickHousePing(const std::vector<std::string> &args)
{
    ArgParser parser;
    parser.option("--ca-file").option("--timeout");
    if (auto s = parser.parse(args); !s)
        return failWith(s.error().message, 2);
    if (parser.positional().size() != 1)
        return failWith("clickhouse-ping needs one URL: clickhouse://HOST[:PORT]/DATABASE or clickhouses://...", 2);
    auto endpoint = clickhouse::parseUrl(parser.positional().front());
    if (!endpoint)
        return failWith(endpoint.error().message, 2);
    clickhouse::ClientOptions options;
    if (auto ca = parser.value("--ca-file"))
        options.caFile = *ca;
    auto timeout = parser.integer("--timeout");
    if (!timeout)
        return failWith(timeout.error().message, 2);
    if (*timeout) {
        if (**timeout < 1 || **timeout > 3600)
            return failWith("--timeout takes seconds from 1 to 3600", 2);
        options.connectTimeoutMs = options.ioTimeoutMs = int(**timeout) * 1000;
    }
    if (auto loaded = clickhouse::loadCredentials(*endpoint, clickhouse::CredentialSources::fromEnvironment()); !loaded)
        return failWith(loaded.error().message, 1);

    clickhouse::Client client(*endpoint, options);
    if (auto pinged = client.ping(); !pinged)
        return failWith(pinged.error().message, 1);
    // The version, and whether the user may use the database (the request names it).
    auto version = client.query("SELECT version()");
    if (!version)
        return failWith(version.error().message, 1);
    std::string text = *version;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    std::cout << endpoint->display() << ": ClickHouse " << text << ", user " << endpoint->user << ", database "
              << endpoint->database << "\n";
    return 0;
}

} // namespace

LOADLENS_CLI_COMMAND({"clickhouse-ping", "check that a ClickHouse server answers with the configured credentials",
                      R"(Usage: loadlens-cli clickhouse-ping URL [--ca-file FILE] [--timeout SECONDS]

Connects to the ClickHouse server at URL over its HTTP interface, checks /ping and runs
SELECT version() in the database of the URL. URL is clickhouse://HOST[:PORT]/DATABASE (HTTP,
port 8123 by default) or clickhouses://HOST[:PORT]/DATABASE (HTTPS, port 8443); IPv6 addresses
go in brackets. Credentials never go in the URL: LOADLENS_CLICKHOUSE_USER and
LOADLENS_CLICKHOUSE_PASSWORD, else 'user = NAME' and 'password = SECRET' lines in
~/.config/loadlens/clickhouse.conf (a file of yours, mode 600). The static loadlens-cli
resolves numeric addresses, localhost and /etc/hosts names only.

Options:
  --ca-file FILE      trust this CA for clickhouses:// besides the system's (also LOADLENS_CLICKHOUSE_CA)
  --timeout SECONDS   connect and I/O timeout (default 10 s to connect, 300 s to answer)

Exit status: 0 the server answered, 1 it did not (unreachable, TLS, authentication, server error),
2 bad arguments.

Example:
  loadlens-cli clickhouse-ping clickhouses://ch.example.org/loadlens
)",
                      &runClickHousePing});

} // namespace loadlens::cli
