// SPDX-License-Identifier: BSD-3-Clause
// Shared plumbing of the reproduction programs (examples/reproduce/*.cpp): a
// small command-line parser, the SZT task as an engine dataset, averaging of
// trajectories over seeds, and the tidy learning-curve CSV that
// examples/plot/plot_plane.py reads next to mi::write_csv's plane CSV.
// Kept out of the engine because it is about programs, not training.
#ifndef MI_EXAMPLES_REPRODUCE_COMMON_HPP
#define MI_EXAMPLES_REPRODUCE_COMMON_HPP

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
#include "mi/plane/trajectory.hpp"

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

/// The mean over runs of trajectories of the same estimator (every value and
/// bound averaged per (epoch, layer); pairs missing from a run are skipped).
inline mi::trajectory average(const std::vector<mi::trajectory>& runs) {
    if (runs.empty()) mi::detail::fail("mi_examples::reproduce::average", "runs", 0, "at least one trajectory");
    if (runs.size() == 1) return runs.front();
    std::vector<mi::trajectory_row> rows;
    for (const auto& r : runs.front().rows()) {
        mi::plane_point sum;
        sum.ixt_kind = r.point.ixt_kind;
        double n = 0;
        bool bx = true, by = true;
        mi::bounds sx{}, sy{};
        for (const auto& t : runs) {
            if (!t.contains(r.epoch, r.layer)) continue;
            const auto& p = t.at(r.epoch, r.layer);
            sum.ixt += p.ixt;
            sum.ity += p.ity;
            if (p.ixt_bounds) { sx.lower += p.ixt_bounds->lower; sx.upper += p.ixt_bounds->upper; } else bx = false;
            if (p.ity_bounds) { sy.lower += p.ity_bounds->lower; sy.upper += p.ity_bounds->upper; } else by = false;
            n += 1;
        }
        sum.ixt /= n;
        sum.ity /= n;
        if (bx) sum.ixt_bounds = mi::bounds{sx.lower / n, sx.upper / n};
        if (by) sum.ity_bounds = mi::bounds{sy.lower / n, sy.upper / n};
        rows.push_back({r.epoch, r.layer, sum});
    }
    return mi::trajectory(runs.front().estimator(), runs.front().parameters(), rows, runs.front().output_unit());
}

/// Tidy learning curves: one row per (run, epoch, layer).
class curves_csv {
public:
    explicit curves_csv(const std::string& path) : out_(path) {
        if (!out_) mi::detail::fail("mi_examples::reproduce::curves_csv", "path", path, "a writable file");
        out_.precision(9);
        out_ << "# learning curves: loss in nats (mean cross-entropy), accuracy in [0,1], norms Frobenius;\n"
             << "# snr = grad_mean_norm / grad_std_norm over the epoch's mini-batches (Saxe et al. App. I)\n"
             << "run,seed,epoch,recorded,train_loss,train_accuracy,test_loss,test_accuracy,layer,weight_norm,"
                "grad_mean_norm,grad_std_norm,snr\n";
    }
    void add(const std::string& run, std::uint64_t seed, const std::vector<engine::epoch_metrics>& history) {
        auto num = [](double v) {
            if (std::isnan(v)) return std::string();
            std::ostringstream s;
            s.precision(9);
            s << v;
            return s.str();
        };
        for (const auto& m : history)
            for (std::size_t l = 0; l < m.weight_norm.size(); ++l) {
                const double gm = l < m.grad_mean_norm.size() ? m.grad_mean_norm[l] : std::nan("");
                const double gs = l < m.grad_std_norm.size() ? m.grad_std_norm[l] : std::nan("");
                out_ << run << ',' << seed << ',' << m.epoch << ',' << (m.recorded ? 1 : 0) << ','
                     << num(m.train_loss) << ',' << num(m.train_accuracy) << ',' << num(m.test_loss) << ','
                     << num(m.test_accuracy) << ',' << l << ',' << num(m.weight_norm[l]) << ',' << num(gm) << ','
                     << num(gs) << ',' << num(gs > 0 ? gm / gs : std::nan("")) << '\n';
            }
        if (!out_) mi::detail::fail("mi_examples::reproduce::curves_csv", "file", "write failed", "a writable file");
    }

private:
    std::ofstream out_;
};

inline void make_directory(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) mi::detail::fail("mi_examples::reproduce::make_directory", "dir", dir, "a directory that can be created");
}

}  // namespace mi_examples::reproduce

#endif
