#include "audit_test_logs.h"

#include <QFile>
#include <QTemporaryDir>

namespace loadlens::audittest {

std::string hex(const std::string &text)
{
    static const char digits[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        out += digits[c >> 4];
        out += digits[c & 0x0f];
    }
    return out;
}

std::string line(const std::string &type, const std::string &stamp, const std::string &fields)
{
    return "type=" + type + " msg=audit(" + stamp + "): " + fields + "\n";
}

std::string syscallEvent(const std::string &stamp, int syscall, const std::string &exe, const std::string &a2,
                         const std::vector<PathItem> &paths)
{
    std::string text = line("SYSCALL", stamp,
                            "arch=c000003e syscall=" + std::to_string(syscall) +
                                " success=yes exit=3 a0=ffffff9c a1=7ffd1000 a2=" + a2 + " a3=1b6 items=" +
                                std::to_string(paths.size()) +
                                " ppid=900 pid=901 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 "
                                "fsgid=0 tty=pts0 ses=3 comm=\"x\" exe=\"" + exe + "\" key=\"loader\"");
    text += line("CWD", stamp, "cwd=\"/root\"");
    for (std::size_t i = 0; i < paths.size(); ++i)
        text += line("PATH", stamp,
                     "item=" + std::to_string(i) + " name=" + paths[i].name +
                         " inode=4242 dev=08:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=" + paths[i].nametype +
                         " cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0");
    text += line("PROCTITLE", stamp, "proctitle=" + hex("x"));
    text += "type=EOE msg=audit(" + stamp + "): \n";
    return text;
}

QString writeLog(const QTemporaryDir &dir, const QString &name, const std::string &content)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    file.write(content.data(), qint64(content.size()));
    return path;
}

namespace {

EventSink collectInto(std::vector<LoadEvent> &events)
{
    return [&events](LoadEvent &&event) {
        events.push_back(std::move(event));
        return true;
    };
}

} // namespace

Collected readLog(const QString &path, const audit::AuditOptions &options)
{
    Collected c;
    const CancelToken cancel;
    const Status status = audit::readAuditLog(path.toStdString(), collectInto(c.events), c.report, options, cancel);
    c.ok = status.ok();
    if (!status)
        c.error = QString::fromStdString(status.error().message);
    return c;
}

Collected readBuffer(const std::string &text, const audit::AuditOptions &options)
{
    Collected c;
    const CancelToken cancel;
    c.ok = audit::parseAuditLogBuffer(text, "memory", collectInto(c.events), c.report, options, cancel).ok();
    return c;
}

Grouping group(const QString &path)
{
    Grouping g;
    const CancelToken cancel;
    const Status status = audit::forEachAuditEvent(
        path.toStdString(),
        [&g](const audit::AuditEvent &event) {
            ++g.events;
            g.records += event.records.size();
            return true;
        },
        g.report, {}, cancel);
    if (!status)
        g.report.errors.push_back(status.error().message);
    return g;
}

} // namespace loadlens::audittest
