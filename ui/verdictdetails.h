#pragma once
// The details pane: why a module (or a process) got its verdict. For every reason it shows
// the code, level, plain-language text, ATT&CK technique, the M1044 measure and all evidence.
#include "common/events.h"
#include "common/types.h"

#include <QTextBrowser>

#include <string>
#include <utility>
#include <vector>

namespace loadlens::ui {

QString moduleDetailsHtml(const ModuleRecord &module, const FileFacts *facts);
QString processDetailsHtml(const ProcessInfo &process, const std::vector<Finding> &findings);
// One logged event: who loaded or wrote what, its signature, where it was read, and its verdict.
QString eventDetailsHtml(const LoadEvent &event);

// The block every reason shows: level badge and code, then what and why, the ATT&CK technique,
// the M1044 measure and the evidence (key/value pairs, or one text).
QString explanationHtml(const std::string &code, Level level, const std::string &text, const std::string &technique,
                        const std::string &measure, const Evidence &evidence);
QString explanationHtml(const std::string &code, Level level, const std::string &text, const std::string &technique,
                        const std::string &measure, const std::string &evidenceText);
// A heading and label/value rows (values are HTML), in the pane's style.
QString detailsHeadingHtml(const QString &title);
QString detailsFieldsHtml(const std::vector<std::pair<QString, QString>> &fields);

class VerdictDetailsView final : public QTextBrowser {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(VerdictDetailsView)

public:
    explicit VerdictDetailsView(QWidget *parent = nullptr);

    void showModule(const ModuleRecord &module, const FileFacts *facts);
    // `findings` may hold other processes' findings; only those for this pid are shown.
    void showProcess(const ProcessInfo &process, const std::vector<Finding> &findings);
    void showLoadEvent(const LoadEvent &event);
    void showPlaceholder();
    // Anything else built from the functions above (a Windows triage finding, ...).
    void showDetailsHtml(const QString &html);
};

} // namespace loadlens::ui
