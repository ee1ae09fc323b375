#pragma once
// Access to the real third-party samples in ../shared/data (never copied into the project).
// Tests that need them QSKIP with a clear message where the folder is absent.
#include <QString>
#include <QtTest>

namespace loadlens::testing {

// The shared data folder: $LOADLENS_SHARED_DATA, else ../shared/data beside the source tree.
QString sharedDataDir();
// sharedDataDir() + "/" + relative; empty when that file or folder does not exist.
QString sharedDataPath(const QString &relative);

} // namespace loadlens::testing

// Sets `var` to the absolute path of a shared sample, or skips the test saying what is missing.
#define LOADLENS_SHARED_DATA_OR_SKIP(var, relative)                                              \
    const QString var = ::loadlens::testing::sharedDataPath(QStringLiteral(relative));           \
    if (var.isEmpty())                                                                           \
        QSKIP(qPrintable(QStringLiteral("shared sample data not found: ") +                      \
                         ::loadlens::testing::sharedDataDir() + QStringLiteral("/") +            \
                         QStringLiteral(relative) +                                              \
                         QStringLiteral(" (set LOADLENS_SHARED_DATA to the shared/data folder)")))
