// SPDX-License-Identifier: BSD-3-Clause
// compressed<Projection, Estimator>: mutual information after lossy
// compression, the framework of Butakov, Tolmachev, Malanchuk, Neopryatnaya,
// Frolov & Andreev ("Information Bottleneck Analysis of Deep Neural Networks
// via Lossy Compression", ICLR 2024, arXiv 2305.08013, Algorithm 1 and its lossless-compression results):
// a high-dimensional layer T (and the network input X) is compressed to a few
// dimensions, small Gaussian noise is added, and an ordinary estimator runs
// on the compressed, noisy pair:
//
//   T_c = P_T(T) + sigma_T Z_T,   X_c = P_X(X) + sigma_X Z_X,   Z ~ N(0, I)
//   I(X;T) ~ I(X_c; T_c),   I(T;Y) ~ I(T_c; Y)
//
// By the data-processing inequality I(X_c;T_c) <= I(X;T) whatever the
// compressor; it is equal when the compression is lossless on the support
// of the data (the paper's Theorems on lossless compression: data on a
// low-dimensional manifold that the compressor inverts), which is what the
// paper's synthetic tests check against known values and what
// tests/estimators/test_compressed.cpp checks here. The noise makes
// I(X_c;T_c) finite for a deterministic network (X -> T injective) and breaks
// the ties of saturated units; the paper's networks inject noise of relative
// scale sigma = 1e-3 in every layer (their released experiments), which is
// the default here, applied to the compressed coordinates.
//
// Projection: a projection policy (mi/projections/concept.hpp), fitted on the
// rows at hand (PCA's fit_transform, as the paper does per layer and epoch);
// its fit() may return any fitted map (affine or not):
//   mi::pca(m)                 the paper's compressor for layers (needs mi::linalg)
//   mi::random_projection(m)   a seeded random orthonormal frame (no LAPACK)
//   autoencoder(m)             a trained encoder, the paper's compressor for X
//                              (examples/engine/autoencoder.hpp, built on the example engine)
// The paper compresses X with an autoencoder trained once; here X goes through
// the input projection (by default the same policy), fitted once per sample
// set and memoised in mi::network_input, so every epoch and layer sees the
// same X_c (and the inner estimator's own memo of X_c is kept too).
// Estimator: any plane estimator (mi::ksg<>, mi::weighted_kl<>, the paper's
// choice, mi::kl_entropy<>, ...); point() hands it the compressed layer and a
// copy of the samples whose network input is X_c.
//
// Options (mi::compressed_options, named fields):
//   noise = 1e-3           sigma >= 0, finite
//   relative_noise = true  the noise of compressed column j is sigma times its
//                          standard deviation (sigma itself for a constant
//                          column); false: sigma in the layer's units
//   compress_input = true  compress X too; false: the inner estimator sees X as given
//   seed = 0               noise of T from the stream derive_seed(seed, 1), of X from derive_seed(seed, 0)
// Methods: point(t, samples), mutual_information(t, x) and
// mutual_information(t, labels) where the inner estimator has them,
// compress(t, columns) (the layer's T_c, N x columns), name() "compressed_<inner name>",
// parameters() "projection=pca;projection.dimension=4;input_projection=...;
// noise=0.001;relative_noise=1;compress_input=1;seed=0;estimator.<inner parameters>".
// Bootstrap: whatever the inner estimator declares (resampling and
// bias_correction); a half-sample is compressed afresh (the projection is
// part of the estimator). Deterministic: same rows, options and seed, same
// numbers, for every thread count. Thread safety: const member functions may
// be called from several threads.
#ifndef MI_ESTIMATORS_COMPRESSED_HPP
#define MI_ESTIMATORS_COMPRESSED_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/network_input.hpp"
#include "mi/core/random.hpp"
#include "mi/core/resampling.hpp"
#include "mi/core/samples.hpp"
#include "mi/estimators/concept.hpp"
#include "mi/projections/concept.hpp"

namespace mi {

/// The options of mi::compressed (see the header comment). An aggregate: set fields by name.
struct compressed_options {
    double noise = 1e-3;         ///< sigma, finite and >= 0
    bool relative_noise = true;  ///< sigma times each compressed column's standard deviation
    bool compress_input = true;  ///< compress the network input X as well
    std::uint64_t seed = 0;      ///< noise streams derive_seed(seed, 0) (X) and derive_seed(seed, 1) (T)
};

namespace detail {

/// Each "key=value" of a parameter string with `prefix` before the key.
inline std::string prefixed_parameters(const std::string& parameters, const std::string& prefix) {
    std::string out;
    std::size_t begin = 0;
    while (begin < parameters.size()) {
        std::size_t end = parameters.find(';', begin);
        if (end == std::string::npos) end = parameters.size();
        if (end > begin) out += (out.empty() ? "" : ";") + prefix + parameters.substr(begin, end - begin);
        begin = end + 1;
    }
    return out;
}

}  // namespace detail

template <class Projection, class Estimator>
class compressed {
    static_assert(is_projection_v<Projection>,
                  "mi::compressed: Projection must be a projection policy: " MI_PROJECTION_REQUIREMENTS);

public:
    static constexpr mi::resampling resampling = resampling_of_v<Estimator>;  // the inner estimator's rule
    static constexpr mi::bias_correction bias_correction = bias_correction_of_v<Estimator>;
    using projection_type = Projection;
    using estimator_type = Estimator;

    /// One projection for the layer and the input.
    explicit compressed(projection_type projection, estimator_type estimator = estimator_type(),
                        compressed_options options = {})
        : compressed(projection, projection, std::move(estimator), options) {}

    /// Separate projections for the layer and the network input.
    compressed(projection_type layer_projection, projection_type input_projection, estimator_type estimator,
               compressed_options options = {})
        : layer_(std::move(layer_projection)), input_(std::move(input_projection)), inner_(std::move(estimator)), o_(options) {
        if (!std::isfinite(o_.noise) || o_.noise < 0.0)
            detail::fail("mi::compressed", "options.noise", o_.noise, "a finite value >= 0");
    }

    const compressed_options& options() const noexcept { return o_; }
    const projection_type& layer_projection() const noexcept { return layer_; }
    const projection_type& input_projection() const noexcept { return input_; }
    const estimator_type& estimator() const noexcept { return inner_; }

    std::string name() const { return "compressed_" + std::string(inner_.name()); }
    std::string parameters() const {
        std::string p = "projection=" + layer_.name();
        const std::string lp = detail::prefixed_parameters(layer_.parameters(), "projection.");
        if (!lp.empty()) p += ";" + lp;
        p += ";input_projection=" + input_.name();
        const std::string ip = detail::prefixed_parameters(input_.parameters(), "input_projection.");
        if (!ip.empty()) p += ";" + ip;
        p += ";noise=" + detail::to_text(o_.noise) + ";relative_noise=" + (o_.relative_noise ? "1" : "0") +
             ";compress_input=" + (o_.compress_input ? "1" : "0") + ";seed=" + std::to_string(o_.seed) +
             ";estimator=" + std::string(inner_.name());
        const std::string e = detail::prefixed_parameters(inner_.parameters(), "estimator.");
        if (!e.empty()) p += ";" + e;
        return p;
    }

    /// T_c: the layer's rows projected by the layer projection, plus the noise of stream 1 (N x m' doubles).
    template <class T>
    std::vector<double> compress(const activation_view<const T>& t, std::size_t& columns) const {
        const std::string where = "mi::" + name() + "::compress";
        return compress_with(layer_, t, 1, columns, where.c_str());
    }

    /// The inner estimator's point on (T_c, samples with X_c).
    template <class T>
    plane_point point(const activation_view<const T>& layer, const samples& s) const {
        const std::string where_text = "mi::" + name() + "::point";  // the contract: messages name mi::<name()>::point
        const char* where = where_text.c_str();
        detail::check_activations(layer, where, "layer");
        s.check_rows(layer.rows(), where);
        std::size_t m = 0;
        const std::vector<double> tc = compress_with(layer_, layer, 1, m, where);
        const activation_view<const double> tv(tc.data(), layer.rows(), m, m);
        if (!o_.compress_input || s.network_input().empty()) return inner_.point(tv, s);
        s.network_input().require(layer.rows(), where);
        // keyed by what X_c depends on only, so that every compressed estimator with the same input
        // projection, noise and seed shares one X_c (and its inner estimators' memos of it)
        const auto held = s.network_input().template memo<network_input>(
            std::string("mi::compressed input;") + typeid(projection_type).name() + ";" + input_.parameters() +
                ";noise=" + detail::to_text(o_.noise) + ";relative_noise=" + (o_.relative_noise ? "1" : "0") +
                ";seed=" + std::to_string(o_.seed),
            [&] {
                return s.network_input().visit([&](const auto& x) {
                    std::size_t mx = 0;
                    const std::vector<double> xc = compress_with(input_, x, 0, mx, where);
                    return network_input(activation_view<const double>(xc.data(), x.rows(), mx, mx));
                });
            });
        return inner_.point(tv, s.with_network_input(*held));
    }

    /// The inner estimator's I(X;T) on (T_c, X_c).
    template <class T, class U, class E = Estimator>
    auto mutual_information(const activation_view<const T>& t, const activation_view<const U>& x) const
        -> decltype(std::declval<const E&>().mutual_information(std::declval<activation_view<const double>>(),
                                                                std::declval<activation_view<const double>>())) {
        const std::string where_text = "mi::" + name() + "::mutual_information";
        const char* where = where_text.c_str();
        detail::check_activations(t, where, "t");
        detail::check_activations(x, where, "x");
        detail::check_same_rows(x.rows(), t.rows(), where, "x rows");
        std::size_t mt = 0, mx = 0;
        const std::vector<double> tc = compress_with(layer_, t, 1, mt, where);
        const std::vector<double> xc = o_.compress_input ? compress_with(input_, x, 0, mx, where) : copy_of(x, mx);
        // (X_c, T_c) in the inner estimator's order, as its point() pairs them (X first)
        return inner_.mutual_information(activation_view<const double>(xc.data(), x.rows(), mx, mx),
                                         activation_view<const double>(tc.data(), t.rows(), mt, mt));
    }

    /// The inner estimator's I(T;Y) on T_c.
    template <class T, class E = Estimator>
    auto mutual_information(const activation_view<const T>& t, const labels& y) const
        -> decltype(std::declval<const E&>().mutual_information(std::declval<activation_view<const double>>(), y)) {
        const std::string where_text = "mi::" + name() + "::mutual_information";
        const char* where = where_text.c_str();
        detail::check_activations(t, where, "t");
        detail::check_same_rows(y.size(), t.rows(), where, "labels size");
        std::size_t mt = 0;
        const std::vector<double> tc = compress_with(layer_, t, 1, mt, where);
        return inner_.mutual_information(activation_view<const double>(tc.data(), t.rows(), mt, mt), y);
    }

private:
    template <class T>
    static std::vector<double> copy_of(const activation_view<const T>& x, std::size_t& columns) {
        columns = x.cols();
        std::vector<double> out(x.rows() * x.cols());
        for (std::size_t i = 0; i < x.rows(); ++i)
            for (std::size_t c = 0; c < x.cols(); ++c) out[i * x.cols() + c] = static_cast<double>(x(i, c));
        return out;
    }

    // projected rows plus Gaussian noise from derive_seed(seed, stream), row-major draw order
    template <class T>
    std::vector<double> compress_with(const projection_type& projection, const activation_view<const T>& rows,
                                      std::uint64_t stream, std::size_t& columns, const char* where) const {
        detail::check_activations(rows, where, stream == 0 ? "network input" : "layer");
        // any fitted map: the affine linear_projection of PCA, or a nonlinear one such as a trained encoder
        const auto map = projection.fit(rows);
        std::vector<double> y = map.apply(rows);
        const std::size_t n = rows.rows(), m = static_cast<std::size_t>(map.out);
        if (y.size() != n * m)
            detail::fail(where, "projected size", y.size(),
                         "rows x out = " + std::to_string(n) + " x " + std::to_string(m) + " values from the fitted map");
        columns = m;
        if (o_.noise == 0.0) return y;
        std::vector<double> scale(m, o_.noise);
        if (o_.relative_noise && n > 1) {
            for (std::size_t j = 0; j < m; ++j) {
                double mean = 0.0, ss = 0.0;
                for (std::size_t i = 0; i < n; ++i) mean += y[i * m + j];
                mean /= static_cast<double>(n);
                for (std::size_t i = 0; i < n; ++i) ss += (y[i * m + j] - mean) * (y[i * m + j] - mean);
                const double sd = std::sqrt(ss / static_cast<double>(n - 1));
                if (sd > 0.0) scale[j] = o_.noise * sd;
            }
        }
        rng gen(derive_seed(o_.seed, stream));
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < m; ++j) y[i * m + j] += scale[j] * gen.normal();
        return y;
    }

    projection_type layer_;
    projection_type input_;
    estimator_type inner_;
    compressed_options o_;
};

}  // namespace mi

#endif
