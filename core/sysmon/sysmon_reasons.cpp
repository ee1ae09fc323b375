#include "sysmon/sysmon_reasons.h"

#include "verdict/reason_catalog.h"

#include <array>

namespace loadlens::sysmon {

namespace {

namespace technique = verdict::technique;
namespace measure = verdict::measure;

struct Assignment {
    std::string_view code;
    std::string_view technique;
    std::string_view measure;
};

// ATT&CK v17 folded DLL side-loading into T1574.001, so every placement-based finding names it.
constexpr std::array kAssignments{
    Assignment{code::UnsignedImageLoad, technique::HijackExecutionFlow, measure::RequireSignatures},
    Assignment{code::InvalidSignature, technique::HijackExecutionFlow, measure::RequireSignatures},
    Assignment{code::SignatureUnverified, "", measure::RequireSignatures},
    // Not a technique: what keeps the image safe is its folder's ACL.
    Assignment{code::NgenNativeImage, "", measure::SecurePaths},
    Assignment{code::UserWritableLoadPath, technique::DllSearchOrderHijacking, measure::SecurePaths},
    Assignment{code::HijackLibsMatch, technique::DllSearchOrderHijacking, measure::SecurePaths},
    Assignment{code::HijackLibsVendorCopy, "", measure::SecurePaths},
    Assignment{code::HijackLibsVulnerableExecutable, technique::DllSearchOrderHijacking, measure::SecurePaths},
    Assignment{code::HijackLibsRelocatedExecutable, technique::DllSearchOrderHijacking, measure::SecurePaths},
    Assignment{code::SignerMismatch, technique::DllSearchOrderHijacking, measure::RequireSignatures},
    Assignment{code::ExecutableFileCreated, "", measure::AuditAndMonitor},
};

} // namespace

Reason makeSysmonReason(std::string_view c, Level level, std::string text, Evidence evidence)
{
    Reason r = verdict::makeReason(c, level, std::move(text), std::move(evidence));
    for (const auto &a : kAssignments)
        if (a.code == c) {
            r.technique = std::string(a.technique);
            r.measure = std::string(a.measure);
        }
    return r;
}

} // namespace loadlens::sysmon
