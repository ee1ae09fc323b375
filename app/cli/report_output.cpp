#include "report_output.h"

#include "common/atomic_file.h"

#include <iostream>

namespace loadlens::cli {

int ReportOutput::prepare() const
{
    if (!toFile())
        return 0;
    if (m_path->empty()) {
        std::cerr << "loadlens-cli: -o needs a file name\n";
        return 2;
    }
    if (auto s = io::checkWritableAtomically(*m_path); !s) {
        std::cerr << "loadlens-cli: " << s.error().message << "\n";
        return 1;
    }
    return 0;
}

std::ostream &ReportOutput::stream() { return toFile() ? static_cast<std::ostream &>(m_buffer) : std::cout; }

int ReportOutput::finish(int status)
{
    if (!toFile()) {
        std::cout.flush();
        if (!std::cout) {
            std::cerr << "loadlens-cli: writing standard output failed\n";
            return 1;
        }
        return status;
    }
    const std::string content = std::move(m_buffer).str();
    if (auto s = io::writeFileAtomically(*m_path, content); !s) {
        std::cerr << "loadlens-cli: " << s.error().message << "\n";
        return 1;
    }
    return status;
}

ArgParser &withOutputOption(ArgParser &parser) { return parser.option("-o").option("--output"); }

std::optional<std::string> outputPathFrom(const ArgParser &parser)
{
    if (auto longForm = parser.value("--output"))
        return longForm;
    return parser.value("-o");
}

} // namespace loadlens::cli
