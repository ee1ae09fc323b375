// Binary hives through libregf. Values are decoded here from their raw data, so both backends
// produce the same Value.
#include "common/utf16.h"
#include "winreg/registry.h"

#include <libregf.h>

#include <cerrno>
#include <sys/stat.h>

namespace loadlens::winreg {

namespace {

std::string errorText(libregf_error_t *&error)
{
    char buffer[512] = "unknown error";
    if (error) {
        libregf_error_sprint(error, buffer, sizeof buffer);
        libregf_error_free(&error);
    }
    std::string text(buffer);
    if (auto nl = text.find('\n'); nl != std::string::npos)
        text.resize(nl);
    return text;
}

std::vector<std::string> multiStrings(std::span<const std::uint8_t> data)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i + 1 < data.size(); i += 2) {
        if (data[i] == 0 && data[i + 1] == 0) {
            if (i == start)
                break; // the empty string that ends the list
            out.push_back(utf8FromUtf16(data.subspan(start, i - start)));
            start = i + 2;
        }
    }
    if (start + 1 < data.size() && out.size() < 4096) {
        const auto rest = utf8FromUtf16(data.subspan(start));
        if (!rest.empty())
            out.push_back(rest);
    }
    return out;
}

Value decode(std::string name, std::uint32_t type, std::vector<std::uint8_t> data)
{
    Value v;
    v.name = std::move(name);
    auto le = [&](std::size_t width) {
        std::uint64_t n = 0;
        for (std::size_t i = 0; i < width && i < data.size(); ++i)
            n |= std::uint64_t(data[i]) << (8 * i);
        return n;
    };
    switch (type) {
    case LIBREGF_VALUE_TYPE_STRING:
    case LIBREGF_VALUE_TYPE_EXPANDABLE_STRING:
    case LIBREGF_VALUE_TYPE_SYMBOLIC_LINK:
        v.type = type == LIBREGF_VALUE_TYPE_EXPANDABLE_STRING ? Value::Type::ExpandString : Value::Type::String;
        v.text = utf8FromUtf16(data);
        break;
    case LIBREGF_VALUE_TYPE_MULTI_VALUE_STRING:
        v.type = Value::Type::MultiString;
        v.strings = multiStrings(data);
        break;
    case LIBREGF_VALUE_TYPE_INTEGER_32BIT_LITTLE_ENDIAN:
        v.type = Value::Type::Dword;
        v.number = le(4);
        break;
    case LIBREGF_VALUE_TYPE_INTEGER_32BIT_BIG_ENDIAN:
        v.type = Value::Type::Dword;
        v.number = data.size() >= 4 ? (std::uint64_t(data[0]) << 24 | data[1] << 16 | data[2] << 8 | data[3]) : 0;
        break;
    case LIBREGF_VALUE_TYPE_INTEGER_64BIT_LITTLE_ENDIAN:
        v.type = Value::Type::Qword;
        v.number = le(8);
        break;
    case LIBREGF_VALUE_TYPE_BINARY_DATA:
        v.type = Value::Type::Binary;
        v.data = std::move(data);
        break;
    case LIBREGF_VALUE_TYPE_UNDEFINED:
        v.type = Value::Type::None;
        v.data = std::move(data);
        break;
    default:
        v.type = Value::Type::Other;
        v.data = std::move(data);
    }
    return v;
}

class RegfHive final : public Hive {
public:
    RegfHive(libregf_file_t *file, std::string path) : m_file(file), m_path(std::move(path)) {}
    ~RegfHive() override
    {
        libregf_file_close(m_file, nullptr);
        libregf_file_free(&m_file, nullptr);
    }
    RegfHive(const RegfHive &) = delete;
    RegfHive &operator=(const RegfHive &) = delete;

    const std::string &source() const override { return m_path; }
    std::vector<std::string> problems() const override { return m_problems; }

    std::optional<Key> key(const std::string &path) const override
    {
        libregf_error_t *error = nullptr;
        libregf_key_t *root = nullptr;
        if (libregf_file_get_root_key(m_file, &root, &error) != 1) {
            libregf_error_free(&error);
            return std::nullopt;
        }
        libregf_key_t *k = root;
        if (!path.empty()) {
            k = nullptr;
            const int found = libregf_key_get_sub_key_by_utf8_path(
                root, reinterpret_cast<const std::uint8_t *>(path.data()), path.size(), &k, &error);
            libregf_key_free(&root, nullptr);
            if (found != 1) {
                libregf_error_free(&error);
                return std::nullopt;
            }
        }
        Key out = read(k);
        libregf_key_free(&k, nullptr);
        return out;
    }

private:
    Key read(libregf_key_t *k) const
    {
        Key out;
        out.name = keyName(k);
        int count = 0;
        if (libregf_key_get_number_of_values(k, &count, nullptr) == 1) {
            for (int i = 0; i < count && i < 65536; ++i) {
                libregf_value_t *v = nullptr;
                libregf_error_t *error = nullptr;
                if (libregf_key_get_value(k, i, &v, &error) != 1) {
                    m_problems.push_back(out.name + ": value " + std::to_string(i) + " unreadable: " + errorText(error));
                    continue;
                }
                std::string name;
                std::size_t size = 0;
                if (libregf_value_get_utf8_name_size(v, &size, nullptr) == 1 && size > 1) {
                    name.resize(size);
                    if (libregf_value_get_utf8_name(v, reinterpret_cast<std::uint8_t *>(name.data()), size, nullptr) == 1)
                        name.resize(size - 1);
                    else
                        name.clear();
                }
                std::uint32_t type = 0;
                libregf_value_get_value_type(v, &type, nullptr);
                std::vector<std::uint8_t> data;
                std::size_t dataSize = 0;
                if (libregf_value_get_value_data_size(v, &dataSize, nullptr) == 1 && dataSize > 0 && dataSize <= (16u << 20)) {
                    data.resize(dataSize);
                    if (libregf_value_get_value_data(v, data.data(), dataSize, &error) != 1) {
                        m_problems.push_back(out.name + "\\" + name + ": data unreadable: " + errorText(error));
                        data.clear();
                    }
                }
                out.values.push_back(decode(std::move(name), type, std::move(data)));
                libregf_value_free(&v, nullptr);
            }
        }
        count = 0;
        if (libregf_key_get_number_of_sub_keys(k, &count, nullptr) == 1) {
            for (int i = 0; i < count && i < 65536; ++i) {
                libregf_key_t *sub = nullptr;
                if (libregf_key_get_sub_key(k, i, &sub, nullptr) != 1)
                    continue;
                out.subkeys.push_back(keyName(sub));
                libregf_key_free(&sub, nullptr);
            }
        }
        return out;
    }

    static std::string keyName(libregf_key_t *k)
    {
        std::size_t size = 0;
        if (libregf_key_get_utf8_name_size(k, &size, nullptr) != 1 || size <= 1)
            return {};
        std::string name(size, '\0');
        if (libregf_key_get_utf8_name(k, reinterpret_cast<std::uint8_t *>(name.data()), size, nullptr) != 1)
            return {};
        name.resize(size - 1);
        return name;
    }

    libregf_file_t *m_file = nullptr;
    std::string m_path;
    mutable std::vector<std::string> m_problems;
};

} // namespace

Result<std::unique_ptr<Hive>> openRegfHive(const std::string &path)
{
    // A FIFO or device named like a hive must not block or feed endless data.
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return Error::fromErrno(errno, "cannot read hive " + path);
    if (!S_ISREG(st.st_mode))
        return Error{EINVAL, path + ": not a regular file"};
    libregf_file_t *file = nullptr;
    libregf_error_t *error = nullptr;
    if (libregf_file_initialize(&file, &error) != 1)
        return Error{0, "cannot set up libregf: " + errorText(error)};
    if (libregf_file_open(file, path.c_str(), LIBREGF_OPEN_READ, &error) != 1) {
        libregf_file_free(&file, nullptr);
        return Error{0, path + ": not a readable registry hive (" + errorText(error) + ")"};
    }
    return std::unique_ptr<Hive>(new RegfHive(file, path));
}

} // namespace loadlens::winreg
