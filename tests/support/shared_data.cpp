#include "shared_data.h"

#include <QDir>
#include <QFileInfo>

namespace loadlens::testing {

QString sharedDataDir()
{
    const QString fromEnv = qEnvironmentVariable("LOADLENS_SHARED_DATA");
    if (!fromEnv.isEmpty())
        return QDir::cleanPath(fromEnv);
    return QDir::cleanPath(QStringLiteral(LOADLENS_SHARED_DATA_DEFAULT));
}

QString sharedDataPath(const QString &relative)
{
    const QString path = sharedDataDir() + QLatin1Char('/') + relative;
    return QFileInfo::exists(path) ? QFileInfo(path).absoluteFilePath() : QString();
}

} // namespace loadlens::testing
