// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "mi/core/random.hpp"
#include "mi/core/units.hpp"
#include "mi/plane/csv.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_plane_csv {

namespace {

// A small RFC 4180 reader written for the test: '#' lines skipped, quoted
// fields with doubled quotes, commas and semicolons inside quotes.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false, at_line_start = true, comment = false, any = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (at_line_start && c == '#') comment = true;
        at_line_start = false;
        if (comment) {
            if (c == '\n') {
                comment = false;
                at_line_start = true;
            }
            continue;
        }
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
            any = true;
        } else if (c == ',') {
            row.push_back(field);
            field.clear();
            any = true;
        } else if (c == '\n') {
            row.push_back(field);
            rows.push_back(row);
            row.clear();
            field.clear();
            at_line_start = true;
            any = false;
        } else {
            field += c;
            any = true;
        }
    }
    if (any) {
        row.push_back(field);
        rows.push_back(row);
    }
    return rows;
}

std::vector<std::string> comment_lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line[0] == '#') out.push_back(line);
    return out;
}

mi::trajectory_row row(mi::epoch_t e, std::size_t l, double ixt, double ity) {
    mi::trajectory_row r;
    r.epoch = e;
    r.layer = l;
    r.point.ixt = ixt;
    r.point.ity = ity;
    return r;
}

}  // namespace

TEST_CASE("csv: header, columns, empty cells, units") {
    auto r0 = row(0, 0, std::log(4096.0), std::log(2.0));
    auto r1 = row(7, 3, 1.25, 0.5);
    r1.point.ixt_bounds = mi::bounds{1.0, 1.5};
    r1.point.ity_bounds = mi::bounds{0.25, 0.75};
    r1.point.ixt_ci = mi::bounds{1.125, 1.375};
    r1.point.ity_ci = mi::bounds{0.375, 0.625};
    r1.point.ixt_kind = mi::ixt_quantity::entropy;
    const mi::trajectory bits("binning", "quantizer=uniform;bins=30", {r0, r1}, mi::unit::bits,
                              mi::bootstrap_settings{200, 0.95, 3});
    const mi::trajectory nats("kde", "noise=0.001", {r0}, mi::unit::nats);
    std::ostringstream out;
    mi::write_csv({bits, nats}, out);
    const std::string text = out.str();

    const auto comments = comment_lines(text);
    REQUIRE(comments.size() == 3);
    CHECK(comments[1].find("estimator=binning") != std::string::npos);
    CHECK(comments[1].find("parameters=quantizer=uniform;bins=30") != std::string::npos);
    CHECK(comments[1].find("unit=bits") != std::string::npos);
    CHECK(comments[1].find("bootstrap=200 resamples") != std::string::npos);
    CHECK(comments[1].find("(half-samples of rows), basic interval on half-samples") != std::string::npos);
    CHECK(comments[2].find("unit=nats") != std::string::npos);
    CHECK(comments[2].find("bootstrap=off") != std::string::npos);

    const auto rows = parse_csv(text);
    REQUIRE(rows.size() == 4);
    CHECK(rows[0] == mi::csv_columns());
    CHECK(rows[0] == std::vector<std::string>{"estimator", "parameters", "epoch", "layer", "ixt", "ity", "ixt_lower",
                                              "ixt_upper", "ity_lower", "ity_upper", "ixt_ci_lower", "ixt_ci_upper",
                                              "ity_ci_lower", "ity_ci_upper", "ixt_quantity", "unit"});
    // Row 1: r0 in bits: 12 and 1 exactly? ln(4096)/ln2 rounds to 12 within an ulp; compare as numbers.
    CHECK(rows[1][0] == "binning");
    CHECK(rows[1][1] == "quantizer=uniform;bins=30");
    CHECK(rows[1][2] == "0");
    CHECK(rows[1][3] == "0");
    CHECK(std::stod(rows[1][4]) == doctest::Approx(12.0).epsilon(1e-15));
    CHECK(std::stod(rows[1][5]) == doctest::Approx(1.0).epsilon(1e-15));
    for (std::size_t c = 6; c < 14; ++c) CHECK(rows[1][c].empty());
    CHECK(rows[1][14] == "I(X;T)");
    CHECK(rows[1][15] == "bits");
    // Row 2: every optional column present, converted to bits.
    CHECK(rows[2][2] == "7");
    CHECK(rows[2][3] == "3");
    const std::vector<double> nats_values{1.25, 0.5, 1.0, 1.5, 0.25, 0.75, 1.125, 1.375, 0.375, 0.625};
    for (std::size_t c = 4; c < 14; ++c) CHECK(std::stod(rows[2][c]) == mi::to_bits(nats_values[c - 4]));
    CHECK(rows[2][14] == "H(T)");
    // Row 3: the nats trajectory, unconverted.
    CHECK(rows[3][0] == "kde");
    CHECK(std::stod(rows[3][4]) == std::log(4096.0));
    CHECK(rows[3][15] == "nats");
}

TEST_CASE("csv: numbers parse back to the same doubles") {
    mi::rng r(8);
    std::vector<mi::trajectory_row> rs;
    std::vector<double> values;
    for (std::size_t e = 0; e < 50; ++e) {
        const double a = r.normal() * std::pow(10.0, static_cast<double>(r.below(30)) - 15.0);
        const double b = r.uniform() / 3.0;
        auto x = row(static_cast<mi::epoch_t>(e * 1000003), e % 4, a, b);
        x.point.ity_ci = mi::bounds{b / 7.0, -0.0};
        rs.push_back(x);
    }
    rs.push_back(row(1u << 30, 0, 1e-300, 5e-324));  // tiny and subnormal
    const mi::trajectory t("x", "", rs, mi::unit::nats);
    std::ostringstream out;
    mi::write_csv(t, out);
    const auto rows = parse_csv(out.str());
    REQUIRE(rows.size() == rs.size() + 1);
    for (std::size_t i = 0; i < rs.size(); ++i) {
        const auto& f = rows[i + 1];
        const auto& p = t.rows()[i];
        CHECK(std::stoll(f[2]) == p.epoch);
        CHECK(std::stoul(f[3]) == p.layer);
        CHECK(std::strtod(f[4].c_str(), nullptr) == p.point.ixt);
        CHECK(std::strtod(f[5].c_str(), nullptr) == p.point.ity);
        if (p.point.ity_ci) {
            CHECK(std::strtod(f[12].c_str(), nullptr) == p.point.ity_ci->lower);
            CHECK(std::strtod(f[13].c_str(), nullptr) == p.point.ity_ci->upper);
        }
    }
    // Bits: the written value is exactly to_bits of the stored nats.
    mi::trajectory tb = t;
    tb.set_output_unit(mi::unit::bits);
    std::ostringstream outb;
    mi::write_csv(tb, outb);
    const auto rowsb = parse_csv(outb.str());
    for (std::size_t i = 0; i < rs.size(); ++i)
        CHECK(std::strtod(rowsb[i + 1][4].c_str(), nullptr) == mi::to_bits(t.rows()[i].point.ixt));
}

TEST_CASE("csv: quoting of commas, semicolons and quotes; '#' rejected") {
    const mi::trajectory t("my, \"odd\" estimator", "a=1,2;b= x ", {row(1, 2, 0.5, 0.25)});
    std::ostringstream out;
    mi::write_csv(t, out);
    const std::string text = out.str();
    CHECK(text.find("\"my, \"\"odd\"\" estimator\",\"a=1,2;b= x \",1,2,") != std::string::npos);
    const auto rows = parse_csv(text);
    REQUIRE(rows.size() == 2);
    REQUIRE(rows[1].size() == 16);
    CHECK(rows[1][0] == "my, \"odd\" estimator");
    CHECK(rows[1][1] == "a=1,2;b= x ");
    CHECK(rows[1][2] == "1");

    CHECK(mi::detail::csv_field("plain") == "plain");
    CHECK(mi::detail::csv_field("a;b") == "\"a;b\"");
    CHECK(mi::detail::csv_field(" lead") == "\" lead\"");
    CHECK(mi::detail::csv_field("") == "");

    std::ostringstream sink;
    CHECK_THROWS_AS(mi::write_csv(mi::trajectory("e", "color=#fff", {}), sink), mi::error);
    CHECK_THROWS_AS(mi::write_csv(mi::trajectory("two\nlines", "", {}), sink), mi::error);
}

TEST_CASE("csv: files") {
    const mi::trajectory t("e", "k=v", {row(0, 0, 1.0, 0.5)}, mi::unit::nats);
    const std::string path = "mi_test_csv_output.csv";
    mi::write_csv(t, path);
    std::ifstream f(path, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    f.close();
    std::remove(path.c_str());
    const auto rows = parse_csv(text);
    REQUIRE(rows.size() == 2);
    CHECK(rows[1][4] == "1");
    CHECK(rows[1][5] == "0.5");
    CHECK(text.find('\r') == std::string::npos);
    CHECK_THROWS_AS(mi::write_csv(t, std::string("/nonexistent-dir/x.csv")), mi::error);
}

// Issue 15: writing onto an existing file with an invalid estimator name truncated it to 0 bytes
// before raising. The table is validated and written beside the target, then renamed into place.
TEST_CASE("csv: a failed write leaves the existing file as it was, and no temporary behind") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / "mi_test_csv_atomic";
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string path = (dir / "plane.csv").string();
    {
        std::ofstream old(path, std::ios::binary);
        old << "yesterday's good table\n";
    }
    const mi::trajectory bad("has#hash", "k=v", {row(0, 0, 1.0, 0.5)}, mi::unit::nats);
    CHECK_THROWS_WITH_AS(mi::write_csv(bad, path), doctest::Contains("estimator name"), mi::error);
    std::ifstream f(path, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    CHECK(text == "yesterday's good table\n");
    CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
    // a good write replaces it whole
    mi::write_csv(mi::trajectory("e", "k=v", {row(0, 0, 1.0, 0.5)}, mi::unit::nats), path);
    std::ifstream g(path, std::ios::binary);
    const std::string fresh((std::istreambuf_iterator<char>(g)), std::istreambuf_iterator<char>());
    CHECK(fresh.rfind("# mi information plane", 0) == 0);
    CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
    fs::remove_all(dir);
}

}  // namespace test_plane_csv
