#pragma once
// How table cells shorten text that does not fit, and how wide headers must be. Paths elide in
// the middle (the directory's start and the file name both tell something); names, hosts,
// signers and packages elide at the end, where their least telling part is ("DESKTOP-7GE…",
// never "…DGEWIN10"). Headers are never narrower than their title.
#include <QStyledItemDelegate>

class QTreeView;

namespace loadlens::ui {

// ElideMiddle for a POSIX or Windows path ("/usr/lib/x.so", "C:\\Windows\\...", "\\\\server\\share"),
// ElideRight for anything else.
Qt::TextElideMode elideModeFor(const QString &text);

class ElideByContentDelegate final : public QStyledItemDelegate {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ElideByContentDelegate)

public:
    explicit ElideByContentDelegate(QObject *parent = nullptr);
    // The mode a cell is painted with.
    Qt::TextElideMode elideModeAt(const QModelIndex &index) const;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;
};

// The width a header section needs to show its whole title (with the sort arrow).
int headerTitleWidth(const QTreeView *view, int section);

// Installs the delegate, and widens header sections narrower than their title now and
// whenever the model is reset or its headers change.
void setUpColumnFitting(QTreeView *view);

} // namespace loadlens::ui
