#pragma once
// Errors are values at I/O boundaries: a Result<T> holds either a value or an Error whose
// message names the file and the cause. Exceptions never cross threads or the C API.
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <variant>

namespace loadlens {

struct Error {
    int code = 0;          // errno where one applies, otherwise 0
    std::string message;   // "cannot read /proc/42/maps: Permission denied"

    static Error fromErrno(int err, const std::string &what)
    {
        return Error{err, what + ": " + std::strerror(err)};
    }
};

template<typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_data(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_data(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_data.index() == 0; }
    explicit operator bool() const { return ok(); }

    T &value() & { return std::get<0>(m_data); }
    const T &value() const & { return std::get<0>(m_data); }
    T &&value() && { return std::get<0>(std::move(m_data)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() { return value(); }
    const T &operator*() const { return value(); }

    const Error &error() const { return std::get<1>(m_data); }

private:
    std::variant<T, Error> m_data;
};

struct Ok {};
using Status = Result<Ok>;

} // namespace loadlens
