#include "posture_tree.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <sys/stat.h>
#include <unistd.h>

namespace loadlens::testing {

PostureTree::PostureTree()
{
    // The root is where checkWritable starts its walk below /tmp: keep it root-only like "/".
    ::chmod(QFile::encodeName(m_dir.path()).constData(), 0755);
}

QString PostureTree::path(const QString &relative) const
{
    return m_dir.path() + relative;
}

bool PostureTree::mkdir(const QString &relative, unsigned mode) const
{
    const QString full = path(relative);
    if (!QDir().mkpath(full))
        return false;
    return ::chmod(QFile::encodeName(full).constData(), mode) == 0;
}

bool PostureTree::write(const QString &relative, const QByteArray &content, unsigned mode) const
{
    const QString full = path(relative);
    if (!QDir().mkpath(QFileInfo(full).path()))
        return false;
    QFile f(full);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(content) != content.size())
        return false;
    f.close();
    return ::chmod(QFile::encodeName(full).constData(), mode) == 0;
}

bool PostureTree::symlink(const QString &target, const QString &relative) const
{
    const QString full = path(relative);
    QDir().mkpath(QFileInfo(full).path());
    return ::symlink(QFile::encodeName(target).constData(), QFile::encodeName(full).constData()) == 0;
}

bool evidenceContains(const posture::PostureCheck &check, const QString &part)
{
    for (const auto &line : check.evidenceLines())
        if (QString::fromStdString(line).contains(part))
            return true;
    return false;
}

QString statusText(posture::Status status)
{
    return QString::fromLatin1(posture::statusName(status).data(), qsizetype(posture::statusName(status).size()));
}

QString describe(const posture::PostureCheck &check)
{
    QString out = QString::fromStdString(check.id) + u' ' + statusText(check.status);
    for (const auto &line : check.evidenceLines())
        out += u"\n  " + QString::fromStdString(line);
    return out;
}

} // namespace loadlens::testing
