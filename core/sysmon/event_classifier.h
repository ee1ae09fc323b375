#pragma once
// One verdict per Sysmon event, computed once at import. Pure: reads no files. Judges
//  - the signature (EID 7 image loads and EID 6 driver loads): unsigned, invalid, unverified;
//    an unsigned .NET native image where NGEN keeps them is low, being unsigned by design;
//  - the folder a DLL/driver was loaded from, or an executable file was written to (EID 11),
//    by the default ACL Windows gives it (load_location.h);
//  - HijackLibs: a DLL of a listed name outside its ExpectedLocations, the loading program when
//    it is one of the entry's VulnerableExecutables, a signer other than the expected one (a copy
//    the entry's vendor signed, in a folder only administrators may write, is info), and
//    (EID 1) a known-vulnerable program started from a folder the dataset does not list.
#include "common/events.h"
#include "hijacklibs/hijacklibs.h"

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

namespace loadlens::sysmon {

class EventClassifier {
public:
    // Without a dataset the HijackLibs checks are left out; the dataset must outlive this.
    explicit EventClassifier(const hijacklibs::Dataset *dataset = nullptr) : m_dataset(dataset) {}

    // Reads only the event's kind, image, imageLoaded, signedField, signatureStatus, signature
    // and signatureState (VerdictCache keys on exactly these).
    Verdict classify(const LoadEvent &event) const;
    // Whether events of this kind can get a reason at all; the others always get an empty verdict.
    static bool judges(std::string_view kind);

private:
    void judgeSignature(const LoadEvent &event, const std::string &path, Verdict &verdict) const;
    bool judgeNgenImage(const LoadEvent &event, const std::string &path, Evidence &evidence, std::string &text,
                        Verdict &verdict) const;
    void judgeLocation(const LoadEvent &event, const std::string &path, Verdict &verdict) const;
    void judgeHijackLibs(const LoadEvent &event, const std::string &path, Verdict &verdict) const;
    bool judgeVendorCopy(const LoadEvent &event, const std::string &path,
                         const std::vector<const hijacklibs::Entry *> &entries, Verdict &verdict) const;
    void judgeMisplacedDll(const LoadEvent &event, const hijacklibs::Entry &entry, Verdict &verdict) const;
    void judgeSigner(const LoadEvent &event, const hijacklibs::Entry &entry, Verdict &verdict) const;
    void judgeRelocatedProgram(const LoadEvent &event, Verdict &verdict) const;

    const hijacklibs::Dataset *m_dataset;
};

// The classifier's verdicts by what it reads of an event: a log repeats the same DLL loaded by
// the same program with the same signature over and over, so each distinct combination is
// judged once per import. Bounded: it starts over when it holds too many entries or bytes.
class VerdictCache {
public:
    explicit VerdictCache(const EventClassifier &classifier, std::size_t maxEntries = 1u << 14,
                          std::size_t maxBytes = std::size_t(32) << 20)
        : m_classifier(classifier), m_maxEntries(maxEntries), m_maxBytes(maxBytes)
    {
    }
    // What classifier.classify(event) returns; valid until the next call.
    const Verdict &classify(const LoadEvent &event);

private:
    const EventClassifier &m_classifier;
    std::size_t m_maxEntries, m_maxBytes, m_bytes = 0;
    std::unordered_map<std::string, Verdict> m_verdicts;
    std::string m_key;
    Verdict m_empty;
};

// toLoadEvent() and classify() in one step: what an importer stores.
LoadEvent judgeRecord(const EventRecord &record, const std::string &sourceFile, const EventClassifier &classifier);
// The same, taking the record's fields over and judging through a cache.
LoadEvent judgeRecord(EventRecord &&record, const std::string &sourceFile, VerdictCache &verdicts);

} // namespace loadlens::sysmon
