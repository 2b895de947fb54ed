// SPDX-License-Identifier: BSD-3-Clause
// What every reproduction program shares: the common options, the split of a
// program's runs into shards for a cluster scheduler, the merge of the
// shards' tables, a progress line for long runs, and the call of the
// program's plotting script.
//
// Common options (every program):
//   --full          the paper's scale (epochs, seeds, sizes) instead of the 2-core default
//   --smoke         a tiny size that only checks the program end to end (CI)
//   --seeds N       runs per condition, averaged in the summary and the figures
//   --seed S        first seed (runs use S, S+1, ...)
//   --shard i/n     run only the runs j with j mod n = i, write OUT/shard-i-of-n/*.csv, no summary
//   --merge         combine OUT/shard-*-of-n/*.csv into OUT/*.csv, then summarise and plot
//   --out DIR       output directory
//   --no-plot       write the CSVs and the summary only
//
// Sharding: a program lists its runs (condition x seed) in a fixed order;
// shard i of n takes runs i, i+n, i+2n, ... Every run is seeded by its own
// identity, never by its position in a shard, so the merged tables hold
// exactly the rows a single run of the program writes (in another order
// only), e.g. as a Slurm array:
//   sbatch --array=0-9 --wrap 'prog --full --shard $SLURM_ARRAY_TASK_ID/10 --out res'
//   prog --full --merge --out res
// or with GNU parallel: parallel prog --shard {}/4 --out res ::: 0 1 2 3 && prog --merge --out res
#ifndef MI_EXAMPLES_REPRODUCE_SUITE_HPP
#define MI_EXAMPLES_REPRODUCE_SUITE_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

#include "engine/trainer.hpp"
#include "mi/core/error.hpp"
#include "reproduce/common.hpp"
#include "reproduce/table.hpp"

namespace mi_examples::reproduce {

inline const char* common_usage =
    "common options:\n"
    "  --full          the paper's scale instead of the 2-core default\n"
    "  --smoke         a tiny end-to-end check (seconds)\n"
    "  --seeds N       runs per condition, averaged (default as the program says)\n"
    "  --seed S        first seed (default 0)\n"
    "  --shard i/n     run every n-th run starting at i; writes OUT/shard-i-of-n/, no summary\n"
    "  --merge         combine OUT/shard-*-of-n/ into OUT/, then summarise and plot\n"
    "  --out DIR       output directory\n"
    "  --no-plot       CSVs and summary only\n";

/// A program's result tables, by file stem (plane -> plane.csv).
using tables = std::map<std::string, table>;

class suite {
public:
    suite(int argc, char** argv, std::string program, const std::string& usage)
        : program_(std::move(program)), cli_(argc, argv, usage + common_usage) {
        full_ = cli_.flag("full");
        smoke_ = cli_.flag("smoke");
        first_seed_ = cli_.count("seed", 0);
        merge_ = cli_.flag("merge");
        plot_ = !cli_.flag("no-plot");
        out_ = cli_.text("out", program_ + "_out");
        const std::string shard = cli_.text("shard", "");
        if (!shard.empty()) {
            const auto slash = shard.find('/');
            char* end = nullptr;
            const unsigned long long i = std::strtoull(shard.c_str(), &end, 10);
            const bool ok_i = slash != std::string::npos && end == shard.c_str() + slash && slash > 0;
            const unsigned long long n = ok_i ? std::strtoull(shard.c_str() + slash + 1, &end, 10) : 0;
            if (!ok_i || *end != '\0' || n == 0 || i >= n || shard[0] == '-')
                usage_error("--shard expects i/n with 0 <= i < n, got " + shard);
            shard_index_ = static_cast<std::size_t>(i);
            shard_count_ = static_cast<std::size_t>(n);
        }
        if (merge_ && shard_count_ > 1) usage_error("--merge combines the shards; give it without --shard");
        if (full_ && smoke_) usage_error("--full and --smoke exclude each other");
    }

    /// For the program's own options; call begin() after reading them.
    command_line& cli() { return cli_; }

    bool full() const noexcept { return full_; }
    bool smoke() const noexcept { return smoke_; }
    bool merging() const noexcept { return merge_; }
    bool sharded() const noexcept { return shard_count_ > 1; }
    const std::string& out() const noexcept { return out_; }
    std::uint64_t first_seed() const noexcept { return first_seed_; }

    /// --seeds, with the program's default for its scale.
    std::size_t seeds(std::size_t fallback) {
        const std::size_t n = cli_.count("seeds", fallback);
        if (n == 0) usage_error("--seeds expects at least 1");
        return n;
    }
    /// first_seed, first_seed + 1, ... (count of them).
    std::vector<std::uint64_t> seed_list(std::size_t count) const {
        std::vector<std::uint64_t> s;
        for (std::size_t i = 0; i < count; ++i) s.push_back(first_seed_ + i);
        return s;
    }

    /// Rejects unknown options and creates the output directory.
    void begin() {
        cli_.finish();
        make_directory(out_);
        if (sharded()) make_directory(shard_dir());
        std::printf("%s: output in %s%s%s\n", program_.c_str(), out_.c_str(),
                    sharded() ? (", shard " + std::to_string(shard_index_) + "/" + std::to_string(shard_count_))
                                    .c_str()
                              : "",
                    full_ ? " (--full)" : smoke_ ? " (--smoke)" : "");
        std::fflush(stdout);
    }

    /// The runs this process does: all of them, or every n-th from i for shard i/n; none when merging.
    template <class Run>
    std::vector<Run> mine(const std::vector<Run>& runs) const {
        std::vector<Run> out;
        if (merge_) return out;
        for (std::size_t j = shard_index_; j < runs.size(); j += shard_count_) out.push_back(runs[j]);
        return out;
    }

    /// The program's tables. Append rows while running; after complete() they hold every run.
    tables& results() noexcept { return results_; }
    table& result(const std::string& name, const std::vector<std::string>& columns) {
        auto it = results_.find(name);
        if (it == results_.end()) it = results_.emplace(name, table(columns)).first;
        return it->second;
    }

    /// Writes the tables. Returns true when they hold every run (no shards, or --merge, after reading
    /// all shards back), i.e. when the program should summarise and plot.
    bool complete() {
        if (merge_) {
            read_shards();
            write_tables(out_);
            return true;
        }
        write_tables(sharded() ? shard_dir() : out_);
        if (sharded()) {
            std::printf("%s: shard %zu/%zu written to %s; run with --merge --out %s when all shards are done\n",
                        program_.c_str(), shard_index_, shard_count_, shard_dir().c_str(), out_.c_str());
            return false;
        }
        return true;
    }

    /// Runs examples/plot/<script> on the output directory (unless --no-plot); it prints the PNGs it wrote.
    void plot(const std::string& script) const {
        if (!plot_) return;
        const std::string python = std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        const std::string path = std::string(MI_EXAMPLES_DIR) + "/plot/" + script;
        const std::string cmd = python + " \"" + path + "\" \"" + out_ + "\"";
        std::fflush(stdout);
        if (std::system(cmd.c_str()) != 0)
            mi::detail::fail(program_.c_str(), "plotting", cmd, "a plotting run that succeeds (python3-matplotlib)");
    }

private:
    [[noreturn]] void usage_error(const std::string& msg) const {
        std::fprintf(stderr, "error: %s (see --help)\n", msg.c_str());
        std::exit(2);
    }
    std::string shard_dir() const {
        return out_ + "/shard-" + std::to_string(shard_index_) + "-of-" + std::to_string(shard_count_);
    }
    void write_tables(const std::string& dir) const {
        for (const auto& [name, t] : results_) t.write(dir + "/" + name + ".csv");
    }
    void read_shards() {
        namespace fs = std::filesystem;
        std::map<std::size_t, fs::path> found;
        std::size_t n = 0;
        for (const auto& e : fs::directory_iterator(out_)) {
            if (!e.is_directory()) continue;
            const std::string name = e.path().filename().string();
            unsigned long i = 0, c = 0;
            char tail = 0;
            if (std::sscanf(name.c_str(), "shard-%lu-of-%lu%c", &i, &c, &tail) != 2) continue;
            if (n != 0 && c != n)
                mi::detail::fail(program_.c_str(), "shard directories", name,
                                 "shards of one split (all shard-i-of-" + std::to_string(n) + ")");
            n = c;
            found[i] = e.path();
        }
        if (n == 0) mi::detail::fail(program_.c_str(), "--merge", out_, "a directory with shard-i-of-n results");
        for (std::size_t i = 0; i < n; ++i)
            if (!found.count(i))
                mi::detail::fail(program_.c_str(), "--merge", "shard " + std::to_string(i) + " missing",
                                 "all " + std::to_string(n) + " shards in " + out_);
        results_.clear();
        for (const auto& [i, dir] : found)
            for (const auto& e : fs::directory_iterator(dir)) {
                if (e.path().extension() != ".csv") continue;
                results_[e.path().stem().string()].append(table::read(e.path().string()));
            }
        std::printf("%s: merged %zu shards from %s\n", program_.c_str(), n, out_.c_str());
    }

    std::string program_;
    command_line cli_;
    bool full_ = false, smoke_ = false, merge_ = false, plot_ = true;
    std::uint64_t first_seed_ = 0;
    std::size_t shard_index_ = 0, shard_count_ = 1;
    std::string out_;
    tables results_;
};

/// A progress line for long runs: "label: epoch e/E, elapsed t s". On a terminal it is rewritten
/// in place; in a log a line is written at most every 10 s (so CI logs stay short).
class progress {
public:
    progress(std::string label, std::size_t total)
        : label_(std::move(label)), total_(total), tty_(isatty(fileno(stderr)) != 0),
          start_(std::chrono::steady_clock::now()), last_(start_) {}

    void operator()(std::size_t done) {
        const auto now = std::chrono::steady_clock::now();
        const double since = std::chrono::duration<double>(now - last_).count();
        if (since < (tty_ ? 0.5 : 10.0) && done + 1 < total_) return;
        last_ = now;
        std::fprintf(stderr, "%s%s: epoch %zu/%zu, elapsed %.1f s%s", tty_ ? "\r" : "", label_.c_str(), done + 1,
                     total_, std::chrono::duration<double>(now - start_).count(), tty_ ? "   " : "\n");
        if (tty_ && done + 1 >= total_) std::fputc('\n', stderr);
        std::fflush(stderr);
    }
    /// As the trainer's per-epoch callback.
    std::function<void(const engine::epoch_metrics&)> hook() {
        return [this](const engine::epoch_metrics& m) { (*this)(m.epoch); };
    }
    double elapsed() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }

private:
    std::string label_;
    std::size_t total_;
    bool tty_;
    std::chrono::steady_clock::time_point start_, last_;
};

/// Per layer of one (already averaged or single-run) plane table slice: the peak of a column over
/// epochs, the epoch of the peak and the last epoch's value. Rows must carry "epoch" and "layer".
struct layer_course {
    std::size_t layer = 0;
    double peak = -std::numeric_limits<double>::infinity();
    double peak_epoch = 0;
    double first = std::numeric_limits<double>::quiet_NaN();
    double final_value = std::numeric_limits<double>::quiet_NaN();
    double drop() const { return peak - final_value; }
};

inline std::vector<layer_course> layer_courses(const table& t, const std::string& column) {
    struct seen {
        layer_course course;
        double first_epoch = std::numeric_limits<double>::infinity();
        double last_epoch = -std::numeric_limits<double>::infinity();
    };
    std::map<std::size_t, seen> by_layer;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const auto layer = static_cast<std::size_t>(t.number(i, "layer"));
        const double epoch = t.number(i, "epoch"), v = t.number(i, column);
        seen& s = by_layer[layer];
        s.course.layer = layer;
        if (epoch < s.first_epoch) {
            s.first_epoch = epoch;
            s.course.first = v;
        }
        if (epoch >= s.last_epoch) {
            s.last_epoch = epoch;
            s.course.final_value = v;
        }
        if (v > s.course.peak) {
            s.course.peak = v;
            s.course.peak_epoch = epoch;
        }
    }
    std::vector<layer_course> out;
    for (const auto& kv : by_layer) out.push_back(kv.second.course);
    return out;
}

}  // namespace mi_examples::reproduce

#endif
