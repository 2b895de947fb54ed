// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "engine/network.hpp"
#include "engine/trainer.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/samples.hpp"
#include "mi/plane/recording.hpp"
#include "reproduce/checkpoint.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_reproduce_checkpoint {

namespace rp = mi_examples::reproduce;
namespace eng = mi_examples::engine;

namespace {

rp::checkpoint_file sample_file() {
    rp::checkpoint_file c;
    c.program = "szt_tanh_vs_relu";
    c.options_hash = rp::fnv1a("--smoke=\n");
    c.sections["suite"] = std::string("\x01\x02\x03\x00\x04", 5);
    c.sections["run"] = std::string(1000, 'r');
    return c;
}

std::string error_of(const std::string& bytes, const std::string& program, std::uint64_t hash) {
    try {
        rp::decode_checkpoint(bytes, "ck", program, hash);
    } catch (const mi::error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("a checkpoint round-trips its sections") {
    const auto c = sample_file();
    const auto d = rp::decode_checkpoint(rp::encode_checkpoint(c), "ck", c.program, c.options_hash);
    CHECK(d.program == c.program);
    CHECK(d.sections == c.sections);
}

TEST_CASE("a truncated, corrupted, foreign or mismatched checkpoint is refused with a clear error") {
    const auto c = sample_file();
    const std::string bytes = rp::encode_checkpoint(c);
    // Every truncation, including inside the header.
    for (std::size_t n = 0; n < bytes.size(); n += 7) CHECK(!error_of(bytes.substr(0, n), c.program, c.options_hash).empty());
    CHECK(error_of(bytes.substr(0, bytes.size() - 1), c.program, c.options_hash).find("truncated") != std::string::npos);
    // Every single flipped byte.
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        std::string bad = bytes;
        bad[i] = static_cast<char>(bad[i] ^ 0x20);
        CHECK_MESSAGE(!error_of(bad, c.program, c.options_hash).empty(), "byte " << i);
    }
    CHECK(error_of(bytes, "mnist_tanh_vs_relu", c.options_hash).find("another program") != std::string::npos);
    CHECK(error_of(bytes, c.program, c.options_hash + 1).find("other options") != std::string::npos);
    CHECK(error_of("PK\x03\x04 not a checkpoint", c.program, c.options_hash).find("magic") != std::string::npos);
    std::string other_version = bytes;
    other_version[8] = 9;
    CHECK(error_of(other_version, c.program, c.options_hash).find("format version") != std::string::npos);
    CHECK_THROWS_AS(rp::read_checkpoint("/nonexistent/dir/x.ckpt", c.program, c.options_hash), mi::error);
}

TEST_CASE("tables, training progress, networks and recordings round-trip bit for bit") {
    rp::byte_writer w;
    rp::table t({"a", "b"});
    t.comment("units: bits");
    t.add({0.1, "x,\"y\""});
    t.add({std::numeric_limits<double>::quiet_NaN(), ""});
    rp::save(w, t);

    eng::train_progress<float> p;
    p.next_epoch = 3;
    p.order = {2, 0, 1};
    eng::epoch_metrics m;
    m.epoch = 2;
    m.recorded = true;
    m.train_loss = 0.1 + 0.2;
    m.weight_norm = {1.0 / 3.0, -0.0};
    p.history = {m};
    p.optimizer.steps = 7;
    p.optimizer.m_w = {{1.5f, -2.25f}, {}};
    rp::save(w, p);

    eng::network_config cfg;
    eng::network<float> net(cfg, 11);
    rp::save(w, net);

    mi::recording<float> rec(mi::samples(mi::labels(std::vector<int>{0, 1, 1}, 2)));
    const std::vector<float> a{0.25f, -1e-30f, 3.0f}, b{1, 2, 3, 4, 5, 6};
    rec.observe(0, 0, mi::activation_view<const float>(a.data(), 3, 1));
    rec.observe(4, 1, mi::activation_view<const float>(b.data(), 3, 2));
    rp::save(w, rec);

    rp::byte_reader r(w.bytes(), "test");
    const rp::table t2 = rp::load_table(r);
    CHECK(t2.columns() == t.columns());
    CHECK(t2.comments() == t.comments());
    CHECK(t2.row(0) == t.row(0));
    CHECK(t2.row(1) == t.row(1));
    const auto p2 = rp::load_progress<float>(r);
    CHECK(p2.next_epoch == 3);
    CHECK(p2.order == p.order);
    CHECK(p2.history.size() == 1);
    CHECK(p2.history[0].train_loss == m.train_loss);
    CHECK(std::signbit(p2.history[0].weight_norm[1]));
    CHECK(std::isnan(p2.history[0].test_loss));
    CHECK(p2.optimizer.steps == 7);
    CHECK(p2.optimizer.m_w == p.optimizer.m_w);
    eng::network<float> net2(cfg, 99);
    rp::load(r, net2);
    for (std::size_t l = 0; l < net.num_layers(); ++l) CHECK(net2.at(l).w == net.at(l).w);
    mi::recording<float> rec2(mi::samples(mi::labels(std::vector<int>{0, 1, 1}, 2)));
    rp::load(r, rec2);
    CHECK(rec2.size() == 2);
    CHECK(rec2.at(0, 0).row(1)[0] == -1e-30f);
    CHECK(rec2.at(4, 1).row(2)[1] == 6.0f);
    CHECK(r.at_end());
    // A network of another depth is refused.
    rp::byte_reader r2(w.bytes(), "test");
    rp::load_table(r2);
    rp::load_progress<float>(r2);
    eng::network_config small;
    small.hidden = {4};
    eng::network<float> other(small, 1);
    CHECK_THROWS_AS(rp::load(r2, other), mi::error);
}

}  // namespace test_reproduce_checkpoint
