#pragma once
// Facts about Windows (PE) images mapped into Linux processes, as Wine maps the programs and
// DLLs it runs: whether the file is PE, its Authenticode state, and, for a DLL loaded from
// outside the Wine prefix's system32, the same-named system32 DLL it was chosen over.
#include "common/types.h"
#include "verdict/module_facts.h"

#include <map>
#include <string>

namespace loadlens::hijacklibs {
class Dataset;
}

namespace loadlens::scan {

class WindowsImageSurvey {
public:
    // `dataset`: the HijackLibs entries to match DLL names against; null for none.
    explicit WindowsImageSurvey(const hijacklibs::Dataset *dataset = nullptr) : m_dataset(dataset) {}

    // Facts for `module` of `process`; isPe stays false for anything that is not a PE image.
    // `packaged`: a package owns the file (Wine's own builtin DLLs): only the PE check is made.
    verdict::WindowsImageFacts facts(const ProcessInfo &process, const ModuleRecord &module, bool packaged);

private:
    struct FileResult {
        bool isPe = false;
        bool signatureChecked = false;
        std::string state;
        bool signedOk = false;
        std::string signer;
        std::string authenticodeSha256;
    };
    std::map<FileKey, FileResult> m_files;  // each file read once per scan
    const hijacklibs::Dataset *m_dataset = nullptr;
};

// The Wine prefix of a process: its WINEPREFIX, else ~/.wine of its user; empty when neither
// is known. `source` says which.
std::string winePrefixOf(const ProcessInfo &process, std::string *source = nullptr);

// The path as a Windows program in that prefix sees it: under PREFIX/drive_c it is on C:,
// anything else on Z:, Wine's drive for the Unix root. Normalized (lower case, backslashes).
std::string windowsPathOf(const std::string &unixPath, const std::string &prefix);

} // namespace loadlens::scan
