// SPDX-License-Identifier: BSD-3-Clause
// What the SZT reproduction (szt_tanh_vs_relu) hands its estimators, shared with
// bench/bench_szt_plane.cpp, which times the same plane: the recording restricted to
// the test rows (the KDE's samples, Saxe et al. 2018 App. B.1) and the
// Kozachenko-Leonenko estimator as the paper reads it (App. B.3, H(T) alone).
#ifndef MI_EXAMPLES_REPRODUCE_SZT_PLANE_HPP
#define MI_EXAMPLES_REPRODUCE_SZT_PLANE_HPP

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/samples.hpp"
#include "mi/estimators/kl_entropy.hpp"
#include "mi/plane/information_plane.hpp"
#include "mi/plane/recording.hpp"

namespace mi_examples::reproduce {

// The recording restricted to some of its rows (the test set), with those rows' labels.
inline mi::recording<float> rows_of(const mi::recording<float>& rec, const std::vector<std::size_t>& rows,
                             const std::vector<std::uint32_t>& labels) {
    mi::recording<float> out(mi::samples(mi::labels(labels, 2)));
    std::vector<float> buffer;
    for (const auto epoch : rec.epochs())
        for (const auto layer : rec.layers()) {
            if (!rec.contains(epoch, layer)) continue;
            const auto v = rec.at(epoch, layer);
            buffer.resize(rows.size() * v.cols());
            for (std::size_t i = 0; i < rows.size(); ++i)
                std::copy(v.row(rows[i]), v.row(rows[i]) + v.cols(), buffer.begin() + static_cast<std::ptrdiff_t>(i * v.cols()));
            out.observe(epoch, layer, mi::activation_view<const float>(buffer.data(), rows.size(), v.cols(), v.cols()));
        }
    return out;
}

// The Kozachenko-Leonenko estimator as the paper reads it (App. B.3): H(T) alone. mi::kl_entropy's
// point() also finds every H(T | Y = l) for its I(T;Y), which this program discards (the ity cells of
// kl_entropy rows are left empty below); not computing them saves a quarter to two fifths of the
// estimator's time. ixt is kl_entropy::entropy, the same number point() reports (tested bit for bit
// in tests/estimators/test_kl_entropy.cpp); ity = 0 only fills the field the table then empties.
struct kl_entropy_of_t {
    mi::kl_entropy<> estimator;
    std::string name() const { return estimator.name(); }
    std::string parameters() const { return estimator.parameters(); }
    template <class T>
    mi::plane_point point(const mi::activation_view<const T>& layer, const mi::samples&) const {
        mi::plane_point p;
        p.ixt = estimator.entropy(layer);
        p.ity = 0.0;
        p.ixt_kind = mi::ixt_quantity::entropy;
        return p;
    }
};

}  // namespace mi_examples::reproduce

#endif
