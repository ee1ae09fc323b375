/* The trainer lab's payload: when the loader maps it, it appends one line to the lab log named
 * by LOADLENS_LAB_LOG and does nothing else. It hides nothing and hooks nothing. It also
 * exports the plugin marker, so that it can stand in for libllplugin.so.1 when planted. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void ll_lab_payload_loaded(void)
{
    const char *log = getenv("LOADLENS_LAB_LOG");
    if (!log || !*log)
        return;
    int fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return;
    char line[512];
    int n = snprintf(line, sizeof line, "payload loaded into pid %d (%s)\n", (int)getpid(),
                     program_invocation_short_name);
    if (n > 0 && write(fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1) < 0)
        errno = 0;
    close(fd);
}

int ll_lab_plugin_marker(void) { return 42; }
