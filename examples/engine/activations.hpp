// SPDX-License-Identifier: BSD-3-Clause
// Elementwise nonlinearities of the reference training engine (examples only,
// never included by include/mi). The information-plane papers differ mainly
// in the hidden nonlinearity (Saxe et al. 2018: double-saturating tanh
// compresses, ReLU does not; Chelombiev et al. 2019 add softplus, ELU, swish,
// ...), so every one they use is here, each with its exact derivative, in one
// place that the finite-difference tests cover.
//
// Definitions (z = pre-activation):
//   tanh, sigmoid 1/(1+e^-z), softsign z/(1+|z|), softplus log(1+e^z),
//   centered softplus log(1+e^z) - log 2 (zero at z = 0),
//   leaky ReLU max(z, slope*z) (slope = parameter, PyTorch default 0.01),
//   linear z, hardtanh clamp(z, -1, 1), ELU z>0 ? z : alpha*(e^z - 1)
//   (alpha = parameter, default 1), swish z*sigmoid(z) (Ramachandran et al.).
// Subgradients at kinks: ReLU/leaky ReLU use the z > 0 branch only for z > 0
// (derivative at 0 is the left one, as PyTorch), hardtanh has derivative 1 on
// the open interval (-1, 1) only.
//
// The arrays are evaluated in SIMD batches through mi::simd (xsimd) for the
// functions that dominate the SZT runs (tanh, sigmoid, ReLU); a tail shorter
// than one batch is evaluated through the same SIMD code on a padded copy, so
// an element's value never depends on where it sits in the buffer.
#ifndef MI_EXAMPLES_ENGINE_ACTIVATIONS_HPP
#define MI_EXAMPLES_ENGINE_ACTIVATIONS_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include "mi/core/error.hpp"
#include "mi/core/simd.hpp"

namespace mi_examples::engine {

enum class activation_kind {
    tanh,
    relu,
    sigmoid,
    softsign,
    softplus,
    centered_softplus,
    leaky_relu,
    linear,
    hardtanh,
    elu,
    swish
};

/// A nonlinearity and its one parameter (leaky ReLU slope, ELU alpha).
struct activation {
    activation_kind kind = activation_kind::tanh;
    double parameter = 0.0;

    static activation tanh() { return {activation_kind::tanh, 0.0}; }
    static activation relu() { return {activation_kind::relu, 0.0}; }
    static activation sigmoid() { return {activation_kind::sigmoid, 0.0}; }
    static activation softsign() { return {activation_kind::softsign, 0.0}; }
    static activation softplus() { return {activation_kind::softplus, 0.0}; }
    static activation centered_softplus() { return {activation_kind::centered_softplus, 0.0}; }
    static activation leaky_relu(double slope = 0.01) { return {activation_kind::leaky_relu, slope}; }
    static activation linear() { return {activation_kind::linear, 0.0}; }
    static activation hardtanh() { return {activation_kind::hardtanh, 0.0}; }
    static activation elu(double alpha = 1.0) { return {activation_kind::elu, alpha}; }
    static activation swish() { return {activation_kind::swish, 0.0}; }

    std::string name() const {
        switch (kind) {
            case activation_kind::tanh: return "tanh";
            case activation_kind::relu: return "relu";
            case activation_kind::sigmoid: return "sigmoid";
            case activation_kind::softsign: return "softsign";
            case activation_kind::softplus: return "softplus";
            case activation_kind::centered_softplus: return "centered_softplus";
            case activation_kind::leaky_relu: return "leaky_relu";
            case activation_kind::linear: return "linear";
            case activation_kind::hardtanh: return "hardtanh";
            case activation_kind::elu: return "elu";
            case activation_kind::swish: return "swish";
        }
        return "unknown";
    }

    /// Parses the names above (as used on the command line of the examples).
    static activation parse(const std::string& s) {
        for (auto k : {activation_kind::tanh, activation_kind::relu, activation_kind::sigmoid,
                       activation_kind::softsign, activation_kind::softplus,
                       activation_kind::centered_softplus, activation_kind::leaky_relu,
                       activation_kind::linear, activation_kind::hardtanh, activation_kind::elu,
                       activation_kind::swish}) {
            activation a{k, 0.0};
            if (a.name() == s) {
                if (k == activation_kind::leaky_relu) a.parameter = 0.01;
                if (k == activation_kind::elu) a.parameter = 1.0;
                return a;
            }
        }
        mi::detail::fail("mi_examples::engine::activation::parse", "name", s,
                         "tanh, relu, sigmoid, softsign, softplus, centered_softplus, leaky_relu, "
                         "linear, hardtanh, elu or swish");
    }
};

namespace detail {

inline constexpr double log2_value = 0.693147180559945309417232121458176568;

template <class T>
T stable_softplus(T z) {
    // log(1 + e^z) without overflow: max(z, 0) + log1p(e^-|z|).
    return std::max(z, T(0)) + std::log1p(std::exp(-std::abs(z)));
}

template <class T>
T stable_sigmoid(T z) {
    if (z >= T(0)) return T(1) / (T(1) + std::exp(-z));
    const T e = std::exp(z);
    return e / (T(1) + e);
}

template <class T>
T scalar_value(const activation& f, T z) {
    const T p = static_cast<T>(f.parameter);
    switch (f.kind) {
        case activation_kind::tanh: return std::tanh(z);
        case activation_kind::relu: return z > T(0) ? z : T(0);
        case activation_kind::sigmoid: return stable_sigmoid(z);
        case activation_kind::softsign: return z / (T(1) + std::abs(z));
        case activation_kind::softplus: return stable_softplus(z);
        case activation_kind::centered_softplus: return stable_softplus(z) - static_cast<T>(log2_value);
        case activation_kind::leaky_relu: return z > T(0) ? z : p * z;
        case activation_kind::linear: return z;
        case activation_kind::hardtanh: return std::min(T(1), std::max(T(-1), z));
        case activation_kind::elu: return z > T(0) ? z : p * std::expm1(z);
        case activation_kind::swish: return z * stable_sigmoid(z);
    }
    return z;
}

/// f'(z), given z and a = f(z) (noise-free).
template <class T>
T scalar_derivative(const activation& f, T z, T a) {
    const T p = static_cast<T>(f.parameter);
    switch (f.kind) {
        case activation_kind::tanh: return T(1) - a * a;
        case activation_kind::relu: return z > T(0) ? T(1) : T(0);
        case activation_kind::sigmoid: return a * (T(1) - a);
        case activation_kind::softsign: {
            const T d = T(1) + std::abs(z);
            return T(1) / (d * d);
        }
        case activation_kind::softplus:
        case activation_kind::centered_softplus: return stable_sigmoid(z);
        case activation_kind::leaky_relu: return z > T(0) ? T(1) : p;
        case activation_kind::linear: return T(1);
        case activation_kind::hardtanh: return (z > T(-1) && z < T(1)) ? T(1) : T(0);
        case activation_kind::elu: return z > T(0) ? T(1) : a + p;  // alpha e^z = a + alpha
        case activation_kind::swish: {
            const T s = stable_sigmoid(z);
            return s + z * s * (T(1) - s);
        }
    }
    return T(1);
}

// SIMD kernels for the hot nonlinearities; `op` maps a batch to a batch.
template <class T, class Op>
void simd_map(const T* in, T* out, std::size_t n, Op op) {
    using B = mi::simd::batch<T>;
    constexpr std::size_t w = B::size;
    std::size_t i = 0;
    for (; i + w <= n; i += w) op(B::load_unaligned(in + i)).store_unaligned(out + i);
    if (i < n) {
        T pad_in[w] = {};
        T pad_out[w] = {};
        std::copy(in + i, in + n, pad_in);
        op(B::load_unaligned(pad_in)).store_unaligned(pad_out);
        std::copy(pad_out, pad_out + (n - i), out + i);
    }
}

}  // namespace detail

/// out[i] = f(z[i]) for i < n (out may alias z).
template <class T>
void apply(const activation& f, const T* z, T* out, std::size_t n) {
    using B = mi::simd::batch<T>;
    switch (f.kind) {
        case activation_kind::tanh:
            detail::simd_map(z, out, n, [](const B& x) { return xsimd::tanh(x); });
            return;
        case activation_kind::sigmoid:
            // sigmoid(z) = (1 + tanh(z/2)) / 2: exact, and it avoids xsimd 8's AVX-512 exp, which
            // trips a false -Wuninitialized in GCC 12. Absolute error < 1e-7 (float) deep in the
            // tails, where 1 + tanh(z/2) cancels.
            detail::simd_map(z, out, n, [](const B& x) { return B(T(0.5)) + B(T(0.5)) * xsimd::tanh(B(T(0.5)) * x); });
            return;
        case activation_kind::relu:
            detail::simd_map(z, out, n, [](const B& x) { return xsimd::max(x, B(T(0))); });
            return;
        case activation_kind::linear:
            if (out != z) std::copy(z, z + n, out);
            return;
        default:
            for (std::size_t i = 0; i < n; ++i) out[i] = detail::scalar_value(f, z[i]);
    }
}

/// g[i] *= f'(z[i]) for i < n, where a[i] = f(z[i]) is the noise-free output.
template <class T>
void multiply_derivative(const activation& f, const T* z, const T* a, T* g, std::size_t n) {
    switch (f.kind) {
        case activation_kind::tanh:
            for (std::size_t i = 0; i < n; ++i) g[i] *= T(1) - a[i] * a[i];
            return;
        case activation_kind::relu:
            for (std::size_t i = 0; i < n; ++i) g[i] = z[i] > T(0) ? g[i] : T(0);
            return;
        case activation_kind::sigmoid:
            for (std::size_t i = 0; i < n; ++i) g[i] *= a[i] * (T(1) - a[i]);
            return;
        case activation_kind::linear: return;
        default:
            for (std::size_t i = 0; i < n; ++i) g[i] *= detail::scalar_derivative(f, z[i], a[i]);
    }
}

/// Scalar f(z), for tests and one-off use.
template <class T>
T value(const activation& f, T z) {
    T out;
    apply(f, &z, &out, 1);
    return out;
}

/// Scalar f'(z).
template <class T>
T derivative(const activation& f, T z) {
    const T a = value(f, z);
    T g = T(1);
    multiply_derivative(f, &z, &a, &g, 1);
    return g;
}

}  // namespace mi_examples::engine

#endif
