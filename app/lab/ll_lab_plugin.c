/* The genuine plugin library of the lab's RUNPATH program (ll_lab_app). */
int ll_lab_plugin_marker(void) { return 42; }
