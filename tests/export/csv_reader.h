#pragma once
// A strict RFC 4180 reader for the tests: CRLF records, quoted fields with doubled quotes and
// embedded CR/LF. Anything else (a bare quote inside an unquoted field, a lone LF as record
// end, text after a closing quote) is an error, so a sloppy writer cannot pass.
#include <optional>
#include <string>
#include <vector>

namespace loadlens::testing {

using CsvRecords = std::vector<std::vector<std::string>>;

inline std::optional<CsvRecords> readCsv(const std::string &text, std::string *error = nullptr)
{
    CsvRecords records;
    std::vector<std::string> record;
    std::string field;
    std::size_t i = 0;
    const auto fail = [&](const std::string &why) -> std::optional<CsvRecords> {
        if (error)
            *error = why + " at byte " + std::to_string(i);
        return std::nullopt;
    };
    while (i < text.size()) {
        if (text[i] == '"') {
            for (++i;; ++i) {
                if (i >= text.size())
                    return fail("unterminated quoted field");
                if (text[i] == '"') {
                    if (i + 1 < text.size() && text[i + 1] == '"') {
                        field += '"';
                        ++i;
                        continue;
                    }
                    ++i;
                    break;
                }
                field += text[i];
            }
        } else {
            while (i < text.size() && text[i] != ',' && text[i] != '\r' && text[i] != '\n') {
                if (text[i] == '"')
                    return fail("quote inside an unquoted field");
                field += text[i++];
            }
        }
        if (i >= text.size())
            return fail("record not ended by CRLF");
        if (text[i] == ',') {
            record.push_back(std::move(field));
            field.clear();
            ++i;
        } else if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            record.push_back(std::move(field));
            field.clear();
            records.push_back(std::move(record));
            record.clear();
            i += 2;
        } else {
            return fail("unexpected character after a field");
        }
    }
    return records;
}

} // namespace loadlens::testing
