#pragma once
// The actions on one row of a table (processes, modules, events, diff, stacking): copy path,
// SHA-256 or JSON, open the containing folder, who loads this, show in Events, verdict details,
// and on processes suspend, resume and kill. They are made in one place (makeRowAction), and
// each view gets one QAction per kind: the context menu shows those same actions, so the menu
// and the keyboard shortcuts always agree.
#include <QByteArray>
#include <QDialog>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <map>
#include <optional>
#include <vector>

class QAbstractItemView;
class QAction;

class QKeySequence;
class QMenu;
class QModelIndex;
class QUrl;

namespace loadlens::ui {

class ProcessSignaller;

// The process a row stands for, as the scan saw it (the start time guards against pid reuse).
struct ProcessRef {
    int pid = 0;
    quint64 startTime = 0;
    uint uid = 0;
    QString name;
};

// What the actions of one row act on; made by the view's describer from its model.
struct RowTarget {
    QString path;         // module, image or executable path, unelided; empty when none
    QString sha256;       // hex; empty when not known
    QByteArray json;      // the row as one JSON object, raw values
    QString detailsTitle; // the verdict details window's title
    QString detailsHtml;  // why it got its verdict; empty when the row has none
    std::optional<ProcessRef> process;
};

using RowDescriber = std::function<std::optional<RowTarget>(const QModelIndex &index)>;

enum class RowAction {
    CopyPath,
    CopySha256,
    CopyJson,
    OpenFolder,
    WhoLoads,
    ShowInEvents,
    Details,
    Suspend,
    Resume,
    Kill,
};

// The one place an action gets its text, icon and shortcut.
QAction *makeRowAction(RowAction kind, QObject *parent);

class RowActions final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RowActions)

public:
    // Which actions a view offers: the common ones, plus the signals on process views.
    enum class ViewKind { Table, Processes };

    explicit RowActions(QObject *parent = nullptr);
    ~RowActions() override;

    // Gives `view` its actions (shortcuts while it has focus) and the context menu.
    void attach(QAbstractItemView *view, ViewKind kind, RowDescriber describer);
    // The action of `kind` on `view`; nullptr when the view does not offer it.
    QAction *action(QAbstractItemView *view, RowAction kind) const;
    // Makes `index` current and returns the menu the view shows for it (the caller owns it).
    QMenu *menuFor(QAbstractItemView *view, const QModelIndex &index, QWidget *parent = nullptr);
    // The target of the view's current row.
    std::optional<RowTarget> currentTarget(QAbstractItemView *view) const;

    // Test hooks: what opens a folder (QDesktopServices::openUrl otherwise) and what answers a
    // confirmation (a message box otherwise).
    void setUrlOpener(std::function<bool(const QUrl &)> opener) { m_openUrl = std::move(opener); }
    void setConfirmer(std::function<bool(const QString &question)> confirmer) { m_confirm = std::move(confirmer); }
    ProcessSignaller *signaller() const { return m_signaller; }
    // The last verdict details window (tests).
    QDialog *detailsDialog() const { return m_details; }

signals:
    void whoLoadsRequested(const QString &path);
    void showInEventsRequested(const QString &path);
    // A short result for the status bar: "Copied SHA-256 of …", "pid 42 suspended", an error.
    void message(const QString &text);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct ViewEntry {
        ViewKind kind = ViewKind::Table;
        RowDescriber describer;
        std::map<RowAction, QAction *> actions;
    };
    void run(QAbstractItemView *view, RowAction kind);
    void updateEnabled(QAbstractItemView *view);
    void showDetails(QAbstractItemView *view, const RowTarget &target);
    void sendSignal(QAbstractItemView *view, const RowTarget &target, RowAction kind);

    std::map<QAbstractItemView *, ViewEntry> m_views;
    ProcessSignaller *m_signaller;
    std::function<bool(const QUrl &)> m_openUrl;
    std::function<bool(const QString &)> m_confirm;
    QPointer<QDialog> m_details;
};

} // namespace loadlens::ui
