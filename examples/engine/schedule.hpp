// SPDX-License-Identifier: BSD-3-Clause
// The epoch grids at which the information-plane codes record activations.
// Each paper's grid is reproduced exactly (same epochs, same count), because
// "where" on the epoch axis a compression phase appears depends on it
// (start- vs end-of-epoch recording shifts the epoch axis by one).
//
//   idnns_log2_epochs(E, n)   IDNNs / Chelombiev: unique(int(logspace(log2 1, log2 E, n, base 2))) - 1,
//                             recorded at the START of the epoch (epoch 0 = initialisation);
//                             E = 8000, n = 400 -> 274 epochs; E = 10000, n = 100 -> 84.
//   ibsgd_epochs(E)           Saxe et al.'s do_report: every epoch < 20, every 5th < 100,
//                             every 20th < 2000, every 100th after; recorded at the END of the epoch;
//                             E = 10000 -> 211 epochs.
//   smoothmi_log10_epochs(E, n) Goldfeld et al.: unique(round(logspace(log10 1, log10(E-1), n))),
//                             end of epoch; E = 10000, n = 100 -> 84 epochs (1 ... 9999).
// numpy's logspace is linspace (y_k = start + k * step, last = stop) then
// pow(base, y); astype(int) truncates and round() rounds half to even; both
// are mirrored here (tests/engine/test_schedule.cpp compares with numpy).
// One subtlety: pow is libm's (correctly rounded here, as numpy's power was
// before its SIMD kernels). numpy >= 1.22 on AVX-512 machines returns
// 2^log2(3000) = 3000 exactly where the true value, 2999.99999999999967, rounds
// to 2999.9999999999995; truncation then moves the LAST recorded epoch by one
// (2999 vs 2998 for E = 3000; also E = 1500). Only that end point is affected;
// the papers' grids (E = 8000, 10000) agree either way.
#ifndef MI_EXAMPLES_ENGINE_SCHEDULE_HPP
#define MI_EXAMPLES_ENGINE_SCHEDULE_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mi/core/error.hpp"

namespace mi_examples::engine {

namespace detail {

// numpy.linspace(start, stop, num) with endpoint=True.
inline std::vector<double> linspace(double start, double stop, std::size_t num) {
    std::vector<double> y(num);
    if (num == 0) return y;
    if (num == 1) {
        y[0] = start;
        return y;
    }
    const double step = (stop - start) / static_cast<double>(num - 1);
    for (std::size_t k = 0; k < num; ++k) y[k] = static_cast<double>(k) * step + start;
    y[num - 1] = stop;
    return y;
}

inline std::vector<std::size_t> unique_sorted(std::vector<std::size_t> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
}

}  // namespace detail

/// IDNNs' log2 grid (record at the start of the epoch).
inline std::vector<std::size_t> idnns_log2_epochs(std::size_t epochs, std::size_t n) {
    if (epochs == 0) mi::detail::fail("idnns_log2_epochs", "epochs", epochs, ">= 1");
    if (n == 0) mi::detail::fail("idnns_log2_epochs", "n", n, ">= 1");
    std::vector<std::size_t> out;
    for (double y : detail::linspace(std::log2(1.0), std::log2(static_cast<double>(epochs)), n))
        out.push_back(static_cast<std::size_t>(std::pow(2.0, y)));  // astype(int): truncation
    out = detail::unique_sorted(out);
    for (auto& e : out) e -= 1;
    return out;
}

/// ibsgd's schedule for epochs 0..E-1 (record at the end of the epoch).
inline std::vector<std::size_t> ibsgd_epochs(std::size_t epochs) {
    std::vector<std::size_t> out;
    for (std::size_t e = 0; e < epochs; ++e) {
        const bool rec = e < 20 || (e < 100 && e % 5 == 0) || (e < 2000 && e % 20 == 0) || e % 100 == 0;
        if (rec) out.push_back(e);
    }
    return out;
}

/// smoothMI's log10 grid (record at the end of the epoch).
inline std::vector<std::size_t> smoothmi_log10_epochs(std::size_t epochs, std::size_t n = 100) {
    if (epochs < 2) mi::detail::fail("smoothmi_log10_epochs", "epochs", epochs, ">= 2");
    if (n == 0) mi::detail::fail("smoothmi_log10_epochs", "n", n, ">= 1");
    std::vector<std::size_t> out;
    for (double y : detail::linspace(std::log10(1.0), std::log10(static_cast<double>(epochs - 1)), n))
        out.push_back(static_cast<std::size_t>(std::nearbyint(std::pow(10.0, y))));  // round half to even
    return detail::unique_sorted(out);
}

/// Every epoch 0..E-1.
inline std::vector<std::size_t> every_epoch(std::size_t epochs) {
    std::vector<std::size_t> out(epochs);
    for (std::size_t e = 0; e < epochs; ++e) out[e] = e;
    return out;
}

}  // namespace mi_examples::engine

#endif
