/* The trainer lab's victim program (core/lab starts it; LoadLens never runs what it scans).
 * Arguments, in order and repeatable:
 *   --dlopen PATH             load a shared library, by path or by name through the search path
 *   --dlopen-and-delete PATH  load it, then delete the file (the mapping stays)
 *   --memfd NAME              write a page into a memfd and map it executable
 * Writes "ready" on standard output once everything is in place (or "error: ..." and exits 2),
 * then stays until it is killed. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifdef LL_LAB_LINK_PLUGIN
int ll_lab_plugin_marker(void);
#endif

static int fail(const char *what, const char *arg, const char *why)
{
    printf("error: %s %s: %s\n", what, arg, why);
    fflush(stdout);
    return 2;
}

int main(int argc, char **argv)
{
#ifdef LL_LAB_LINK_PLUGIN
    if (ll_lab_plugin_marker() != 42)
        return fail("plugin", "marker", "unexpected value");
#endif
    for (int i = 1; i < argc; ++i) {
        const char *opt = argv[i];
        const char *arg = i + 1 < argc ? argv[i + 1] : "";
        if (strcmp(opt, "--dlopen") == 0 || strcmp(opt, "--dlopen-and-delete") == 0) {
            ++i;
            if (!dlopen(arg, RTLD_NOW))
                return fail("dlopen", arg, dlerror());
            if (strcmp(opt, "--dlopen-and-delete") == 0 && unlink(arg) != 0)
                return fail("unlink", arg, strerror(errno));
        } else if (strcmp(opt, "--memfd") == 0) {
            ++i;
            int fd = memfd_create(arg, MFD_CLOEXEC);
            if (fd < 0)
                return fail("memfd_create", arg, strerror(errno));
            unsigned char page[4096];
            memset(page, 0xc3, sizeof page); /* ret */
            if (write(fd, page, sizeof page) != (ssize_t)sizeof page)
                return fail("write", arg, strerror(errno));
            if (mmap(NULL, sizeof page, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0) == MAP_FAILED)
                return fail("mmap", arg, strerror(errno));
            close(fd);
        } else {
            return fail("argument", opt, "unknown");
        }
    }
    printf("ready\n");
    fflush(stdout);
    /* Nothing more goes to the starter's pipe. */
    int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (devnull >= 0) {
        dup2(devnull, STDOUT_FILENO);
        close(devnull);
    }
    for (;;)
        pause();
}
