#include "theme.h"

#include <QActionGroup>
#include <QApplication>
#include <QMenu>
#include <QPalette>
#include <QSettings>
#include <QStyle>

namespace loadlens::ui {

namespace {

constexpr auto kThemeKey = "view/theme";

// What the desktop (platform theme and style) gave before any override.
const QPalette &desktopPalette()
{
    static const QPalette palette = QApplication::palette();
    return palette;
}

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2b, 0x2b);
    const QColor base(0x1e, 0x1e, 0x1e);
    const QColor text(0xe6, 0xe6, 0xe6);
    const QColor disabled(0x80, 0x80, 0x80);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x26, 0x26));
    p.setColor(QPalette::ToolTipBase, window);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabled);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::red);
    p.setColor(QPalette::Link, QColor(0x6a, 0xb0, 0xff));
    p.setColor(QPalette::Highlight, QColor(0x2f, 0x65, 0xca));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Light, QColor(0x45, 0x45, 0x45));
    p.setColor(QPalette::Midlight, QColor(0x3a, 0x3a, 0x3a));
    p.setColor(QPalette::Mid, QColor(0x30, 0x30, 0x30));
    p.setColor(QPalette::Dark, QColor(0x18, 0x18, 0x18));
    p.setColor(QPalette::Shadow, Qt::black);
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    return p;
}

} // namespace

QString themeKey(Theme theme)
{
    switch (theme) {
    case Theme::Light: return QStringLiteral("light");
    case Theme::Dark: return QStringLiteral("dark");
    case Theme::System: break;
    }
    return QStringLiteral("system");
}

Theme savedTheme()
{
    const QString value = QSettings().value(QLatin1String(kThemeKey)).toString();
    if (value == QStringLiteral("light"))
        return Theme::Light;
    if (value == QStringLiteral("dark"))
        return Theme::Dark;
    return Theme::System;
}

void applyTheme(Theme theme)
{
    const QPalette &desktop = desktopPalette();  // captured before the first change
    switch (theme) {
    case Theme::System: QApplication::setPalette(desktop); break;
    case Theme::Light: QApplication::setPalette(QApplication::style()->standardPalette()); break;
    case Theme::Dark: QApplication::setPalette(darkPalette()); break;
    }
}

QMenu *addThemeMenu(QMenu *viewMenu)
{
    QMenu *menu = viewMenu->addMenu(QStringLiteral("&Theme"));
    menu->setObjectName(QStringLiteral("themeMenu"));
    auto *group = new QActionGroup(menu);
    const Theme current = savedTheme();
    for (const auto &[theme, label] : {std::pair{Theme::System, QStringLiteral("Follow the &desktop")},
                                       std::pair{Theme::Light, QStringLiteral("&Light")},
                                       std::pair{Theme::Dark, QStringLiteral("D&ark")}}) {
        QAction *action = menu->addAction(label);
        action->setObjectName(QStringLiteral("theme-") + themeKey(theme));
        action->setCheckable(true);
        action->setChecked(theme == current);
        group->addAction(action);
        QObject::connect(action, &QAction::triggered, menu, [theme = theme] {
            QSettings().setValue(QLatin1String(kThemeKey), themeKey(theme));
            applyTheme(theme);
        });
    }
    applyTheme(current);
    return menu;
}

} // namespace loadlens::ui
