// splitSearchPath and $ORIGIN/$LIB/$PLATFORM expansion, including the secure-execution rules.
#include "elf/token_expansion.h"

#include <QtTest>

using namespace loadlens::elf;

namespace {

QStringList toList(const std::vector<std::string> &parts)
{
    QStringList out;
    for (const auto &p : parts)
        out << QString::fromStdString(p);
    return out;
}

TokenContext context(const char *origin = "/opt/app/bin")
{
    TokenContext c;
    c.origin = origin;
    c.lib = "lib/x86_64-linux-gnu";
    c.platform = "x86_64";
    return c;
}

} // namespace

class TestTokenExpansion : public QObject {
    Q_OBJECT
private slots:
    void split_data()
    {
        QTest::addColumn<QString>("list");
        QTest::addColumn<QString>("separators");
        QTest::addColumn<QStringList>("parts");
        const QString colon = QStringLiteral(":");
        QTest::addRow("one") << "/usr/lib" << colon << QStringList{QStringLiteral("/usr/lib")};
        QTest::addRow("two") << "/a:/b" << colon << QStringList{QStringLiteral("/a"), QStringLiteral("/b")};
        QTest::addRow("empty string is one empty element") << "" << colon << QStringList{QString()};
        QTest::addRow("leading empty") << ":/a" << colon << QStringList{QString(), QStringLiteral("/a")};
        QTest::addRow("trailing empty") << "/a:" << colon << QStringList{QStringLiteral("/a"), QString()};
        QTest::addRow("double colon") << "/a::/b" << colon
                                      << QStringList{QStringLiteral("/a"), QString(), QStringLiteral("/b")};
        QTest::addRow("semicolon kept for RPATH") << "/a;/b" << colon << QStringList{QStringLiteral("/a;/b")};
        QTest::addRow("semicolon splits LD_LIBRARY_PATH")
            << "/a;/b:/c" << ":;" << QStringList{QStringLiteral("/a"), QStringLiteral("/b"), QStringLiteral("/c")};
    }
    void split()
    {
        QFETCH(QString, list);
        QFETCH(QString, separators);
        QFETCH(QStringList, parts);
        QCOMPARE(toList(splitSearchPath(list.toStdString(), separators.toStdString())), parts);
    }

    void expand_data()
    {
        QTest::addColumn<QString>("entry");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<bool>("relative");
        QTest::addRow("$ORIGIN") << "$ORIGIN" << "/opt/app/bin" << false;
        QTest::addRow("${ORIGIN}/lib") << "${ORIGIN}/lib" << "/opt/app/bin/lib" << false;
        QTest::addRow("$ORIGIN/../lib") << "$ORIGIN/../lib" << "/opt/app/bin/../lib" << false;
        QTest::addRow("$LIB") << "/usr/$LIB/plugins" << "/usr/lib/x86_64-linux-gnu/plugins" << false;
        QTest::addRow("${LIB}") << "/usr/${LIB}" << "/usr/lib/x86_64-linux-gnu" << false;
        QTest::addRow("$PLATFORM") << "/opt/$PLATFORM/lib" << "/opt/x86_64/lib" << false;
        QTest::addRow("${PLATFORM}") << "/opt/${PLATFORM}" << "/opt/x86_64" << false;
        QTest::addRow("all three") << "$ORIGIN/$LIB/${PLATFORM}"
                                   << "/opt/app/bin/lib/x86_64-linux-gnu/x86_64" << false;
        QTest::addRow("$ORIGINAL is not a token") << "/x/$ORIGINAL" << "/x/$ORIGINAL" << false;
        QTest::addRow("${ORIGIN without brace") << "${ORIGIN/x" << "${ORIGIN/x" << true;
        QTest::addRow("unknown token kept") << "/x/$HOME/lib" << "/x/$HOME/lib" << false;
        QTest::addRow("lone dollar") << "/x/$" << "/x/$" << false;
        QTest::addRow("trailing slashes removed") << "/usr/lib//" << "/usr/lib" << false;
        QTest::addRow("root stays root") << "/" << "/" << false;
        QTest::addRow("empty is the current directory") << "" << "" << true;
        QTest::addRow("plain relative") << "lib" << "lib" << true;
        QTest::addRow("dot") << "." << "." << true;
    }
    void expand()
    {
        QFETCH(QString, entry);
        QFETCH(QString, expected);
        QFETCH(bool, relative);
        const ExpandedEntry e = expandEntry(entry.toStdString(), context());
        QVERIFY(!e.discarded);
        QCOMPARE(QString::fromStdString(e.path), expected);
        QCOMPARE(e.relative, relative);
        QCOMPARE(QString::fromStdString(expandTokens(entry.toStdString(), context())), expected);
    }

    void relativeOriginGivesRelativeResult()
    {
        const ExpandedEntry e = expandEntry("$ORIGIN/lib", context("build/bin"));
        QCOMPARE(e.path, std::string("build/bin/lib"));
        QVERIFY(e.relative);
    }

    void unknownOriginDropsTheEntry()
    {
        const ExpandedEntry e = expandEntry("$ORIGIN/lib", context(""));
        QVERIFY(e.discarded);
        QVERIFY(e.reason.find("unknown") != std::string::npos);
        QCOMPARE(expandTokens("$ORIGIN/lib", context("")), std::string());
    }

    void secureExecution_data()
    {
        QTest::addColumn<QString>("entry");
        QTest::addColumn<QString>("origin");
        QTest::addColumn<bool>("isExecutable");
        QTest::addColumn<bool>("kept");
        QTest::addRow("$ORIGIN first, library") << "$ORIGIN/../lib" << "/opt/app" << false << true;
        QTest::addRow("$ORIGIN in the middle") << "/x/$ORIGIN" << "/opt/app" << false << false;
        QTest::addRow("${ORIGIN} first") << "${ORIGIN}/lib" << "/opt/app" << false << true;
        QTest::addRow("executable, untrusted result") << "$ORIGIN/lib" << "/opt/app" << true << false;
        QTest::addRow("executable, trusted result")
            << "$ORIGIN/../lib/x86_64-linux-gnu/sub" << "/usr/bin" << true << true;
        QTest::addRow("executable, escapes trusted dir by ..")
            << "$ORIGIN/../../../tmp" << "/usr/lib/x86_64-linux-gnu" << true << false;
        QTest::addRow("$LIB needs no trust check") << "/opt/$LIB" << "/opt/app" << true << true;
    }
    void secureExecution()
    {
        QFETCH(QString, entry);
        QFETCH(QString, origin);
        QFETCH(bool, isExecutable);
        QFETCH(bool, kept);
        TokenContext c = context();
        c.origin = origin.toStdString();
        c.secureExecution = true;
        c.objectIsExecutable = isExecutable;
        c.trustedDirs = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib"};
        const ExpandedEntry e = expandEntry(entry.toStdString(), c);
        QCOMPARE(!e.discarded, kept);
        if (!kept)
            QVERIFY(!e.reason.empty());
        // Without secure execution every one of these is kept.
        c.secureExecution = false;
        QVERIFY(!expandEntry(entry.toStdString(), c).discarded);
    }
};

QTEST_GUILESS_MAIN(TestTokenExpansion)
#include "tst_token_expansion.moc"
