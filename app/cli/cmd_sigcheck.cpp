// loadlens-cli sigcheck: Authenticode and catalog signatures of Windows files, in the vocabulary
// of Sysinternals Sigcheck, verified on Linux with OpenSSL against the anchors the user gives.
#include "arg_parser.h"
#include "authenticode/file_check.h"
#include "cmd_case_support.h"
#include "command_registry.h"
#include "pe/pe_reader.h"
#include "report_output.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <unistd.h>

namespace loadlens::cli {

namespace {

namespace fs = std::filesystem;
using namespace loadlens::authenticode;

enum class Format { Table, Json, Csv };

struct Totals {
    std::size_t files = 0, valid = 0, chainUnknown = 0, invalid = 0, unsignedFiles = 0, catalogSigned = 0, errors = 0;
};

void writeTableRow(std::ostream &out, const FileCheck &c)
{
    out << c.path << "\n";
    if (!c.error.empty()) {
        out << "  error:     " << c.error << "\n";
        return;
    }
    out << "  verified:  " << stateName(c.state) << (c.catalogSigned ? " (catalog " + c.catalog + ")" : "") << "\n";
    if (!c.peError.empty())
        out << "  damaged:   " << c.peError << "\n";
    if (c.isPe) {
        out << "  type:      " << c.kind << " " << c.bits << "-bit" << (c.managed ? ", managed (.NET)" : "") << "\n";
        if (!c.company.empty() || !c.product.empty())
            out << "  publisher: " << c.company << (c.product.empty() ? "" : " / " + c.product)
                << (c.fileVersion.empty() ? "" : " " + c.fileVersion) << "\n";
    }
    for (const auto &s : c.embedded.signatures) {
        out << "  signature" << (s.nestingDepth ? " (nested)" : "") << ": " << stateName(s.state) << ", "
            << s.digestAlgorithm;
        if (s.signer)
            out << ", signer " << s.signer->commonName << " (thumbprint " << s.signer->thumbprint << ")";
        if (s.timestamp && s.timestamp->time) {
            char when[32];
            struct tm tm {};
            gmtime_r(&*s.timestamp->time, &tm);
            std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
            out << ", timestamp " << when << (s.timestamp->verified ? "" : " (not verified: " + s.timestamp->problem + ")");
        }
        out << "\n";
        for (const auto &r : s.reasons)
            out << "    - " << r << "\n";
    }
    for (const auto &p : c.embedded.problems)
        out << "  problem:   " << p << "\n";
    out << "  sha256:    " << c.sha256 << "\n";
    if (!c.authenticodeSha256.empty())
        out << "  authentihash sha256: " << c.authenticodeSha256 << "\n";
}

int runSigcheck(const std::vector<std::string> &args)
{
    ArgParser parser;
    parser.flag("-r").flag("--recurse").flag("--unsigned-only").flag("--executables-only").flag("--json").flag("--csv")
        .flag("--quiet").option("--catalogs").option("--trust-store");
    withOutputOption(parser);
    if (auto s = parser.parse(args); !s)
        return failWith(s.error().message, 2);
    if (parser.positional().empty())
        return failWith("sigcheck needs at least one file or directory", 2);
    if (parser.has("--json") && parser.has("--csv"))
        return failWith("--json and --csv exclude each other", 2);
    const Format format = parser.has("--json") ? Format::Json : parser.has("--csv") ? Format::Csv : Format::Table;
    const bool recurse = parser.has("-r") || parser.has("--recurse");

    std::optional<TrustStore> anchors;
    if (auto path = parser.value("--trust-store")) {
        anchors.emplace();
        if (auto added = anchors->add(*path); !added)
            return failWith(added.error().message, 2);
    }
    std::optional<CatalogIndex> catalogs;
    VerifyOptions verify;
    verify.anchors = anchors ? &*anchors : nullptr;
    if (auto dir = parser.value("--catalogs")) {
        catalogs.emplace();
        if (auto s = catalogs->addDirectory(*dir, verify); !s)
            return failWith(s.error().message, 2);
        for (const auto &p : catalogs->problems())
            std::cerr << "loadlens-cli: catalog skipped: " << p << "\n";
    }
    FileCheckOptions options;
    options.anchors = verify.anchors;
    options.catalogs = catalogs ? &*catalogs : nullptr;

    ReportOutput output(outputPathFrom(parser));
    if (int status = output.prepare(); status != 0)
        return status;
    std::ostream &out = output.stream();
    const bool progress = !parser.has("--quiet") && ::isatty(STDERR_FILENO);
    Totals totals;
    bool firstJson = true;
    if (format == Format::Json)
        out << "{\"files\": [\n";
    else if (format == Format::Csv)
        out << csvHeader() << "\n";

    auto emit = [&](const FileCheck &check) {
        if (format == Format::Json) {
            out << (firstJson ? "" : ",\n") << toJson(check).dump();
            firstJson = false;
        } else if (format == Format::Csv) {
            out << toCsvRow(check) << "\n";
        } else {
            writeTableRow(out, check);
        }
    };
    auto handle = [&](const std::string &path) {
        if (parser.has("--executables-only") && !pe::fileLooksLikePe(path))
            return;
        const FileCheck check = checkFile(path, options);
        ++totals.files;
        if (!check.error.empty())
            ++totals.errors;
        else if (check.state == SignatureState::Valid)
            ++totals.valid;
        else if (check.state == SignatureState::SignatureValidChainUnknown)
            ++totals.chainUnknown;
        else if (check.state == SignatureState::Invalid)
            ++totals.invalid;
        else
            ++totals.unsignedFiles;
        if (check.catalogSigned)
            ++totals.catalogSigned;
        if (progress && totals.files % 100 == 0)
            std::cerr << "\rsigcheck: " << totals.files << " files" << std::flush;
        if (parser.has("--unsigned-only") && check.error.empty() && check.signedOk())
            return;
        emit(check);
    };

    for (const auto &root : parser.positional()) {
        std::error_code ec;
        const auto status = fs::symlink_status(root, ec);
        if (ec || !fs::exists(status)) {
            FileCheck missing;
            missing.path = root;
            missing.error = "cannot read " + root + ": " + (ec ? ec.message() : std::string("No such file or directory"));
            ++totals.files;
            ++totals.errors;
            emit(missing);
            continue;
        }
        if (!fs::is_directory(status)) {
            handle(root);
            continue;
        }
        if (!recurse) {
            for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec))
                if (it->is_regular_file(ec) && !it->is_symlink(ec))
                    handle(it->path().string());
        } else {
            for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
                 !ec && it != end; it.increment(ec))
                if (it->is_regular_file(ec) && !it->is_symlink(ec))
                    handle(it->path().string());
        }
        if (ec) {
            std::cerr << "loadlens-cli: listing " << root << " stopped early: " << ec.message() << "\n";
            ++totals.errors;
        }
    }
    if (progress && totals.files >= 100)
        std::cerr << "\r" << std::string(40, ' ') << "\r";

    if (format == Format::Json) {
        const nlohmann::json summary = {{"files", totals.files},          {"valid", totals.valid},
                                        {"signature_valid_chain_unknown", totals.chainUnknown},
                                        {"invalid", totals.invalid},      {"unsigned", totals.unsignedFiles},
                                        {"catalog_signed", totals.catalogSigned}, {"errors", totals.errors},
                                        {"trust_store", anchors ? nlohmann::json(anchors->size()) : nlohmann::json(nullptr)}};
        out << "\n], \"summary\": " << summary.dump() << "}\n";
    } else if (format == Format::Table) {
        out << "\n" << totals.files << " files: " << totals.valid << " valid, " << totals.chainUnknown
            << " signature valid (chain not checked against an anchor), " << totals.invalid << " invalid, "
            << totals.unsignedFiles << " unsigned, " << totals.catalogSigned << " signed through a catalog, "
            << totals.errors << " unreadable\n";
        if (!anchors)
            out << "No --trust-store given: chains were not checked (Linux carries no Windows roots).\n";
    }
    return output.finish(totals.errors ? 1 : 0);
}

} // namespace

LOADLENS_CLI_COMMAND({"sigcheck", "Authenticode and catalog signatures of Windows files",
                      R"(Usage: loadlens-cli sigcheck [OPTIONS] PATH...

Verifies the Authenticode signatures of Windows images (EXE, DLL, SYS, EFI) with their
digest, signer, nested signatures and timestamps, and, with --catalogs, the security catalogs
that sign files without an embedded signature. Nothing is run or loaded.

Each file is one of: valid (digest, signature and chain to an anchor of --trust-store),
signature-valid-chain-unknown (no anchor given or found), invalid (modified after signing,
bad signature, rejected chain, wrong key usage, forged curve), unsigned.

Options:
  -r, --recurse          descend into directories (otherwise only their files)
  --executables-only     only PE images, recognised by their header, not their name
  --unsigned-only        list only files that are not validly signed
  --catalogs DIR         a collected CatRoot tree: catalog members count as signed
  --trust-store PATH     PEM/DER certificates (file or directory) to anchor chains in
  --json                 one JSON document: {"files": [...], "summary": {...}}
  --csv                  one CSV row per file
  --quiet                no progress on the terminal
)" + std::string(kOutputOptionHelp) + R"(
Exit status: 0 when every file was read, 1 when some could not be, 2 on a usage error.
)",
                      &runSigcheck});

} // namespace loadlens::cli
