/* The trainer lab's Windows payload, built as version.dll: when the loader maps it, DllMain
 * appends one line to the lab log named by LOADLENS_LAB_LOG and does nothing else. It exports
 * none of the real version.dll's functions, hides nothing and hooks nothing. */
#include <windows.h>
#include <stdio.h>

static void note_loaded(void)
{
    char log[MAX_PATH], dos[MAX_PATH + 2], exe[MAX_PATH] = "", line[MAX_PATH + 96];
    DWORD len = GetEnvironmentVariableA("LOADLENS_LAB_LOG", log, sizeof log);
    HANDLE file;
    DWORD written = 0;
    int n;
    if (len == 0 || len >= sizeof log)
        return;
    /* A Unix path: Wine's Z: drive is the Unix root. */
    snprintf(dos, sizeof dos, "%s%s", log[0] == '/' ? "Z:" : "", log);
    file = CreateFileA(dos, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_ALWAYS,
                       FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE)
        return;
    GetModuleFileNameA(NULL, exe, sizeof exe);
    n = snprintf(line, sizeof line, "payload loaded into Windows process %lu (%s) as version.dll\n",
                 GetCurrentProcessId(), exe);
    if (n > 0)
        WriteFile(file, line, (DWORD)n, &written, NULL);
    CloseHandle(file);
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reserved;
    if (reason == DLL_PROCESS_ATTACH)
        note_loaded();
    return TRUE;
}

__declspec(dllexport) int ll_lab_plugin_marker(void) { return 42; }
