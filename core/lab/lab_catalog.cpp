#include "lab/lab_catalog.h"

namespace loadlens::lab {

namespace {

const std::string kT1574_006 = "T1574.006 Hijack Execution Flow: Dynamic Linker Hijacking";
const std::string kT1574_001 = "T1574.001 Hijack Execution Flow: DLL Search Order Hijacking";
const std::string kT1620 = "T1620 Reflective Code Loading";
const std::string kT1070_004 = "T1070.004 Indicator Removal: File Deletion";

std::vector<Scenario> buildCatalogue()
{
    std::vector<Scenario> all;
    all.push_back(Scenario{
        "preload-env",
        "LD_PRELOAD from a user-writable directory",
        "The attacker drops a library into a directory anyone can write to and starts a program with "
        "LD_PRELOAD naming it (through a shell profile, a service's environment or a wrapper script). The "
        "dynamic loader maps every library in LD_PRELOAD before the program's own, so its constructor runs "
        "inside the program with the program's privileges, and any symbol it exports wins over the real one.",
        kT1574_006,
        "Restrict LD_PRELOAD and LD_LIBRARY_PATH usage; keep libraries in root-owned directories (M1044)",
        {"mkdir -m 0777 $LAB/drop", "cp $BIN/libll_lab_payload.so $LAB/drop/",
         "env -i LOADLENS_LAB_LOG=$LAB/lab.log LD_PRELOAD=$LAB/drop/libll_lab_payload.so $LAB/bin/ll_lab_victim"},
        {{"drop/libll_lab_payload.so", {"preload-env", "unowned", "writable-path"}}},
        "Remove LD_PRELOAD from start-up files, units and wrappers; make the directory root-owned and not "
        "writable by others (chmod 0755), so no user can plant or replace the library.",
        {"chmod 0755 $LAB/drop"},
        {{"drop/libll_lab_payload.so", {"writable-path"}}}});
    all.push_back(Scenario{
        "preload-hook",
        "A preloaded library that hooks readdir, opendir and open",
        "User-space rootkits (libprocesshider, Jynx, Azazel) are preloaded libraries that export their own "
        "readdir, opendir or open: the loader binds every call the program makes to those names to the first "
        "library that defines them, which is the preloaded one. Their readdir skips the attacker's processes "
        "and files, so ps and ls stop showing them. The lab's hooking library exports the same three "
        "functions but only notes the first call in the lab log and calls the real one. LoadLens reads the "
        "library's dynamic symbol table and names every C library function it replaces, grouped by what "
        "replacing them gives (interposes-system-functions).",
        kT1574_006,
        "Restrict LD_PRELOAD and LD_LIBRARY_PATH usage; keep libraries in root-owned directories (M1044)",
        {"mkdir -m 0777 $LAB/drop", "cp $BIN/libll_lab_hook.so $LAB/drop/",
         "env -i LOADLENS_LAB_LOG=$LAB/lab.log LD_PRELOAD=$LAB/drop/libll_lab_hook.so $LAB/bin/ll_lab_victim"},
        {{"drop/libll_lab_hook.so", {"preload-env", "interposes-system-functions", "unowned", "writable-path"}}},
        "Remove LD_PRELOAD from start-up files, units and wrappers; make the directory root-owned and not "
        "writable by others (chmod 0755). Compare the functions LoadLens says it interposes with what the "
        "program has any business replacing.",
        {"chmod 0755 $LAB/drop"},
        {{"drop/libll_lab_hook.so", {"writable-path"}}}});
    all.push_back(Scenario{
        "preload-file",
        "/etc/ld.so.preload (inside a private mount namespace)",
        "With root, the attacker lists a library in /etc/ld.so.preload. The loader reads that file at the start "
        "of every dynamically linked program and maps what it names first, without any environment variable: "
        "this is how user-space rootkits (Jynx, Azazel, libprocesshider) install themselves. The lab never "
        "touches the host's file: it starts the victim in a private mount namespace (a user namespace too when "
        "not run as root) whose /etc is a lab directory with its own ld.so.preload.",
        kT1574_006,
        "Protect /etc/ld.so.preload: keep it absent or empty, root-owned and immutable (chattr +i), and audit "
        "writes to it (M1044)",
        {"mkdir -m 0777 $LAB/drop", "cp $BIN/libll_lab_payload.so $LAB/drop/",
         "mkdir $LAB/etc $LAB/hostetc; for f in /etc/*; do ln -s $LAB/hostetc/${f#/etc/} $LAB/etc/; done",
         "echo $LAB/drop/libll_lab_payload.so > $LAB/etc/ld.so.preload",
         "unshare --mount [--user --map-current-user] sh -c 'mount --make-rprivate / && mount --rbind /etc "
         "$LAB/hostetc && mount --bind $LAB/etc /etc && exec env -i LOADLENS_LAB_LOG=$LAB/lab.log "
         "$LAB/bin/ll_lab_victim'"},
        {{"drop/libll_lab_payload.so", {"preload-file", "unowned", "writable-path"}}},
        "Keep /etc/ld.so.preload absent or empty, owned by root and immutable (chattr +i); watch it with the "
        "auditd rule `loadlens-cli posture --emit-auditd-rules` writes (-w /etc/ld.so.preload -p wa).",
        {": > $LAB/etc/ld.so.preload   # the namespace's file, emptied"},
        {{"drop/libll_lab_payload.so", {"preload-file"}}}});
    all.push_back(Scenario{
        "library-path",
        "LD_LIBRARY_PATH into a world-writable directory that shadows a system library",
        "A program is started with LD_LIBRARY_PATH naming a directory everyone can write to, a habit of "
        "install scripts and wrapper scripts. The loader searches LD_LIBRARY_PATH before the system's "
        "directories, so a library placed there under a system library's name (here libz.so.1) is loaded "
        "instead of the real one.",
        kT1574_006,
        "Restrict LD_PRELOAD and LD_LIBRARY_PATH usage; never point library paths at writable directories "
        "(M1044)",
        {"mkdir -m 0777 $LAB/shared", "cp $BIN/shadow/libz.so.1 $LAB/shared/",
         "env -i LOADLENS_LAB_LOG=$LAB/lab.log LD_LIBRARY_PATH=$LAB/shared $LAB/bin/ll_lab_victim --dlopen "
         "libz.so.1"},
        {{"shared/libz.so.1",
          {"library-path-env", "shadowed-system-library", "unowned", "writable-path"}}},
        "Drop LD_LIBRARY_PATH from the program's start-up, or point it only at root-owned directories "
        "(chmod 0755 the directory and give it to root).",
        {"chmod 0755 $LAB/shared"},
        {{"shared/libz.so.1", {"writable-path"}}}});
    all.push_back(Scenario{
        "runpath-writable",
        "RUNPATH $ORIGIN/plugins into a writable plugin directory",
        "The program was linked with DT_RUNPATH \"$ORIGIN/plugins:$ORIGIN/lib\", and its plugins directory is "
        "writable by everyone. Nothing bad is loaded yet, but the loader looks in plugins/ before lib/ for the "
        "program's own libllplugin.so.1: anyone who can write there decides which code the program runs the "
        "next time it starts.",
        kT1574_001,
        "Secure library search paths: no RUNPATH entry may name a directory writable by non-root users (M1044)",
        {"mkdir -p $LAB/app/lib && mkdir -m 0777 $LAB/app/plugins", "cp $BIN/ll_lab_app $LAB/app/",
         "cp $BIN/libllplugin.so.1 $LAB/app/lib/",
         "env -i LOADLENS_LAB_LOG=$LAB/lab.log $LAB/app/ll_lab_app"},
        {{"app/ll_lab_app", {"rpath-writable"}}, {"app/lib/libllplugin.so.1", {"search-path-hijackable"}}},
        "chmod 0755 the plugins directory (root-owned), or relink the program without the writable RUNPATH "
        "entry.",
        {"chmod 0755 $LAB/app/plugins"},
        {{"app/ll_lab_app", {"rpath-writable"}}, {"app/lib/libllplugin.so.1", {"search-path-hijackable"}}}});
    all.push_back(Scenario{
        "search-order-plant",
        "Search-order hijack: a library planted earlier in the search order",
        "The same program as runpath-writable, after the attacker used the writable plugins directory: a "
        "library named libllplugin.so.1, exporting what the program needs, sits in plugins/, which the loader "
        "searches before lib/. The program starts normally and the planted library runs inside it.",
        kT1574_001,
        "Secure library search paths: no directory searched before the real library may be writable by "
        "non-root users (M1044)",
        {"mkdir -p $LAB/app/lib && mkdir -m 0777 $LAB/app/plugins", "cp $BIN/ll_lab_app $LAB/app/",
         "cp $BIN/libllplugin.so.1 $LAB/app/lib/",
         "cp $BIN/libll_lab_payload.so $LAB/app/plugins/libllplugin.so.1",
         "env -i LOADLENS_LAB_LOG=$LAB/lab.log $LAB/app/ll_lab_app"},
        {{"app/ll_lab_app", {"rpath-writable"}}, {"app/plugins/libllplugin.so.1", {"unowned", "writable-path"}}},
        "Remove the planted library, chmod 0755 the plugins directory (root-owned), and check the program's "
        "RUNPATH with `loadlens-cli posture`.",
        {"rm $LAB/app/plugins/libllplugin.so.1", "chmod 0755 $LAB/app/plugins"},
        {{"app/ll_lab_app", {"rpath-writable"}}, {"app/lib/libllplugin.so.1", {"search-path-hijackable"}}}});
    all.push_back(Scenario{
        "deleted-library",
        "A library loaded and then deleted from disk",
        "Malware loads its library and deletes the file, so that nothing is left on disk to find or hash. The "
        "mapping stays in the process, and the kernel marks it \"(deleted)\" in /proc/PID/maps.",
        kT1070_004,
        "Audit library loads (auditd, file integrity monitoring) so that the file is recorded before it goes "
        "(M1044)",
        {"mkdir $LAB/drop", "cp $BIN/libll_lab_payload.so $LAB/drop/",
         "env -i LOADLENS_LAB_LOG=$LAB/lab.log $LAB/bin/ll_lab_victim --dlopen-and-delete "
         "$LAB/drop/libll_lab_payload.so"},
        {{"drop/libll_lab_payload.so", {"deleted"}}},
        "Record loads as they happen (the auditd rules of `loadlens-cli posture --emit-auditd-rules`); a "
        "deleted library of a running process can still be copied from /proc/PID/map_files for analysis.",
        {},
        {}});
    all.push_back(Scenario{
        "memfd-exec",
        "Code run from a memfd",
        "Fileless malware writes its code into an anonymous memory file (memfd_create) and maps it executable. "
        "No path on disk ever holds it, so file-based scanners see nothing; only the process's mappings "
        "(/memfd:NAME) show it.",
        kT1620,
        "Application control that denies execution from memory files (fapolicyd, SELinux execmem/execmod, "
        "AppArmor) (M1044 with M1038)",
        {"env -i LOADLENS_LAB_LOG=$LAB/lab.log $LAB/bin/ll_lab_victim --memfd loadlens-lab-payload"},
        {{"/memfd:loadlens-lab-payload", {"memfd-exec"}}},
        "Deny execution from memfds and anonymous memory to programs that have no need of it (fapolicyd, "
        "SELinux deny_execmem), and investigate the process that did it.",
        {},
        {}});
    all.push_back(Scenario{
        "wine-dll-hijack",
        "Windows DLL search-order hijack: version.dll planted beside a program (under Wine)",
        "A Windows program loads version.dll by name, without a full path, as many programs do. Windows looks "
        "for a DLL in the program's own directory before System32 (the DLL search order), so whoever can write "
        "to that directory, here an install directory everyone can write to, puts a version.dll there and it "
        "runs inside the program with the program's rights. The lab runs a small Windows program under Wine in "
        "a private prefix in the lab directory. Wine itself prefers its builtin version.dll wherever the "
        "program is, so the lab sets WINEDLLOVERRIDES=version=n,b (native first) to make Wine search like "
        "Windows; on Windows no override is needed, and that is the hijack. LoadLens's live scan sees the Wine "
        "process map version.dll from the application directory although the prefix's system32 has its own, "
        "and checks the file as a Windows image: not Authenticode-signed. Needs Wine (Debian wine64) at run "
        "time and LoadLens built with mingw-w64 (g++-mingw-w64-x86-64).",
        kT1574_001,
        "Secure the DLL search order: no user-writable application directories, system DLLs loaded by full "
        "path, signed DLLs required (M1044)",
        {"mkdir -m 0777 $LAB/app", "cp $BIN/win/ll_lab_victim.exe $LAB/app/",
         "cp $BIN/win/version.dll $LAB/app/version.dll   # the payload, planted beside the program",
         "env -i LOADLENS_LAB_LOG=$LAB/lab.log HOME=$LAB/home TMPDIR=$LAB/tmp WINEPREFIX=$LAB/prefix "
         "WINEDEBUG=-all WINEDLLOVERRIDES='version=n,b;mscoree=;mshtml=' /usr/lib/wine/wine64 "
         "$LAB/app/ll_lab_victim.exe"},
        {{"app/version.dll", {"wine-dll-shadows-system32", "pe-unsigned", "unowned", "writable-path"}}},
        "Install programs only into directories users cannot write to (chmod 0755, owned by root or an "
        "administrator), load system DLLs by full path (LoadLibraryEx with LOAD_LIBRARY_SEARCH_SYSTEM32), and "
        "allow only signed DLLs (WDAC/AppLocker). Stop also runs `wineserver -k` for the prefix and removes it.",
        {"rm $LAB/app/version.dll", "chmod 0755 $LAB/app"},
        {{"app/version.dll", {"wine-dll-shadows-system32", "pe-unsigned"}}}});
    return all;
}

} // namespace

const std::vector<Scenario> &catalogue()
{
    static const std::vector<Scenario> all = buildCatalogue();
    return all;
}

const Scenario *findScenario(std::string_view name)
{
    for (const auto &s : catalogue())
        if (s.name == name)
            return &s;
    return nullptr;
}

std::string substitute(std::string text, const std::string &scenarioDir, const std::string &binDir)
{
    for (const auto &[token, value] : {std::pair<std::string, const std::string &>{"$LAB", scenarioDir},
                                       std::pair<std::string, const std::string &>{"$BIN", binDir}}) {
        for (std::size_t at = text.find(token); at != std::string::npos; at = text.find(token, at + value.size()))
            text.replace(at, token.size(), value);
    }
    return text;
}

} // namespace loadlens::lab
