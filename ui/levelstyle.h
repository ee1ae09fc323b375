#pragma once
// How a verdict level looks everywhere in the GUI: its name, its tint and its icon.
#include "common/types.h"

#include <QColor>
#include <QIcon>
#include <QString>
#include <QVariant>

#include <string_view>

namespace loadlens::ui {

QString levelText(Level level);
// Light row tint readable with dark text in a light theme; invalid (= default) for Level::Ok.
QColor levelBackground(Level level);
// Saturated colour of the level's icon.
QColor levelAccent(Level level);
QIcon levelIcon(Level level);
// How a checklist status looks: "pass" as ok, "fail" as high, "unknown" as low, "info" (and
// anything else) as info. The Linux posture checks and the Windows triage's share it.
Level checkStatusLevel(std::string_view status);
// What a level cell shows besides its text: the icon (DecorationRole) and the tint
// (BackgroundRole); an invalid QVariant for other roles.
QVariant levelCellData(Level level, int role);

// Icons for actions and process markers; from resources/icons, painted when SVG is unavailable.
QIcon appIcon();
QIcon actionIcon(const QString &name);  // "refresh", "cancel", "only-flagged", "quit"
QIcon hiddenProcessIcon();
QIcon unreadableProcessIcon();

} // namespace loadlens::ui
