#pragma once
// Conversions between the engine's UTF-8 std::string and QString, in one place.
#include <QString>

#include <string>

namespace loadlens::ui {

inline QString toQString(const std::string &text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

inline std::string toStdString(const QString &text)
{
    return text.toStdString();
}

} // namespace loadlens::ui
