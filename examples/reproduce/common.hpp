// SPDX-License-Identifier: BSD-3-Clause
// Shared plumbing of the reproduction programs (examples/reproduce/*.cpp): a
// small command-line parser, the SZT task as an engine dataset, and the tidy
// learning-curve table that the plotting scripts read next to the plane table.
// Kept out of the engine because it is about programs, not training.
#ifndef MI_EXAMPLES_REPRODUCE_COMMON_HPP
#define MI_EXAMPLES_REPRODUCE_COMMON_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "datasets/szt.hpp"
#include "engine/dataset.hpp"
#include "engine/trainer.hpp"
#include "mi/core/error.hpp"
#include "reproduce/table.hpp"

namespace mi_examples::reproduce {

/// --name value / --flag command lines; unknown options are an error.
class command_line {
public:
    command_line(int argc, char** argv, std::string usage) : usage_(std::move(usage)) {
        for (int i = 1; i < argc; ++i) {
            std::string a = argv[i];
            if (a == "-h" || a == "--help") {
                std::cout << usage_;
                std::exit(0);
            }
            if (a.rfind("--", 0) != 0) bad("unexpected argument " + a);
            const auto eq = a.find('=');
            if (eq != std::string::npos) {
                values_[a.substr(2, eq - 2)] = a.substr(eq + 1);
            } else if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) {
                values_[a.substr(2)] = argv[++i];
            } else {
                values_[a.substr(2)] = "";
            }
        }
    }
    bool flag(const std::string& name) {
        used_[name] = true;
        return values_.count(name) == 1;
    }
    std::string text(const std::string& name, const std::string& fallback) {
        used_[name] = true;
        const auto it = values_.find(name);
        return it == values_.end() ? fallback : it->second;
    }
    std::size_t count(const std::string& name, std::size_t fallback) {
        const std::string v = text(name, "");
        if (v.empty()) return fallback;
        char* end = nullptr;
        const unsigned long long n = std::strtoull(v.c_str(), &end, 10);
        if (*end != '\0' || v[0] == '-') bad("--" + name + " expects a non-negative integer, got " + v);
        return static_cast<std::size_t>(n);
    }
    double number(const std::string& name, double fallback) {
        const std::string v = text(name, "");
        if (v.empty()) return fallback;
        char* end = nullptr;
        const double x = std::strtod(v.c_str(), &end);
        if (*end != '\0' || !std::isfinite(x)) bad("--" + name + " expects a number, got " + v);
        return x;
    }
    /// A comma-separated list (empty items dropped), e.g. --activations tanh,relu.
    std::vector<std::string> list(const std::string& name, const std::string& fallback) {
        const std::string v = text(name, fallback);
        std::vector<std::string> out;
        std::size_t start = 0;
        while (true) {
            const auto comma = v.find(',', start);
            const std::string item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (!item.empty()) out.push_back(item);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
        if (out.empty()) bad("--" + name + " expects a comma-separated list, got '" + v + "'");
        return out;
    }
    /// The options given, as "--name=value" lines in name order, leaving out `ignored`: what identifies a
    /// run when a checkpoint is resumed (so an option spelt in another order still matches).
    std::string canonical(const std::vector<std::string>& ignored) const {
        std::string out;
        for (const auto& kv : values_)
            if (std::find(ignored.begin(), ignored.end(), kv.first) == ignored.end())
                out += "--" + kv.first + "=" + kv.second + "\n";
        return out;
    }
    /// Call after reading every option: rejects the ones nobody asked for.
    void finish() {
        for (const auto& kv : values_)
            if (!used_.count(kv.first)) bad("unknown option --" + kv.first);
    }

private:
    [[noreturn]] void bad(const std::string& msg) const {
        std::cerr << "error: " << msg << "\n\n" << usage_;
        std::exit(2);
    }
    std::string usage_;
    std::map<std::string, std::string> values_;
    std::map<std::string, bool> used_;
};

/// All 4096 SZT patterns with their labels (class id = y, as ibsgd's to_categorical(y)).
template <class T = float>
engine::dataset<T> szt_dataset() {
    const auto d = datasets::szt<T>();
    engine::dataset<T> out;
    out.x = d.x;
    out.n = datasets::szt_patterns;
    out.d = datasets::szt_bits;
    out.classes = 2;
    for (int y : d.y) out.labels.push_back(static_cast<std::uint32_t>(y));
    return out;
}

/// All 4096 SZT patterns (what the papers record on) and one train/test split of them.
struct szt_sets {
    engine::dataset<float> all, train, test;
    explicit szt_sets(const datasets::szt_split& split)
        : all(szt_dataset<float>()), train(all.subset(split.train)), test(all.subset(split.test)) {}
};

/// The learning-curve columns, after a program's identifying columns: one row per (epoch, layer).
inline std::vector<std::string> curve_columns(const std::vector<std::string>& tags) {
    std::vector<std::string> c = tags;
    for (const char* name : {"epoch", "recorded", "train_loss", "train_accuracy", "test_loss", "test_accuracy",
                             "layer", "weight_norm", "grad_mean_norm", "grad_std_norm", "snr"})
        c.emplace_back(name);
    return c;
}

/// Appends a run's history to a curves table made with curve_columns(tag names): loss in nats (mean
/// cross-entropy or MSE), accuracy in [0,1], Frobenius norms, snr = ||mean|| / ||std|| of the epoch's
/// mini-batch gradients (Saxe et al. App. I). tag_values are the run's identifying cells.
inline void add_curves(table& curves, const std::vector<std::string>& tag_values,
                       const std::vector<engine::epoch_metrics>& history) {
    if (curves.comments().empty()) {
        curves.comment("learning curves: loss in nats, accuracy in [0,1], norms Frobenius; one row per epoch x layer");
        curves.comment("snr = grad_mean_norm / grad_std_norm over the epoch's mini-batches (Saxe et al. App. I)");
    }
    const double nan = std::nan("");
    for (const auto& m : history)
        for (std::size_t l = 0; l < m.weight_norm.size(); ++l) {
            const double gm = l < m.grad_mean_norm.size() ? m.grad_mean_norm[l] : nan;
            const double gs = l < m.grad_std_norm.size() ? m.grad_std_norm[l] : nan;
            std::vector<cell> row(tag_values.begin(), tag_values.end());
            for (cell c : {cell(m.epoch), cell(m.recorded), cell(m.train_loss), cell(m.train_accuracy),
                           cell(m.test_loss), cell(m.test_accuracy), cell(l), cell(m.weight_norm[l]), cell(gm),
                           cell(gs), cell(gs > 0 ? gm / gs : nan)})
                row.push_back(c);
            curves.add(std::move(row));
        }
}

/// Pearson's correlation coefficient of two equally long samples; NaN when either is constant.
inline double pearson(const std::vector<double>& x, const std::vector<double>& y) {
    if (x.size() != y.size() || x.empty())
        mi::detail::fail("reproduce::pearson", "sizes", std::to_string(x.size()) + " and " + std::to_string(y.size()),
                         "two non-empty samples of the same size");
    const double n = static_cast<double>(x.size());
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        mx += x[i] / n;
        my += y[i] / n;
    }
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : std::nan("");
}

inline void make_directory(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) mi::detail::fail("mi_examples::reproduce::make_directory", "dir", dir, "a directory that can be created");
}

}  // namespace mi_examples::reproduce

#endif
