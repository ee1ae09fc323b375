#pragma once
// Splitters the user moves keep their place between runs (QSettings "splitters/<name>").
class QSplitter;
class QString;

namespace loadlens::ui {

// Restores the sizes saved under `name`, if any, and saves them whenever the user moves it.
void rememberSplitter(QSplitter *splitter, const QString &name);

} // namespace loadlens::ui
