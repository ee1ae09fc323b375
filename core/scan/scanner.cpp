#include "scan/scanner.h"

namespace loadlens::scan {

ScanResult runScan(const ScanOptions &, const ProgressFn &, const CancelToken &)
{
    return {};
}

} // namespace loadlens::scan
