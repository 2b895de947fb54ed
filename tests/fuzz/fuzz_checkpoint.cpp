// SPDX-License-Identifier: BSD-3-Clause
// libFuzzer target: the reproduction programs' checkpoint files
// (examples/reproduce/checkpoint.hpp) on arbitrary bytes. Byte 0 chooses the reader of the rest:
//
//   0  decode_checkpoint: the container (magic, format version, program, options hash, header and
//      section checksums)
//   1  load_table
//   2  load(network) into a 3-4-2 network, then an evaluation on 16 rows
//   3  load_progress<float> (epochs done, batch order, metrics, Adam's moments), then one more epoch
//      of train_from on 16 rows, resumed from it
//   4  load(recording<float>) into a recording of 16 samples
//
// Modes 1-4 read the bytes as a section's payload: past the checksums, as a crafted file or a
// mistaken writer would present it. mi::error is the expected answer to bad input; any other
// exception, a crash or a sanitizer report is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "engine/network.hpp"
#include "engine/trainer.hpp"
#include "mi/plane/recording.hpp"
#include "reproduce/checkpoint.hpp"

namespace {

namespace eng = mi_examples::engine;
namespace rp = mi_examples::reproduce;

constexpr std::size_t rows = 16;

eng::network_config small_network() {
    eng::network_config c;
    c.inputs = 3;
    c.hidden = {4};
    c.outputs = 2;
    return c;
}

eng::dataset<float> small_set() {
    eng::dataset<float> d;
    d.n = rows;
    d.d = 3;
    d.classes = 2;
    for (std::size_t i = 0; i < rows; ++i) {
        for (std::size_t j = 0; j < 3; ++j) d.x.push_back(static_cast<float>((i >> j) & 1));
        d.labels.push_back(static_cast<std::uint32_t>(i % 2));
    }
    return d;
}

void read(unsigned mode, const std::string& bytes) {
    rp::byte_reader r(bytes, "fuzz section");
    switch (mode) {
        case 0: (void)rp::decode_checkpoint(bytes, "fuzz.ckpt", "fuzz", 0x5eed); return;
        case 1: (void)rp::load_table(r); return;
        case 2: {
            eng::network<float> net(small_network(), 1);
            rp::load(r, net);
            (void)eng::evaluate(net, small_set());
            return;
        }
        case 3: {
            eng::network<float> net(small_network(), 1);
            auto progress = rp::load_progress<float>(r);
            eng::train_options o;
            if (progress.next_epoch == SIZE_MAX) return;  // no epoch after it to train
            o.epochs = progress.next_epoch + 1;
            o.batch_size = 4;
            eng::null_recorder none;
            const auto set = small_set();
            eng::train_from(net, set, &set, set, none, o, progress);
            return;
        }
        case 4: {
            mi::recording<float> rec(mi::samples(mi::labels(std::vector<int>(rows, 0), 2)));
            rp::load(r, rec);
            return;
        }
        default: return;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    try {
        read(data[0] % 5, std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
    } catch (const mi::error&) {
    } catch (const std::exception& e) {
        std::fprintf(stderr, "finding: exception other than mi::error: %s\n", e.what());
        std::abort();
    }
    return 0;
}
