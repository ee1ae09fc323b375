// The JSON columns (reasons, fields) are written without building a JSON tree; the text must
// stay byte for byte what nlohmann's dump() gave, which earlier cases hold and queries compare.
#include <QtTest>

#include "store/json_codec.h"

#include <nlohmann/json.hpp>

#include <random>

using namespace loadlens;
using nlohmann::json;

namespace {

std::string dumped(const json &value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

// What reasonsToJson wrote when it built the tree.
std::string treeReasons(const Verdict &verdict)
{
    json out = json::array();
    for (const auto &r : verdict.reasons) {
        json evidence = json::array();
        for (const auto &[key, value] : r.evidence)
            evidence.push_back(json::array({key, value}));
        out.push_back({{"code", r.code},
                       {"level", static_cast<int>(r.level)},
                       {"text", r.text},
                       {"technique", r.technique},
                       {"measure", r.measure},
                       {"evidence", evidence}});
    }
    return dumped(out);
}

const std::vector<std::string> &texts()
{
    static const std::vector<std::string> all = [] {
        std::vector<std::string> t{
            "",
            "plain",
            "C:\\Windows\\System32\\kernel32.dll",
            "\"quoted\" \\ back",
            std::string("nul\0byte", 8),
            "tab\tnew\nline\rcr\bbs\fff\x01\x1f\x7f",
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",       // valid UTF-8
            "bad \xff byte",                                   // not UTF-8
            "cut \xe2\x82",                                     // truncated sequence at the end
            "overlong \xc0\xaf and surrogate \xed\xa0\x80",    // rejected by a strict decoder
            "\xc3(",                                           // a byte that is fine after a bad lead
        };
        std::mt19937 random(20261206);
        for (int i = 0; i < 2000; ++i) {
            std::string s(random() % 24, '\0');
            for (auto &c : s) {
                // Mostly ASCII with escapes, now and then any byte.
                const unsigned r = random() % 100;
                c = static_cast<char>(r < 70 ? 0x20 + random() % 0x60 : r < 85 ? random() % 0x20 : random() % 0x100);
            }
            t.push_back(std::move(s));
        }
        return t;
    }();
    return all;
}

} // namespace

class TestJsonCodec : public QObject {
    Q_OBJECT

private slots:
    void mapMatchesTreeDump()
    {
        const auto &t = texts();
        QCOMPARE(store::mapToJson({}), dumped(json(std::map<std::string, std::string>{})));
        for (std::size_t i = 0; i + 2 < t.size(); i += 3) {
            const std::map<std::string, std::string> values{{t[i], t[i + 1]}, {t[i + 2], t[i]}, {"Image", t[i + 1]}};
            const std::string ours = store::mapToJson(values), tree = dumped(json(values));
            if (ours != tree)
                QFAIL(qPrintable(QStringLiteral("text %1: %2 != %3").arg(i).arg(QString::fromStdString(ours),
                                                                                  QString::fromStdString(tree))));
            QCOMPARE(store::mapFromJson(ours).size(), values.size());
        }
    }

    void reasonsMatchTreeDump()
    {
        const auto &t = texts();
        QCOMPARE(store::reasonsToJson(Verdict{}), treeReasons(Verdict{}));
        for (std::size_t i = 0; i + 6 < t.size(); i += 7) {
            Verdict v;
            v.add(Reason{t[i], Level::High, t[i + 1], t[i + 2], t[i + 3], {{t[i + 4], t[i + 5]}, {"path", t[i + 6]}}});
            v.add(Reason{"unsigned-image-load", Level::Medium, "text", "", "", {}});
            const std::string ours = store::reasonsToJson(v), tree = treeReasons(v);
            if (ours != tree)
                QFAIL(qPrintable(QStringLiteral("text %1: %2 != %3").arg(i).arg(QString::fromStdString(ours),
                                                                                  QString::fromStdString(tree))));
            QCOMPARE(store::verdictFromJson(v.level, ours).reasons.size(), std::size_t(2));
        }
    }
};

QTEST_GUILESS_MAIN(TestJsonCodec)
#include "tst_json_codec.moc"
