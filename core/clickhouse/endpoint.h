#pragma once
// Where a ClickHouse server is and who we are on it: clickhouse://host[:port]/database (plain
// HTTP) or clickhouses://host[:port]/database (HTTPS). Credentials never travel in the URL (it
// shows in process lists, shell history and case metadata): they come from the environment or
// from a private config file.
#include "common/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loadlens::clickhouse {

struct Endpoint {
    bool tls = false;
    std::string host;                 // name, IPv4 or IPv6 (without the brackets)
    std::uint16_t port = 8123;        // default 8123; 8443 for clickhouses://
    std::string database;             // required: [A-Za-z0-9_]+ (one path segment)
    std::string user = "default";
    std::string password;

    // "clickhouse://host:port/db" (IPv6 in brackets), never the credentials.
    std::string display() const;
    // "host:port" as the HTTP Host header wants it (IPv6 in brackets).
    std::string hostHeader() const;
};

// True when the text starts with clickhouse:// or clickhouses:// (scheme case-insensitive).
bool isClickHouseUrl(std::string_view text);

// Parses clickhouse[s]://host[:port]/database[/]. IPv6 addresses go in [brackets]. A user or
// password in the URL (user:password@host) is refused with a message saying where credentials
// go; so are query strings, fragments, empty hosts and database names outside [A-Za-z0-9_]+.
Result<Endpoint> parseUrl(std::string_view url);

struct CredentialSources {
    std::optional<std::string> user, password;   // LOADLENS_CLICKHOUSE_USER / LOADLENS_CLICKHOUSE_PASSWORD
    std::string configFile;                      // default $HOME/.config/loadlens/clickhouse.conf
    static CredentialSources fromEnvironment();
};

// Environment first: when either variable is set, the environment is the only source (an unset
// one keeps the endpoint's value) and the file is not read. Else the config file: "user = NAME"
// and "password = SECRET" lines, blank lines and lines starting with # ignored, the value is
// the rest of the line with surrounding blanks removed. The file is refused (clear error) unless
// it is a regular file owned by the caller (effective uid) and not readable or writable by group
// or others; a missing file is fine (defaults stay).
Status loadCredentials(Endpoint &endpoint, const CredentialSources &sources);

} // namespace loadlens::clickhouse
