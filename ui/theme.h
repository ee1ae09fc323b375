#pragma once
// View > Theme: follow the desktop (the default), or force light or dark. The choice is kept
// in QSettings under "view/theme" ("system", "light", "dark").
#include <QString>

class QMenu;

namespace loadlens::ui {

enum class Theme { System, Light, Dark };

Theme savedTheme();
QString themeKey(Theme theme);  // "system", "light", "dark"
// Sets the application palette; System restores the palette the desktop gave at start.
void applyTheme(Theme theme);

// Adds the Theme submenu to `viewMenu` and applies the saved choice.
QMenu *addThemeMenu(QMenu *viewMenu);

} // namespace loadlens::ui
