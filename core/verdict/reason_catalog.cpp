#include "verdict/reason_catalog.h"

#include <array>
#include <utility>

namespace loadlens::verdict {

namespace {

struct CatalogEntry {
    std::string_view code;
    std::string_view technique;
    std::string_view measure;
};

constexpr std::array kCatalog{
    CatalogEntry{code::PackageVerified, "", ""},
    CatalogEntry{code::PackageModified, technique::HijackExecutionFlow, measure::RequireSignatures},
    CatalogEntry{code::PackageNoDigest, "", measure::RequireSignatures},
    CatalogEntry{code::Unowned, "", measure::RequireSignatures},
    CatalogEntry{code::NoPackageDatabase, "", measure::RequireSignatures},
    CatalogEntry{code::Unverifiable, "", measure::RequireSignatures},
    CatalogEntry{code::ImaSigned, "", ""},
    CatalogEntry{code::WritablePath, technique::DynamicLinkerHijacking, measure::SecurePaths},
    CatalogEntry{code::PreloadEnv, technique::DynamicLinkerHijacking, measure::RestrictPreload},
    CatalogEntry{code::PreloadFile, technique::DynamicLinkerHijacking, measure::ImmutableLoaderConfig},
    CatalogEntry{code::OwnRootUnreadable, "", ""},
    CatalogEntry{code::LibraryPathEnv, technique::DynamicLinkerHijacking, measure::RestrictPreload},
    CatalogEntry{code::SearchPathHijackable, technique::DynamicLinkerHijacking, measure::SecurePaths},
    CatalogEntry{code::RpathWritable, technique::DynamicLinkerHijacking, measure::SecurePaths},
    CatalogEntry{code::RpathRelative, technique::DynamicLinkerHijacking, measure::SecurePaths},
    CatalogEntry{code::ShadowedSystemLibrary, technique::DynamicLinkerHijacking, measure::RestrictPreload},
    CatalogEntry{code::DeletedUpgraded, "", ""},
    CatalogEntry{code::Deleted, technique::HijackExecutionFlow, measure::AuditAndMonitor},
    CatalogEntry{code::MemfdExec, technique::ReflectiveCodeLoading, measure::ApplicationControl},
    CatalogEntry{code::AnonymousExec, technique::ProcessInjection, measure::ApplicationControl},
    CatalogEntry{code::UntrustedLocation, technique::DynamicLinkerHijacking, measure::SecurePaths},
    CatalogEntry{code::HiddenProcess, technique::Rootkit, measure::AuditAndMonitor},
    CatalogEntry{code::KernelProvided, "", ""},
    CatalogEntry{code::InterposesSystemFunctions, technique::DynamicLinkerHijacking, measure::ApplicationControl},
    CatalogEntry{code::LoaderEnvWritableDir, technique::DynamicLinkerHijacking, measure::RestrictPreload},
    CatalogEntry{code::WineDllShadowsSystem32, technique::DllSearchOrderHijacking, measure::SecureDllSearchOrder},
    CatalogEntry{code::PeUnsigned, technique::DllSearchOrderHijacking, measure::RequireSignatures},
    CatalogEntry{code::PeSignatureInvalid, technique::DllSearchOrderHijacking, measure::RequireSignatures},
    CatalogEntry{code::HijackLibsMatch, technique::DllSearchOrderHijacking, measure::SecureDllSearchOrder},
};

const CatalogEntry *find(std::string_view code)
{
    for (const auto &entry : kCatalog)
        if (entry.code == code)
            return &entry;
    return nullptr;
}

} // namespace

std::string_view techniqueFor(std::string_view code)
{
    const auto *entry = find(code);
    return entry ? entry->technique : std::string_view();
}

std::string_view measureFor(std::string_view code)
{
    const auto *entry = find(code);
    return entry ? entry->measure : std::string_view();
}

Reason makeReason(std::string_view code, Level level, std::string text, Evidence evidence)
{
    Reason r;
    r.code = std::string(code);
    r.level = level;
    r.text = std::move(text);
    r.technique = std::string(techniqueFor(code));
    r.measure = std::string(measureFor(code));
    r.evidence = std::move(evidence);
    return r;
}

} // namespace loadlens::verdict
