#pragma once
// Runs a built program (loadlens-cli in the CLI tests) to completion and keeps what it said.
#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace loadlens::testing {

struct ProgramRun {
    int exitCode = -1;  // -1 when it crashed or timed out
    QByteArray out;
    QByteArray err;
};

ProgramRun runProgram(const QString &program, const QStringList &arguments, int timeoutMs = 240000,
                      const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());

} // namespace loadlens::testing
