#pragma once
// Turns the entries of one process's maps into ModuleRecords: one per mapped file that has
// executable code or is a Windows image mapped by Wine, one per executable anonymous region, one per kernel-provided code page.
#include "common/types.h"
#include "proc/maps_parser.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::proc {

// What buildModules may use to confirm what the maps text only suggests.
struct MapFilesContext {
    // /proc/PID opened as a directory: map_files/<start>-<end> is stat'ed through it to tell a
    // deleted file from one whose name merely ends in " (deleted)". -1: not available.
    int pidDirFd = -1;
    // Why pidDirFd is -1, for the confirmation text.
    std::string unavailableReason = "not available";
    // st_dev of the kernel's internal shared-memory mount, learnt from a memfd we create
    // ourselves: memfd_create files (and shared anonymous memory) live there.
    std::optional<std::uint64_t> shmemDev;
};

// st_dev of a memfd created (and closed) here; nullopt with `why` set when memfd_create fails.
std::optional<std::uint64_t> detectShmemDevice(std::string *why = nullptr);

// A Windows image name (.dll, .exe, .sys, .drv, .ocx, .cpl, any case). Wine maps the header
// page of every PE image it loads, but copies the code of an image whose sections are not
// page-aligned (the usual 512-byte file alignment) into anonymous memory: such an image has no
// executable file range and is kept as a module by its name and its header mapping.
bool hasWindowsImageName(std::string_view path);

std::vector<ModuleRecord> buildModules(const std::vector<MapsEntry> &entries, const MapFilesContext &context);

} // namespace loadlens::proc
