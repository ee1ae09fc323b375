#pragma once
// A table as any view shows it: named columns and rows of typed cells. Scan results, log
// events and (later) case-database queries are all exported through this one shape, so CSV
// and JSON come out alike whichever screen or command asked for them.
#include <cstdint>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

namespace loadlens::exporting {

enum class CellType { Null, Text, Integer, Real, Bool };

struct Cell {
    std::variant<std::monostate, std::string, std::int64_t, double, bool> value;

    static Cell null() { return {}; }
    static Cell text(std::string s) { return Cell{std::move(s)}; }
    static Cell integer(std::int64_t n) { return Cell{n}; }
    static Cell real(double d) { return Cell{d}; }
    static Cell boolean(bool b) { return Cell{b}; }

    CellType type() const { return static_cast<CellType>(value.index()); }
};

struct Table {
    std::vector<std::string> columns;
    std::vector<std::vector<Cell>> rows;  // a short row reads as nulls; extra cells are ignored
};

// RFC 4180: CRLF records, a header row, fields quoted when they hold a comma, quote, CR or LF.
void writeCsv(std::ostream &out, const Table &table);
// An array with one object per row, keyed by column name, cells typed as declared.
void writeJson(std::ostream &out, const Table &table);

// A table written page by page, for exports too large to hold: CSV exactly as writeCsv writes
// the pages' rows together (the header from the first page), JSON as one array with one object
// a line. Every page has the same columns.
class TableStream {
public:
    TableStream(std::ostream &out, bool json) : m_out(out), m_json(json) {}
    void write(const Table &page);
    // Ends the output; `columns` give the CSV header when no page was written.
    void finish(const std::vector<std::string> &columns);

private:
    std::ostream &m_out;
    bool m_json;
    bool m_started = false;
    std::int64_t m_rows = 0;
};

} // namespace loadlens::exporting
