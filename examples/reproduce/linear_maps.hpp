// SPDX-License-Identifier: BSD-3-Clause
// The map from the input to every layer of a linear network, W_1, W_2 W_1, ...,
// W_L ... W_1: what the exact linear-Gaussian information (mi::linear_gaussian,
// Saxe et al. 2018 §3 and App. G) needs of a deep linear student. Biases only
// shift a layer by a constant, which leaves every mutual information and the
// generalisation error's weight term unchanged, so they are not part of it.
// Shared by the programs that measure linear networks exactly
// (linear_teacher_student, sgd_vs_gd, task_relevant_inputs).
#ifndef MI_EXAMPLES_REPRODUCE_LINEAR_MAPS_HPP
#define MI_EXAMPLES_REPRODUCE_LINEAR_MAPS_HPP

#include <cstddef>
#include <vector>

#include "engine/network.hpp"

namespace mi_examples::reproduce {

/// maps[l] is layer l's units x inputs matrix (row-major, double) of the product W_l ... W_1.
template <class T>
std::vector<std::vector<double>> layer_maps(const engine::network<T>& net) {
    const std::size_t n_in = net.inputs();
    std::vector<std::vector<double>> maps;
    for (std::size_t l = 0; l < net.num_layers(); ++l) {
        const auto& L = net.at(l);  // out x in, row-major
        if (l == 0) {
            maps.emplace_back(L.w.begin(), L.w.end());
            continue;
        }
        const std::vector<double>& below = maps.back();  // L.in x n_in
        std::vector<double> m(L.out * n_in, 0.0);
        for (std::size_t i = 0; i < L.out; ++i)
            for (std::size_t k = 0; k < L.in; ++k) {
                const double w = static_cast<double>(L.w[i * L.in + k]);
                const double* b = below.data() + k * n_in;
                double* r = m.data() + i * n_in;
                for (std::size_t j = 0; j < n_in; ++j) r[j] += w * b[j];
            }
        maps.push_back(std::move(m));
    }
    return maps;
}

}  // namespace mi_examples::reproduce

#endif
