#pragma once
// Host facts stored beside a snapshot, so that two snapshots can be compared on the loader's
// configuration as well as on what is loaded: the raw text of /etc/ld.so.preload and of every
// ld.so.conf file, a digest of the dpkg status file, kernel, OS release and boot time.
#include "common/types.h"

#include <map>
#include <string>

namespace loadlens::store {

using HostFacts = std::map<std::string, std::string>;

// Keys: "hostname", "kernel", "os-release", "machine", "boot-id", "boot-time" (unix seconds),
// "ld.so.preload" (text; "<absent>" when missing), "ld.so.conf:FILE" (text of each config file
// read), "dpkg-status-sha256". A fact that could not be read is stored as "<unreadable: cause>"
// so the gap is visible rather than silent.
HostFacts collectHostFacts(const HostInfo &host, const std::string &rootDir = "/",
                           const std::string &procRoot = "/proc", const std::string &dpkgAdminDir = "/var/lib/dpkg");

} // namespace loadlens::store
