#include "helpmenu.h"

#include "loadlens_version.h"

#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QMainWindow>
#include <QMenuBar>
#include <QMessageBox>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace loadlens::ui {

namespace {

QString plainText(QString text)
{
    text.remove(QStringLiteral("\u2026"));
    text.remove(QStringLiteral("..."));
    // "&Refresh" -> "Refresh", "Save && quit" -> "Save & quit"
    text.replace(QStringLiteral("&&"), QStringLiteral("\x01"));
    text.remove(QLatin1Char('&'));
    text.replace(QStringLiteral("\x01"), QStringLiteral("&"));
    return text.trimmed();
}

void showShortcuts(QMainWindow *window)
{
    auto *dialog = new QDialog(window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("shortcutsDialog"));
    dialog->setWindowTitle(QStringLiteral("Keyboard shortcuts"));
    auto *list = new QTreeWidget(dialog);
    list->setHeaderLabels({QStringLiteral("Action"), QStringLiteral("Shortcut")});
    list->setRootIsDecorated(false);
    for (const QString &line : shortcutLines(window))
        list->addTopLevelItem(new QTreeWidgetItem(line.split(QLatin1Char('\t'))));
    list->resizeColumnToContents(0);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(list);
    layout->addWidget(buttons);
    dialog->resize(520, 420);
    dialog->show();
}

} // namespace

QStringList shortcutLines(const QWidget *window)
{
    QStringList lines;
    for (const QAction *action : window->findChildren<QAction *>()) {
        QStringList keys;
        for (const QKeySequence &key : action->shortcuts())
            if (!key.isEmpty())
                keys << key.toString(QKeySequence::NativeText);
        if (keys.isEmpty() || action->text().isEmpty())
            continue;
        const QString line = plainText(action->text()) + QLatin1Char('\t') + keys.join(QStringLiteral(", "));
        if (!lines.contains(line))
            lines << line;
    }
    std::sort(lines.begin(), lines.end(),
              [](const QString &a, const QString &b) { return a.compare(b, Qt::CaseInsensitive) < 0; });
    return lines;
}

QString aboutHtml()
{
    return QStringLiteral(
               "<h3>LoadLens %1</h3>"
               "<p>Which code is loaded into the processes of this host, and should it be? Verdicts in the terms "
               "of MITRE ATT&amp;CK mitigation M1044, Restrict Library Loading.</p>"
               "<p>Version %2, git revision <code>%3</code>.</p>"
               "<p><b>Licence</b>: MIT. Copyright 2026 the LoadLens authors.</p>"
               "<p><b>Libraries</b>, used as installed system packages and not part of LoadLens: Qt 6 (LGPL-3.0), "
               "spdlog (MIT), SQLite (public domain), OpenSSL (Apache-2.0), nlohmann-json (MIT), libregf and "
               "libbfio (LGPL-3.0+), libyaml (MIT), expat (MIT), zlib (Zlib), acl (LGPL-2.1+).</p>"
               "<p><b>Data</b>: no third-party data set is bundled. The HijackLibs data set (GPL-3.0) is read from "
               "a directory you name with <code>loadlens-cli import --hijacklibs</code>; its entries stay under "
               "their licence in your case file.</p>")
        .arg(QStringLiteral(LOADLENS_VERSION), QStringLiteral(LOADLENS_VERSION), QStringLiteral(LOADLENS_GIT_REVISION));
}

void addHelpMenu(QMainWindow *window)
{
    QMenu *menu = window->menuBar()->addMenu(QStringLiteral("&Help"));
    QAction *shortcuts = menu->addAction(QStringLiteral("&Keyboard shortcuts\u2026"));
    shortcuts->setObjectName(QStringLiteral("helpShortcutsAction"));
    QObject::connect(shortcuts, &QAction::triggered, window, [window] { showShortcuts(window); });
    QAction *about = menu->addAction(QStringLiteral("&About LoadLens\u2026"));
    about->setObjectName(QStringLiteral("helpAboutAction"));
    about->setMenuRole(QAction::AboutRole);
    QObject::connect(about, &QAction::triggered, window,
                     [window] { QMessageBox::about(window, QStringLiteral("About LoadLens"), aboutHtml()); });
}

} // namespace loadlens::ui
