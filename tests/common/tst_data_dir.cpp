// Where LoadLens keeps its caches and cases: the user's XDG data directory, and as root a
// root-owned directory that nothing in the environment can move.
#include "common/data_dir.h"

#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace loadlens;

namespace {

// Sets environment variables for one test and puts the old values back.
class EnvGuard {
public:
    explicit EnvGuard(std::initializer_list<const char *> names)
    {
        for (const char *name : names)
            m_saved.emplace_back(name, qgetenv(name));
    }
    ~EnvGuard()
    {
        for (const auto &[name, value] : m_saved) {
            if (value.isNull())
                qunsetenv(name);
            else
                qputenv(name, value);
        }
    }
    Q_DISABLE_COPY_MOVE(EnvGuard)

private:
    std::vector<std::pair<const char *, QByteArray>> m_saved;
};

} // namespace

class TestDataDir : public QObject {
    Q_OBJECT
private slots:
    void userFollowsXdgThenHome()
    {
        EnvGuard env{"XDG_DATA_HOME", "HOME"};
        qputenv("XDG_DATA_HOME", "/xdg/data");
        QCOMPARE(dataDirectoryFor(1000), std::string("/xdg/data/loadlens"));
        qputenv("XDG_DATA_HOME", "relative/ignored");
        qputenv("HOME", "/home/someone");
        QCOMPARE(dataDirectoryFor(1000), std::string("/home/someone/.local/share/loadlens"));
        qunsetenv("XDG_DATA_HOME");
        QCOMPARE(dataDirectoryFor(1000), std::string("/home/someone/.local/share/loadlens"));
    }

    void rootIgnoresTheEnvironment()
    {
        EnvGuard env{"XDG_DATA_HOME", "HOME"};
        qputenv("XDG_DATA_HOME", "/home/someone/.local/share");
        qputenv("HOME", "/home/someone");
        QCOMPARE(dataDirectoryFor(0), std::string("/var/cache/loadlens"));
        qunsetenv("XDG_DATA_HOME");
        qunsetenv("HOME");
        QCOMPARE(dataDirectoryFor(0), std::string("/var/cache/loadlens"));
    }

    // What this process gets: as root the directory exists afterwards, root's and private.
    void effectiveUserDecides()
    {
        EnvGuard env{"XDG_DATA_HOME"};
        QTemporaryDir xdg;
        QVERIFY(xdg.isValid());
        qputenv("XDG_DATA_HOME", xdg.path().toLocal8Bit());
        const std::string dir = dataDirectory();
        if (::geteuid() != 0) {
            QCOMPARE(dir, xdg.path().toStdString() + "/loadlens");
            return;
        }
        QCOMPARE(dir, std::string(kRootDataDirectory));
        QVERIFY2(!QFileInfo::exists(xdg.path() + QStringLiteral("/loadlens")), "a root run wrote under XDG_DATA_HOME");
        struct stat st {};
        QCOMPARE(::lstat(dir.c_str(), &st), 0);
        QVERIFY(S_ISDIR(st.st_mode));
        QCOMPARE(st.st_uid, uid_t(0));
        QCOMPARE(st.st_mode & 0022, 0u);  // no one else may add or replace files in it
    }
};

QTEST_GUILESS_MAIN(TestDataDir)
#include "tst_data_dir.moc"
