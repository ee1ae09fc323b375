#pragma once
// Read-only access to Windows registry data collected from a host: binary hive files (SYSTEM,
// SOFTWARE, NTUSER.DAT) through libregf, and Wine's text registry files (system.reg, user.reg).
// Both are seen through one interface: key paths relative to the hive root, '\' separated,
// compared without regard to case, as Windows does.
#include "common/result.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace loadlens::winreg {

struct Value {
    enum class Type { None, String, ExpandString, MultiString, Dword, Qword, Binary, Other };
    std::string name;                  // "" for the default value
    Type type = Type::None;
    std::string text;                  // String and ExpandString (unexpanded)
    std::vector<std::string> strings;  // MultiString
    std::uint64_t number = 0;          // Dword and Qword
    std::vector<std::uint8_t> data;    // Binary and Other
};

struct Key {
    std::string name;
    std::vector<Value> values;
    std::vector<std::string> subkeys;

    const Value *value(const std::string &name) const; // case-insensitive
};

class Hive {
public:
    virtual ~Hive() = default;
    // Nothing when the key does not exist.
    virtual std::optional<Key> key(const std::string &path) const = 0;
    virtual const std::string &source() const = 0; // the file it came from
    // Damage met while reading (values left out); empty for a clean hive.
    virtual std::vector<std::string> problems() const { return {}; }

    std::optional<Value> value(const std::string &keyPath, const std::string &name) const;
};

// A binary regf hive (Windows NT and later).
Result<std::unique_ptr<Hive>> openRegfHive(const std::string &path);

// The part of a Wine registry file (system.reg is relative to HKLM, user.reg to HKCU) whose
// keys start with `prefix` ("System", "Software", or "" for all), seen as one hive.
Result<std::unique_ptr<Hive>> openWineRegistry(const std::string &path, const std::string &prefix);

// The same from text already in memory (`name` is used in messages).
Result<std::unique_ptr<Hive>> parseWineRegistry(const std::string &text, const std::string &name, const std::string &prefix);

// Lower-case ASCII, for comparing names the way the registry does (ASCII only).
std::string foldCase(std::string s);

} // namespace loadlens::winreg
