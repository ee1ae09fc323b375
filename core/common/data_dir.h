#pragma once
// Where LoadLens keeps its own files (hash cache, default case): $XDG_DATA_HOME/loadlens, else
// ~/.local/share/loadlens (home from $HOME, else the password database, else /tmp).
#include <string>

namespace loadlens {

std::string dataDirectory();

} // namespace loadlens
