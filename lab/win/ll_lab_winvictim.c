/* The trainer lab's Windows victim (built with mingw-w64, run by core/lab under Wine). It loads
 * version.dll by name, the way many Windows programs do, so the loader's search order decides
 * which file that is. Writes "ready PATH" (the file the loader chose) on standard output, then
 * stays until it is killed. */
#include <windows.h>
#include <stdio.h>

int main(void)
{
    char path[MAX_PATH] = "";
    char line[MAX_PATH + 64];
    HMODULE module = LoadLibraryA("version.dll");
    int n;
    DWORD written = 0;
    if (module)
        GetModuleFileNameA(module, path, sizeof path);
    /* WriteFile, not printf: the starter wants "\n", not the C runtime's "\r\n". */
    if (module)
        n = snprintf(line, sizeof line, "ready %s\n", path);
    else
        n = snprintf(line, sizeof line, "error: LoadLibrary version.dll failed (%lu)\n", GetLastError());
    if (n > 0)
        WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), line, (DWORD)n, &written, NULL);
    if (!module)
        return 2;
    for (;;)
        Sleep(INFINITE);
}
