// M1044 "Protect /etc/ld.so.preload and ld.so.conf (ldconfig, chattr +i)": the loader's
// configuration carries the immutable flag, so even root must clear it before changing them and
// an attacker's edit leaves a trace (and fails for tools that do not know about the flag).
#include "posture/inode_flags.h"
#include "posture/posture_fs.h"
#include "verdict/reason_catalog.h"

#include <cerrno>

namespace loadlens::posture {

namespace {

void checkPath(const PostureOptions &o, const std::string &path, bool required, CheckBuilder &b)
{
    const std::string full = underRoot(o.rootDir, path);
    auto flags = readInodeFlags(full);
    if (!flags) {
        const int code = flags.error().code;
        if (code == ENOENT) {
            if (required)
                b.info(path + " does not exist");
        } else if (code == ELOOP) {
            b.fail(path + " is a symlink: the flag on a link cannot protect what it points to");
        } else if (flagsUnsupported(code)) {
            b.unknown(path + ": the filesystem does not keep inode flags (" + flags.error().message +
                      "), so chattr +i cannot be used or checked here");
        } else {
            b.unknown(flags.error().message);
        }
        return;
    }
    if (flags->immutable)
        b.pass(path + " is immutable (chattr +i)");
    else
        b.fail(path + " is not immutable" + (flags->appendOnly ? " (append-only only)" : ""));
}

} // namespace

PostureCheck checkImmutableLoaderConfig(const PostureOptions &options)
{
    CheckBuilder b(check_id::ImmutableLoaderConfig, verdict::measure::ImmutableLoaderConfig,
                   "Loader configuration files carry the immutable flag");
    if (existsUnder(options.rootDir, "/etc/ld.so.preload"))
        checkPath(options, "/etc/ld.so.preload", false, b);
    else
        b.info("/etc/ld.so.preload is absent (nothing to protect; its creation shows in the audit check)");
    checkPath(options, "/etc/ld.so.conf", true, b);
    checkPath(options, "/etc/ld.so.conf.d", true, b);
    // The directory's flag stops new files; each included file needs its own against edits.
    std::string error;
    if (auto names = listDirectory(options.rootDir, "/etc/ld.so.conf.d", &error))
        for (const auto &name : *names)
            checkPath(options, "/etc/ld.so.conf.d/" + name, false, b);
    if (!error.empty())
        b.unknown(error);
    return b.finish("chattr +i /etc/ld.so.conf /etc/ld.so.conf.d /etc/ld.so.conf.d/* (and /etc/ld.so.preload if it "
                    "must exist); clear the flag (chattr -i) only for package upgrades, then set it again.");
}

} // namespace loadlens::posture
