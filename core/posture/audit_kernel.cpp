#include "posture/audit_kernel.h"

#include <linux/audit.h>
#include <linux/netlink.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace loadlens::posture {

namespace {

constexpr std::size_t kRuleHeaderWords = 3 + AUDIT_BITMASK_SIZE + 3 * AUDIT_MAX_FIELDS + 1;
constexpr std::size_t kRuleHeaderBytes = kRuleHeaderWords * 4;

std::uint32_t word(std::span<const std::uint8_t> bytes, std::size_t index)
{
    std::uint32_t v;
    std::memcpy(&v, bytes.data() + index * 4, 4);  // host order: the kernel speaks it on netlink
    return v;
}

// Fields whose value is the length of a string in the rule's buffer (the kernel's
// audit_unpack_string users).
bool isStringField(std::uint32_t field)
{
    return (field >= AUDIT_SUBJ_USER && field <= AUDIT_SUBJ_CLR) ||
           (field >= AUDIT_OBJ_USER && field <= AUDIT_OBJ_LEV_HIGH) || field == AUDIT_WATCH || field == AUDIT_DIR ||
           field == AUDIT_FILTERKEY || field == AUDIT_EXE;
}

std::string permString(std::uint32_t perm)
{
    std::string s;
    if (perm & AUDIT_PERM_READ)
        s += 'r';
    if (perm & AUDIT_PERM_WRITE)
        s += 'w';
    if (perm & AUDIT_PERM_EXEC)
        s += 'x';
    if (perm & AUDIT_PERM_ATTR)
        s += 'a';
    return s;
}

// x86-64 numbers of the syscalls that change a file or a directory entry: a path rule that names
// one of them (or every syscall) without a perm field still records writes.
bool maskHasWriteSyscall(std::span<const std::uint8_t> payload)
{
    static constexpr int kWrites[] = {1, 2, 18, 76, 77, 82, 85, 86, 87, 88, 133, 257, 259, 263, 264, 265, 266, 316, 437};
    for (int nr : kWrites) {
        const std::uint32_t m = word(payload, 3 + static_cast<std::size_t>(nr) / 32);
        if (m & (1u << (nr % 32)))
            return true;
    }
    return false;
}

} // namespace

Result<Ok> decodeKernelRule(std::span<const std::uint8_t> payload, KernelAuditState &state)
{
    const int number = ++state.ruleCount;
    const std::string where = "kernel rule " + std::to_string(number);
    if (payload.size() < kRuleHeaderBytes)
        return Error{0, where + ": " + std::to_string(payload.size()) + " bytes, shorter than a rule (" +
                            std::to_string(kRuleHeaderBytes) + ")"};
    const std::uint32_t filterList = word(payload, 0) & ~static_cast<std::uint32_t>(AUDIT_FILTER_PREPEND);
    const std::uint32_t action = word(payload, 1);
    const std::uint32_t fieldCount = word(payload, 2);
    if (fieldCount > AUDIT_MAX_FIELDS)
        return Error{0, where + ": " + std::to_string(fieldCount) + " fields, more than " +
                            std::to_string(AUDIT_MAX_FIELDS)};
    const std::size_t fieldsAt = 3 + AUDIT_BITMASK_SIZE;
    const std::size_t valuesAt = fieldsAt + AUDIT_MAX_FIELDS;
    const std::uint32_t bufLen = word(payload, kRuleHeaderWords - 1);
    if (bufLen > payload.size() - kRuleHeaderBytes)
        return Error{0, where + ": its strings claim " + std::to_string(bufLen) + " bytes, the message holds " +
                            std::to_string(payload.size() - kRuleHeaderBytes)};
    const std::span<const std::uint8_t> buf = payload.subspan(kRuleHeaderBytes, bufLen);

    AuditWatch watch;
    watch.file = "kernel";
    watch.line = number;
    bool hasPath = false;
    bool hasPerm = false;
    bool otherArch = false;
    std::size_t used = 0;
    for (std::uint32_t i = 0; i < fieldCount; ++i) {
        const std::uint32_t field = word(payload, fieldsAt + i);
        const std::uint32_t value = word(payload, valuesAt + i);
        std::string text;
        if (isStringField(field)) {
            if (value > buf.size() - used)
                return Error{0, where + ": field " + std::to_string(i + 1) + " reads past the rule's strings"};
            text.assign(reinterpret_cast<const char *>(buf.data()) + used, value);
            used += value;
        }
        switch (field) {
        case AUDIT_WATCH:
        case AUDIT_DIR:
            watch.path = text;
            watch.pathField = field == AUDIT_WATCH;
            watch.directoryField = field == AUDIT_DIR;
            hasPath = true;
            break;
        case AUDIT_PERM:
            watch.perms = permString(value);
            hasPerm = true;
            break;
        case AUDIT_FILTERKEY:
            watch.key = text;
            break;
        case AUDIT_ARCH:
            otherArch = value != 0xC000003Eu;  // AUDIT_ARCH_X86_64
            break;
        default:
            break;
        }
    }
    if (!hasPath)
        return Ok{};
    if (filterList != AUDIT_FILTER_EXIT) {
        state.notes.push_back(where + ": a watch of " + watch.path +
                              " on a filter list other than exit does not record file changes");
        return Ok{};
    }
    if (action != AUDIT_ALWAYS && action != AUDIT_NEVER)
        return Ok{};
    watch.never = action == AUDIT_NEVER;
    if (!hasPerm) {
        if (otherArch)
            state.notes.push_back(where + ": a rule on " + watch.path +
                                  " for another architecture without a perm field is not counted as a write watch");
        watch.perms = !otherArch && maskHasWriteSyscall(payload) ? "w" : "";
    }
    state.watches.push_back(std::move(watch));
    return Ok{};
}

namespace {

class NetlinkSocket {
public:
    NetlinkSocket() : m_fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT)) {}
    ~NetlinkSocket()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    NetlinkSocket(const NetlinkSocket &) = delete;
    NetlinkSocket &operator=(const NetlinkSocket &) = delete;
    int fd() const { return m_fd; }

private:
    int m_fd;
};

std::string accessHint(int err)
{
    if (err == EPERM || err == EACCES)
        return " (reading the kernel's audit rules needs root: CAP_AUDIT_CONTROL)";
    if (err == ECONNREFUSED)
        return " (the kernel answers audit requests only from its initial user namespace: not from inside a "
               "container)";
    if (err == EPROTONOSUPPORT)
        return " (this kernel is built without audit support)";
    return {};
}

Error netlinkError(int err, const std::string &what)
{
    Error e = Error::fromErrno(err, what);
    e.message += accessHint(err);
    return e;
}

Result<Ok> sendRequest(int fd, std::uint16_t type, std::uint32_t seq)
{
    struct {
        nlmsghdr header;
    } request{};
    request.header.nlmsg_len = NLMSG_LENGTH(0);
    request.header.nlmsg_type = type;
    request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    request.header.nlmsg_seq = seq;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    for (;;) {
        const ssize_t n = ::sendto(fd, &request, request.header.nlmsg_len, 0, reinterpret_cast<sockaddr *>(&kernel),
                                   sizeof kernel);
        if (n >= 0)
            return Ok{};
        if (errno != EINTR)
            return netlinkError(errno, "cannot ask the kernel for its audit state");
    }
}

// Reads the replies to request `seq` until `done` says the answer is complete. `onMessage` gets
// each reply of the request's type.
template<typename OnMessage>
Result<Ok> receiveReplies(int fd, std::uint32_t seq, std::uint16_t type, bool untilDone, int timeoutMs, OnMessage onMessage)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    std::vector<std::uint8_t> buffer(64 * 1024);
    bool gotAnswer = false;
    bool acked = false;
    for (;;) {
        if (gotAnswer && acked && !untilDone)
            return Ok{};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return Error{ETIMEDOUT, "the kernel did not finish its audit answer within " + std::to_string(timeoutMs) + " ms"};
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            return netlinkError(errno, "cannot wait for the kernel's audit answer");
        if (ready == 0)
            continue;
        sockaddr_nl from{};
        socklen_t fromLen = sizeof from;
        const ssize_t n = ::recvfrom(fd, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr *>(&from), &fromLen);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return netlinkError(errno, "cannot read the kernel's audit answer");
        if (from.nl_pid != 0)
            continue;  // only the kernel answers
        std::size_t left_bytes = static_cast<std::size_t>(n);
        auto *h = reinterpret_cast<nlmsghdr *>(buffer.data());
        for (; NLMSG_OK(h, left_bytes); h = NLMSG_NEXT(h, left_bytes)) {
            if (h->nlmsg_seq != seq)
                continue;
            if (h->nlmsg_type == NLMSG_ERROR) {
                if (h->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr)))
                    return Error{EPROTO, "the kernel sent a truncated audit error message"};
                const auto *err = static_cast<const nlmsgerr *>(NLMSG_DATA(h));
                if (err->error != 0)
                    return netlinkError(-err->error, "the kernel refused the audit request");
                acked = true;
                continue;
            }
            if (h->nlmsg_type == NLMSG_DONE)
                return Ok{};
            if (h->nlmsg_type == type) {
                const std::size_t len = h->nlmsg_len - NLMSG_LENGTH(0);
                onMessage(std::span<const std::uint8_t>(static_cast<const std::uint8_t *>(NLMSG_DATA(h)), len));
                gotAnswer = true;
            }
        }
    }
}

} // namespace

Result<KernelAuditState> readKernelAuditState(int timeoutMs)
{
    NetlinkSocket socket;
    if (socket.fd() < 0)
        return netlinkError(errno, "cannot open the kernel's audit socket");
    sockaddr_nl self{};
    self.nl_family = AF_NETLINK;
    if (::bind(socket.fd(), reinterpret_cast<sockaddr *>(&self), sizeof self) != 0)
        return netlinkError(errno, "cannot bind the kernel's audit socket");

    KernelAuditState state;
    if (auto sent = sendRequest(socket.fd(), AUDIT_GET, 1); !sent)
        return sent.error();
    bool haveStatus = false;
    auto status = receiveReplies(socket.fd(), 1, AUDIT_GET, false, timeoutMs, [&](std::span<const std::uint8_t> p) {
        if (p.size() < 7 * 4)
            return;
        state.enabled = word(p, 1);
        state.auditdPid = word(p, 3);
        state.lost = word(p, 6);
        haveStatus = true;
    });
    if (!status)
        return status.error();
    if (!haveStatus)
        return Error{EPROTO, "the kernel's audit status answer was too short"};

    if (auto sent = sendRequest(socket.fd(), AUDIT_LIST_RULES, 2); !sent)
        return sent.error();
    std::vector<std::string> decodeErrors;
    auto listed = receiveReplies(socket.fd(), 2, AUDIT_LIST_RULES, true, timeoutMs, [&](std::span<const std::uint8_t> p) {
        if (auto decoded = decodeKernelRule(p, state); !decoded)
            decodeErrors.push_back(decoded.error().message);
    });
    if (!listed)
        return listed.error();
    for (auto &e : decodeErrors)
        state.notes.push_back(std::move(e));
    return state;
}

} // namespace loadlens::posture
