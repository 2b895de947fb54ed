// SPDX-License-Identifier: BSD-3-Clause
// quickstart: the information plane in one page, with no training.
//
// A fixed random 12-10-7-5-4-3-2 tanh network (softmax output, the SZT
// architecture of Shwartz-Ziv & Tishby 2017) is evaluated on all 4096 SZT
// inputs while its weights are scaled up step by step (x0.5 ... x32), which
// mimics the growth of the weights' norm during training. With small weights
// the deeper layers' activity is squeezed around 0 into few bins; at scale
// 1-2 it spreads over the bins; beyond that the tanh units saturate and the
// binned I(X;T) of every layer drops, with no learning at all ("compression"
// as an effect of saturation and binning, Saxe et al. 2018; Goldfeld et al.
// 2019). Every layer at every scale goes into a
// mi::recording with the scale's index as the "epoch"; mi::information_planes
// estimates the plane under two binnings, IDNNs' 30 edges on [-1, 1] and
// Saxe et al.'s fixed width 0.07, and under the KDE upper bound with noise
// variance 1e-3 (Saxe et al.); the program prints all three in bits and
// writes the tidy CSV.
//
//   quickstart [out.csv]        (default quickstart.csv)
//
// Plot: pandas.read_csv("quickstart.csv", comment="#"), then ixt vs ity per
// estimator and layer, coloured by epoch.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "datasets/szt.hpp"
#include "mi/core/random.hpp"
#include "mi/core/units.hpp"
#include "mi/estimators/binning.hpp"
#include "mi/estimators/kde.hpp"
#include "mi/plane/csv.hpp"
#include "mi/plane/information_plane.hpp"
#include "mi/plane/recording.hpp"
#include "mi/quantizers/fixed_width.hpp"
#include "mi/quantizers/uniform.hpp"

namespace {

struct dense {
    std::size_t in = 0, out = 0;
    std::vector<double> w;  // in x out, row-major
};

// Weights ~ N(0, 1/fan_in) (IDNNs' initialisation without the truncation), zero biases.
std::vector<dense> random_network(const std::vector<std::size_t>& widths, std::uint64_t seed) {
    mi::rng r(seed);
    std::vector<dense> net;
    for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
        dense d{widths[l], widths[l + 1], std::vector<double>(widths[l] * widths[l + 1])};
        for (auto& w : d.w) w = r.normal() / std::sqrt(static_cast<double>(d.in));
        net.push_back(std::move(d));
    }
    return net;
}

// Activations of every layer (tanh hidden layers, softmax output) for n inputs, as float32.
std::vector<std::vector<float>> forward(const std::vector<dense>& net, double scale, const std::vector<float>& x,
                                        std::size_t n) {
    std::vector<std::vector<float>> layers;
    std::vector<double> a(x.begin(), x.end());
    for (std::size_t l = 0; l < net.size(); ++l) {
        const dense& d = net[l];
        std::vector<double> z(n * d.out, 0.0);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t k = 0; k < d.in; ++k)
                for (std::size_t j = 0; j < d.out; ++j) z[i * d.out + j] += a[i * d.in + k] * scale * d.w[k * d.out + j];
        const bool output = l + 1 == net.size();
        for (std::size_t i = 0; i < n; ++i) {
            double* row = &z[i * d.out];
            if (output) {  // softmax, shifted by the max for stability
                double m = row[0], s = 0.0;
                for (std::size_t j = 1; j < d.out; ++j) m = std::max(m, row[j]);
                for (std::size_t j = 0; j < d.out; ++j) s += (row[j] = std::exp(row[j] - m));
                for (std::size_t j = 0; j < d.out; ++j) row[j] /= s;
            } else {
                for (std::size_t j = 0; j < d.out; ++j) row[j] = std::tanh(row[j]);
            }
        }
        layers.emplace_back(z.begin(), z.end());
        a = std::move(z);
    }
    return layers;
}

}  // namespace

int main(int argc, char** argv) {
    namespace ds = mi_examples::datasets;
    const std::string csv_path = argc > 1 ? argv[1] : "quickstart.csv";

    const auto data = ds::szt<float>();
    const std::vector<std::size_t> widths{12, 10, 7, 5, 4, 3, 2};
    const auto net = random_network(widths, 2017);
    const std::vector<double> scales{0.5, 1, 2, 4, 8, 16, 32};

    // Record: "epoch" = index of the scale, layer l = output of the (l+1)-th dense layer.
    mi::recording<float> rec(mi::samples(mi::labels(data.y, 2)));
    for (std::size_t s = 0; s < scales.size(); ++s) {
        const auto acts = forward(net, scales[s], data.x, ds::szt_patterns);
        for (std::size_t l = 0; l < acts.size(); ++l)
            rec.observe(static_cast<mi::epoch_t>(s), l, mi::view(acts[l], ds::szt_patterns, widths[l + 1]));
    }

    // Two binnings of the literature; the plane of each, in bits (the default unit).
    const mi::binning<mi::uniform> idnns(mi::uniform::idnns(30, -1.0, 1.0));
    const mi::binning<mi::fixed_width> saxe(mi::fixed_width(0.07));
    // And the Kolchinsky-Tracey KDE upper bound with noise variance 1e-3 (Saxe et al.'s SZT setting).
    const mi::kde<mi::gaussian_kernel, mi::fixed_noise> kde(mi::fixed_noise(1e-3));
    const std::vector<mi::trajectory> planes = mi::information_planes(rec, mi::plane_options{}, idnns, saxe, kde);

    const double p1 = static_cast<double>(std::count(data.y.begin(), data.y.end(), 1)) / ds::szt_patterns;
    const double hy = -(p1 * std::log2(p1) + (1 - p1) * std::log2(1 - p1));
    std::printf("SZT: %zu inputs, H(X) = %.0f bits, H(Y) = %.6f bits; random 12-10-7-5-4-3-2 network "
                "(tanh, softmax output), weights scaled up\n",
                ds::szt_patterns, std::log2(static_cast<double>(ds::szt_patterns)), hy);
    const char* tags[] = {"A", "B", "C"};
    for (std::size_t k = 0; k < planes.size(); ++k)
        std::printf("%s: %s %s\n", tags[k], planes[k].estimator().c_str(), planes[k].parameters().c_str());
    std::printf("\nI(X;T) and I(T;Y) in bits; layer l = output of dense layer l + 1 (5 = softmax output)\n");
    std::printf("%6s %5s %5s", "scale", "layer", "units");
    for (std::size_t k = 0; k < planes.size(); ++k) std::printf(" | %s %7s %7s", tags[k], "I(X;T)", "I(T;Y)");
    std::printf("\n");
    std::size_t rows = 0;
    for (std::size_t s = 0; s < scales.size(); ++s) {
        for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
            std::printf("%6g %5zu %5zu", scales[s], l, widths[l + 1]);
            for (const auto& plane : planes) {
                const auto p = plane.at(static_cast<mi::epoch_t>(s), l, mi::unit::bits);
                std::printf(" |   %7.3f %7.3f", p.ixt, p.ity);
            }
            std::printf("\n");
        }
        std::printf("\n");
    }
    for (const auto& plane : planes) rows += plane.size();

    mi::write_csv(planes, csv_path);
    std::printf("wrote %s (%zu rows, one per scale x layer x estimator; epoch = index of the scale)\n",
                csv_path.c_str(), rows);
    return 0;
}
