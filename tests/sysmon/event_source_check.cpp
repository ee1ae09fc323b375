#include "event_source_check.h"

#include "hijacklibs/windows_path.h"
#include "shared_data.h"
#include "sysmon/event_classifier.h"
#include "sysmon/sysmon_readers.h"

#include <memory>

namespace loadlens::testing {

namespace {

std::string readmeKey(const std::string &key)
{
    if (key.rfind("Security ", 0) == 0)
        return "Microsoft-Windows-Security-Auditing " + key.substr(9);
    return key;
}

} // namespace

const hijacklibs::Dataset *sharedHijackLibs()
{
    static std::unique_ptr<hijacklibs::Dataset> dataset = [] {
        const QString dir = sharedDataPath(QStringLiteral("hijacklibs"));
        if (dir.isEmpty())
            return std::unique_ptr<hijacklibs::Dataset>();
        hijacklibs::LoadReport report;
        auto loaded = hijacklibs::Dataset::loadDirectory(dir.toStdString(), report);
        return loaded ? std::make_unique<hijacklibs::Dataset>(std::move(loaded).value())
                      : std::unique_ptr<hijacklibs::Dataset>();
    }();
    return dataset.get();
}

SourceSummary summarize(const RecordReader &reader, const QString &path, const hijacklibs::Dataset *dataset)
{
    SourceSummary s;
    const sysmon::EventClassifier classifier(dataset);
    const std::string file = path.toStdString();
    auto status = reader(
        file,
        [&](EventRecord &&record) {
            ++s.records;
            ++s.countsByKind[sysmon::eventCountKey(record)];
            LoadEvent event = sysmon::judgeRecord(record, file, classifier);
            const std::string name(winpath::baseName(winpath::normalize(event.imageLoaded)));
            if (event.kind == "image-load" && event.signedField == "false") {
                ++s.signedFalse;
                if (dataset && dataset->find(name))
                    s.unsignedHijackNames.insert(name);
            }
            if (event.verdict.has("hijacklibs-match"))
                s.flaggedHijackNames.insert(name);
            s.events.push_back(std::move(event));
            return true;
        },
        s.report, CancelToken());
    if (!status)
        qWarning("%s", status.error().message.c_str());
    return s;
}

void checkFacts(const SourceSummary &summary, const SampleFacts &facts)
{
    for (const auto &skip : summary.report.skippedRecords)
        qWarning("skipped at %llu: %s", static_cast<unsigned long long>(skip.offset), skip.reason.c_str());
    QCOMPARE(summary.report.skipped, std::uint64_t(0));
    QCOMPARE(summary.records, facts.records);
    QCOMPARE(summary.report.recordsRead, facts.records);
    // The README lists at most eight kinds per file; when its counts add up to the record count
    // the listing is complete and nothing else may appear.
    std::uint64_t listed = 0;
    for (const auto &[key, count] : facts.countsByKind) {
        const std::string k = readmeKey(key);
        const auto it = summary.countsByKind.find(k);
        QVERIFY2(it != summary.countsByKind.end(), k.c_str());
        QCOMPARE(it->second, count);
        QCOMPARE(summary.report.countsByKind.at(k), count);
        listed += count;
    }
    if (listed == facts.records)
        QCOMPARE(summary.countsByKind.size(), facts.countsByKind.size());
    QCOMPARE(summary.signedFalse, facts.signedFalse);
    if (sharedHijackLibs()) {
        QCOMPARE(summary.unsignedHijackNames, facts.unsignedHijackNames);
        // Every unsigned load of a HijackLibs name in these samples sits outside the entry's
        // expected folders, so each is flagged by the classifier too.
        for (const auto &name : facts.unsignedHijackNames)
            QVERIFY2(summary.flaggedHijackNames.count(name), name.c_str());
    }
}

} // namespace loadlens::testing
