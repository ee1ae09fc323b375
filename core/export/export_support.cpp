#include "export/export_support.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace loadlens::exporting {

std::string rfc3339FromMicros(std::int64_t micros, int fractionDigits)
{
    // Floor division so that times before 1970 still give a fraction in [0, 1).
    std::int64_t seconds = micros / 1000000;
    std::int64_t fraction = micros % 1000000;
    if (fraction < 0) {
        fraction += 1000000;
        --seconds;
    }
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    if (!::gmtime_r(&t, &tm))
        return "1970-01-01T00:00:00Z";
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    std::string out = buffer;
    if (fractionDigits > 0) {
        char digits[8];
        std::snprintf(digits, sizeof digits, "%06lld", static_cast<long long>(fraction));
        out += '.';
        out.append(digits, static_cast<std::size_t>(fractionDigits > 6 ? 6 : fractionDigits));
    }
    return out + "Z";
}

std::string rfc3339FromSeconds(std::int64_t seconds, int fractionDigits)
{
    return rfc3339FromMicros(seconds * 1000000, fractionDigits);
}

std::string fileNameOf(std::string_view path)
{
    const auto slash = path.find_last_of("/\\");
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string directoryOf(std::string_view path)
{
    const auto slash = path.find_last_of("/\\");
    if (slash == std::string_view::npos)
        return {};
    return std::string(slash == 0 ? path.substr(0, 1) : path.substr(0, slash));
}

std::string octalMode(std::uint32_t mode)
{
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%04o", mode & 07777u);
    return buffer;
}

std::string moduleFlags(const ModuleRecord &m)
{
    std::vector<std::string> flags;
    if (m.deleted)
        flags.emplace_back("deleted");
    if (m.memfd)
        flags.emplace_back("memfd");
    if (m.anonymousExec)
        flags.emplace_back("anonymous-exec");
    if (m.pseudo)
        flags.emplace_back("pseudo");
    return joined(flags, ",");
}

std::vector<std::string> reasonCodes(const Verdict &verdict)
{
    std::vector<std::string> codes;
    for (const auto &r : verdict.reasons)
        codes.push_back(r.code);
    return codes;
}

std::string joined(const std::vector<std::string> &parts, std::string_view separator)
{
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i)
            out += separator;
        out += parts[i];
    }
    return out;
}

std::string evidenceText(const Evidence &evidence)
{
    std::vector<std::string> parts;
    for (const auto &[key, value] : evidence)
        parts.push_back(key + "=" + value);
    return joined(parts, "; ");
}

std::map<std::string, std::string> parseSysmonHashes(std::string_view hashes)
{
    std::map<std::string, std::string> out;
    while (!hashes.empty()) {
        const auto comma = hashes.find(',');
        std::string_view part = hashes.substr(0, comma);
        hashes = comma == std::string_view::npos ? std::string_view() : hashes.substr(comma + 1);
        const auto eq = part.find('=');
        if (eq == std::string_view::npos || eq == 0 || eq + 1 >= part.size())
            continue;
        std::string name, digest;
        for (char c : part.substr(0, eq))
            if (!std::isspace(static_cast<unsigned char>(c)))
                name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        bool hex = true;
        for (char c : part.substr(eq + 1)) {
            if (std::isspace(static_cast<unsigned char>(c)))
                continue;
            hex = hex && std::isxdigit(static_cast<unsigned char>(c));
            digest += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        if (!name.empty() && !digest.empty() && hex)
            out[name] = digest;
    }
    return out;
}

const FileFacts *factsFor(const ScanResult &scan, const ModuleRecord &module)
{
    if (module.anonymousExec || module.pseudo)
        return nullptr;
    const auto it = scan.files.find(module.file);
    return it == scan.files.end() ? nullptr : &it->second;
}

} // namespace loadlens::exporting
