#include "ingest/snapshot_events.h"

#include <cstdint>
#include <cstdio>
#include <map>

namespace loadlens::ingest {

namespace {

// FNV-1a, twice with different offsets: a stable 128-bit identity for a key text.
std::string stableHash(const std::string &text)
{
    std::uint64_t a = 0xcbf29ce484222325ull, b = 0x84222325cbf29ce4ull;
    for (unsigned char c : text) {
        a = (a ^ c) * 0x100000001b3ull;
        b = (b ^ c) * 0x100000001b3ull;
        b ^= b >> 29;
    }
    char out[33];
    std::snprintf(out, sizeof out, "%016llx%016llx", static_cast<unsigned long long>(a),
                  static_cast<unsigned long long>(b));
    return out;
}

LoadEvent baseEvent(const ScanResult &scan, const std::string &sourceFile, const std::string &kind)
{
    LoadEvent e;
    e.source = kSnapshotSource;
    e.kind = kind;
    e.channel = kSnapshotChannel;
    e.host = scan.host.hostname;
    e.timeUs = scan.scannedAt * 1000000;
    e.sourceFile = sourceFile;
    e.fields["boot_id"] = scan.host.bootId;
    return e;
}

std::string keyOf(const ScanResult &scan, const std::string &what)
{
    return "s:" + stableHash(scan.host.hostname + '\n' + std::to_string(scan.scannedAt) + '\n' + scan.host.bootId +
                             '\n' + what);
}

} // namespace

std::vector<LoadEvent> snapshotEvents(const ScanResult &scan, const std::string &sourceFile, Level minLevel)
{
    std::vector<LoadEvent> events;
    // One event per mapped file (or anonymous region's process), in the order first seen.
    std::map<std::string, std::size_t> byFile;
    for (const auto &p : scan.processes) {
        for (const auto &m : p.modules) {
            if (m.pseudo || m.verdict.level < minLevel)
                continue;
            const std::string identity = m.anonymousExec || m.path.empty()
                                             ? "anon:" + std::to_string(p.pid) + ":" + p.exe
                                             : "file:" + std::to_string(m.file.dev) + ":" +
                                                   std::to_string(m.file.inode) + ":" + m.path;
            if (auto it = byFile.find(identity); it != byFile.end()) {
                auto &count = events[it->second].fields["processes"];
                count = std::to_string(std::stoll(count) + 1);
                continue;
            }
            LoadEvent e = baseEvent(scan, sourceFile, "snapshot-module");
            e.contentKey = keyOf(scan, identity);
            e.pid = p.pid;
            e.image = p.exe;
            e.imageLoaded = m.path;
            e.user = p.user;
            for (std::size_t i = 0; i < p.cmdline.size(); ++i)
                e.commandLine += (i ? " " : "") + p.cmdline[i];
            if (auto f = scan.files.find(m.file); f != scan.files.end() && !f->second.sha256.empty())
                e.hashes = "SHA256=" + f->second.sha256 + (f->second.md5.empty() ? "" : ",MD5=" + f->second.md5);
            e.verdict = m.verdict;
            e.fields["processes"] = "1";
            byFile.emplace(identity, events.size());
            events.push_back(std::move(e));
        }
    }
    for (const auto &f : scan.findings) {
        if (f.level < minLevel)
            continue;
        std::string evidence;
        std::string path;
        for (const auto &[k, v] : f.evidence) {
            evidence += k + "=" + v + "\n";
            if ((k == "path" || k == "file") && path.empty())
                path = v;
        }
        LoadEvent e = baseEvent(scan, sourceFile, "snapshot-finding");
        e.contentKey = keyOf(scan, "finding:" + f.code + ":" + std::to_string(f.pid) + ":" + evidence);
        e.pid = f.pid;
        e.imageLoaded = path;
        e.verdict.add(Reason{f.code, f.level, f.text, f.technique, f.measure, f.evidence});
        events.push_back(std::move(e));
    }
    return events;
}

} // namespace loadlens::ingest
