#include "writability_scenarios.h"

namespace loadlens::testing::scenarios {

#define TRY(expr)                                                                                  \
    do {                                                                                           \
        const std::string failure_ = (expr);                                                       \
        if (!failure_.empty())                                                                     \
            return failure_;                                                                       \
    } while (0)

std::string buildScenario(const QString &name, TreeBuilder &t, std::string &target)
{
    if (name == QLatin1String("clean")) {
        TRY(t.dir("lib", 0755));
        TRY(t.file("lib/libx.so", 0644));
        target = t.path("lib/libx.so");
    } else if (name == QLatin1String("world-writable-dir")) {
        TRY(t.dir("ww", 0777));
        TRY(t.file("ww/libx.so", 0644));
        target = t.path("ww/libx.so");
    } else if (name == QLatin1String("world-writable-file")) {
        TRY(t.dir("lib", 0755));
        TRY(t.file("lib/libx.so", 0666));
        target = t.path("lib/libx.so");
    } else if (name == QLatin1String("sticky-root-file")) {
        TRY(t.dir("st", 01777));
        TRY(t.file("st/libx.so", 0644));
        target = t.path("st/libx.so");
    } else if (name == QLatin1String("sticky-foreign-file")) {
        TRY(t.dir("st", 01777));
        TRY(t.file("st/libx.so", 0644));
        TRY(t.chown("st/libx.so", kNobody, kNobody));
        target = t.path("st/libx.so");
    } else if (name == QLatin1String("sticky-dir-owned-by-user")) {
        TRY(t.dir("st", 01777));
        TRY(t.chown("st", kOtherUser, 0));
        TRY(t.file("st/libx.so", 0644));
        target = t.path("st/libx.so");
    } else if (name == QLatin1String("group-writable")) {
        TRY(t.dir("gw", 0775));
        TRY(t.chown("gw", 0, kUsersGroup));
        TRY(t.file("gw/libx.so", 0644));
        target = t.path("gw/libx.so");
    } else if (name == QLatin1String("root-group-writable")) {
        TRY(t.dir("rg", 0775));
        TRY(t.chown("rg", 0, 0));
        TRY(t.file("rg/libx.so", 0644));
        target = t.path("rg/libx.so");
    } else if (name == QLatin1String("acl-user-write")) {
        TRY(t.dir("acl", 0755));
        TRY(t.acl("acl", "u::rwx,u:65534:rwx,g::r-x,m::rwx,o::r-x"));
        TRY(t.file("acl/libx.so", 0644));
        target = t.path("acl/libx.so");
    } else if (name == QLatin1String("acl-user-write-masked")) {
        TRY(t.dir("acl", 0755));
        TRY(t.acl("acl", "u::rwx,u:65534:rwx,g::r-x,m::r-x,o::r-x"));
        TRY(t.file("acl/libx.so", 0644));
        target = t.path("acl/libx.so");
    } else if (name == QLatin1String("acl-group-write")) {
        TRY(t.dir("acl", 0755));
        TRY(t.acl("acl", "u::rwx,g::r-x,g:100:rwx,m::rwx,o::r-x"));
        TRY(t.file("acl/libx.so", 0644));
        target = t.path("acl/libx.so");
    } else if (name == QLatin1String("symlink-in-writable-dir")) {
        TRY(t.dir("real", 0755));
        TRY(t.file("real/libx.so", 0644));
        TRY(t.dir("ww", 0777));
        TRY(t.symlink("ww/libx.so", t.path("real/libx.so")));
        target = t.path("ww/libx.so");
    } else if (name == QLatin1String("symlink-to-writable-dir")) {
        TRY(t.dir("lib", 0755));
        TRY(t.dir("ww", 0777));
        TRY(t.file("ww/libx.so", 0644));
        TRY(t.symlink("lib/libx.so", "../ww/libx.so"));
        target = t.path("lib/libx.so");
    } else if (name == QLatin1String("write-without-search")) {
        TRY(t.dir("wns", 0776));
        TRY(t.file("wns/libx.so", 0644));
        target = t.path("wns/libx.so");
    } else if (name == QLatin1String("dotdot-through-writable")) {
        TRY(t.dir("lib", 0755));
        TRY(t.file("lib/libx.so", 0644));
        TRY(t.dir("ww", 0777));
        target = t.path("ww/../lib/libx.so");
    } else if (name == QLatin1String("owner-not-root")) {
        TRY(t.dir("lib", 0555));
        TRY(t.chown("lib", kNobody, 0));
        TRY(t.file("lib/libx.so", 0644));
        target = t.path("lib/libx.so");
    } else {
        return "unknown scenario";
    }
    return {};
}

} // namespace loadlens::testing::scenarios
