#pragma once
// What the scan learned about one module, gathered by core/scan from the package index, the
// hasher, the path checks and the ELF reader. The classifier turns these facts into one
// verdict; it reads no files itself, so every rule is testable with plain values.
#include <string>
#include <vector>

namespace loadlens::verdict {

struct PackageFacts {
    enum class State {
        NotChecked,    // verdicts without package checks (e.g. pseudo modules)
        NoDatabase,    // no dpkg database on this host: nothing was consulted
        Verified,      // owned, digest matches the manifest
        Modified,      // owned, digest differs from the manifest
        OwnedNoDigest, // owned, but the manifest has no digest for it
        Unowned,       // no package lists this path
        Unverifiable,  // could not be decided (unreadable file, hash failed, ...)
    };
    State state = State::NotChecked;
    std::string package;
    std::string listedPath;   // the path as the manifest lists it (usrmerge may differ)
    std::string expectedMd5;
    std::string actualMd5;
    std::string detail;       // why unverifiable, or where the database is
    bool imaSigned = false;   // security.ima xattr carries a signature
};

struct WriterFact {
    std::string component;   // the path component that can be written
    std::string principal;   // "everyone", "user alice (1000)", "group staff (50)", "acl user bob (1001)"
    bool canReplace = true;  // false when a sticky directory only lets them add new entries
};

struct WritableFacts {
    bool writableByNonRoot = false;  // someone other than root can replace or modify the file
    std::vector<WriterFact> writers;
    std::string summary;             // one line for humans
    std::vector<std::string> errors; // components that could not be checked
};

struct LocationFacts {
    bool temporaryDir = false;     // /tmp, /var/tmp, /dev/shm, /run/user/...
    bool homeDir = false;
    bool worldWritableTree = false;
    bool systemLibraryDir = false; // /lib, /usr/lib and their multiarch dirs
    std::string matchedPrefix;     // which rule matched, for the evidence
};

// The module was found by the loader through a directory that comes after one a non-root
// user can write to: planting a same-named file there would have been loaded instead.
struct SearchPathFact {
    std::string neededName;       // the DT_NEEDED name that resolved to this module
    std::string requester;        // the object whose DT_NEEDED it is
    std::string writableDir;      // the earlier directory
    std::string writableSource;   // "DT_RUNPATH of X", "LD_LIBRARY_PATH", "DT_RPATH of X"
    std::string who;              // who can write there
    std::string loadedFromDir;
};

// An RPATH/RUNPATH entry of this module (when it is an ELF object) that is writable,
// relative or missing-but-creatable.
struct RpathFact {
    enum class Kind { Writable, Relative, MissingCreatable };
    Kind kind = Kind::Writable;
    std::string entry;      // the raw entry
    std::string expanded;   // after $ORIGIN/$LIB/$PLATFORM
    std::string tag;        // "DT_RUNPATH" or "DT_RPATH"
    std::string who;        // who can write or create it
};

struct DeletionFacts {
    // The path now holds another inode owned by a package, and identical to its manifest.
    bool replacedByPackageFile = false;
    std::string replacementPackage;  // the package that lists the path (whether or not it matches)
    // Set when a package lists the path but the file there could not be shown to be the
    // package's (digest differs, no digest, unreadable): why.
    std::string replacementMismatch;
    bool pathNowAbsent = false;
};

// A Windows (PE) image mapped into a Linux process: Wine loads Windows programs and DLLs this
// way. Gathered only for files named like Windows images that no package owns.
struct WindowsImageFacts {
    bool isPe = false;             // the file is a PE image (core/pe)
    std::string prefix;            // the process's Wine prefix (WINEPREFIX, else ~/.wine of its user)
    std::string prefixSource;      // "WINEPREFIX" or "default ~/.wine"
    // For a DLL loaded from outside the prefix's system32 (and syswow64): the prefix's own DLL
    // of the same name, which the Windows search order puts after the application directory.
    std::string system32Copy;
    std::string dllOverrides;      // WINEDLLOVERRIDES of the process, when set
    bool signatureChecked = false;
    std::string signatureState;    // core/authenticode's state name: "unsigned", "invalid", ...
    bool signedOk = false;
    std::string signer;            // subject of the primary signature, when signed
    std::string authenticodeSha256;
    // The HijackLibs dataset (when the scan was given one) lists a DLL of this name, and this
    // copy is not in one of the entry's expected locations.
    std::string windowsPath;       // the path as the Windows program sees it ("c:\...", "z:\...")
    std::string hijackLibsEntry;   // the entry's YAML file
    std::string hijackLibsVendor;
    std::string hijackLibsTypes;   // "Sideloading, Search Order"
    std::string hijackLibsExpected; // the expected locations, "; "-separated
};

struct ModuleFacts {
    PackageFacts package;
    WritableFacts writable;
    LocationFacts location;
    DeletionFacts deletion;
    std::vector<SearchPathFact> searchPath;
    std::vector<RpathFact> rpath;
    std::string soname;                    // DT_SONAME, when read
    std::vector<std::string> shadowedBy;   // system-dir copies of the same SONAME (shadowing)
    bool inPreloadEnv = false;             // named by LD_PRELOAD / LD_AUDIT of the process
    std::string preloadVariable;           // which variable named it
    bool inPreloadFile = false;            // listed in /etc/ld.so.preload
    std::string preloadFile;               // which one, when not the host's (another mount namespace)
    // For a preloaded library: the functions it exports that the process's C library also
    // exports, so every call to them in this process reaches it first. Empty when none or unknown.
    std::vector<std::string> interposes;
    std::string interposesUnknown;         // why they could not be read, when they could not
    bool viaLibraryPathEnv = false;        // found through LD_LIBRARY_PATH
    std::string libraryPathDir;
    // Where the loader's search for a DT_NEEDED name found it: "DT_RUNPATH of /opt/x/bin/app",
    // "DT_RPATH of ...", "LD_LIBRARY_PATH", "ld.so.cache", "default directories"; empty when
    // no DT_NEEDED search explains it (dlopen by path, preload).
    std::string foundThrough;
    std::string sha256;
    WindowsImageFacts windows;
    // For a process in another mount namespace: the parts of its own root that could not be
    // read ("/etc/ld.so.preload: permission denied"), left out of the verdict, and that root.
    std::string ownRootUnread;
    std::string ownRoot;
};

} // namespace loadlens::verdict
