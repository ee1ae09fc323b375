#include "rowactions.h"

#include "processsignaller.h"

#include <QAbstractItemView>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QKeyEvent>
#include <QMenu>
#include <QMessageBox>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>

namespace loadlens::ui {

namespace {

struct ActionSpec {
    RowAction kind;
    const char *text;
    QKeySequence shortcut;
    const char *toolTip;
};

const std::vector<ActionSpec> &actionSpecs()
{
    static const std::vector<ActionSpec> specs = {
        {RowAction::CopyPath, "Copy &path", QKeySequence(Qt::CTRL | Qt::Key_C), "Copy the full path"},
        {RowAction::CopySha256, "Copy &SHA-256", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), "Copy the file's SHA-256"},
        {RowAction::CopyJson, "Copy as &JSON", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_J),
         "Copy the row as a JSON object with raw values"},
        {RowAction::OpenFolder, "Open containing &folder", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O),
         "Open the folder that holds the file in the file manager"},
        {RowAction::WhoLoads, "&Who loads this", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W),
         "The live processes that load this file"},
        {RowAction::ShowInEvents, "Show in &Events", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E),
         "The logged events that mention this image"},
        {RowAction::Details, "Verdict &details", QKeySequence(Qt::ALT | Qt::Key_Return), "Why it got its verdict"},
        {RowAction::Suspend, "S&uspend process\u2026", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S), "Send SIGSTOP"},
        {RowAction::Resume, "&Resume process\u2026", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), "Send SIGCONT"},
        {RowAction::Kill, "&Kill process\u2026", QKeySequence(Qt::Key_Delete), "Send SIGKILL"},
    };
    return specs;
}

bool isProcessAction(RowAction kind)
{
    return kind == RowAction::Suspend || kind == RowAction::Resume || kind == RowAction::Kill;
}

bool hasSeparatorBefore(RowAction kind)
{
    return kind == RowAction::OpenFolder || kind == RowAction::Suspend;
}

bool applies(RowAction kind, const RowTarget &target)
{
    switch (kind) {
    case RowAction::CopyPath:
    case RowAction::WhoLoads:
    case RowAction::ShowInEvents:
        return !target.path.isEmpty();
    case RowAction::OpenFolder:
        return target.path.startsWith(QLatin1Char('/'));
    case RowAction::CopySha256:
        return !target.sha256.isEmpty();
    case RowAction::CopyJson:
        return !target.json.isEmpty();
    case RowAction::Details:
        return !target.detailsHtml.isEmpty();
    case RowAction::Suspend:
    case RowAction::Resume:
    case RowAction::Kill:
        return target.process.has_value() && target.process->pid > 1;
    }
    return false;
}

proc::SignalKind signalOf(RowAction kind)
{
    return kind == RowAction::Suspend ? proc::SignalKind::Stop
         : kind == RowAction::Resume  ? proc::SignalKind::Continue
                                      : proc::SignalKind::Kill;
}

} // namespace

QAction *makeRowAction(RowAction kind, QObject *parent)
{
    for (const ActionSpec &spec : actionSpecs()) {
        if (spec.kind != kind)
            continue;
        auto *action = new QAction(QString::fromUtf8(spec.text), parent);
        action->setShortcut(spec.shortcut);
        // Active while the view (or a child) has focus: every table has the same keys.
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        action->setToolTip(QString::fromUtf8(spec.toolTip));
        action->setData(static_cast<int>(kind));
        return action;
    }
    return nullptr;
}

RowActions::RowActions(QObject *parent)
    : QObject(parent)
    , m_signaller(new ProcessSignaller(this))
    , m_openUrl([](const QUrl &url) { return QDesktopServices::openUrl(url); })
    , m_confirm([](const QString &question) {
        return QMessageBox::question(QApplication::activeWindow(), QStringLiteral("LoadLens"), question,
                                     QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
            == QMessageBox::Yes;
    })
{
    connect(m_signaller, &ProcessSignaller::finished, this,
            [this](int, bool, const QString &text) { emit message(text); });
}

RowActions::~RowActions() = default;

void RowActions::attach(QAbstractItemView *view, ViewKind kind, RowDescriber describer)
{
    ViewEntry &entry = m_views[view];
    entry.kind = kind;
    entry.describer = std::move(describer);
    for (const ActionSpec &spec : actionSpecs()) {
        if (isProcessAction(spec.kind) && kind != ViewKind::Processes)
            continue;
        QAction *action = makeRowAction(spec.kind, view);
        connect(action, &QAction::triggered, this, [this, view, k = spec.kind] { run(view, k); });
        view->addAction(action);
        entry.actions[spec.kind] = action;
    }
    // A disabled action's key must not fall through to the view's own Ctrl+C, which would copy
    // the displayed (possibly elided) text instead of nothing.
    view->installEventFilter(this);
    view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(view, &QWidget::customContextMenuRequested, this, [this, view](const QPoint &pos) {
        const QModelIndex index = view->indexAt(pos);
        if (!index.isValid())
            return;
        QMenu *menu = menuFor(view, index, view);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->popup(view->viewport()->mapToGlobal(pos));
    });
    // The enabled state follows the current row, so a shortcut on a row without a hash is inert.
    if (view->selectionModel())
        connect(view->selectionModel(), &QItemSelectionModel::currentChanged, this, [this, view] { updateEnabled(view); });
    connect(view, &QObject::destroyed, this, [this, view] { m_views.erase(view); });
    updateEnabled(view);
}

bool RowActions::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::KeyPress)
        return QObject::eventFilter(watched, event);
    const auto entry = m_views.find(qobject_cast<QAbstractItemView *>(watched));
    if (entry == m_views.end())
        return false;
    const auto *key = static_cast<QKeyEvent *>(event);
    const QKeySequence pressed(key->keyCombination());
    for (const auto &[kind, action] : entry->second.actions)
        if (!action->isEnabled() && action->shortcut() == pressed)
            return true;
    return false;
}

QAction *RowActions::action(QAbstractItemView *view, RowAction kind) const
{
    const auto entry = m_views.find(view);
    if (entry == m_views.end())
        return nullptr;
    const auto it = entry->second.actions.find(kind);
    return it == entry->second.actions.end() ? nullptr : it->second;
}

std::optional<RowTarget> RowActions::currentTarget(QAbstractItemView *view) const
{
    const auto entry = m_views.find(view);
    if (entry == m_views.end() || !view->currentIndex().isValid())
        return std::nullopt;
    return entry->second.describer(view->currentIndex());
}

QMenu *RowActions::menuFor(QAbstractItemView *view, const QModelIndex &index, QWidget *parent)
{
    if (index.isValid() && index != view->currentIndex())
        view->setCurrentIndex(index);
    updateEnabled(view);
    auto *menu = new QMenu(parent);
    const auto entry = m_views.find(view);
    if (entry == m_views.end())
        return menu;
    for (const ActionSpec &spec : actionSpecs()) {
        const auto it = entry->second.actions.find(spec.kind);
        if (it == entry->second.actions.end())
            continue;
        if (hasSeparatorBefore(spec.kind))
            menu->addSeparator();
        menu->addAction(it->second);
    }
    return menu;
}

void RowActions::updateEnabled(QAbstractItemView *view)
{
    const auto entry = m_views.find(view);
    if (entry == m_views.end())
        return;
    const std::optional<RowTarget> target = currentTarget(view);
    for (auto &[kind, action] : entry->second.actions)
        action->setEnabled(target && applies(kind, *target));
}

void RowActions::run(QAbstractItemView *view, RowAction kind)
{
    const std::optional<RowTarget> target = currentTarget(view);
    if (!target || !applies(kind, *target))
        return;
    switch (kind) {
    case RowAction::CopyPath:
        QApplication::clipboard()->setText(target->path);
        emit message(QStringLiteral("Copied the path ") + target->path);
        break;
    case RowAction::CopySha256:
        QApplication::clipboard()->setText(target->sha256);
        emit message(QStringLiteral("Copied the SHA-256 of ") + target->path);
        break;
    case RowAction::CopyJson:
        QApplication::clipboard()->setText(QString::fromUtf8(target->json));
        emit message(QStringLiteral("Copied the row as JSON"));
        break;
    case RowAction::OpenFolder: {
        const QUrl url = QUrl::fromLocalFile(QFileInfo(target->path).absolutePath());
        if (!m_openUrl(url))
            emit message(QStringLiteral("Could not open the folder ") + url.toLocalFile());
        break;
    }
    case RowAction::WhoLoads:
        emit whoLoadsRequested(target->path);
        break;
    case RowAction::ShowInEvents:
        emit showInEventsRequested(target->path);
        break;
    case RowAction::Details:
        showDetails(view, *target);
        break;
    case RowAction::Suspend:
    case RowAction::Resume:
    case RowAction::Kill:
        sendSignal(view, *target, kind);
        break;
    }
}

void RowActions::showDetails(QAbstractItemView *view, const RowTarget &target)
{
    auto *dialog = new QDialog(view->window());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(target.detailsTitle.isEmpty() ? QStringLiteral("Verdict details") : target.detailsTitle);
    auto *text = new QTextBrowser(dialog);
    text->setObjectName(QStringLiteral("verdictDetails"));
    text->setOpenExternalLinks(true);
    text->setHtml(target.detailsHtml);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(text);
    layout->addWidget(buttons);
    dialog->resize(720, 560);
    dialog->show();
    m_details = dialog;
}

void RowActions::sendSignal(QAbstractItemView *, const RowTarget &target, RowAction kind)
{
    const ProcessRef &process = *target.process;
    const proc::SignalKind signal = signalOf(kind);
    const QString who = QStringLiteral("%1 (pid %2)").arg(process.name).arg(process.pid);
    QString question = QStringLiteral("%1 %2?").arg(ProcessSignaller::verb(signal), who);
    question[0] = question[0].toUpper();
    if (signal == proc::SignalKind::Kill)
        question += QStringLiteral("\nSIGKILL ends it at once: unsaved work is lost, and a killed process leaves no "
                                   "memory to examine.");
    if (signal == proc::SignalKind::Stop)
        question += QStringLiteral("\nSIGSTOP freezes it (its memory and maps stay readable) until it is resumed.");
    if (!ProcessSignaller::canSignalDirectly(process))
        question += QStringLiteral("\nIt belongs to another user: an administrator password will be asked for.");
    if (!m_confirm(question))
        return;
    m_signaller->send(process, signal);
}

} // namespace loadlens::ui
