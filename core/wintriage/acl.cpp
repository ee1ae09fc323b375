#include "wintriage/acl.h"

#include "common/utf16.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

namespace loadlens::wintriage {

namespace {

constexpr std::uint32_t kFileGenericRead = 0x120089;
constexpr std::uint32_t kFileGenericWrite = 0x120116;
constexpr std::uint32_t kFileGenericExecute = 0x1200a0;
constexpr std::uint32_t kFileAllAccess = 0x1f01ff;
constexpr std::uint32_t kGenericRead = 0x80000000u;
constexpr std::uint32_t kGenericExecute = 0x20000000u;

// The SDDL access-right letter codes (sddl.h), two letters each.
std::optional<std::uint32_t> rightCode(std::string_view code)
{
    static const std::pair<const char *, std::uint32_t> codes[] = {
        {"GA", rights::kGenericAll}, {"GR", kGenericRead}, {"GW", rights::kGenericWrite}, {"GX", kGenericExecute},
        {"RC", 0x20000},  {"SD", 0x10000},  {"WD", rights::kWriteDac}, {"WO", rights::kWriteOwner},
        {"RP", 0x10},     {"WP", 0x20},     {"CC", 0x1},     {"DC", 0x2},     {"LC", 0x4},     {"SW", 0x8},
        {"LO", 0x80},     {"DT", 0x40},     {"CR", 0x100},   {"FA", kFileAllAccess}, {"FR", kFileGenericRead},
        {"FW", kFileGenericWrite}, {"FX", kFileGenericExecute}, {"KA", 0xf003f}, {"KR", 0x20019},
        {"KW", 0x20006},  {"KX", 0x20019},  {"NR", 0x1},     {"NW", 0x2},     {"NX", 0x4},
    };
    for (const auto &[name, value] : codes)
        if (code == name)
            return value;
    return std::nullopt;
}

// Generic rights in an ACE stand for the file-specific ones (the file object's generic mapping).
std::uint32_t mapGeneric(std::uint32_t mask)
{
    if (mask & rights::kGenericAll)
        mask |= kFileAllAccess;
    if (mask & rights::kGenericWrite)
        mask |= kFileGenericWrite;
    if (mask & kGenericRead)
        mask |= kFileGenericRead;
    if (mask & kGenericExecute)
        mask |= kFileGenericExecute;
    return mask & ~(rights::kGenericAll | rights::kGenericWrite | kGenericRead | kGenericExecute);
}

Result<std::uint32_t> parseRights(std::string_view text)
{
    if (text.empty())
        return Error{0, "empty rights"};
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        std::uint64_t value = 0;
        for (const char c : text.substr(2)) {
            const int digit = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                              : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
            if (digit < 0 || value > 0xfffffffu)
                return Error{0, "bad hex rights \"" + std::string(text.substr(0, 40)) + "\""};
            value = value * 16 + std::uint64_t(digit);
        }
        return std::uint32_t(value);
    }
    if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        if (text.size() > 10)
            return Error{0, "rights number too large"};
        const std::uint64_t value = std::stoull(std::string(text));
        if (value > 0xffffffffu)
            return Error{0, "rights number too large"};
        return std::uint32_t(value);
    }
    if (text.size() % 2)
        return Error{0, "rights \"" + std::string(text.substr(0, 40)) + "\" are not two-letter codes"};
    std::uint32_t mask = 0;
    for (std::size_t i = 0; i < text.size(); i += 2) {
        const auto bit = rightCode(text.substr(i, 2));
        if (!bit)
            return Error{0, "unknown right \"" + std::string(text.substr(i, 2)) + "\""};
        mask |= *bit;
    }
    return mask;
}

std::vector<std::string_view> split(std::string_view text, char separator)
{
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = text.find(separator, start);
        parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos)
            return parts;
        start = end + 1;
    }
}

// SDDL SID aliases to SID strings, for the ones the decision needs to tell apart.
std::string canonicalSid(std::string_view sid)
{
    static const std::pair<const char *, const char *> aliases[] = {
        {"WD", "S-1-1-0"},       {"AU", "S-1-5-11"},      {"BU", "S-1-5-32-545"}, {"IU", "S-1-5-4"},
        {"BA", "S-1-5-32-544"},  {"SY", "S-1-5-18"},      {"LS", "S-1-5-19"},     {"NS", "S-1-5-20"},
        {"CO", "S-1-3-0"},       {"CG", "S-1-3-1"},       {"OW", "S-1-3-4"},      {"BG", "S-1-5-32-546"},
        {"PU", "S-1-5-32-547"},  {"AN", "S-1-5-7"},       {"AC", "S-1-15-2-1"},   {"NU", "S-1-5-2"},
        {"SU", "S-1-5-6"},       {"BO", "S-1-5-32-551"},  {"SO", "S-1-5-32-549"}, {"RD", "S-1-5-32-555"},
    };
    for (const auto &[alias, value] : aliases)
        if (sid == alias)
            return value;
    std::string out(sid);
    for (auto &c : out)
        if (c == 's')
            c = 'S';
    return out;
}

// The groups every interactive user holds.
const std::set<std::string> &everyUser()
{
    static const std::set<std::string> groups = {"S-1-1-0", "S-1-5-11", "S-1-5-32-545", "S-1-5-4"};
    return groups;
}

// A SID of one account or domain group that is not an administrator's: S-1-5-21-... (local
// and domain accounts) and S-1-12-1-... (Entra ID), other than the administrative RIDs.
bool isOrdinaryAccount(const std::string &sid)
{
    const bool domain = sid.rfind("S-1-5-21-", 0) == 0;
    const bool entra = sid.rfind("S-1-12-1-", 0) == 0;
    if (!domain && !entra)
        return false;
    if (domain) {
        const std::string rid = sid.substr(sid.rfind('-') + 1);
        static const std::set<std::string> admin = {"498", "500", "502", "512", "516", "518", "519", "520", "521", "526", "527"};
        if (admin.count(rid))
            return false;
    }
    return true;
}

std::string describe(const std::string &sid, std::string_view written)
{
    static const std::pair<const char *, const char *> names[] = {
        {"S-1-1-0", "Everyone"}, {"S-1-5-11", "Authenticated Users"}, {"S-1-5-32-545", "Users"}, {"S-1-5-4", "Interactive"},
    };
    for (const auto &[value, name] : names)
        if (sid == value)
            return std::string(written) + " (" + name + ")";
    return std::string(written);
}

std::string fold(std::string_view text)
{
    std::string out(text);
    for (auto &c : out)
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
    return out;
}

} // namespace

Result<Dacl> parseSddlDacl(std::string_view sddl)
{
    while (!sddl.empty() && (sddl.back() == ' ' || sddl.back() == '\r' || sddl.back() == '\n'))
        sddl.remove_suffix(1);
    Dacl dacl;
    dacl.null = true; // no D: part at all
    std::size_t at = 0;
    auto component = [&](std::size_t pos) {
        return pos + 1 < sddl.size() && sddl[pos + 1] == ':' &&
               (sddl[pos] == 'O' || sddl[pos] == 'G' || sddl[pos] == 'D' || sddl[pos] == 'S');
    };
    while (at < sddl.size()) {
        if (!component(at))
            return Error{0, "SDDL component expected at offset " + std::to_string(at)};
        const char which = sddl[at];
        at += 2;
        if (which == 'O' || which == 'G') {
            // A two-letter alias or an S-1-... string.
            if (at + 1 < sddl.size() && sddl[at] == 'S' && sddl[at + 1] == '-') {
                at += 2;
                while (at < sddl.size() && ((sddl[at] >= '0' && sddl[at] <= '9') || sddl[at] == '-'))
                    ++at;
            } else {
                at += 2;
            }
            continue;
        }
        std::string control;
        while (at < sddl.size() && sddl[at] != '(' && !component(at))
            control += sddl[at++];
        if (which == 'D') {
            dacl.null = control.find("NO_ACCESS_CONTROL") != std::string::npos;
            dacl.control = control;
        }
        while (at < sddl.size() && sddl[at] == '(') {
            const std::size_t close = sddl.find(')', at);
            if (close == std::string_view::npos)
                return Error{0, "unterminated ACE at offset " + std::to_string(at)};
            const std::string_view text = sddl.substr(at + 1, close - at - 1);
            at = close + 1;
            if (which != 'D')
                continue;
            if (dacl.aces.size() >= acl_limits::kMaxAces)
                return Error{0, "more than " + std::to_string(acl_limits::kMaxAces) + " ACEs"};
            const auto fields = split(text, ';');
            if (fields.size() < 6)
                return Error{0, "ACE \"" + std::string(text.substr(0, 80)) + "\" has " + std::to_string(fields.size()) +
                                    " fields, not 6"};
            if (fields[0] != "A" && fields[0] != "D")
                continue; // object, callback and audit ACEs do not decide file access here
            Ace ace;
            ace.type = fields[0][0];
            ace.flags = std::string(fields[1]);
            if (ace.flags.size() % 2)
                return Error{0, "ACE flags \"" + ace.flags.substr(0, 40) + "\" are not two-letter codes"};
            for (std::size_t i = 0; i < ace.flags.size(); i += 2) {
                const std::string_view flag = std::string_view(ace.flags).substr(i, 2);
                static const char *known[] = {"CI", "OI", "NP", "IO", "ID", "SA", "FA", "TP", "CR"};
                if (std::none_of(std::begin(known), std::end(known), [&](const char *k) { return flag == k; }))
                    return Error{0, "unknown ACE flag \"" + std::string(flag) + "\""};
                ace.inheritOnly |= flag == "IO";
            }
            auto mask = parseRights(fields[2]);
            if (!mask)
                return Error{0, "ACE \"" + std::string(text.substr(0, 80)) + "\": " + mask.error().message};
            ace.mask = mapGeneric(*mask);
            ace.sid = std::string(fields[5]);
            if (ace.sid.empty() || ace.sid.size() > 256)
                return Error{0, "ACE \"" + std::string(text.substr(0, 80)) + "\" names no valid SID"};
            ace.text = "(" + std::string(text) + ")";
            dacl.aces.push_back(std::move(ace));
        }
        if (at < sddl.size() && !component(at))
            return Error{0, "unexpected \"" + std::string(sddl.substr(at, 20)) + "\" at offset " + std::to_string(at)};
    }
    return dacl;
}

WriteDecision nonAdminCanCreateFiles(const Dacl &dacl)
{
    constexpr std::uint32_t kCreate = rights::kFileAddFile | rights::kWriteDac | rights::kWriteOwner;
    if (dacl.null)
        return {true, "everyone", "no DACL (NO_ACCESS_CONTROL): every account has full access"};
    // The tokens to try: an ordinary user holding only the groups every user holds, and the same
    // user as each ordinary account the DACL names.
    std::vector<std::string> accounts = {""};
    for (const auto &ace : dacl.aces) {
        const std::string sid = canonicalSid(ace.sid);
        if (isOrdinaryAccount(sid) && std::find(accounts.begin(), accounts.end(), sid) == accounts.end())
            accounts.push_back(sid);
    }
    for (const auto &account : accounts) {
        std::uint32_t granted = 0, denied = 0;
        for (const auto &ace : dacl.aces) {
            if (ace.inheritOnly)
                continue;
            const std::string sid = canonicalSid(ace.sid);
            if (!everyUser().count(sid) && sid != account)
                continue;
            if (ace.type == 'D') {
                denied |= ace.mask & ~granted;
            } else {
                const std::uint32_t newly = ace.mask & ~denied & ~granted;
                granted |= newly;
                if (newly & kCreate)
                    return {true, describe(sid, ace.sid), ace.text};
            }
        }
    }
    return {};
}

std::string aclKey(std::string_view path)
{
    std::string p(path);
    std::replace(p.begin(), p.end(), '/', '\\');
    if (p.rfind("\\\\?\\", 0) == 0)
        p = p.substr(4);
    if (p.size() >= 2 && p[1] == ':' && ((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z'))
        p = p.substr(2);
    while (!p.empty() && p.front() == '\\')
        p.erase(p.begin());
    while (!p.empty() && p.back() == '\\')
        p.pop_back();
    return fold(p);
}

void AclCollection::problem(std::string text)
{
    if (m_problems.size() < acl_limits::kMaxProblems)
        m_problems.push_back(std::move(text));
    else if (++m_droppedProblems == 1)
        m_problems.back() = "further damaged ACL entries were not listed";
}

Status AclCollection::addIcaclsSave(const std::string &path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return Error::fromErrno(errno, "cannot read " + path);
    if (!S_ISREG(st.st_mode))
        return Error{0, path + ": not a regular file"};
    if (std::uint64_t(st.st_size) > acl_limits::kMaxFileBytes)
        return Error{EFBIG, path + ": larger than " + std::to_string(acl_limits::kMaxFileBytes) + " bytes"};
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Error::fromErrno(errno, "cannot read " + path);
    std::string bytes(std::size_t(st.st_size), '\0');
    in.read(bytes.data(), std::streamsize(bytes.size()));
    if (!in)
        return Error{EIO, "cannot read " + path + " to its end"};
    return addIcaclsSaveBytes(bytes, path);
}

Status AclCollection::addIcaclsSaveBytes(std::string_view bytes, const std::string &name)
{
    if (bytes.size() > acl_limits::kMaxFileBytes)
        return Error{EFBIG, name + ": larger than " + std::to_string(acl_limits::kMaxFileBytes) + " bytes"};
    if (bytes.size() >= 2 && std::uint8_t(bytes[0]) == 0xff && std::uint8_t(bytes[1]) == 0xfe)
        bytes.remove_prefix(2);
    // icacls writes UTF-16LE: every name starts with an ASCII character, so its second byte is 0.
    if (bytes.size() < 2 || bytes[1] != '\0' || bytes[0] == '\0')
        return Error{0, name + ": not an icacls /save file (UTF-16LE text expected)"};
    std::size_t line = 0, added = 0;
    std::string pending;
    std::size_t pendingLine = 0;
    std::size_t start = 0;
    const auto *data = reinterpret_cast<const std::uint8_t *>(bytes.data());
    while (start + 1 < bytes.size()) {
        std::size_t end = start;
        while (end + 1 < bytes.size() && !(data[end] == '\n' && data[end + 1] == 0))
            end += 2;
        ++line;
        std::size_t length = end - start;
        if (length >= 2 && data[end - 2] == '\r' && data[end - 1] == 0)
            length -= 2;
        const std::size_t next = end + 2;
        if (length > 2 * acl_limits::kMaxLineBytes) {
            problem(name + ":" + std::to_string(line) + ": line longer than " + std::to_string(acl_limits::kMaxLineBytes) +
                    " characters, skipped");
            pending.clear();
            start = next;
            continue;
        }
        const std::string text = utf8FromUtf16({data + start, length});
        start = next;
        if (text.empty())
            continue;
        const bool sddl = text.size() >= 2 && text[1] == ':' && (text[0] == 'D' || text[0] == 'O' || text[0] == 'G' || text[0] == 'S') &&
                          (text.size() == 2 || text[2] == '(' || (text[2] >= 'A' && text[2] <= 'Z') || text[2] == 'S');
        if (!sddl) {
            if (!pending.empty())
                problem(name + ":" + std::to_string(pendingLine) + ": \"" + pending.substr(0, 120) + "\" has no SDDL line");
            pending = text;
            pendingLine = line;
            continue;
        }
        if (pending.empty()) {
            problem(name + ":" + std::to_string(line) + ": an SDDL line without a path before it");
            continue;
        }
        if (m_entries.size() >= acl_limits::kMaxEntries) {
            problem(name + ": stopped after " + std::to_string(acl_limits::kMaxEntries) + " entries");
            break;
        }
        // The first file given for a path wins, as the first ACE list collected.
        m_entries.try_emplace(aclKey(pending), Entry{text, name + ":" + std::to_string(line)});
        ++added;
        pending.clear();
    }
    if (!pending.empty())
        problem(name + ":" + std::to_string(pendingLine) + ": \"" + pending.substr(0, 120) + "\" has no SDDL line");
    if (!added)
        return Error{0, name + ": no path and SDDL pair found (not an icacls /save file?)"};
    m_sources.push_back(name);
    return Ok{};
}

const AclCollection::Entry *AclCollection::entryFor(std::string_view windowsPath) const
{
    const auto it = m_entries.find(aclKey(windowsPath));
    return it == m_entries.end() ? nullptr : &it->second;
}

const std::string *AclCollection::sddlFor(std::string_view windowsPath) const
{
    const auto *entry = entryFor(windowsPath);
    return entry ? &entry->sddl : nullptr;
}

} // namespace loadlens::wintriage
