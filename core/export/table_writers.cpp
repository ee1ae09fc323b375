#include "export/table.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <sstream>

namespace loadlens::exporting {

namespace {

// A spreadsheet treats a cell starting with = + - @ (or a tab/CR that it strips first) as a
// formula: a crafted library path such as "=HYPERLINK(...)" would run when a responder opens
// the export. Text cells that start so get a leading apostrophe, the OWASP "CSV injection"
// defence; numbers are typed cells and are written as they are.
bool looksLikeFormula(const std::string &s)
{
    if (s.empty())
        return false;
    switch (s.front()) {
    case '=': case '+': case '-': case '@': case '\t': case '\r':
        return true;
    default:
        return false;
    }
}

std::string realText(double d)
{
    if (!std::isfinite(d))
        return {};
    std::ostringstream s;
    s.imbue(std::locale::classic());
    s.precision(17);
    s << d;
    return s.str();
}

std::string csvText(const Cell &cell)
{
    switch (cell.type()) {
    case CellType::Null:
        return {};
    case CellType::Text: {
        const auto &s = std::get<std::string>(cell.value);
        return looksLikeFormula(s) ? "'" + s : s;
    }
    case CellType::Integer:
        return std::to_string(std::get<std::int64_t>(cell.value));
    case CellType::Real:
        return realText(std::get<double>(cell.value));
    case CellType::Bool:
        return std::get<bool>(cell.value) ? "true" : "false";
    }
    return {};
}

void writeCsvField(std::ostream &out, const std::string &field)
{
    if (field.find_first_of(",\"\r\n") == std::string::npos) {
        out << field;
        return;
    }
    out << '"';
    for (char c : field) {
        if (c == '"')
            out << '"';
        out << c;
    }
    out << '"';
}

const Cell &cellAt(const std::vector<Cell> &row, std::size_t column)
{
    static const Cell kNull;
    return column < row.size() ? row[column] : kNull;
}

} // namespace

namespace {

nlohmann::ordered_json rowObject(const Table &table, const std::vector<Cell> &row)
{
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
        const Cell &cell = cellAt(row, c);
        nlohmann::ordered_json &slot = object[table.columns[c]];
        switch (cell.type()) {
        case CellType::Null:
            break;
        case CellType::Text:
            slot = std::get<std::string>(cell.value);
            break;
        case CellType::Integer:
            slot = std::get<std::int64_t>(cell.value);
            break;
        case CellType::Real:
            if (std::isfinite(std::get<double>(cell.value)))
                slot = std::get<double>(cell.value);
            break;
        case CellType::Bool:
            slot = std::get<bool>(cell.value);
            break;
        }
    }
    return object;
}

void writeCsvRows(std::ostream &out, const Table &table)
{
    for (const auto &row : table.rows) {
        for (std::size_t c = 0; c < table.columns.size(); ++c) {
            if (c)
                out << ',';
            writeCsvField(out, csvText(cellAt(row, c)));
        }
        out << "\r\n";
    }
}

void writeCsvHeader(std::ostream &out, const Table &table)
{
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
        if (c)
            out << ',';
        writeCsvField(out, looksLikeFormula(table.columns[c]) ? "'" + table.columns[c] : table.columns[c]);
    }
    out << "\r\n";
}

} // namespace

void writeCsv(std::ostream &out, const Table &table)
{
    writeCsvHeader(out, table);
    writeCsvRows(out, table);
}

void writeJson(std::ostream &out, const Table &table)
{
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const auto &row : table.rows)
        rows.push_back(rowObject(table, row));
    // Paths are bytes; invalid UTF-8 becomes U+FFFD rather than an exception.
    out << rows.dump(1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

void TableStream::write(const Table &page)
{
    if (!m_started) {
        m_started = true;
        if (m_json)
            m_out << "[";
        else
            writeCsvHeader(m_out, page);
    }
    if (!m_json) {
        writeCsvRows(m_out, page);
        return;
    }
    for (const auto &row : page.rows) {
        m_out << (m_rows++ ? ",\n " : "\n ")
              << rowObject(page, row).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    }
}

void TableStream::finish(const std::vector<std::string> &columns)
{
    if (!m_started)
        write(Table{columns, {}});
    if (m_json)
        m_out << (m_rows ? "\n]\n" : "]\n");
}

} // namespace loadlens::exporting
