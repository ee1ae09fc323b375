#include "clickhouse_fixture.h"

#include <QFile>

namespace loadlens::testing {

QByteArray clickHouseFixtureFile(const char *name)
{
    const QString dir = qEnvironmentVariable("LOADLENS_TEST_CLICKHOUSE_DIR");
    if (dir.isEmpty())
        return {};
    QFile file(dir + QLatin1Char('/') + QLatin1String(name));
    return file.open(QIODevice::ReadOnly) ? file.readAll().trimmed() : QByteArray();
}

QString clickHouseTestUrl()
{
    QString url = QString::fromUtf8(clickHouseFixtureFile("url"));
    if (!url.isEmpty() && !url.endsWith(QLatin1Char('/')))
        url += QLatin1Char('/');
    return url;
}

} // namespace loadlens::testing
