#include "clickhouse/endpoint.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace loadlens::clickhouse {
namespace {

constexpr std::string_view kPlainScheme = "clickhouse://";
constexpr std::string_view kTlsScheme = "clickhouses://";
constexpr std::string_view kCredentialsHint =
    "credentials do not belong in the URL (it shows in process lists and shell history): set "
    "LOADLENS_CLICKHOUSE_USER and LOADLENS_CLICKHOUSE_PASSWORD, or put 'user = NAME' and "
    "'password = SECRET' lines in ~/.config/loadlens/clickhouse.conf (mode 600)";

bool startsWithNoCase(std::string_view text, std::string_view prefix)
{
    if (text.size() < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
        if (c != prefix[i])
            return false;
    }
    return true;
}

bool isHostNameChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
        || c == '_';
}

bool isDatabaseChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

Error urlError(std::string_view url, std::string_view why)
{
    // The URL is quoted only up to any '@' so that a password typed into it is not echoed.
    std::string shown(url);
    if (const auto at = shown.find('@'); at != std::string::npos) {
        const auto authority = shown.find("://");
        shown = shown.substr(0, authority == std::string::npos ? 0 : authority + 3) + "...@" + shown.substr(at + 1);
    }
    return Error{EINVAL, "invalid ClickHouse URL '" + shown + "': " + std::string(why)};
}

std::string_view trim(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
        text.remove_suffix(1);
    return text;
}

} // namespace

std::string Endpoint::hostHeader() const
{
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string Endpoint::display() const
{
    return std::string(tls ? kTlsScheme : kPlainScheme) + hostHeader() + "/" + database;
}

bool isClickHouseUrl(std::string_view text)
{
    return startsWithNoCase(text, kPlainScheme) || startsWithNoCase(text, kTlsScheme);
}

Result<Endpoint> parseUrl(std::string_view url)
{
    Endpoint endpoint;
    std::string_view rest;
    if (startsWithNoCase(url, kPlainScheme)) {
        rest = url.substr(kPlainScheme.size());
    } else if (startsWithNoCase(url, kTlsScheme)) {
        endpoint.tls = true;
        endpoint.port = 8443;
        rest = url.substr(kTlsScheme.size());
    } else {
        return urlError(url, "the scheme must be clickhouse:// (HTTP) or clickhouses:// (HTTPS)");
    }
    const auto slash = rest.find('/');
    const std::string_view authority = rest.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (authority.find('@') != std::string_view::npos)
        return urlError(url, kCredentialsHint);

    std::string_view portText;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos)
            return urlError(url, "an IPv6 address needs its closing ']'");
        endpoint.host = std::string(authority.substr(1, close - 1));
        in6_addr address{};
        if (inet_pton(AF_INET6, endpoint.host.c_str(), &address) != 1)
            return urlError(url, "'" + endpoint.host + "' is not an IPv6 address");
        const auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':')
                return urlError(url, "unexpected text after the IPv6 address");
            portText = after.substr(1);
            if (portText.empty())
                return urlError(url, "empty port");
        }
    } else {
        const auto colon = authority.find(':');
        if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos)
            return urlError(url, "IPv6 addresses go in brackets: clickhouse://[::1]:8123/db");
        endpoint.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            portText = authority.substr(colon + 1);
            if (portText.empty())
                return urlError(url, "empty port");
        }
        for (char c : endpoint.host) {
            if (!isHostNameChar(c))
                return urlError(url, "the host name has a character outside letters, digits, '-', '_' and '.' "
                                     "(IPv6 addresses go in brackets)");
        }
    }
    if (endpoint.host.empty())
        return urlError(url, "no host");
    if (!portText.empty()) {
        unsigned value = 0;
        for (char c : portText) {
            if (c < '0' || c > '9' || value > 65535)
                return urlError(url, "the port must be a number from 1 to 65535");
            value = value * 10 + unsigned(c - '0');
        }
        if (value == 0 || value > 65535)
            return urlError(url, "the port must be a number from 1 to 65535");
        endpoint.port = std::uint16_t(value);
    }
    if (path.find_first_of("?#") != std::string_view::npos)
        return urlError(url, "query strings and fragments are not supported; settings are not given in the URL");
    if (!path.empty() && path.back() == '/')
        path.remove_suffix(1);
    if (path.empty())
        return urlError(url, "no database: the URL ends in /DATABASE (e.g. clickhouse://host:8123/loadlens)");
    for (char c : path) {
        if (!isDatabaseChar(c))
            return urlError(url, "the database name must be one path segment of letters, digits and '_'");
    }
    endpoint.database = std::string(path);
    return endpoint;
}

CredentialSources CredentialSources::fromEnvironment()
{
    CredentialSources sources;
    if (const char *user = std::getenv("LOADLENS_CLICKHOUSE_USER"))
        sources.user = std::string(user);
    if (const char *password = std::getenv("LOADLENS_CLICKHOUSE_PASSWORD"))
        sources.password = std::string(password);
    // No passwd lookup when HOME is unset: getpwuid needs NSS, which the static CLI lacks.
    if (const char *home = std::getenv("HOME"); home && *home)
        sources.configFile = std::string(home) + "/.config/loadlens/clickhouse.conf";
    return sources;
}

Status loadCredentials(Endpoint &endpoint, const CredentialSources &sources)
{
    if (sources.user || sources.password) {
        if (sources.user)
            endpoint.user = *sources.user;
        if (sources.password)
            endpoint.password = *sources.password;
        return Ok{};
    }
    if (sources.configFile.empty())
        return Ok{};
    const std::string &path = sources.configFile;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT)
            return Ok{};
        return Error::fromErrno(errno, "cannot read ClickHouse credentials " + path);
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return Error::fromErrno(errno, "cannot read ClickHouse credentials " + path);
    if (!S_ISREG(st.st_mode))
        return Error{EPERM, "ClickHouse credentials " + path + " refused: not a regular file"};
    if (st.st_uid != ::geteuid())
        return Error{EPERM, "ClickHouse credentials " + path + " refused: owned by uid " + std::to_string(st.st_uid)
                                + ", not by the user running LoadLens (uid " + std::to_string(::geteuid()) + ")"};
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%03o", unsigned(st.st_mode & 0777));
        return Error{EPERM, "ClickHouse credentials " + path + " refused: mode " + mode
                                + " lets group or others read or write it (chmod 600 " + path + ")"};
    }
    if (st.st_size > 64 * 1024)
        return Error{EFBIG, "ClickHouse credentials " + path + " refused: larger than 64 KiB"};
    std::string text;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return Error::fromErrno(errno, "cannot read ClickHouse credentials " + path);
        }
        if (n == 0)
            break;
        text.append(buffer, std::size_t(n));
        if (text.size() > 64 * 1024)
            return Error{EFBIG, "ClickHouse credentials " + path + " refused: larger than 64 KiB"};
    }
    std::optional<std::string> user, password;
    std::size_t lineNumber = 0;
    std::string_view rest(text);
    while (!rest.empty()) {
        const auto end = rest.find('\n');
        const std::string_view line = trim(rest.substr(0, end));
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
        ++lineNumber;
        if (line.empty() || line.front() == '#')
            continue;
        const auto equals = line.find('=');
        const std::string where = path + " line " + std::to_string(lineNumber);
        if (equals == std::string_view::npos)
            return Error{EINVAL, where + ": expected 'user = NAME' or 'password = SECRET'"};
        const std::string_view key = trim(line.substr(0, equals));
        const std::string value(trim(line.substr(equals + 1)));
        if (key == "user") {
            if (value.empty())
                return Error{EINVAL, where + ": empty user name"};
            user = value;
        } else if (key == "password") {
            password = value;
        } else {
            return Error{EINVAL, where + ": unknown key '" + std::string(key) + "' (user, password)"};
        }
    }
    if (user)
        endpoint.user = *user;
    if (password)
        endpoint.password = *password;
    return Ok{};
}

} // namespace loadlens::clickhouse
