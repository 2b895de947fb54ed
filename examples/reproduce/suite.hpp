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
//   --verdict-only  run nothing: read OUT/*.csv, then summarise, judge and plot
//
// Verdicts are computed from the tables as written: complete() reads every
// table back from OUT (CSV numbers round-trip exactly), so the summary of a
// run, of a --merge and of a --verdict-only on the same directory are the
// same; the program then writes OUT/verdicts.csv and OUT/out_of_range.csv
// (reproduce/verdict.hpp) with report().
//
// Sharding: a program lists its runs (condition x seed) in a fixed order;
// shard i of n takes runs i, i+n, i+2n, ... Every run is seeded by its own
// identity, never by its position in a shard, so the merged tables hold
// exactly the rows a single run of the program writes (in another order
// only), e.g. as a Slurm array:
//   sbatch --array=0-9 --wrap 'prog --full --shard $SLURM_ARRAY_TASK_ID/10 --out res'
//   prog --full --merge --out res
// or with GNU parallel: parallel prog --shard {}/4 --out res ::: 0 1 2 3 && prog --merge --out res
// (examples/cluster/ has Slurm launchers that do this with checkpoints and requeueing).
//
// Checkpoint and resume (programs that call enable_checkpoints(): szt_tanh_vs_relu,
// mnist_tanh_vs_relu). With --checkpoint DIR or --resume DIR the program writes DIR/<program>.ckpt
// (checkpoint.hpp) at the end of every run, every --checkpoint-every K epochs and/or
// --checkpoint-minutes T minutes of training (default 30 minutes), and on SIGTERM; it holds the
// tables so far, the number of this process's runs done and, mid-run, the network, optimizer,
// batch order, metrics and recording of the run in progress. --resume DIR continues from it (or
// starts afresh when DIR holds none), and the final tables are bit-identical to an uninterrupted
// run's. On SIGTERM the program finishes the epoch it is in (or the run's estimates, when training
// is over), writes the checkpoint and exits with status 75 (exit_checkpointed). A program reports
// which runs are done with run_done() and trains through suite::train(), so that adopting
// checkpoints is one call each.
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

#include "engine/blas_kernel.hpp"
#include "engine/trainer.hpp"
#include "mi/core/error.hpp"
#include "reproduce/checkpoint.hpp"
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
    "  --no-plot       CSVs and summary only\n"
    "  --verdict-only  run nothing: read the tables in --out, summarise, judge and plot\n"
    "checkpoints (szt_tanh_vs_relu, mnist_tanh_vs_relu):\n"
    "  --checkpoint DIR          write DIR/<program>.ckpt (refuses to replace an existing one)\n"
    "  --resume DIR              continue from DIR/<program>.ckpt if it exists, and checkpoint there\n"
    "  --checkpoint-every K      also every K epochs of training\n"
    "  --checkpoint-minutes T    also every T minutes of training (default 30 unless K is given)\n"
    "  --stop-after-epoch E      test hook: stop as on SIGTERM after this process's E-th epoch\n"
    "  on SIGTERM: checkpoint at the next epoch boundary, then exit with status 75\n";

/// A program's result tables, by file stem (plane -> plane.csv).
using tables = std::map<std::string, table>;

class suite {
public:
    suite(int argc, char** argv, std::string program, const std::string& usage)
        : program_(std::move(program)), cli_(argc, argv, usage + common_usage) {
        engine::use_fitting_openblas_kernels(argv);
        full_ = cli_.flag("full");
        smoke_ = cli_.flag("smoke");
        first_seed_ = cli_.count("seed", 0);
        merge_ = cli_.flag("merge");
        verdict_only_ = cli_.flag("verdict-only");
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
        if (verdict_only_ && (merge_ || shard_count_ > 1)) usage_error("--verdict-only reads finished tables; give it without --merge or --shard");
    }

    /// For the program's own options; call begin() after reading them.
    command_line& cli() { return cli_; }

    bool full() const noexcept { return full_; }
    bool smoke() const noexcept { return smoke_; }
    bool merging() const noexcept { return merge_; }
    bool verdict_only() const noexcept { return verdict_only_; }
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

    /// Accepts the checkpoint options (call before begin()); the program then trains with train()
    /// (once per run) and calls run_done() after each run.
    void enable_checkpoints() {
        const std::string fresh = cli_.text("checkpoint", ""), resume = cli_.text("resume", "");
        every_epochs_ = cli_.count("checkpoint-every", 0);
        every_minutes_ = cli_.number("checkpoint-minutes", every_epochs_ > 0 ? 0.0 : 30.0);
        stop_after_ = cli_.count("stop-after-epoch", 0);
        if (!fresh.empty() && !resume.empty()) usage_error("give --checkpoint DIR or --resume DIR, not both");
        if (every_minutes_ < 0) usage_error("--checkpoint-minutes expects a number >= 0");
        const std::string dir = fresh.empty() ? resume : fresh;
        if (dir.empty()) {
            // A merge job takes the shards' options as they are; the intervals do not change results.
            if (!merge_ && (every_epochs_ > 0 || stop_after_ > 0 || cli_.text("checkpoint-minutes", "") != ""))
                usage_error("the checkpoint options need --checkpoint DIR or --resume DIR");
            return;
        }
        if (merge_) usage_error("--merge only reads the shards' tables; give it without --checkpoint/--resume");
        resume_ = !resume.empty();
        checkpoint_dir_ = dir;
        checkpoint_path_ = dir + "/" + program_ + ".ckpt";
    }

    /// Rejects unknown options and creates the output directory (and, with checkpoints, reads the
    /// checkpoint to resume from).
    void begin() {
        // What determines the run's results: every option but where things go and the checkpointing.
        const std::string identity =
            program_ + "\n" +
            cli_.canonical({"out", "no-plot", "checkpoint", "resume", "checkpoint-every", "checkpoint-minutes",
                            "stop-after-epoch"});
        cli_.finish();
        make_directory(out_);
        if (sharded()) make_directory(shard_dir());
        if (!checkpoint_path_.empty()) start_checkpoints(fnv1a(identity));
        const std::string kernel = engine::openblas_kernel();
        std::printf("%s: output in %s%s%s%s\n", program_.c_str(), out_.c_str(),
                    sharded() ? (", shard " + std::to_string(shard_index_) + "/" + std::to_string(shard_count_))
                                    .c_str()
                              : "",
                    full_ ? " (--full)" : smoke_ ? " (--smoke)" : "",
                    kernel.empty() ? "" : (", OpenBLAS kernels " + kernel).c_str());
        std::fflush(stdout);
    }

    /// The runs this process does: all of them, or every n-th from i for shard i/n; none when merging.
    /// After a resume, the runs the checkpoint holds as done are left out.
    template <class Run>
    std::vector<Run> mine(const std::vector<Run>& runs) const {
        std::vector<Run> out;
        if (merge_ || verdict_only_) return out;
        std::size_t k = 0;
        for (std::size_t j = shard_index_; j < runs.size(); j += shard_count_, ++k)
            if (k >= runs_done_) out.push_back(runs[j]);
        return out;
    }

    /// engine::train, checkpointed at epoch boundaries when checkpoints are on, and continued from
    /// the checkpoint's run in progress after a resume (network, optimizer, batch order, metrics
    /// and the recorder's contents: mi::recording, engine::null_recorder, or any type with
    /// save(byte_writer&, const R&) / load(byte_reader&, R&) overloads). Once per run.
    template <class T, class Recorder>
    std::vector<engine::epoch_metrics> train(engine::network<T>& net, const engine::dataset<T>& train_set,
                                             const engine::dataset<T>* test, const engine::dataset<T>& record_on,
                                             Recorder& recorder, const engine::train_options& options) {
        if (checkpoint_path_.empty()) return engine::train(net, train_set, test, record_on, recorder, options);
        if (trained_in_run_)
            mi::detail::fail(program_.c_str(), "suite::train", "a second training in one run",
                             "one suite::train per run, then run_done()");
        trained_in_run_ = true;
        engine::train_progress<T> progress;
        if (!pending_run_.empty()) {
            byte_reader r(pending_run_, "checkpoint " + checkpoint_path_ + ", section run");
            const auto run = r.get<std::uint64_t>();
            if (run != runs_done_)
                mi::detail::fail(program_.c_str(), "checkpoint run", run,
                                 "the run in progress, " + std::to_string(runs_done_));
            load(r, net);
            progress = load_progress<T>(r);
            load(r, recorder);
            if (!r.at_end())
                mi::detail::fail(program_.c_str(), "checkpoint section run", "trailing bytes", "nothing after the recorder");
            pending_run_.clear();
            std::printf("%s: run %zu resumed at epoch %zu from %s\n", program_.c_str(), runs_done_,
                        progress.next_epoch, checkpoint_path_.c_str());
            std::fflush(stdout);
        }
        const auto boundary = [&](const engine::network<T>& n, const engine::train_progress<T>& p) {
            ++epochs_trained_;
            const bool stop = stop_requested();
            const double minutes =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - last_save_).count() / 60.0;
            const bool due = stop || (every_epochs_ > 0 && p.next_epoch % every_epochs_ == 0) ||
                             (every_minutes_ > 0 && minutes >= every_minutes_);
            if (!due) return false;
            byte_writer w;
            w.put<std::uint64_t>(runs_done_);
            save(w, n);
            save(w, p);
            save(w, recorder);
            save_checkpoint(&w.bytes());
            if (stop) exit_checkpointed_at("epoch " + std::to_string(p.next_epoch) + " of run " + std::to_string(runs_done_));
            return false;
        };
        engine::train_from(net, train_set, test, record_on, recorder, options, progress,
                           engine::epoch_boundary<T>(boundary));
        return std::move(progress.history);
    }

    /// Marks this process's current run as done (its rows are in the tables): with checkpoints on,
    /// writes one, and exits with status 75 if SIGTERM (or --stop-after-epoch) asked to stop.
    void run_done() {
        ++runs_done_;
        trained_in_run_ = false;
        if (checkpoint_path_.empty()) return;
        save_checkpoint(nullptr);
        if (stop_requested()) exit_checkpointed_at("the end of run " + std::to_string(runs_done_ - 1));
    }

    /// The program's tables. Append rows while running; after complete() they hold every run.
    tables& results() noexcept { return results_; }
    table& result(const std::string& name, const std::vector<std::string>& columns) {
        auto it = results_.find(name);
        if (it == results_.end()) it = results_.emplace(name, table(columns)).first;
        return it->second;
    }

    /// Writes the tables. Returns true when they hold every run (no shards, or --merge, after reading
    /// all shards back), i.e. when the program should summarise and plot; results() then holds the
    /// tables as read back from OUT, which is what the summary and the verdicts are computed from.
    bool complete() {
        if (verdict_only_) {
            read_written();
            return true;
        }
        if (merge_) {
            read_shards();
            write_tables(out_);
            read_written();
            return true;
        }
        write_tables(sharded() ? shard_dir() : out_);
        if (sharded()) {
            std::printf("%s: shard %zu/%zu written to %s; run with --merge --out %s when all shards are done\n",
                        program_.c_str(), shard_index_, shard_count_, shard_dir().c_str(), out_.c_str());
            return false;
        }
        read_written();
        return true;
    }

    /// Writes a report computed from the tables (verdicts.csv, out_of_range.csv, ...): these are
    /// not results, and complete() does not read them back.
    void report(const std::string& name, const table& t) const {
        if (is_report(name)) t.write(out_ + "/" + name + ".csv");
        else mi::detail::fail(program_.c_str(), "suite::report", name, "one of verdicts, out_of_range");
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
    void start_checkpoints(std::uint64_t options_hash) {
        options_hash_ = options_hash;
        make_directory(checkpoint_dir_);
        if (std::filesystem::exists(checkpoint_path_)) {
            if (!resume_)
                mi::detail::fail(program_.c_str(), "--checkpoint", checkpoint_path_,
                                 "a directory without a checkpoint (continue it with --resume, or remove it)");
            const checkpoint_file c = read_checkpoint(checkpoint_path_, program_, options_hash_);
            const auto it = c.sections.find("suite");
            if (it == c.sections.end())
                mi::detail::fail(program_.c_str(), "checkpoint", checkpoint_path_, "a checkpoint with a suite section");
            byte_reader r(it->second, "checkpoint " + checkpoint_path_ + ", section suite");
            runs_done_ = static_cast<std::size_t>(r.get<std::uint64_t>());
            const auto count = r.length(1);
            results_.clear();
            for (std::size_t i = 0; i < count; ++i) {
                const std::string name = r.get_string();
                results_[name] = load_table(r);
            }
            const auto run = c.sections.find("run");
            if (run != c.sections.end()) pending_run_ = run->second;
            std::printf("%s: resuming from %s (%zu run(s) of this process done%s)\n", program_.c_str(),
                        checkpoint_path_.c_str(), runs_done_, pending_run_.empty() ? "" : ", one in progress");
        } else if (resume_) {
            std::printf("%s: no checkpoint in %s yet; starting from the beginning\n", program_.c_str(),
                        checkpoint_dir_.c_str());
        }
        install_termination_handler();
        last_save_ = std::chrono::steady_clock::now();
    }
    bool stop_requested() const { return termination_requested() || (stop_after_ > 0 && epochs_trained_ >= stop_after_); }
    void save_checkpoint(const std::string* run) {
        checkpoint_file c;
        c.program = program_;
        c.options_hash = options_hash_;
        byte_writer w;
        w.put<std::uint64_t>(runs_done_);
        w.put<std::uint64_t>(results_.size());
        for (const auto& [name, t] : results_) {
            w.put(name);
            save(w, t);
        }
        c.sections["suite"] = w.bytes();
        if (run) c.sections["run"] = *run;
        write_checkpoint(checkpoint_path_, c);
        last_save_ = std::chrono::steady_clock::now();
    }
    [[noreturn]] void exit_checkpointed_at(const std::string& where) const {
        std::printf("%s: stopped at %s; checkpoint written to %s; exit status %d (continue with --resume %s)\n",
                    program_.c_str(), where.c_str(), checkpoint_path_.c_str(), exit_checkpointed,
                    checkpoint_dir_.c_str());
        std::fflush(stdout);
        std::exit(exit_checkpointed);
    }
    std::string shard_dir() const {
        return out_ + "/shard-" + std::to_string(shard_index_) + "-of-" + std::to_string(shard_count_);
    }
    void write_tables(const std::string& dir) const {
        for (const auto& [name, t] : results_) t.write(dir + "/" + name + ".csv");
    }
    static bool is_report(const std::string& stem) { return stem == "verdicts" || stem == "out_of_range"; }
    /// results_ <- every result table in OUT, as written (for --verdict-only: whatever is there).
    void read_written() {
        namespace fs = std::filesystem;
        tables read;
        for (const auto& e : fs::directory_iterator(out_)) {
            const std::string stem = e.path().stem().string();
            if (!e.is_regular_file() || e.path().extension() != ".csv" || is_report(stem)) continue;
            if (!verdict_only_ && !results_.count(stem)) continue;  // a stale table of another run
            read[stem] = table::read(e.path().string());
        }
        if (verdict_only_ && read.empty())
            mi::detail::fail(program_.c_str(), "--verdict-only", out_, "a directory holding the program's tables");
        results_ = std::move(read);
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
    bool full_ = false, smoke_ = false, merge_ = false, verdict_only_ = false, plot_ = true;
    std::uint64_t first_seed_ = 0;
    std::size_t shard_index_ = 0, shard_count_ = 1;
    std::string out_;
    tables results_;
    // checkpoints (enable_checkpoints)
    std::string checkpoint_dir_, checkpoint_path_;  ///< empty: no checkpoints
    bool resume_ = false;
    std::size_t every_epochs_ = 0, stop_after_ = 0;
    double every_minutes_ = 0;
    std::uint64_t options_hash_ = 0;
    std::size_t runs_done_ = 0;        ///< runs of mine() done (restored by a resume)
    std::string pending_run_;          ///< the checkpoint's run in progress, for the next train()
    bool trained_in_run_ = false;
    std::size_t epochs_trained_ = 0;   ///< by this process
    std::chrono::steady_clock::time_point last_save_ = std::chrono::steady_clock::now();
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
