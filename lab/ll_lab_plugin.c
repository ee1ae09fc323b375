/* The genuine plugin library of the lab's RUNPATH program (ll_lab_app). It calls into libc, as
 * real plugins do, so that it names its prerequisite libc.so.6. */
#include <stdlib.h>

int ll_lab_plugin_marker(void) { return getenv("LL_LAB_PLUGIN_BROKEN") == NULL ? 42 : 0; }
