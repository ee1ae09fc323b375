/* The trainer lab's hooking payload: like ll_lab_payload it appends a line to the lab log when it
 * is loaded, and it also exports readdir, opendir and open, the functions user-space rootkits
 * replace to hide files and processes. Its versions only note the first call in the log and then
 * call the real function: nothing is hidden or changed. LoadLens names what it interposes. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static int log_fd = -1;

static void note(const char *what)
{
    if (log_fd >= 0)
        dprintf(log_fd, "%s pid %d (%s)\n", what, (int)getpid(), program_invocation_short_name);
}

__attribute__((constructor)) static void ll_lab_hook_loaded(void)
{
    const char *log = getenv("LOADLENS_LAB_LOG");
    if (!log || !*log)
        return;
    /* The raw system call: this library's own open() is the hooked one. */
    log_fd = (int)syscall(SYS_openat, AT_FDCWD, log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    note("payload loaded into");
}

struct dirent *readdir(DIR *dir)
{
    static int noted;
    static struct dirent *(*real)(DIR *);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "readdir"); /* POSIX: dlsym returns functions this way */
    if (!noted++)
        note("hook: readdir called in");
    return real ? real(dir) : NULL;
}

DIR *opendir(const char *name)
{
    static int noted;
    static DIR *(*real)(const char *);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "opendir");
    if (!noted++)
        note("hook: opendir called in");
    return real ? real(name) : NULL;
}

int open(const char *path, int flags, ...)
{
    static int noted;
    static int (*real)(const char *, int, ...);
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list args;
        va_start(args, flags);
        mode = (mode_t)va_arg(args, int);
        va_end(args);
    }
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "open");
    if (!noted++)
        note("hook: open called in");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    return real(path, flags, mode);
}
