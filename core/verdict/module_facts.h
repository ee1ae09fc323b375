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
        NoDatabase,    // no package database (dpkg, RPM) readable on this host: nothing was consulted
        Verified,      // owned, digest matches the manifest
        Modified,      // owned, digest differs from the manifest
        OwnedNoDigest, // owned, but the manifest has no digest for it
        Unowned,       // no package lists this path
        Unverifiable,  // could not be decided (unreadable file, hash failed, ...)
    };
    State state = State::NotChecked;
    std::string package;
    std::string listedPath;   // the path as the manifest lists it (usrmerge may differ)
    std::string digestAlgorithm = "MD5";  // of the two below: dpkg's manifests MD5, RPM headers SHA-256 (MD5 on old ones)
    std::string expectedDigest;
    std::string actualDigest;
    bool configFile = false;  // an RPM %config file that differs: the administrator's to edit, like a dpkg conffile
    std::string detail;       // why unverifiable, why no digest, or where the database is
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
    // The functions this module defines and exports that a system library also exports (the C
    // library, the dynamic loader, libpam, libcrypt, libssl, libaudit: as the process maps them,
    // else as the host's ld.so.cache names them), so calls that bind to it first reach it
    // instead. Read for preloaded modules, for modules no package verified and, on request, for
    // all. A library is not compared with system libraries of its own package (libc6's libm and
    // libc), nor with the library it is. Empty when none or unknown.
    std::vector<std::string> interposes;
    std::vector<std::string> interposedLibraries;  // the system libraries whose functions they are
    std::string interposesUnknown;         // why they could not be read, when they could not
    bool viaLibraryPathEnv = false;        // found through LD_LIBRARY_PATH
    std::string libraryPathDir;
    // Where the loader's search for a DT_NEEDED name found it: "DT_RUNPATH of /opt/x/bin/app",
    // "DT_RPATH of ...", "LD_LIBRARY_PATH", "ld.so.cache", "default directories"; empty when
    // no DT_NEEDED search explains it (dlopen by path, preload).
    std::string foundThrough;
    // Found through the DT_RUNPATH of the process's own executable, and the executable, the
    // library and every directory above it belong to one non-root user whom nobody else can
    // overrule by writing there: a pyenv, conda or virtualenv-style prefix bundling its own
    // libpython. The user's name, empty when any of that does not hold.
    std::string ownPrefixOwner;
    std::string sha256;
    WindowsImageFacts windows;
    // For a process in another mount namespace: the parts of its own root that could not be
    // read ("/etc/ld.so.preload: permission denied"), left out of the verdict, and that root.
    std::string ownRootUnread;
    std::string ownRoot;
};

} // namespace loadlens::verdict
