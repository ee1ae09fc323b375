#pragma once
// A root directory for posture checks, built for real in a QTemporaryDir: /etc files with their
// modes, library directories, fake /sys and /proc files.
#include "posture/posture.h"

#include <QByteArray>
#include <QString>
#include <QTemporaryDir>

namespace loadlens::testing {

class PostureTree {
public:
    PostureTree();
    bool isValid() const { return m_dir.isValid(); }
    QString root() const { return m_dir.path(); }
    QString path(const QString &relative) const;  // root() + relative ("/etc/x")

    // Creates parent directories (0755) as needed; the file gets `mode`.
    bool write(const QString &relative, const QByteArray &content, unsigned mode = 0644) const;
    bool mkdir(const QString &relative, unsigned mode = 0755) const;
    bool symlink(const QString &target, const QString &relative) const;

    posture::PostureOptions options() const { return posture::PostureOptions::forRoot(root().toStdString()); }

private:
    QTemporaryDir m_dir;
};

// True when some evidence line of `check` contains `part`.
bool evidenceContains(const posture::PostureCheck &check, const QString &part);
QString describe(const posture::PostureCheck &check);  // status and evidence, for failure messages
QString statusText(posture::Status status);

} // namespace loadlens::testing
