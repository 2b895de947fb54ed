// SPDX-License-Identifier: BSD-3-Clause
// libFuzzer target: the LAPACK-backed functions of weight matrices, which are
// not plane estimators: gaussian_bound::bound(W*, dW) and linear_gaussian's
// I(T;X) and I(T;Y), on small matrices read from the bytes. Layout:
//
//   byte 0  n_out = 1 + b % 6      byte 1  n_in = 1 + b % 6
//   byte 2  function (even: gaussian_bound, odd: linear_gaussian) and flags
//   byte 3  a variance 10^(10 - 5 (b % 64)) (noise, layer or teacher noise)
//   then doubles (8 bytes each; NaN, Inf and huge included; missing ones 0):
//   W* / W (n_out x n_in), then dW / W_teacher (n_out x n_in), then a Sigma_x.
//
// mi::error is the expected answer to bad input. Any other exception (e.g. a
// LAPACK failure escaping as std::runtime_error), a crash, a sanitizer report
// or a NaN is a finding; +inf is allowed only where gaussian_bound documents
// it (noise variance 0).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "mi/core/parallel.hpp"
#include "mi/estimators/gaussian_bound.hpp"
#include "mi/estimators/linear_gaussian.hpp"

namespace {

struct input {
    const std::uint8_t* data;
    std::size_t size;
    std::size_t pos = 0;
    std::uint8_t byte() { return pos < size ? data[pos++] : 0; }
    double value() {
        std::uint8_t b[8] = {};
        for (auto& x : b) x = byte();
        double v;
        std::memcpy(&v, b, 8);
        return v;
    }
    std::vector<double> matrix(std::size_t n) {
        std::vector<double> m(n);
        for (auto& v : m) v = value();
        return m;
    }
};

[[noreturn]] void finding(const std::string& what) {
    std::fprintf(stderr, "finding: %s\n", what.c_str());
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    mi::set_num_threads(1);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    input in{data, size};
    const std::size_t no = 1 + in.byte() % 6, ni = 1 + in.byte() % 6;
    const std::uint8_t f = in.byte();
    const std::uint8_t q = in.byte();
    const double variance = (f & 8) ? 0.0 : std::pow(10.0, 10.0 - 5.0 * (q % 64));
    const auto a = in.matrix(no * ni), b = in.matrix(no * ni), c = in.matrix(ni * ni);
    const auto wa = mi::view(a, no, ni), wb = mi::view(b, no, ni), sx = mi::view(c, ni, ni);
    double r = 0.0;
    std::string what;
    try {
        if (f % 2 == 0) {
            what = "gaussian_bound";
            const mi::gaussian_bound g((f & 4) ? variance : 1.0, (f & 4) ? 1e-2 : variance);
            r = g.bound(wa, wb);
            if (r == INFINITY && variance == 0.0 && !(f & 4)) return 0;  // documented: a noiseless channel
        } else {
            const mi::linear_gaussian lg((f & 4) ? variance : 1e-2);
            switch ((f >> 4) % 4) {
                case 0: what = "linear_gaussian I(T;X)"; r = lg.mutual_information(wa); break;
                case 1: what = "linear_gaussian I(T;X) with Sigma_x"; r = lg.mutual_information(wa, sx); break;
                case 2: what = "linear_gaussian I(T;Y)"; r = lg.mutual_information(wa, wb, variance); break;
                default: what = "linear_gaussian I(T;Y) with Sigma_x"; r = lg.mutual_information(wa, sx, wb, variance);
            }
        }
    } catch (const mi::error&) {
        return 0;
    } catch (const std::exception& e) {
        finding(what + ": exception other than mi::error: " + e.what());
    }
    if (!std::isfinite(r)) finding(what + " returned " + mi::detail::to_text(r));
    return 0;
}
