// SPDX-License-Identifier: BSD-3-Clause
// Tidy CSV output of trajectories: one row per epoch x layer x estimator, the
// shape that pandas / R / seaborn plot without reshaping, so several
// estimators (or several networks) go into one file and one data frame.
//
//   # mi information plane
//   # estimator=binning parameters=quantizer=uniform;bins=30;lo=-1;hi=1 unit=bits bootstrap=off
//   estimator,parameters,epoch,layer,ixt,ity,ixt_lower,ixt_upper,ity_lower,ity_upper,
//       ixt_ci_lower,ixt_ci_upper,ity_ci_lower,ity_ci_upper,ixt_quantity,unit
//   binning,"quantizer=uniform;bins=30;lo=-1;hi=1",0,0,11.99,0.71,,,,,,,,,"I(X;T)",bits
//
// - Lines starting with '#' describe each trajectory (estimator, parameters,
//   unit, bootstrap settings and interval kind, mi/plane/bootstrap.hpp); read
//   with pandas.read_csv(path, comment='#').
// - Empty cells: the estimator has no bounds / no bootstrap was run.
// - ixt_quantity is "I(X;T)" or "H(T)" (estimators that report the entropy of
//   the layer instead, see mi::ixt_quantity); unit is "bits" or "nats", the
//   trajectory's output unit, applied here and only here.
// - Numbers are written so that they parse back to the same double
//   (shortest round-trip form where the standard library has it, else 17
//   significant digits).
// - Fields with a comma, semicolon, quote, line break or edge space are quoted
//   (RFC 4180, quotes doubled). A '#' in a name or parameter string would be
//   read as a comment by pandas and is therefore rejected.
#ifndef MI_PLANE_CSV_HPP
#define MI_PLANE_CSV_HPP

#include <charconv>
#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <locale>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "mi/core/atomic_file.hpp"
#include "mi/core/error.hpp"
#include "mi/core/units.hpp"
#include "mi/plane/bootstrap.hpp"
#include "mi/estimators/concept.hpp"
#include "mi/plane/trajectory.hpp"

namespace mi {

namespace detail {

/// A double that parses back to the same value.
inline std::string csv_number(double v) {
#if defined(__cpp_lib_to_chars) && __cpp_lib_to_chars >= 201611L
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, res.ptr);
#else
    std::ostringstream s;
    s.imbue(std::locale::classic());
    s.precision(17);
    s << v;
    return s.str();
#endif
}

/// The field, quoted when CSV readers would otherwise split or trim it.
inline std::string csv_field(const std::string& s) {
    const bool quote = s.find_first_of(",;\"\r\n") != std::string::npos ||
                       (!s.empty() && (s.front() == ' ' || s.back() == ' ' || s.front() == '\t' || s.back() == '\t'));
    if (!quote) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

inline void check_csv_text(const std::string& s, const char* argument) {
    if (s.find('#') != std::string::npos)
        fail("mi::write_csv", argument, s, "no '#' (pandas reads it as the start of a comment)");
    if (s.find_first_of("\r\n") != std::string::npos)
        fail("mi::write_csv", argument, s, "a single line");
}

inline std::string csv_bootstrap_text(const bootstrap_settings& b) {
    if (b.resamples == 0) return "bootstrap=off";
    return "bootstrap=" + std::to_string(b.resamples) + " resamples (half-samples of " + resampling_name(b.units) +
           "), " + interval_kind(b.correction) + ", confidence=" + csv_number(b.confidence) + ", seed=" + std::to_string(b.seed);
}

}  // namespace detail

/// The column names, in order.
inline const std::vector<std::string>& csv_columns() {
    static const std::vector<std::string> columns{
        "estimator",    "parameters",   "epoch",        "layer",        "ixt",       "ity",
        "ixt_lower",    "ixt_upper",    "ity_lower",    "ity_upper",    "ixt_ci_lower", "ixt_ci_upper",
        "ity_ci_lower", "ity_ci_upper", "ixt_quantity", "unit"};
    return columns;
}

/// Writes the trajectories as one tidy table (values in each trajectory's output unit).
inline void write_csv(const std::vector<trajectory>& trajectories, std::ostream& out) {
    for (const auto& t : trajectories) {
        detail::check_csv_text(t.estimator(), "estimator name");
        detail::check_csv_text(t.parameters(), "estimator parameters");
    }
    out << "# mi information plane: one row per epoch x layer x estimator; empty cells = not available\n";
    for (const auto& t : trajectories)
        out << "# estimator=" << t.estimator() << " parameters=" << t.parameters()
            << " unit=" << unit_name(t.output_unit()) << ' ' << detail::csv_bootstrap_text(t.bootstrap()) << '\n';
    const auto& cols = csv_columns();
    for (std::size_t c = 0; c < cols.size(); ++c) out << (c ? "," : "") << cols[c];
    out << '\n';

    for (const auto& t : trajectories) {
        const unit u = t.output_unit();
        const std::string prefix = detail::csv_field(t.estimator()) + ',' + detail::csv_field(t.parameters()) + ',';
        const char* unit_text = unit_name(u);
        for (const auto& r : t.rows()) {
            const plane_point p = in_unit(r.point, u);
            std::string line = prefix;
            line += std::to_string(r.epoch) + ',' + std::to_string(r.layer) + ',';
            line += detail::csv_number(p.ixt) + ',' + detail::csv_number(p.ity);
            for (const auto* b : {&p.ixt_bounds, &p.ity_bounds, &p.ixt_ci, &p.ity_ci}) {
                if (*b)
                    line += ',' + detail::csv_number((*b)->lower) + ',' + detail::csv_number((*b)->upper);
                else
                    line += ",,";
            }
            line += ',' + detail::csv_field(quantity_name(p.ixt_kind)) + ',' + unit_text + '\n';
            out << line;
        }
    }
    if (!out) detail::fail("mi::write_csv", "stream", "in a failed state", "a writable stream");
}

inline void write_csv(const trajectory& t, std::ostream& out) { write_csv(std::vector<trajectory>{t}, out); }

/// Writes to a file, replacing it only once the whole table is written (a temporary file in
/// the same directory, then a rename): on any error the old file is left as it was.
inline void write_csv(const std::vector<trajectory>& trajectories, const std::string& path) {
    detail::write_file_atomically(
        path, [&](std::ostream& out) { write_csv(trajectories, out); }, "mi::write_csv");
}

inline void write_csv(const trajectory& t, const std::string& path) {
    write_csv(std::vector<trajectory>{t}, path);
}

}  // namespace mi

#endif
