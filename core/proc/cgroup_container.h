#pragma once
// Which container a process runs in, read from the cgroup paths of /proc/PID/cgroup (as seen
// from the scanner's cgroup namespace). Container runtimes name the cgroup of each container
// after it: Docker "/docker/ID" or "docker-ID.scope", containerd's CRI plugin
// "cri-containerd-ID.scope", Kubernetes' cgroupfs driver "/kubepods/.../podUID/ID" (runtime
// "kubernetes": the path does not say which), CRI-O "crio-ID.scope", Podman
// "libpod-ID.scope" or "/libpod_parent/libpod-ID", LXC/LXD "/lxc/NAME" or "/lxc.payload.NAME",
// systemd-nspawn "/machine.slice/systemd-nspawn@NAME.service" or "machine-NAME.scope".
#include "common/types.h"

#include <optional>
#include <string_view>

namespace loadlens::proc {

// The container named by one cgroup path ("/system.slice/docker-ID.scope"), if any.
std::optional<ContainerInfo> containerFromCgroupPath(std::string_view path);

// The whole /proc/PID/cgroup text: the unified (v2) line "0::PATH" first, then the v1
// hierarchies in order; the first path that names a container wins.
std::optional<ContainerInfo> containerFromCgroupFile(std::string_view text);

// The inode of a namespace link target "mnt:[4026531841]"; 0 when malformed.
std::uint64_t namespaceInode(std::string_view linkTarget);

} // namespace loadlens::proc
