// audit-rules on real trees: watches written as -w and as -a always,exit -F path=/dir=, comments,
// -D, -W, -e 0, never rules; and the rules --emit-auditd-rules writes, loaded back from the tree.
#include <QtTest>

#include "posture_tree.h"
#include "posture/audit_kernel.h"
#include "posture/audit_rules.h"
#include "posture/posture.h"

#include <QProcess>

#include <linux/audit.h>

#include <cstring>
#include <unistd.h>

using namespace loadlens;
using namespace loadlens::posture;
using loadlens::testing::PostureTree;

namespace {

void buildLoaderTree(const PostureTree &tree)
{
    QVERIFY(tree.write(u"/etc/ld.so.conf"_qs, "include /etc/ld.so.conf.d/*.conf\n"));
    QVERIFY(tree.write(u"/etc/ld.so.conf.d/vendor.conf"_qs, "/opt/vendor/lib\n"));
    QVERIFY(tree.mkdir(u"/opt/vendor/lib"_qs));
    QVERIFY(tree.mkdir(u"/usr/lib/x86_64-linux-gnu"_qs));
    QVERIFY(tree.symlink(u"usr/lib"_qs, u"/lib"_qs));  // merged /usr: /lib/... names the same dirs
}

const char *kFullRules =
    "## loader configuration\n"
    "-D\n"
    "-w /etc/ld.so.preload -p wa -k preload\n"
    "-w /etc/ld.so.conf -p wa -k ldconf\n"
    "-a always,exit -F arch=b64 -F dir=/etc/ld.so.conf.d -F perm=wa -k ldconf\n"
    "-a exit,always -F path=/opt/vendor/lib -F perm=w -F key=vendor\n"
    "-w /lib/ -p wa -k libs\n";

// One struct audit_rule_data as the kernel sends it for AUDIT_LIST_RULES: fields are (field,
// value) pairs; a string field's value is its text, appended to the rule's buffer.
struct KernelField {
    std::uint32_t field;
    std::uint32_t value = 0;
    std::string text;
};

QByteArray kernelRule(std::uint32_t list, std::uint32_t action, const std::vector<KernelField> &fields,
                      const std::vector<int> &syscalls = {})
{
    std::vector<std::uint32_t> words(3 + AUDIT_BITMASK_SIZE + 3 * AUDIT_MAX_FIELDS + 1, 0);
    words[0] = list;
    words[1] = action;
    words[2] = static_cast<std::uint32_t>(fields.size());
    for (int nr : syscalls)
        words[3 + static_cast<std::size_t>(nr) / 32] |= 1u << (nr % 32);
    std::string buf;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        words[3 + AUDIT_BITMASK_SIZE + i] = fields[i].field;
        words[3 + AUDIT_BITMASK_SIZE + AUDIT_MAX_FIELDS + i] =
            fields[i].text.empty() ? fields[i].value : static_cast<std::uint32_t>(fields[i].text.size());
        buf += fields[i].text;
    }
    words.back() = static_cast<std::uint32_t>(buf.size());
    QByteArray out(reinterpret_cast<const char *>(words.data()), static_cast<int>(words.size() * 4));
    out += QByteArray::fromStdString(buf);
    return out;
}

Result<Ok> decode(const QByteArray &payload, KernelAuditState &state)
{
    return decodeKernelRule(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t *>(payload.constData()),
                                                          static_cast<std::size_t>(payload.size())),
                            state);
}

// A kernel with auditing on, auditd registered, and `watches` loaded.
KernelAuditState runningKernel(std::vector<AuditWatch> watches)
{
    KernelAuditState k;
    k.enabled = 1;
    k.auditdPid = 4242;
    k.ruleCount = static_cast<int>(watches.size());
    int n = 0;
    for (auto &w : watches) {
        w.file = "kernel";
        w.line = ++n;
        if (w.perms.empty())
            w.perms = "wa";
    }
    k.watches = std::move(watches);
    return k;
}

const char *kWatchedRules =
    "-w /etc/ld.so.preload -p wa -k preload\n"
    "-w /etc/ld.so.conf -p wa -k ldconf\n"
    "-w /etc/ld.so.conf.d -p wa -k ldconf\n"
    "-w /opt/vendor/lib -p wa -k vendor\n"
    "-w /usr/lib -p wa -k libs\n";

std::vector<AuditWatch> kernelCopyOfWatchedRules()
{
    std::vector<AuditWatch> w;
    for (const char *path : {"/etc/ld.so.preload", "/etc/ld.so.conf"})
        w.push_back(AuditWatch{path, false, true, "wa", "k", false, {}, 0});
    for (const char *path : {"/etc/ld.so.conf.d", "/opt/vendor/lib", "/usr/lib"})
        w.push_back(AuditWatch{path, true, false, "wa", "k", false, {}, 0});
    return w;
}

// The lines `auditctl -l` prints, or an error text.
QStringList auditctlList(QString *error)
{
    QProcess p;
    p.start(u"auditctl"_qs, {u"-l"_qs});
    if (!p.waitForFinished(10000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        *error = u"auditctl -l failed: "_qs + QString::fromLocal8Bit(p.readAllStandardError()) + p.errorString();
        return {};
    }
    QStringList lines = QString::fromLocal8Bit(p.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
    if (lines == QStringList{u"No rules"_qs})
        lines.clear();
    return lines;
}

bool auditctl(const QStringList &args, QString *error)
{
    QProcess p;
    p.start(u"auditctl"_qs, args);
    const bool ok = p.waitForFinished(10000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (!ok)
        *error = u"auditctl "_qs + args.join(u' ') + u": "_qs + QString::fromLocal8Bit(p.readAllStandardError());
    return ok;
}

} // namespace

class TestPostureAudit : public QObject {
    Q_OBJECT
private slots:
    void rules_data();
    void rules();
    void emittedRulesCloseEveryGap();
    void kernelRuleDecoding_data();
    void kernelRuleDecoding();
    void damagedKernelRulesAreErrors_data();
    void damagedKernelRulesAreErrors();
    void kernelAgainstFiles_data();
    void kernelAgainstFiles();
    void anotherRootAsksNoKernel();
    void liveKernelMatchesAuditctl();
};

void TestPostureAudit::rules_data()
{
    QTest::addColumn<QByteArray>("rules");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QStringList>("unwatched");

    // -F path= on the library directory itself: planting a file writes that directory's inode.
    QTest::addRow("path field on the dir") << QByteArray(kFullRules) << "pass" << QStringList{};
    QByteArray full = QByteArray(kFullRules).replace("-F path=/opt/vendor/lib", "-F dir=/opt/vendor/lib");
    QTest::addRow("everything watched") << full << "pass" << QStringList{};
    QTest::addRow("no rules") << QByteArray() << "fail"
                              << QStringList{u"/etc/ld.so.preload"_qs, u"/etc/ld.so.conf"_qs, u"/etc/ld.so.conf.d"_qs,
                                             u"/opt/vendor/lib"_qs, u"/usr/lib/x86_64-linux-gnu"_qs, u"/usr/lib"_qs};
    QTest::addRow("commented out") << QByteArray(full).replace("-w /etc/ld.so.preload", "# -w /etc/ld.so.preload") << "fail"
                                   << QStringList{u"/etc/ld.so.preload"_qs};
    QTest::addRow("read only") << QByteArray(full).replace("-w /etc/ld.so.conf -p wa", "-w /etc/ld.so.conf -p r") << "fail"
                               << QStringList{u"/etc/ld.so.conf"_qs};
    QTest::addRow("removed by -W") << QByteArray(full + "-W /etc/ld.so.conf\n") << "fail" << QStringList{u"/etc/ld.so.conf"_qs};
    QTest::addRow("-D after") << QByteArray(full + "-D\n-w /etc/ld.so.conf -p wa\n") << "fail"
                              << QStringList{u"/etc/ld.so.preload"_qs, u"/etc/ld.so.conf.d"_qs, u"/opt/vendor/lib"_qs,
                                             u"/usr/lib/x86_64-linux-gnu"_qs, u"/usr/lib"_qs};
    QTest::addRow("never rule") << QByteArray(full + "-a never,exit -F dir=/usr/lib\n") << "fail"
                                << QStringList{u"/usr/lib/x86_64-linux-gnu"_qs, u"/usr/lib"_qs};
    QTest::addRow("disabled") << QByteArray(full + "-e 0\n") << "fail" << QStringList{};
}

void TestPostureAudit::rules()
{
    QFETCH(QByteArray, rules);
    QFETCH(QString, status);
    QFETCH(QStringList, unwatched);
    PostureTree tree;
    buildLoaderTree(tree);
    if (!rules.isEmpty())
        QVERIFY(tree.write(u"/etc/audit/rules.d/30-loader.rules"_qs, rules));
    // audit.rules is what augenrules builds from rules.d: with rules.d present it is not read.
    QVERIFY(tree.write(u"/etc/audit/audit.rules"_qs, "-w /etc/ld.so.preload -p wa\n"));
    if (rules.isEmpty())
        QVERIFY(QFile::remove(tree.path(u"/etc/audit/audit.rules"_qs)));

    std::vector<std::string> gaps;
    const PostureCheck check = checkAuditRules(tree.options(), &gaps);
    QVERIFY2(testing::statusText(check.status) == status, qPrintable(testing::describe(check)));
    QStringList gotGaps;
    for (const auto &g : gaps)
        gotGaps << QString::fromStdString(g);
    QCOMPARE(gotGaps, unwatched);
    for (const auto &g : unwatched)
        QVERIFY2(testing::evidenceContains(check, g + u" is not watched"_qs), qPrintable(testing::describe(check)));
    if (status == u"pass"_qs)
        QVERIFY(testing::evidenceContains(check, u"/etc/ld.so.conf.d is watched for writes by /etc/audit/rules.d/30-loader.rules:5 (key ldconf)"_qs));
}

void TestPostureAudit::emittedRulesCloseEveryGap()
{
    PostureTree tree;
    buildLoaderTree(tree);
    QVERIFY(tree.write(u"/etc/audit/rules.d/10-base.rules"_qs, "-D\n-b 8192\n-w /etc/ld.so.conf -p wa -k mine\n"));
    std::vector<std::string> gaps;
    QCOMPARE(checkAuditRules(tree.options(), &gaps).status, posture::Status::Fail);
    QCOMPARE(gaps.size(), std::size_t(5));

    const std::string emitted = emitAuditdRules(gaps);
    for (const auto &g : gaps)
        QVERIFY(emitted.find("-w " + g + " -p wa -k " + std::string(auditKeyFor(g)) + "\n") != std::string::npos);
    QVERIFY(emitted.find("-k loadlens_preload") != std::string::npos);
    QVERIFY(emitted.find("-k loadlens_libdirs") != std::string::npos);
    QVERIFY(tree.write(u"/etc/audit/rules.d/60-loadlens.rules"_qs, QByteArray::fromStdString(emitted)));

    std::vector<std::string> after;
    const PostureCheck check = checkAuditRules(tree.options(), &after);
    QVERIFY2(check.status == posture::Status::Pass, qPrintable(testing::describe(check)));
    QVERIFY(after.empty());
    QVERIFY(testing::evidenceContains(check, u"(key loadlens_preload)"_qs));
    QVERIFY(testing::evidenceContains(check, u"/etc/ld.so.conf is watched for writes by /etc/audit/rules.d/10-base.rules:3 (key mine)"_qs));
}

void TestPostureAudit::kernelRuleDecoding_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<bool>("isWatch");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("directory");
    QTest::addColumn<QString>("perms");
    QTest::addColumn<QString>("key");
    QTest::addColumn<bool>("never");

    // -w /etc/ld.so.preload -p wa -k llk, as auditctl sends it: a watch field, then perm, then key.
    QTest::addRow("-w file -p wa -k")
        << kernelRule(AUDIT_FILTER_EXIT, AUDIT_ALWAYS,
                      {{AUDIT_WATCH, 0, "/etc/ld.so.preload"}, {AUDIT_PERM, AUDIT_PERM_WRITE | AUDIT_PERM_ATTR, {}},
                       {AUDIT_FILTERKEY, 0, "llk"}}, {0, 1, 2, 500})
        << true << "/etc/ld.so.preload" << false << "wa" << "llk" << false;
    QTest::addRow("-w dir, every perm")
        << kernelRule(AUDIT_FILTER_EXIT | AUDIT_FILTER_PREPEND, AUDIT_ALWAYS,
                      {{AUDIT_DIR, 0, "/usr/lib"},
                       {AUDIT_PERM, AUDIT_PERM_READ | AUDIT_PERM_WRITE | AUDIT_PERM_EXEC | AUDIT_PERM_ATTR, {}}})
        << true << "/usr/lib" << true << "rwxa" << "" << false;
    QTest::addRow("dir= with openat")
        << kernelRule(AUDIT_FILTER_EXIT, AUDIT_ALWAYS,
                      {{AUDIT_ARCH, 0xC000003Eu, {}}, {AUDIT_DIR, 0, "/etc/ld.so.conf.d"}, {AUDIT_FILTERKEY, 0, "lld"}}, {257})
        << true << "/etc/ld.so.conf.d" << true << "w" << "lld" << false;
    QTest::addRow("path= with read only syscalls")
        << kernelRule(AUDIT_FILTER_EXIT, AUDIT_ALWAYS, {{AUDIT_WATCH, 0, "/etc/ld.so.conf"}}, {0, 4})
        << true << "/etc/ld.so.conf" << false << "" << "" << false;
    QTest::addRow("never, strings before the path")
        << kernelRule(AUDIT_FILTER_EXIT, AUDIT_NEVER,
                      {{AUDIT_SUBJ_USER, 0, "system_u"}, {AUDIT_EXE, 0, "/usr/bin/true"}, {AUDIT_UID, 1000, {}},
                       {AUDIT_WATCH, 0, "/etc/ld.so.conf"}, {AUDIT_PERM, AUDIT_PERM_WRITE, {}}})
        << true << "/etc/ld.so.conf" << false << "w" << "" << true;
    QTest::addRow("syscall rule without a path")
        << kernelRule(AUDIT_FILTER_EXIT, AUDIT_ALWAYS, {{AUDIT_UID, 0, {}}, {AUDIT_FILTERKEY, 0, "root"}}, {59})
        << false << "" << false << "" << "" << false;
    QTest::addRow("watch on the user list")
        << kernelRule(AUDIT_FILTER_USER, AUDIT_ALWAYS, {{AUDIT_WATCH, 0, "/etc/ld.so.preload"}})
        << false << "" << false << "" << "" << false;
}

void TestPostureAudit::kernelRuleDecoding()
{
    QFETCH(QByteArray, payload);
    QFETCH(bool, isWatch);
    KernelAuditState state;
    const auto decoded = decode(payload, state);
    QVERIFY2(decoded.ok(), decoded.ok() ? "" : decoded.error().message.c_str());
    QCOMPARE(state.ruleCount, 1);
    QCOMPARE(state.watches.size(), std::size_t(isWatch ? 1 : 0));
    if (!isWatch)
        return;
    const AuditWatch &w = state.watches.front();
    QTEST(QString::fromStdString(w.path), "path");
    QTEST(w.directoryField, "directory");
    QCOMPARE(w.pathField, !w.directoryField);
    QTEST(QString::fromStdString(w.perms), "perms");
    QTEST(QString::fromStdString(w.key), "key");
    QTEST(w.never, "never");
    QCOMPARE(w.file, std::string("kernel"));
    QCOMPARE(w.line, 1);
}

void TestPostureAudit::damagedKernelRulesAreErrors_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("message");
    const QByteArray good = kernelRule(AUDIT_FILTER_EXIT, AUDIT_ALWAYS,
                                       {{AUDIT_WATCH, 0, "/etc/ld.so.preload"}, {AUDIT_FILTERKEY, 0, "k"}});
    QTest::addRow("empty") << QByteArray() << "0 bytes, shorter than a rule";
    QTest::addRow("cut in the header") << good.left(100) << "100 bytes, shorter than a rule";
    QTest::addRow("cut in the strings") << good.left(good.size() - 3) << "its strings claim 19 bytes";
    QByteArray tooMany = good;
    const std::uint32_t fields = 65;
    std::memcpy(tooMany.data() + 8, &fields, 4);
    QTest::addRow("65 fields") << tooMany << "65 fields, more than 64";
    QByteArray overrun = good;
    const std::uint32_t length = 1000;  // the watch's text length, past the buffer
    std::memcpy(overrun.data() + (3 + AUDIT_BITMASK_SIZE + AUDIT_MAX_FIELDS) * 4, &length, 4);
    QTest::addRow("string past the buffer") << overrun << "field 1 reads past the rule's strings";
}

void TestPostureAudit::damagedKernelRulesAreErrors()
{
    QFETCH(QByteArray, payload);
    QFETCH(QString, message);
    KernelAuditState state;
    const auto decoded = decode(payload, state);
    QVERIFY(!decoded.ok());
    QVERIFY2(QString::fromStdString(decoded.error().message).contains(message), decoded.error().message.c_str());
    QVERIFY(state.watches.empty());
}

void TestPostureAudit::kernelAgainstFiles_data()
{
    QTest::addColumn<QByteArray>("rules");
    QTest::addColumn<bool>("readable");
    QTest::addColumn<int>("enabled");
    QTest::addColumn<int>("auditdPid");
    QTest::addColumn<QStringList>("kernelPaths");  // of kernelCopyOfWatchedRules(); "*" = all
    QTest::addColumn<QString>("status");
    QTest::addColumn<QStringList>("evidence");
    QTest::addColumn<QStringList>("gaps");

    QTest::addRow("files loaded") << QByteArray(kWatchedRules) << true << 1 << 4242 << QStringList{u"*"_qs} << "pass"
                                  << QStringList{u"/etc/ld.so.preload is watched for writes by /etc/audit/rules.d/30-loader.rules:1 (key preload), loaded in the kernel as kernel rule 1 (key k)"_qs,
                                                 u"auditd (pid 4242) receives"_qs, u"the kernel holds 5 audit rules, 5 of them on files"_qs}
                                  << QStringList{};
    QTest::addRow("files never loaded") << QByteArray(kWatchedRules) << true << 1 << 4242 << QStringList{} << "fail"
                                        << QStringList{u"/etc/ld.so.preload is watched for writes by /etc/audit/rules.d/30-loader.rules:1 (key preload), but the kernel has no such rule loaded"_qs,
                                                       u"/usr/lib is watched for writes by /etc/audit/rules.d/30-loader.rules:5 (key libs), but the kernel has no such rule loaded"_qs}
                                        << QStringList{};
    QTest::addRow("one rule removed since") << QByteArray(kWatchedRules) << true << 1 << 4242
                                            << QStringList{u"/etc/ld.so.conf"_qs, u"/etc/ld.so.conf.d"_qs, u"/opt/vendor/lib"_qs, u"/usr/lib"_qs} << "fail"
                                            << QStringList{u"/etc/ld.so.preload is watched for writes by /etc/audit/rules.d/30-loader.rules:1 (key preload), but the kernel has no such rule loaded"_qs}
                                            << QStringList{};
    QTest::addRow("loaded by hand only") << QByteArray() << true << 1 << 4242 << QStringList{u"/etc/ld.so.preload"_qs} << "fail"
                                         << QStringList{u"/etc/ld.so.preload is watched for writes by kernel rule 1 (key k), but no rules file holds that rule: the watch is gone at the next boot"_qs,
                                                        u"/etc/ld.so.conf is not watched for writes"_qs}
                                         << QStringList{u"/etc/ld.so.preload"_qs, u"/etc/ld.so.conf"_qs, u"/etc/ld.so.conf.d"_qs,
                                                        u"/opt/vendor/lib"_qs, u"/usr/lib/x86_64-linux-gnu"_qs, u"/usr/lib"_qs};
    QTest::addRow("auditing off") << QByteArray(kWatchedRules) << true << 0 << 4242 << QStringList{u"*"_qs} << "fail"
                                  << QStringList{u"auditing is off in the kernel (enabled 0)"_qs} << QStringList{};
    QTest::addRow("no auditd") << QByteArray(kWatchedRules) << true << 1 << 0 << QStringList{u"*"_qs} << "fail"
                               << QStringList{u"no audit daemon is registered with the kernel"_qs} << QStringList{};
    QTest::addRow("locked") << QByteArray(kWatchedRules) << true << 2 << 4242 << QStringList{u"*"_qs} << "pass"
                            << QStringList{u"locked (enabled 2)"_qs} << QStringList{};
    QTest::addRow("kernel not readable") << QByteArray(kWatchedRules) << false << 1 << 4242 << QStringList{} << "unknown"
                                         << QStringList{u"the rules loaded in the kernel could not be read, so it is not known whether the rule files are in force: cannot ask the kernel for its audit state: Operation not permitted"_qs,
                                                        u"/etc/ld.so.preload is watched for writes by /etc/audit/rules.d/30-loader.rules:1 (key preload)"_qs}
                                         << QStringList{};
}

void TestPostureAudit::kernelAgainstFiles()
{
    QFETCH(QByteArray, rules);
    QFETCH(bool, readable);
    QFETCH(int, enabled);
    QFETCH(int, auditdPid);
    QFETCH(QStringList, kernelPaths);
    QFETCH(QString, status);
    QFETCH(QStringList, evidence);
    QFETCH(QStringList, gaps);
    PostureTree tree;
    buildLoaderTree(tree);
    if (!rules.isEmpty())
        QVERIFY(tree.write(u"/etc/audit/rules.d/30-loader.rules"_qs, rules));
    std::vector<AuditWatch> loaded;
    for (const auto &w : kernelCopyOfWatchedRules())
        if (kernelPaths.contains(u"*"_qs) || kernelPaths.contains(QString::fromStdString(w.path)))
            loaded.push_back(w);
    PostureOptions options = tree.options();
    options.kernelAudit = [&]() -> Result<KernelAuditState> {
        if (!readable)
            return Error::fromErrno(EPERM, "cannot ask the kernel for its audit state");
        KernelAuditState k = runningKernel(loaded);
        k.enabled = static_cast<std::uint32_t>(enabled);
        k.auditdPid = static_cast<std::uint32_t>(auditdPid);
        return k;
    };
    std::vector<std::string> gotGaps;
    const PostureCheck check = checkAuditRules(options, &gotGaps);
    QVERIFY2(testing::statusText(check.status) == status, qPrintable(testing::describe(check)));
    for (const auto &e : evidence)
        QVERIFY2(testing::evidenceContains(check, e), qPrintable(e + u"\n"_qs + testing::describe(check)));
    QStringList got;
    for (const auto &g : gotGaps)
        got << QString::fromStdString(g);
    QCOMPARE(got, gaps);
}

void TestPostureAudit::anotherRootAsksNoKernel()
{
    PostureTree tree;
    buildLoaderTree(tree);
    QVERIFY(tree.write(u"/etc/audit/rules.d/30-loader.rules"_qs, kWatchedRules));
    const PostureCheck check = checkAuditRules(tree.options());
    QVERIFY2(check.status == posture::Status::Pass, qPrintable(testing::describe(check)));
    QVERIFY2(testing::evidenceContains(check, u"the rules loaded in the kernel are not compared: "_qs + tree.root() +
                                                  u" is not the running system"_qs),
             qPrintable(testing::describe(check)));
}

// The running kernel, read over netlink, against auditctl -l; with a watch this test loads (on a
// path of its own, with a key of its own) and removes again.
void TestPostureAudit::liveKernelMatchesAuditctl()
{
    auto state = readKernelAuditState();
    if (::geteuid() != 0) {
        QVERIFY2(!state.ok(), "a normal user read the kernel's audit rules");
        QVERIFY2(QString::fromStdString(state.error().message).contains(u"CAP_AUDIT_CONTROL"_qs) ||
                     QString::fromStdString(state.error().message).contains(u"container"_qs),
                 state.error().message.c_str());
        QSKIP("the live comparison with auditctl -l needs root; as a normal user the refusal was checked");
    }
    if (!state.ok())
        QSKIP(qPrintable(u"this kernel does not answer audit requests here: "_qs + QString::fromStdString(state.error().message)));
    if (state->enabled == 2)
        QSKIP("the kernel's audit rules are locked (enabled 2): no test rule can be loaded");

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString watched = dir.filePath(u"watched.conf"_qs);
    const QString key = u"loadlens_test_"_qs + QString::number(::getpid());
    QString error;
    const QStringList fileRule{u"-w"_qs, watched, u"-p"_qs, u"wa"_qs, u"-k"_qs, key};
    const QStringList dirRule{u"always,exit"_qs, u"-F"_qs, u"arch=b64"_qs, u"-S"_qs, u"openat"_qs,
                              u"-F"_qs, u"dir="_qs + dir.path(), u"-F"_qs, u"key="_qs + key};
    QVERIFY2(auditctl(QStringList(fileRule), &error), qPrintable(error));
    const bool dirAdded = auditctl(QStringList{u"-a"_qs} + dirRule, &error);
    auto cleanup = qScopeGuard([&] {
        QString ignored;
        auditctl(QStringList{u"-W"_qs} + fileRule.mid(1), &ignored);
        if (dirAdded)
            auditctl(QStringList{u"-d"_qs} + dirRule, &ignored);
    });
    QVERIFY2(dirAdded, qPrintable(error));

    state = readKernelAuditState();
    QVERIFY2(state.ok(), state.ok() ? "" : state.error().message.c_str());
    const QStringList listed = auditctlList(&error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(state->ruleCount, int(listed.size()));
    int mine = 0;
    for (const auto &w : state->watches) {
        if (w.key != key.toStdString())
            continue;
        ++mine;
        QCOMPARE(w.file, std::string("kernel"));
        QVERIFY(w.line >= 1 && w.line <= state->ruleCount);
        if (w.pathField) {
            QCOMPARE(QString::fromStdString(w.path), watched);
            QCOMPARE(w.perms, std::string("wa"));
        } else {
            QVERIFY(w.directoryField);
            QCOMPARE(QString::fromStdString(w.path), dir.path());
            QCOMPARE(w.perms, std::string("w"));  // openat, no perm field
        }
        QVERIFY(!w.never);
    }
    QCOMPARE(mine, 2);
    QVERIFY(listed.filter(key).size() == 2);
}

QTEST_GUILESS_MAIN(TestPostureAudit)
#include "tst_posture_audit.moc"
