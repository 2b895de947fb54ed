// SPDX-License-Identifier: BSD-3-Clause
// binning: the plug-in ("binned") estimator of the information plane, the
// estimator of Shwartz-Ziv & Tishby 2017 (ravidziv/IDNNs), Saxe et al. 2018
// (App. B; artemyk/ibsgd simplebinmi.py) and Chelombiev, Houghton & O'Donnell
// 2019 (ivansche/adaptive_estimators), with the bin rule as a quantizer policy
// (mi/quantizers/*.hpp) and the entropy correction as a policy (plug_in, or
// Miller 1955's bias correction miller_madow, from mi/core/discrete.hpp).
//
// Every unit of the layer is quantized; a sample's state is the row of its
// codes (the pattern), and with counts over patterns:
//
//   I(X;T) = H(Q(T)) - H(Q(T) | X)          H(Q(T)|X) = sum_x p(x) H(Q(T) | X = x)
//   I(T;Y) = H(Q(T)) - sum_l (N_l / N) H(Q(T) | Y = l)
//
// p(x) is the empirical distribution over the input ids of mi::samples; with
// distinct inputs (the papers' setting and mi's default) H(Q(T)|X) = 0 and
// I(X;T) = H(Q(T)), which is computed without grouping the inputs. Results
// are in nats (the papers print bits: mi::to_bits).
//
// Why it is built this way: every row is quantized with the quantizer's SIMD
// encode (int32 codes), rows in blocks through mi::parallel_for (each block
// writes only its own rows, so the codes, and everything after, do not depend
// on the thread count; layers under 2^16 values run on the calling thread,
// where handing out the blocks would cost about what it saves). For grouping,
// quantizers that state their number of codes (fitted_edges::codes()) have
// their codes narrowed to 8 or 16 bits and packed into the bytes of 64-bit
// words: a quarter of the memory and an eighth of the hash work for IDNNs' 30
// codes, the same patterns. Patterns are counted by mi::group_rows, a hash
// table sized by N, never one slot per possible pattern (30^1024 of them for a
// wide layer). Non-finite activations are detected in the same pass and
// reported with mi::detail::check_activations' message. codes(layer) exposes
// the int32 code matrix itself.
//
// API (T the layer, an activation_view; every quantity in nats):
//   binning<Quantizer, Correction>(quantizer, correction = {})
//   entropy(T)                           H(Q(T))
//   mutual_information(T, input_ids)     I(X;T)
//   mutual_information(T, labels)        I(T;Y)
//   point(T, samples)                    (I(X;T), I(T;Y)), one quantization for both
//   codes(T), patterns(T), for_layer(epochs) (global_uniform), name(), parameters()
#ifndef MI_ESTIMATORS_BINNING_HPP
#define MI_ESTIMATORS_BINNING_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/discrete.hpp"
#include "mi/core/input_ids.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/resampling.hpp"
#include "mi/core/samples.hpp"
#include "mi/core/scratch.hpp"
#include "mi/core/simd.hpp"
#include "mi/estimators/concept.hpp"
#include "mi/quantizers/concept.hpp"

// GCC 12's AVX-512 intrinsics (_mm512_undefined_* in avx512fintrin.h, GCC bug 105593) make
// xsimd's reductions look like uses of uninitialized values; silence that false positive here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace mi {

namespace detail {

template <class Q, class T, class = void>
struct quantizer_has_for_layer : std::false_type {};
template <class Q, class T>
struct quantizer_has_for_layer<
    Q, T,
    std::void_t<decltype(std::declval<const Q&>().for_layer(
        std::declval<const std::vector<activation_view<const T>>&>()))>> : std::true_type {};

template <class F, class = void>
struct has_code_count : std::false_type {};
template <class F>
struct has_code_count<F, std::void_t<decltype(std::size_t(std::declval<const F&>().codes()))>> : std::true_type {};

/// Writes the codes in[0..n), each known to fit in Code, as Code values into the bytes at out.
/// Through a local chunk, so that the compiler need not assume that the stores alias the
/// int32 input (and vectorises the narrowing).
template <class Code>
void narrow_codes(const std::int32_t* in, unsigned char* out, std::size_t n) noexcept {
    constexpr std::size_t chunk = 64;
    Code tmp[chunk];
    std::size_t j = 0;
    for (; j + chunk <= n; j += chunk) {
        for (std::size_t k = 0; k < chunk; ++k) tmp[k] = static_cast<Code>(in[j + k]);
        std::memcpy(out + j * sizeof(Code), tmp, sizeof tmp);
    }
    const std::size_t rest = n - j;
    for (std::size_t k = 0; k < rest; ++k) tmp[k] = static_cast<Code>(in[j + k]);
    std::memcpy(out + j * sizeof(Code), tmp, rest * sizeof(Code));
}

}  // namespace detail

/// Row-major N x d matrix of int32 codes (storage left uninitialised until encoded).
struct code_matrix {
    std::unique_ptr<std::int32_t[]> data;
    std::size_t rows = 0;
    std::size_t cols = 0;
    const std::int32_t* row(std::size_t i) const noexcept { return data.get() + i * cols; }
};

template <class Quantizer, class Correction = plug_in>
class binning {
    static_assert(is_quantizer_v<Quantizer>, "mi::binning: Quantizer must be a quantizer policy (see "
                                             "mi/quantizers/concept.hpp): " MI_QUANTIZER_REQUIREMENTS);
    static_assert(is_correction_v<Correction>, "mi::binning: Correction must be a correction policy (see "
                                               "mi/core/discrete.hpp): " MI_CORRECTION_REQUIREMENTS);

public:
    static constexpr mi::resampling resampling = mi::resampling::input_groups;  // bootstrap: plug-in counts; an input's rows stay together
    explicit binning(Quantizer quantizer, Correction correction = Correction())
        : quantizer_(std::move(quantizer)), correction_(std::move(correction)) {}

    const Quantizer& quantizer() const noexcept { return quantizer_; }
    const Correction& correction() const noexcept { return correction_; }

    /// The layer's codes: quantizer fitted on the layer, every row encoded (SIMD, parallel over rows).
    template <class T>
    code_matrix codes(const activation_view<const T>& layer) const {
        if (layer.empty()) detail::check_activations(layer, "mi::binning", "layer");
        const auto fitted = quantizer_.fit(layer);
        code_matrix m;
        m.rows = layer.rows();
        m.cols = layer.cols();
        m.data.reset(new std::int32_t[m.rows * m.cols]);
        encode_into(layer, fitted, m.data.get());
        return m;
    }

    /// The patterns (distinct rows of codes) of the layer and the pattern of every row.
    template <class T>
    grouping patterns(const activation_view<const T>& layer) const {
        if (layer.empty()) detail::check_activations(layer, "mi::binning", "layer");
        const auto fitted = quantizer_.fit(layer);
        // Quantizers that state their number of codes are stored in the narrowest integer
        // that holds them: a quarter of the memory traffic for the 30 codes of IDNNs.
        if constexpr (detail::has_code_count<std::decay_t<decltype(fitted)>>::value) {
            const std::size_t k = fitted.codes();
            if (k <= 256) return group_encoded<std::uint8_t>(layer, fitted);
            if (k <= 65536) return group_encoded<std::uint16_t>(layer, fitted);
        }
        return group_encoded<std::int32_t>(layer, fitted);
    }

    /// H(Q(T)), nats.
    template <class T>
    double entropy(const activation_view<const T>& layer) const {
        return mi::entropy(patterns(layer), correction_);
    }

    /// I(X;T) = H(Q(T)) - H(Q(T)|X), X given by the input ids, nats.
    template <class T>
    double mutual_information(const activation_view<const T>& layer, const input_ids& x) const {
        x.check_rows(layer.rows(), "mi::binning::mutual_information");
        const grouping t = patterns(layer);
        return mi::entropy(t, correction_) - conditional_on_inputs(t, x);
    }

    /// I(T;Y) = H(Q(T)) - sum_l (N_l/N) H(Q(T)|Y=l), nats.
    template <class T>
    double mutual_information(const activation_view<const T>& layer, const labels& y) const {
        detail::check_same_rows(y.size(), layer.rows(), "mi::binning::mutual_information", "labels size");
        const grouping t = patterns(layer);
        return mi::entropy(t, correction_) - conditional_on_labels(t, y);
    }

    /// The information-plane point (I(X;T), I(T;Y)) of the layer, nats; one quantization for both.
    template <class T>
    plane_point point(const activation_view<const T>& layer, const samples& s) const {
        s.check_rows(layer.rows(), "mi::binning::point");
        const grouping t = patterns(layer);
        const double h = mi::entropy(t, correction_);
        plane_point p;
        p.ixt = h - conditional_on_inputs(t, s.inputs());
        p.ity = h - conditional_on_labels(t, s.labels());
        p.ixt_kind = ixt_quantity::mutual_information;
        return detail::finite(p, "mi::binning::point");
    }

    /// For quantizers that need every recorded epoch of the layer (global_uniform): the
    /// estimator configured for this layer.
    template <class T, class Q = Quantizer,
              class = std::enable_if_t<detail::quantizer_has_for_layer<Q, T>::value>>
    binning for_layer(const std::vector<activation_view<const T>>& epochs) const {
        return binning(quantizer_.for_layer(epochs), correction_);
    }

    std::string name() const { return "binning"; }
    std::string parameters() const {
        return quantizer_.parameters() + ";correction=" + std::string(Correction::name());
    }

private:
    // Calls row(i, codes) with the int32 codes of every row i, in blocks of about 32k values run
    // through parallel_for; each block handles only its own rows, so what is written does not
    // depend on the thread count. Non-finite rows are reported after the pass.
    template <class T, class Fitted, class Row>
    void for_each_encoded_row(const activation_view<const T>& layer, const Fitted& fitted, Row&& row) const {
        const std::size_t n = layer.rows(), d = layer.cols();
        const std::size_t rows_per_block = std::max<std::size_t>(1, (std::size_t(1) << 15) / d);
        const std::size_t blocks = (n + rows_per_block - 1) / rows_per_block;
        std::vector<unsigned char> finite(blocks, 1);
        // One thread below 2^16 values, where handing out the blocks costs about what it saves. The
        // limit was 2^20 when each parallel_for started its threads; with the kept pool, all cores
        // took 0.75-0.86x the time of one from 10^5 values (AMD Zen 5, 2026-12-08: 1000 x 100,
        // 2048 x 64, 4096 x 20 and 4096 x 100 float layers, bench/binning.md).
        const std::size_t threads = n * d < (std::size_t(1) << 16) ? 1 : 0;
        parallel_for(blocks, [&](std::size_t b) {
            const std::size_t begin = b * rows_per_block, end = std::min(n, (b + 1) * rows_per_block);
            bool ok = true;
            if (layer.contiguous() && d < 256) {
                // Consecutive rows are one contiguous run: encode runs of about 4k values
                // (an L1-sized buffer) in one call, so that narrow layers do not pay a padded
                // SIMD batch per row.
                const std::size_t run = std::max<std::size_t>(1, 4096 / d);
                std::vector<std::int32_t> buffer(run * d);
                for (std::size_t i0 = begin; i0 < end; i0 += run) {
                    const std::size_t rows = std::min(run, end - i0);
                    const T* r = layer.row(i0);
                    fitted.encode(r, rows * d, buffer.data());
                    ok &= detail::all_finite(r, rows * d);
                    for (std::size_t i = i0; i < i0 + rows; ++i) row(i, buffer.data() + (i - i0) * d);
                }
            } else {
                std::vector<std::int32_t> buffer(d);
                for (std::size_t i = begin; i < end; ++i) {
                    const T* r = layer.row(i);
                    fitted.encode(r, d, buffer.data());
                    row(i, buffer.data());
                    ok &= detail::all_finite(r, d);
                }
            }
            finite[b] = ok ? 1 : 0;
        }, threads);
        for (const auto f : finite)
            if (!f) detail::check_activations(layer, "mi::binning", "layer");
    }

    template <class T, class Fitted>
    void encode_into(const activation_view<const T>& layer, const Fitted& fitted, std::int32_t* out) const {
        const std::size_t d = layer.cols();
        for_each_encoded_row(layer, fitted, [&](std::size_t i, const std::int32_t* codes) {
            std::memcpy(out + i * d, codes, d * sizeof(std::int32_t));
        });
    }

    // The codes of a row, narrowed to Code, are packed into the bytes of whole 64-bit words
    // (zero padded), and the rows of words are grouped: the same patterns as grouping the
    // codes, with 8 / sizeof(Code) times fewer hash multiplies.
    template <class Code, class T, class Fitted>
    grouping group_encoded(const activation_view<const T>& layer, const Fitted& fitted) const {
        const std::size_t n = layer.rows(), d = layer.cols();
        const std::size_t words = (d * sizeof(Code) + 7) / 8;
        detail::scratch_array<std::uint64_t> m(n * words);
        std::uint64_t* base = m.data();
        for_each_encoded_row(layer, fitted, [&](std::size_t i, const std::int32_t* codes) {
            auto* bytes = reinterpret_cast<unsigned char*>(base + i * words);
            detail::narrow_codes<Code>(codes, bytes, d);
            std::memset(bytes + d * sizeof(Code), 0, words * 8 - d * sizeof(Code));
        });
        return group_rows(base, n, words);
    }

    double conditional_on_inputs(const grouping& t, const input_ids& x) const {
        return conditional_entropy_given_inputs(t, x, correction_, "mi::binning");
    }
    double conditional_on_labels(const grouping& t, const labels& y) const {
        return conditional_entropy_given_labels(t, y, correction_, "mi::binning");
    }

    Quantizer quantizer_;
    Correction correction_;
};

}  // namespace mi

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#endif
