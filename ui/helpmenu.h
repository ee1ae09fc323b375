#pragma once
// Help > About (version, git revision, licences) and Help > Keyboard shortcuts, listed from the
// window's own actions so the list cannot drift from what the keys do.
#include <QString>

class QMainWindow;
class QWidget;

namespace loadlens::ui {

// "Name<TAB>Shortcut" lines: every action of `window` (and its children) that has a shortcut,
// sorted by name, with menu accelerators ("&Refresh") stripped.
QStringList shortcutLines(const QWidget *window);
QString aboutHtml();

// Appends the Help menu to the window's menu bar.
void addHelpMenu(QMainWindow *window);

} // namespace loadlens::ui
