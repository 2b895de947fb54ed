// SPDX-License-Identifier: BSD-3-Clause
// A tidy table of text cells: what every reproduction program writes (one CSV
// per table), what a shard merge reads back, and what the printed summaries
// are computed from. Results travel as tables rather than as live C++
// objects so that a summary computed after merging shards is the same code
// on the same numbers as one computed in a single run.
//
// CSV as mi::write_csv writes it (RFC 4180 quoting, '#' comment lines, numbers
// in shortest round-trip form), so the plane tables mi writes are read here
// without a second format. Missing values are empty cells.
#ifndef MI_EXAMPLES_REPRODUCE_TABLE_HPP
#define MI_EXAMPLES_REPRODUCE_TABLE_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <fstream>
#include <istream>
#include <limits>
#include <map>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "mi/core/atomic_file.hpp"
#include "mi/core/error.hpp"
#include "mi/plane/csv.hpp"
#include "mi/plane/trajectory.hpp"

namespace mi_examples::reproduce {

/// One cell: text, or a number written so that it parses back to the same double (NaN -> empty).
class cell {
public:
    cell(std::string s) : text_(std::move(s)) {}
    cell(const char* s) : text_(s) {}
    cell(double v) : text_(std::isnan(v) ? std::string() : mi::detail::csv_number(v)) {}
    cell(float v) : cell(static_cast<double>(v)) {}
    cell(int v) : text_(std::to_string(v)) {}
    cell(long v) : text_(std::to_string(v)) {}
    cell(long long v) : text_(std::to_string(v)) {}
    cell(unsigned v) : text_(std::to_string(v)) {}
    cell(unsigned long v) : text_(std::to_string(v)) {}
    cell(unsigned long long v) : text_(std::to_string(v)) {}
    cell(bool v) : text_(v ? "1" : "0") {}
    const std::string& text() const noexcept { return text_; }

private:
    std::string text_;
};

class table {
public:
    table() = default;
    explicit table(std::vector<std::string> columns) : columns_(std::move(columns)) {}

    const std::vector<std::string>& columns() const noexcept { return columns_; }
    std::size_t size() const noexcept { return rows_.size(); }
    bool empty() const noexcept { return rows_.empty(); }
    const std::vector<std::string>& row(std::size_t i) const { return rows_.at(i); }

    /// Free-text lines written as '# ...' above the header (units, conventions).
    void comment(const std::string& line) { comments_.push_back(line); }
    const std::vector<std::string>& comments() const noexcept { return comments_; }

    bool has(const std::string& column) const {
        return std::find(columns_.begin(), columns_.end(), column) != columns_.end();
    }
    std::size_t index(const std::string& column) const {
        const auto it = std::find(columns_.begin(), columns_.end(), column);
        if (it == columns_.end()) mi::detail::fail("reproduce::table", "column", column, "one of the table's columns");
        return static_cast<std::size_t>(it - columns_.begin());
    }

    /// Appends a row; the cells are in column order.
    void add(std::vector<cell> cells) {
        if (cells.size() != columns_.size())
            mi::detail::fail("reproduce::table::add", "cells", cells.size(),
                             std::to_string(columns_.size()) + " (one per column)");
        std::vector<std::string> r;
        r.reserve(cells.size());
        for (auto& c : cells) r.push_back(c.text());
        rows_.push_back(std::move(r));
    }

    /// Appends every row of another table with the same columns.
    void append(const table& other) {
        if (columns_.empty() && rows_.empty()) {
            columns_ = other.columns_;
            comments_ = other.comments_;
        }
        if (other.columns_ != columns_)
            mi::detail::fail("reproduce::table::append", "columns", join(other.columns_), join(columns_));
        rows_.insert(rows_.end(), other.rows_.begin(), other.rows_.end());
    }

    const std::string& text(std::size_t i, const std::string& column) const { return rows_.at(i).at(index(column)); }
    /// Replaces one cell.
    void set(std::size_t i, const std::string& column, const cell& value) { rows_.at(i).at(index(column)) = value.text(); }
    /// The cell as a number; NaN when empty.
    double number(std::size_t i, const std::string& column) const { return parse(text(i, column), column); }

    /// The rows whose cells equal the given values.
    table where(const std::vector<std::pair<std::string, std::string>>& equal) const {
        std::vector<std::pair<std::size_t, std::string>> idx;
        for (const auto& [c, v] : equal) idx.emplace_back(index(c), v);
        table out(columns_);
        out.comments_ = comments_;
        for (const auto& r : rows_) {
            bool keep = true;
            for (const auto& [c, v] : idx) keep = keep && r[c] == v;
            if (keep) out.rows_.push_back(r);
        }
        return out;
    }

    /// The distinct values of a column, in order of first appearance.
    std::vector<std::string> distinct(const std::string& column) const {
        const std::size_t c = index(column);
        std::vector<std::string> out;
        for (const auto& r : rows_)
            if (std::find(out.begin(), out.end(), r[c]) == out.end()) out.push_back(r[c]);
        return out;
    }

    /// Mean (ignoring empty cells) of `values` per group of `keys`, groups in order of first
    /// appearance; adds a column "n" with the number of rows of each group. Averaging over seeds
    /// is mean_by(all keys but the seed column, ...).
    table mean_by(const std::vector<std::string>& keys, const std::vector<std::string>& values) const {
        std::vector<std::size_t> ki, vi;
        for (const auto& k : keys) ki.push_back(index(k));
        for (const auto& v : values) vi.push_back(index(v));
        std::vector<std::string> cols = keys;
        cols.insert(cols.end(), values.begin(), values.end());
        cols.push_back("n");
        std::map<std::vector<std::string>, std::size_t> where;
        std::vector<std::vector<std::string>> group_keys;
        std::vector<std::vector<double>> sum, count;
        std::vector<std::size_t> rows_in;
        for (const auto& r : rows_) {
            std::vector<std::string> key;
            for (auto k : ki) key.push_back(r[k]);
            auto [it, inserted] = where.emplace(key, group_keys.size());
            if (inserted) {
                group_keys.push_back(key);
                sum.emplace_back(vi.size(), 0.0);
                count.emplace_back(vi.size(), 0.0);
                rows_in.push_back(0);
            }
            const std::size_t g = it->second;
            ++rows_in[g];
            for (std::size_t j = 0; j < vi.size(); ++j) {
                const double x = parse(r[vi[j]], values[j]);
                if (std::isnan(x)) continue;
                sum[g][j] += x;
                count[g][j] += 1.0;
            }
        }
        table out(cols);
        for (std::size_t g = 0; g < group_keys.size(); ++g) {
            std::vector<cell> cells(group_keys[g].begin(), group_keys[g].end());
            for (std::size_t j = 0; j < vi.size(); ++j)
                cells.emplace_back(count[g][j] > 0 ? sum[g][j] / count[g][j] : std::numeric_limits<double>::quiet_NaN());
            cells.emplace_back(rows_in[g]);
            out.add(std::move(cells));
        }
        return out;
    }

    void write(std::ostream& out) const {
        for (const auto& c : comments_) out << "# " << c << '\n';
        write_row(out, columns_);
        for (const auto& r : rows_) write_row(out, r);
    }
    /// Writes the CSV atomically (mi/core/atomic_file.hpp): a failure leaves an existing file as it was.
    void write(const std::string& path) const {
        mi::detail::write_file_atomically(
            path, [this](std::ostream& out) { write(out); }, "mi_examples::reproduce::table::write");
    }

    /// Reads a CSV: '#' lines are comments, the first other line is the header.
    static table read(std::istream& in, const std::string& name = "stream") {
        table t;
        bool header = false;
        std::string line;
        std::size_t line_no = 0;
        while (true) {
            std::vector<std::string> fields;
            if (!read_record(in, fields, line_no, name)) break;
            if (!header) {
                t.columns_ = std::move(fields);
                header = true;
                continue;
            }
            if (fields.size() != t.columns_.size())
                mi::detail::fail("reproduce::table::read", (name + " line " + std::to_string(line_no)).c_str(),
                                 std::to_string(fields.size()) + " fields",
                                 std::to_string(t.columns_.size()) + " fields, as in the header");
            t.rows_.push_back(std::move(fields));
        }
        if (!header) mi::detail::fail("reproduce::table::read", "input", name, "a CSV file with a header line");
        return t;
    }
    static table read(const std::string& path) {
        std::ifstream f(path, std::ios::binary);
        if (!f) mi::detail::fail("reproduce::table::read", "path", path, "a readable CSV file");
        return read(f, path);
    }

private:
    static std::string join(const std::vector<std::string>& v) {
        std::string s;
        for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
        return s;
    }
    static double parse(const std::string& s, const std::string& column) {
        if (s.empty()) return std::numeric_limits<double>::quiet_NaN();
        char* end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        if (end == s.c_str() || *end != '\0')
            mi::detail::fail("reproduce::table", ("column " + column).c_str(), s, "a number or an empty cell");
        return v;
    }
    static void write_row(std::ostream& out, const std::vector<std::string>& r) {
        for (std::size_t i = 0; i < r.size(); ++i) out << (i ? "," : "") << mi::detail::csv_field(r[i]);
        out << '\n';
    }
    // One CSV record (quoted fields may span lines); false at end of input. Skips '#' lines.
    static bool read_record(std::istream& in, std::vector<std::string>& fields, std::size_t& line_no,
                            const std::string& name) {
        std::string line;
        while (true) {
            if (!std::getline(in, line)) return false;
            ++line_no;
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.empty() || line[0] == '#') continue;
            break;
        }
        fields.clear();
        std::string cur;
        bool quoted = false;
        for (std::size_t i = 0;; ++i) {
            if (i == line.size()) {
                if (!quoted) break;
                std::string next;
                if (!std::getline(in, next))
                    mi::detail::fail("reproduce::table::read", (name + " line " + std::to_string(line_no)).c_str(),
                                     "an unterminated quoted field", "a closing quote");
                ++line_no;
                if (!next.empty() && next.back() == '\r') next.pop_back();
                cur += '\n';
                line = next;
                i = static_cast<std::size_t>(-1);
                continue;
            }
            const char c = line[i];
            if (quoted) {
                if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                    cur += '"';
                    ++i;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur += c;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.push_back(std::move(cur));
                cur.clear();
            } else {
                cur += c;
            }
        }
        fields.push_back(std::move(cur));
        return true;
    }

    std::vector<std::string> columns_;
    std::vector<std::vector<std::string>> rows_;
    std::vector<std::string> comments_;
};

/// Trajectories as a table (mi::write_csv's columns, values in each trajectory's unit), with
/// identifying columns in front (e.g. {{"network", "tanh"}, {"seed", "3"}}).
inline table plane_table(const std::vector<mi::trajectory>& trajectories,
                         const std::vector<std::pair<std::string, std::string>>& tags) {
    std::stringstream s;
    mi::write_csv(trajectories, s);
    const table plain = table::read(s, "mi::write_csv output");
    std::vector<std::string> cols;
    for (const auto& kv : tags) cols.push_back(kv.first);
    cols.insert(cols.end(), plain.columns().begin(), plain.columns().end());
    table out(cols);
    for (std::size_t i = 0; i < plain.size(); ++i) {
        std::vector<cell> cells;
        for (const auto& kv : tags) cells.emplace_back(kv.second);
        for (const auto& v : plain.row(i)) cells.emplace_back(v);
        out.add(std::move(cells));
    }
    return out;
}

}  // namespace mi_examples::reproduce

#endif
