// SPDX-License-Identifier: BSD-3-Clause
// The checkpoint file of the reproduction programs: what a killed run needs to
// continue so that its final tables are bit-identical to an uninterrupted
// run's (suite.hpp decides when to write one and what goes in it).
//
// Format (little-endian, as every host these programs run on):
//   magic "mi-ckpt\n" (8 bytes), u32 format version,
//   program name (u64 length + bytes), u64 options hash (FNV-1a of the options that determine the
//   run), u32 section count, per section: name (u64 length + bytes), u64 size, u64 checksum
//   (FNV-1a 64 of the payload); u64 checksum of all header bytes before it; then the payloads in order.
// A file that is truncated, corrupted (any checksum), of another format version, of another program
// or of other options is refused with an mi::error naming what differs; it is never used or
// overwritten. Numbers are stored as their bits, so doubles and floats round-trip exactly.
//
// SIGTERM: what Slurm sends at a time limit or a preemption (then SIGKILL after KillWait, 30 s by
// default). install_termination_handler() turns it into a flag that the training loop checks at the
// next epoch boundary; the program then writes a checkpoint and exits with exit_checkpointed (75,
// EX_TEMPFAIL of sysexits.h: "try again later"), which the Slurm launcher answers with a requeue.
#ifndef MI_EXAMPLES_REPRODUCE_CHECKPOINT_HPP
#define MI_EXAMPLES_REPRODUCE_CHECKPOINT_HPP

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "engine/network.hpp"
#include "engine/trainer.hpp"
#include "mi/core/error.hpp"
#include "mi/plane/recording.hpp"
#include "mi/core/atomic_file.hpp"
#include "reproduce/table.hpp"

namespace mi_examples::reproduce {

/// Exit status of a program that stopped on SIGTERM (or --stop-after-epoch) after writing a checkpoint.
inline constexpr int exit_checkpointed = 75;
inline constexpr std::uint32_t checkpoint_format_version = 1;
inline constexpr char checkpoint_magic[8] = {'m', 'i', '-', 'c', 'k', 'p', 't', '\n'};

/// FNV-1a, 64 bits: the options hash and the corruption check (not a defence against tampering).
inline std::uint64_t fnv1a(const std::string& bytes, std::uint64_t h = 14695981039346656037ull) {
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

namespace detail {
inline volatile std::sig_atomic_t termination_flag = 0;
extern "C" inline void on_termination(int) { termination_flag = 1; }
}  // namespace detail

/// SIGTERM sets a flag instead of killing the process (see the top of this file).
inline void install_termination_handler() {
    struct sigaction sa {};
    sa.sa_handler = detail::on_termination;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
}
inline bool termination_requested() noexcept { return detail::termination_flag != 0; }

/// Appends values as their bytes.
class byte_writer {
public:
    template <class V, class = std::enable_if_t<std::is_arithmetic_v<V>>>
    void put(V v) {
        char b[sizeof(V)];
        std::memcpy(b, &v, sizeof(V));
        bytes_.append(b, sizeof(V));
    }
    void put(const std::string& s) {
        put<std::uint64_t>(s.size());
        bytes_ += s;
    }
    template <class V>
    void put(const std::vector<V>& v) {
        put<std::uint64_t>(v.size());
        if constexpr (std::is_arithmetic_v<V>) {
            bytes_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(V));
        } else {
            for (const auto& x : v) put(x);
        }
    }
    const std::string& bytes() const noexcept { return bytes_; }

private:
    std::string bytes_;
};

/// Reads what byte_writer wrote; reading past the end is an mi::error naming `what`.
class byte_reader {
public:
    byte_reader(const std::string& bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}
    template <class V, class = std::enable_if_t<std::is_arithmetic_v<V>>>
    V get() {
        need(sizeof(V));
        V v;
        std::memcpy(&v, bytes_.data() + pos_, sizeof(V));
        pos_ += sizeof(V);
        return v;
    }
    std::string get_string() {
        const auto n = length(1);
        std::string s = bytes_.substr(pos_, n);
        pos_ += n;
        return s;
    }
    template <class V>
    std::vector<V> get_vector() {
        static_assert(std::is_arithmetic_v<V>);
        const auto n = length(sizeof(V));
        std::vector<V> v(n);
        if (n > 0) std::memcpy(v.data(), bytes_.data() + pos_, n * sizeof(V));
        pos_ += n * sizeof(V);
        return v;
    }
    std::vector<std::string> get_strings() {
        const auto n = length(sizeof(std::uint64_t));
        std::vector<std::string> v;
        for (std::size_t i = 0; i < n; ++i) v.push_back(get_string());
        return v;
    }
    /// A count of elements of `unit` bytes each, checked against what is left.
    std::size_t length(std::size_t unit) {
        const auto n = get<std::uint64_t>();
        if (n > (bytes_.size() - pos_) / unit) fail_short(n * unit);
        return static_cast<std::size_t>(n);
    }
    bool at_end() const noexcept { return pos_ == bytes_.size(); }
    std::size_t remaining() const noexcept { return bytes_.size() - pos_; }
    std::size_t position() const noexcept { return pos_; }
    const std::string& what() const noexcept { return what_; }

private:
    void need(std::size_t n) const {
        if (bytes_.size() - pos_ < n) fail_short(n);
    }
    [[noreturn]] void fail_short(std::uint64_t n) const {
        mi::detail::fail("mi_examples::reproduce::checkpoint", what_.c_str(),
                         std::to_string(bytes_.size() - pos_) + " bytes left at offset " + std::to_string(pos_),
                         std::to_string(n) + " more bytes (a complete, uncorrupted checkpoint)");
    }
    const std::string& bytes_;
    std::string what_;
    std::size_t pos_ = 0;
};

/// A checkpoint: whose it is, and named sections of bytes.
struct checkpoint_file {
    std::string program;
    std::uint64_t options_hash = 0;
    std::map<std::string, std::string> sections;
};

inline std::string encode_checkpoint(const checkpoint_file& c) {
    byte_writer h;
    for (char ch : checkpoint_magic) h.put(ch);
    h.put(checkpoint_format_version);
    h.put(c.program);
    h.put(c.options_hash);
    h.put<std::uint32_t>(static_cast<std::uint32_t>(c.sections.size()));
    for (const auto& [name, payload] : c.sections) {
        h.put(name);
        h.put<std::uint64_t>(payload.size());
        h.put(fnv1a(payload));
    }
    std::string out = h.bytes();
    byte_writer sum;
    sum.put(fnv1a(out));
    out += sum.bytes();
    for (const auto& kv : c.sections) out += kv.second;
    return out;
}

inline void write_checkpoint(const std::string& path, const checkpoint_file& c) {
    mi::detail::write_file_atomically(path, encode_checkpoint(c), "mi_examples::reproduce::write_checkpoint");
}

/// Decodes and checks a checkpoint against the program and options hash that want to resume from it.
inline checkpoint_file decode_checkpoint(const std::string& bytes, const std::string& path,
                                         const std::string& program, std::uint64_t options_hash) {
    const char* where = "mi_examples::reproduce::read_checkpoint";
    if (bytes.size() < sizeof(checkpoint_magic) || std::memcmp(bytes.data(), checkpoint_magic, 8) != 0)
        mi::detail::fail(where, "path", path, "a checkpoint file of the reproduction programs (magic 'mi-ckpt')");
    byte_reader r(bytes, "checkpoint " + path);
    for (std::size_t i = 0; i < 8; ++i) r.get<char>();
    const auto version = r.get<std::uint32_t>();
    if (version != checkpoint_format_version)
        mi::detail::fail(where, ("format version of " + path).c_str(), version,
                         std::to_string(checkpoint_format_version) + " (written by this version of the programs)");
    checkpoint_file c;
    c.program = r.get_string();
    c.options_hash = r.get<std::uint64_t>();
    const auto count = r.get<std::uint32_t>();
    std::vector<std::pair<std::string, std::pair<std::uint64_t, std::uint64_t>>> table;
    for (std::uint32_t i = 0; i < count; ++i) {
        std::string name = r.get_string();
        const auto size = r.get<std::uint64_t>();
        const auto sum = r.get<std::uint64_t>();
        table.push_back({std::move(name), {size, sum}});
    }
    const std::size_t header_end = r.position();
    const auto header_sum = r.get<std::uint64_t>();
    if (header_sum != fnv1a(bytes.substr(0, header_end)))
        mi::detail::fail(where, ("header of " + path).c_str(), "a checksum mismatch", "an uncorrupted checkpoint");
    if (c.program != program)
        mi::detail::fail(where, ("program of " + path).c_str(), c.program,
                         program + " (a checkpoint of another program is never used)");
    if (c.options_hash != options_hash)
        mi::detail::fail(where, ("options of " + path).c_str(), "other options than this run's",
                         "the options of the run that wrote it (the same program options, --shard, --seed, ...; "
                         "only --out, --no-plot and the checkpoint options may differ)");
    std::size_t pos = r.position();
    std::uint64_t total = 0;
    for (const auto& s : table) total += s.second.first;
    if (bytes.size() - pos != total)
        mi::detail::fail(where, ("size of " + path).c_str(), std::to_string(bytes.size()) + " bytes",
                         std::to_string(pos + total) + " bytes, as its header says (the file is truncated or extended)");
    for (const auto& [name, size_sum] : table) {
        std::string payload = bytes.substr(pos, size_sum.first);
        pos += size_sum.first;
        if (fnv1a(payload) != size_sum.second)
            mi::detail::fail(where, ("section " + name + " of " + path).c_str(), "a checksum mismatch",
                             "an uncorrupted checkpoint");
        c.sections[name] = std::move(payload);
    }
    return c;
}

inline checkpoint_file read_checkpoint(const std::string& path, const std::string& program,
                                       std::uint64_t options_hash) {
    std::ifstream f(path, std::ios::binary);
    if (!f) mi::detail::fail("mi_examples::reproduce::read_checkpoint", "path", path, "a readable checkpoint file");
    std::stringstream s;
    s << f.rdbuf();
    return decode_checkpoint(s.str(), path, program, options_hash);
}

// ------------------------------------------------------------ what goes into the sections

inline void save(byte_writer& w, const table& t) {
    w.put(t.columns());
    w.put(t.comments());
    w.put<std::uint64_t>(t.size());
    for (std::size_t i = 0; i < t.size(); ++i) w.put(t.row(i));
}
inline table load_table(byte_reader& r) {
    table t(r.get_strings());
    for (const auto& c : r.get_strings()) t.comment(c);
    const auto rows = r.length(sizeof(std::uint64_t));
    for (std::size_t i = 0; i < rows; ++i) {
        const auto row = r.get_strings();
        if (row.size() != t.columns().size())
            mi::detail::fail("mi_examples::reproduce::checkpoint", r.what().c_str(), "a table row of another width",
                             "one cell per column");
        t.add(std::vector<cell>(row.begin(), row.end()));
    }
    return t;
}

inline void save(byte_writer& w, const engine::epoch_metrics& m) {
    w.put<std::uint64_t>(m.epoch);
    w.put<std::uint8_t>(m.recorded ? 1 : 0);
    for (double v : {m.train_loss, m.train_accuracy, m.test_loss, m.test_accuracy}) w.put(v);
    w.put(m.weight_norm);
    w.put(m.grad_mean_norm);
    w.put(m.grad_std_norm);
}
inline engine::epoch_metrics load_metrics(byte_reader& r) {
    engine::epoch_metrics m;
    m.epoch = static_cast<std::size_t>(r.get<std::uint64_t>());
    m.recorded = r.get<std::uint8_t>() != 0;
    m.train_loss = r.get<double>();
    m.train_accuracy = r.get<double>();
    m.test_loss = r.get<double>();
    m.test_accuracy = r.get<double>();
    m.weight_norm = r.get_vector<double>();
    m.grad_mean_norm = r.get_vector<double>();
    m.grad_std_norm = r.get_vector<double>();
    return m;
}

template <class T>
void save(byte_writer& w, const std::vector<std::vector<T>>& v) {
    w.put<std::uint64_t>(v.size());
    for (const auto& x : v) w.put(x);
}
template <class T>
std::vector<std::vector<T>> load_nested(byte_reader& r) {
    std::vector<std::vector<T>> v(r.length(sizeof(std::uint64_t)));
    for (auto& x : v) x = r.get_vector<T>();
    return v;
}

/// The weights and biases of every layer (the shape comes from the program's own configuration).
template <class T>
void save(byte_writer& w, const engine::network<T>& net) {
    w.put<std::uint64_t>(net.num_layers());
    for (std::size_t l = 0; l < net.num_layers(); ++l) {
        w.put(net.at(l).w);
        w.put(net.at(l).b);
    }
}
template <class T>
void load(byte_reader& r, engine::network<T>& net) {
    const auto layers = r.get<std::uint64_t>();
    if (layers != net.num_layers())
        mi::detail::fail("mi_examples::reproduce::checkpoint", r.what().c_str(), std::to_string(layers) + " layers",
                         std::to_string(net.num_layers()) + " layers, as the program's network");
    for (std::size_t l = 0; l < net.num_layers(); ++l) {
        auto w = r.get_vector<T>();
        auto b = r.get_vector<T>();
        net.set_layer(l, w, b);
    }
}

template <class T>
void save(byte_writer& w, const engine::train_progress<T>& p) {
    w.put<std::uint64_t>(p.next_epoch);
    std::vector<std::uint64_t> order(p.order.begin(), p.order.end());
    w.put(order);
    w.put<std::uint64_t>(p.history.size());
    for (const auto& m : p.history) save(w, m);
    w.put<std::uint64_t>(p.optimizer.steps);
    for (const auto* v : {&p.optimizer.m_w, &p.optimizer.v_w, &p.optimizer.m_b, &p.optimizer.v_b}) save(w, *v);
}
template <class T>
engine::train_progress<T> load_progress(byte_reader& r) {
    engine::train_progress<T> p;
    p.next_epoch = static_cast<std::size_t>(r.get<std::uint64_t>());
    const auto order = r.get_vector<std::uint64_t>();
    p.order.assign(order.begin(), order.end());
    const auto rows = r.length(1);
    for (std::size_t i = 0; i < rows; ++i) p.history.push_back(load_metrics(r));
    p.optimizer.steps = static_cast<std::size_t>(r.get<std::uint64_t>());
    for (auto* v : {&p.optimizer.m_w, &p.optimizer.v_w, &p.optimizer.m_b, &p.optimizer.v_b}) *v = load_nested<T>(r);
    return p;
}

/// A recording's activations (its samples are the program's and are set when it is constructed).
template <class T>
void save(byte_writer& w, const mi::recording<T>& rec) {
    w.put<std::uint64_t>(rec.size());
    for (const auto epoch : rec.epochs())
        for (const auto layer : rec.layers()) {
            if (!rec.contains(epoch, layer)) continue;
            const auto v = rec.at(epoch, layer);
            w.put<std::int64_t>(epoch);
            w.put<std::uint64_t>(layer);
            w.put<std::uint64_t>(v.rows());
            w.put<std::uint64_t>(v.cols());
            for (std::size_t i = 0; i < v.rows(); ++i)
                for (std::size_t j = 0; j < v.cols(); ++j) w.put<T>(v.row(i)[j]);
        }
}
template <class T>
void load(byte_reader& r, mi::recording<T>& rec) {
    const auto entries = r.length(1);
    for (std::size_t k = 0; k < entries; ++k) {
        const auto epoch = r.get<std::int64_t>();
        const auto layer = static_cast<std::size_t>(r.get<std::uint64_t>());
        const auto rows = static_cast<std::size_t>(r.get<std::uint64_t>());
        const auto cols = static_cast<std::size_t>(r.get<std::uint64_t>());
        if (cols == 0 || rows > r.remaining() / sizeof(T) / cols)
            mi::detail::fail("mi_examples::reproduce::checkpoint", r.what().c_str(), "a recording entry of " +
                             std::to_string(rows) + " x " + std::to_string(cols), "a plausible activation matrix");
        std::vector<T> data(rows * cols);
        for (auto& x : data) x = r.get<T>();
        rec.observe(epoch, layer, mi::activation_view<const T>(data.data(), rows, cols));
    }
}

/// Training without a recorder has nothing to save.
inline void save(byte_writer&, const engine::null_recorder&) {}
inline void load(byte_reader&, engine::null_recorder&) {}

}  // namespace mi_examples::reproduce

#endif
