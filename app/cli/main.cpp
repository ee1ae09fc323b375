#include <cstdio>
int main() { std::puts("loadlens-cli"); return 0; }
