#include "splitterstate.h"

#include <QSettings>
#include <QSplitter>

namespace loadlens::ui {

void rememberSplitter(QSplitter *splitter, const QString &name)
{
    const QString key = QStringLiteral("splitters/") + name;
    splitter->setObjectName(name);
    const QByteArray state = QSettings().value(key).toByteArray();
    if (!state.isEmpty())
        splitter->restoreState(state);
    QObject::connect(splitter, &QSplitter::splitterMoved, splitter,
                     [splitter, key] { QSettings().setValue(key, splitter->saveState()); });
}

} // namespace loadlens::ui
