// core/ must build without Qt: no Qt header in its sources, no Qt target in its CMake files.
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QtTest>

class TestCoreNoQt : public QObject {
    Q_OBJECT
private slots:
    void noQtIncludesOrTargets()
    {
        const QString coreDir = QStringLiteral(LOADLENS_SOURCE_DIR "/core");
        QVERIFY2(QFileInfo(coreDir).isDir(), qPrintable(coreDir));
        const QRegularExpression qtInclude(QStringLiteral("^\\s*#\\s*include\\s*[<\"]Q[A-Za-z]*[>\"/]"),
                                           QRegularExpression::MultilineOption);
        const QRegularExpression qtTarget(QStringLiteral("Qt6?::"));
        int files = 0;
        QStringList offenders;
        QDirIterator it(coreDir, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QString text = QString::fromUtf8(f.readAll());
            ++files;
            if (path.endsWith(QStringLiteral("CMakeLists.txt")) ? text.contains(qtTarget) : text.contains(qtInclude))
                offenders << path;
        }
        QVERIFY2(files > 10, "core/ sources not found");
        QVERIFY2(offenders.isEmpty(), qPrintable(offenders.join(QStringLiteral(", "))));
    }
};

QTEST_GUILESS_MAIN(TestCoreNoQt)
#include "tst_core_no_qt.moc"
