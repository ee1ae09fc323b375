#pragma once
// How a verdict level looks everywhere in the GUI: its name, its tint and its icon.
#include "common/types.h"

#include <QColor>
#include <QIcon>
#include <QString>

namespace loadlens::ui {

QString levelText(Level level);
// Light row tint readable with dark text in a light theme; invalid (= default) for Level::Ok.
QColor levelBackground(Level level);
// Saturated colour of the level's icon.
QColor levelAccent(Level level);
QIcon levelIcon(Level level);

// Icons for actions and process markers; from resources/icons, painted when SVG is unavailable.
QIcon appIcon();
QIcon actionIcon(const QString &name);  // "refresh", "cancel", "only-flagged", "quit"
QIcon hiddenProcessIcon();
QIcon unreadableProcessIcon();

} // namespace loadlens::ui
