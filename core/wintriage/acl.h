#pragma once
// Directory ACLs collected on the Windows host, as responders commonly save them:
// `icacls C:\ /save acls.txt /t /c` writes a UTF-16LE file with, for each object, a line with
// its path (relative to the saved root) and a line with its DACL in SDDL. From the DACL the
// triage decides whether a non-administrator can create files in a directory (and so plant a
// DLL there). The reader is bounded in bytes, lines and ACEs; damaged entries are noted and
// skipped, never guessed.
#include "common/result.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::wintriage {

namespace acl_limits {
inline constexpr std::uint64_t kMaxFileBytes = 1ull << 30;  // icacls of a whole volume: hundreds of MB
inline constexpr std::size_t kMaxEntries = 4u << 20;
inline constexpr std::size_t kMaxLineBytes = 64u << 10;     // a DACL of 64 KiB is the NTFS maximum
inline constexpr std::size_t kMaxAces = 1024;
inline constexpr std::size_t kMaxProblems = 64;
} // namespace acl_limits

// Access-mask bits the decision uses.
namespace rights {
inline constexpr std::uint32_t kFileAddFile = 0x2;          // FILE_WRITE_DATA on a file
inline constexpr std::uint32_t kWriteDac = 0x40000;
inline constexpr std::uint32_t kWriteOwner = 0x80000;
inline constexpr std::uint32_t kGenericAll = 0x10000000;
inline constexpr std::uint32_t kGenericWrite = 0x40000000;
} // namespace rights

struct Ace {
    char type = 'A';            // 'A' allow, 'D' deny (other types are kept out of the list)
    std::string flags;          // SDDL inheritance flags as written: "OICIID"
    bool inheritOnly = false;   // IO: applies to children only, not to the directory itself
    std::uint32_t mask = 0;     // with generic rights mapped to the file-specific ones
    std::string sid;            // as written: "BU" or "S-1-5-21-..."
    std::string text;           // the ACE as written, for evidence
};

struct Dacl {
    bool null = false;          // "D:NO_ACCESS_CONTROL" or no D: part: everyone has full access
    std::string control;        // "PAI" etc.
    std::vector<Ace> aces;
};

// The DACL of an SDDL string ("D:PAI(A;OICI;FA;;;BA)..."); the owner, group and SACL parts are
// skipped. Rights are hex masks or the SDDL letter codes (FA, FW, GA, GW, WD, DC, ...).
Result<Dacl> parseSddlDacl(std::string_view sddl);

// Whether a non-administrator (the groups every user holds: Everyone, Authenticated Users,
// Users, Interactive; or one named non-well-known account) can create a file in a directory
// with this DACL: FILE_ADD_FILE, WRITE_DAC or WRITE_OWNER granted after deny ACEs are applied in
// the order written (the order Windows evaluates them in).
struct WriteDecision {
    bool writable = false;
    std::string principal;      // who: "BU (Users)", "S-1-5-21-...-1001"
    std::string ace;            // the allow ACE that grants it
};
WriteDecision nonAdminCanCreateFiles(const Dacl &dacl);

// The key under which a Windows path is looked up: no drive, no leading or trailing '\',
// ASCII lower case ("C:\Program Files\Foo\" -> "program files\foo").
std::string aclKey(std::string_view windowsPath);

class AclCollection {
public:
    // Reads one `icacls ... /save` file (UTF-16LE, with or without a byte order mark). An
    // unreadable or not-UTF-16 file is an error; damaged entries inside are counted in problems().
    Status addIcaclsSave(const std::string &path);
    Status addIcaclsSaveBytes(std::string_view bytes, const std::string &name);

    // The SDDL saved for a Windows path, or nothing when the path is not in the collection.
    const std::string *sddlFor(std::string_view windowsPath) const;
    struct Entry {
        std::string sddl;
        std::string source;     // "acls.txt:1234" for evidence
    };
    const Entry *entryFor(std::string_view windowsPath) const;

    std::size_t size() const { return m_entries.size(); }
    bool empty() const { return m_entries.empty(); }
    const std::vector<std::string> &sources() const { return m_sources; }
    const std::vector<std::string> &problems() const { return m_problems; }

private:
    void problem(std::string text);
    std::map<std::string, Entry> m_entries;
    std::vector<std::string> m_sources;
    std::vector<std::string> m_problems;
    std::size_t m_droppedProblems = 0;
};

} // namespace loadlens::wintriage
