// SPDX-License-Identifier: BSD-3-Clause
// libFuzzer target: every plane estimator's point() on arbitrary bytes read as
// a small labelled activation matrix. Layout of the input:
//
//   byte 0  rows    = 2 + b % 63                (2..64)
//   byte 1  cols    = 1 + b % 8                 (1..8)
//   byte 2  classes = 1 + b % 4; bit 7: explicit input ids (repeated inputs)
//   byte 3  estimator (see `estimate`)
//   byte 4  bit 0: double (else float); bits 1..7: a flag byte for the estimator
//   byte 5  a parameter byte (bins, k, a noise variance 10^(10 - 5 q) ...)
//   rows bytes of labels (b % classes), rows bytes of input ids if explicit,
//   then the values, row-major, 4 or 8 bytes each (NaN, Inf and huge included;
//   missing values are 0).
//
// mi::error is the expected answer to bad input. Any other exception, a crash,
// a sanitizer report, or a returned I(X;T) / I(T;Y) / bound that is not finite
// is a finding (issue 15: every public function returns a finite value or
// raises mi::error).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "fuzz_estimators.hpp"
#include "mi/plane.hpp"

namespace {

using mi_fuzz::finding;
using mi_fuzz::run;

// Byte 3 chooses the estimator: which % estimator_cases (see `estimate`).
constexpr unsigned estimator_cases = 34;

struct input {
    const std::uint8_t* data;
    std::size_t size;
    std::size_t pos = 0;
    std::uint8_t byte() { return pos < size ? data[pos++] : 0; }
    template <class T>
    T value() {
        std::uint8_t b[sizeof(T)] = {};
        for (auto& x : b) x = byte();
        T v;
        std::memcpy(&v, b, sizeof(T));
        return v;
    }
};

template <class T>
void estimate(unsigned which, std::uint8_t flags, std::uint8_t q, const mi::activation_view<const T>& layer,
              const mi::samples& s) {
    const std::size_t bins = 1 + q % 40;
    const double scale = std::pow(10.0, 10.0 - 5.0 * (q % 64));  // 1e10 .. 1e-305
    const bool f1 = flags & 2, f2 = flags & 4;
    switch (which % estimator_cases) {
        case 0: return run(mi::binning<mi::uniform>(mi::uniform::idnns(2 + q % 40)), layer, s);
        case 1: return run(mi::binning<mi::uniform>(mi::uniform(bins, -2.0, 3.0)), layer, s);
        case 2: return run(mi::binning<mi::fixed_width>(mi::fixed_width(scale)), layer, s);
        case 3: return run(mi::binning<mi::adaptive_uniform>(mi::adaptive_uniform(bins)), layer, s);
        case 4: {
            const std::vector<mi::activation_view<const T>> epochs{layer};
            return run(mi::binning<mi::global_uniform>(mi::global_uniform(bins)).for_layer(epochs), layer, s);
        }
        case 5: return run(mi::binning<mi::equal_mass>(mi::equal_mass(bins)), layer, s);
        case 6:
            return run(mi::binning<mi::distinct_value_quantiles>(mi::distinct_value_quantiles(bins, f1 ? -1.000001 : 0.0)),
                       layer, s);
        case 7: return run(mi::binning<mi::bin_edges>(mi::bin_edges({-1.0, -0.5, 0.0, 0.5, 1.0})), layer, s);
        case 8: return run(mi::binning<mi::machine_precision>(mi::machine_precision{}), layer, s);
        case 9:
            return run(mi::binning<mi::adaptive_uniform, mi::miller_madow>(mi::adaptive_uniform(bins)), layer, s);
        case 10: return run(mi::kde<mi::gaussian_kernel, mi::fixed_noise>(mi::fixed_noise(scale)), layer, s);
        case 11: return run(mi::kde<mi::gaussian_kernel, mi::adaptive_noise>(mi::adaptive_noise(scale)), layer, s);
        case 12: case 13: case 14: case 15: case 16: case 17: case 18: case 19:
            return mi_fuzz::knn_case<T>(which % estimator_cases - 12, 1 + q % 5, f1, f2, layer, s);
        case 20: {
            mi::edge_options o;
            o.epsilon = scale;
            o.scales = f1 ? std::vector<double>{1.0, 2.0} : std::vector<double>{1.0};
            o.bias_terms = f1 && f2 ? 1 : 0;
            return run(mi::edge(o), layer, s);
        }
        case 21: return run(mi::decision_rule<>(), layer, s);
        case 22: return run(mi::decision_rule<mi::miller_madow>(), layer, s);
#if __has_include(<xtensor-blas/xlinalg.hpp>)
        case 23: {
            const double alphas[] = {1.01, 2.0, 0.5, 1.0};
            const auto width = f2 ? mi::kernel_width::fixed(scale) : mi::kernel_width::silverman();
            mi::renyi_options o;
            o.alpha = alphas[(flags >> 3) & 3];
            o.width = width;
            o.label_width = f1 ? 0.5 : 0.0;
            return run(mi::renyi(o), layer, s.with_network_input(layer));
        }
#endif
        case 24: {
            mi::sample_propagation_options o;
            o.sigma = scale;
            o.mc_samples = 1 + (flags >> 5) % 3;
            o.seed = q;
            o.conditional = f1 ? mi::sp_conditional::deterministic : mi::sp_conditional::replicas;
            const std::size_t replicas = 2 + (flags >> 3) % 3;
            if (layer.rows() % replicas != 0) return;  // a layout mi::replica_groups refuses up front
            return run(mi::sample_propagation(o), layer, s.with_replicas(mi::replica_groups::consecutive(replicas)));
        }
        case 25: case 26: case 27: case 28: case 29: case 30: case 31: case 32: case 33:
            return mi_fuzz::family_case<T>(which % estimator_cases - 25, flags, q, scale, layer, s);
        default: return;
    }
}

template <class T>
void fuzz_one(input& in, std::size_t rows, std::size_t cols, std::size_t classes, bool explicit_ids,
              unsigned which, std::uint8_t flags, std::uint8_t q) {
    std::vector<int> y(rows);
    for (auto& v : y) v = in.byte() % classes;
    std::vector<std::uint32_t> ids(rows);
    if (explicit_ids)
        for (auto& v : ids) v = in.byte() % rows;
    std::vector<T> x(rows * cols);
    for (auto& v : x) v = in.value<T>();
    const mi::samples s(mi::labels(y, classes), explicit_ids ? mi::input_ids(ids) : mi::input_ids());
    estimate<T>(which, flags, q, mi::view(x, rows, cols), s);
}

}  // namespace

// MI_FUZZ_SKIP=10,11: estimators not to run, so that a long local run can look
// past a known finding (that finding's test stays the record); CI sets nothing.
static std::vector<bool> skipped(estimator_cases, false);

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    mi::set_num_threads(1);  // reproducible runs; the thread count does not change results
    if (const char* skip = std::getenv("MI_FUZZ_SKIP"))
        for (const char* p = skip; *p;) {
            char* end = nullptr;
            const unsigned long k = std::strtoul(p, &end, 10);
            if (end == p) break;
            if (k < skipped.size()) skipped[k] = true;
            p = *end ? end + 1 : end;
        }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    input in{data, size};
    const std::size_t rows = 2 + in.byte() % 63;
    const std::size_t cols = 1 + in.byte() % 8;
    const std::uint8_t c = in.byte();
    const std::size_t classes = 1 + c % 4;
    const unsigned which = in.byte();
    if (skipped[which % skipped.size()]) return 0;
    const std::uint8_t flags = in.byte();
    const std::uint8_t q = in.byte();
    try {
        if (flags & 1) fuzz_one<double>(in, rows, cols, classes, c & 0x80, which, flags, q);
        else fuzz_one<float>(in, rows, cols, classes, c & 0x80, which, flags, q);
    } catch (const mi::error&) {
    } catch (const std::exception& e) {
        finding(std::string("exception other than mi::error: ") + e.what());
    }
    return 0;
}
