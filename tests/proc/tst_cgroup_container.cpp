// Container ids from /proc/PID/cgroup, one real-form file per runtime and cgroup driver, written
// from the runtimes' documented cgroup layouts (Docker's cgroupfs and systemd drivers, the
// Kubernetes kubelet's QoS hierarchy with containerd and CRI-O, Podman rootful and rootless,
// LXC 4+ and older, systemd-nspawn's machine units), and processes that are in none.
#include <QtTest>

#include "proc/cgroup_container.h"

using namespace loadlens;

namespace {
const char *kId = "3f2a9c1e5b7d4a6f8e0c2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a";
}

class TestCgroupContainer : public QObject {
    Q_OBJECT
private slots:
    void recognisesRuntimes_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("runtime");
        QTest::addColumn<QString>("id");
        const QString id = QString::fromLatin1(kId);
        const QString pod = QStringLiteral("pod0f3c3e53-7a4b-4c2b-9a1d-2f6c8e1b5a70");
        const QString podSlice = QStringLiteral("pod0f3c3e53_7a4b_4c2b_9a1d_2f6c8e1b5a70");
        QTest::addRow("docker, cgroup v1 (cgroupfs)")
            << QStringLiteral("12:pids:/docker/%1\n11:memory:/docker/%1\n1:name=systemd:/docker/%1\n0::/\n").arg(id)
            << "docker" << id;
        QTest::addRow("docker, cgroup v2 (cgroupfs)") << QStringLiteral("0::/docker/%1\n").arg(id) << "docker" << id;
        QTest::addRow("docker, cgroup v2 (systemd)")
            << QStringLiteral("0::/system.slice/docker-%1.scope\n").arg(id) << "docker" << id;
        QTest::addRow("containerd CRI, cgroup v2 (systemd)")
            << QStringLiteral("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-%1.slice/"
                              "cri-containerd-%2.scope\n")
                   .arg(podSlice, id)
            << "containerd" << id;
        QTest::addRow("CRI-O, cgroup v2 (systemd)")
            << QStringLiteral("0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-%1.slice/crio-%2.scope\n")
                   .arg(podSlice, id)
            << "cri-o" << id;
        QTest::addRow("kubelet, cgroup v1 (cgroupfs)")
            << QStringLiteral("11:cpuset:/kubepods/besteffort/%1/%2\n4:memory:/kubepods/besteffort/%1/%2\n").arg(pod, id)
            << "kubernetes" << id;
        QTest::addRow("kubelet guaranteed QoS (cgroupfs)")
            << QStringLiteral("0::/kubepods/%1/%2\n").arg(pod, id) << "kubernetes" << id;
        QTest::addRow("podman rootless, cgroup v2")
            << QStringLiteral("0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-%1.scope/container\n")
                   .arg(id)
            << "podman" << id;
        QTest::addRow("podman rootful (cgroupfs)") << QStringLiteral("0::/libpod_parent/libpod-%1\n").arg(id) << "podman"
                                                   << id;
        QTest::addRow("podman rootful (systemd)") << QStringLiteral("0::/machine.slice/libpod-%1.scope\n").arg(id)
                                                  << "podman" << id;
        QTest::addRow("LXC 4, cgroup v2") << QStringLiteral("0::/lxc.payload.web01/system.slice/cron.service\n")
                                          << "lxc" << "web01";
        QTest::addRow("LXC, cgroup v1") << QStringLiteral("4:memory:/lxc/web01\n1:name=systemd:/lxc/web01/init.scope\n")
                                        << "lxc" << "web01";
        QTest::addRow("systemd-nspawn, cgroup v2")
            << QStringLiteral("0::/machine.slice/systemd-nspawn@debian\\x2dbox.service/payload/system.slice/cron.service\n")
            << "systemd-nspawn" << "debian-box";
        QTest::addRow("systemd-nspawn machine scope")
            << QStringLiteral("1:name=systemd:/machine.slice/machine-debian\\x2dbox.scope\n") << "systemd-nspawn"
            << "debian-box";
        // No container.
        QTest::addRow("host session") << QStringLiteral("0::/user.slice/user-1000.slice/session-3.scope\n") << ""
                                      << "";
        QTest::addRow("host init") << QStringLiteral("0::/init.scope\n") << "" << "";
        QTest::addRow("dockerd itself") << QStringLiteral("0::/system.slice/docker.service\n") << "" << "";
        QTest::addRow("podman's conmon")
            << QStringLiteral("0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-conmon-%1.scope\n")
                   .arg(id)
            << "" << "";
        QTest::addRow("LXC monitor") << QStringLiteral("0::/lxc.monitor.web01\n") << "" << "";
        QTest::addRow("short id is no container id") << QStringLiteral("0::/docker/3f2a9c1e5b7d\n") << "" << "";
        QTest::addRow("own cgroup namespace") << QStringLiteral("0::/\n") << "" << "";
        QTest::addRow("empty") << QString() << "" << "";
        QTest::addRow("malformed") << QStringLiteral("garbage\n::\n0:\n") << "" << "";
    }

    void recognisesRuntimes()
    {
        QFETCH(QString, file);
        QFETCH(QString, runtime);
        QFETCH(QString, id);
        const auto found = proc::containerFromCgroupFile(file.toStdString());
        if (runtime.isEmpty()) {
            QVERIFY2(!found, found ? found->runtime.c_str() : "");
            return;
        }
        QVERIFY(found);
        QCOMPARE(QString::fromStdString(found->runtime), runtime);
        QCOMPARE(QString::fromStdString(found->id), id);
    }

    void namespaceInodes()
    {
        QCOMPARE(proc::namespaceInode("mnt:[4026531841]"), std::uint64_t(4026531841));
        QCOMPARE(proc::namespaceInode("mnt:[]"), std::uint64_t(0));
        QCOMPARE(proc::namespaceInode("mnt:[12x]"), std::uint64_t(0));
        QCOMPARE(proc::namespaceInode("mnt:4026531841"), std::uint64_t(0));
        QCOMPARE(proc::namespaceInode("mnt:[99999999999999999999999]"), std::uint64_t(0));
    }
};

QTEST_GUILESS_MAIN(TestCgroupContainer)
#include "tst_cgroup_container.moc"
