#pragma once
// Progress reporting and cancellation shared by every long-running core operation.
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace loadlens {

// A cancellation flag that can be shared between the thread that runs the work and the one
// that asks it to stop. Copies share the same flag.
class CancelToken {
public:
    CancelToken() : m_flag(std::make_shared<std::atomic<bool>>(false)) {}
    void cancel() const { m_flag->store(true, std::memory_order_relaxed); }
    bool cancelled() const { return m_flag->load(std::memory_order_relaxed); }

private:
    std::shared_ptr<std::atomic<bool>> m_flag;
};

// done/total units of work and a short label of the current step ("reading /proc", "hashing").
using ProgressFn = std::function<void(std::size_t done, std::size_t total, const std::string &step)>;

} // namespace loadlens
