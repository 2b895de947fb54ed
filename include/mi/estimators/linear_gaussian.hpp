// SPDX-License-Identifier: BSD-3-Clause
// linear_gaussian: exact mutual information of a linear layer with Gaussian
// input and additive Gaussian noise, the analytical case of Saxe et al.,
// "On the information bottleneck theory of deep learning", ICLR 2018, §3 and
// App. G (deep linear student-teacher networks). It needs no samples: the
// information is a function of the weights, which is why it serves as ground
// truth against which the sample-based estimators can be checked.
//
// Setting (Saxe et al. §3, App. G eqs. 22-25):
//   X ~ N(0, Sigma_x)                      input, n_i dimensions
//   T = W X + Z,       Z ~ N(0, s2 I)      layer, n_t dimensions, s2 = noise_variance
//   Y = W_o X + E_o,   E_o ~ N(0, s2_o I)  teacher output, n_o dimensions
//
//   I(T;X) = 1/2 log|W Sigma_x W^T + s2 I| - 1/2 log|s2 I|
//   I(T;Y) = 1/2 log|Sigma_T| - 1/2 log|Sigma_T - Sigma_TY Sigma_Y^+ Sigma_YT|
//     with Sigma_T = W Sigma_x W^T + s2 I, Sigma_Y = W_o Sigma_x W_o^T + s2_o I,
//     Sigma_TY = W Sigma_x W_o^T; this is the joint-covariance formula
//     1/2 (log|Sigma_T| + log|Sigma_Y| - log|Sigma_(T,Y)|) written through the
//     Schur complement, so that it stays exact when Sigma_Y is singular
//     (noiseless teacher with fewer independent outputs than outputs; the
//     Moore-Penrose inverse drops eigenvalues below 1e-12 lambda_max).
//   generalization error (Saxe et al. eq. 5, Sigma_x = I):
//     E_g = ||W_o - W_tot||_F^2 + n_o s2_o
//   (the paper's teacher has one output, n_o = 1, where this is eq. 5 as
//   printed; with Sigma_x given, the Frobenius norm becomes
//   tr((W_o - W_tot) Sigma_x (W_o - W_tot)^T)).
//
// Singular and over-complete W (rank W < n_t, e.g. n_t > n_i) are exact: the
// noise makes W Sigma_x W^T + s2 I positive definite whatever W is, and
// log-determinants are sums of log-eigenvalues (LAPACK syevd), never of a
// factor that could hit a zero pivot. noise_variance must be > 0: without
// noise I(T;X) of a continuous X is infinite. Saxe et al. App. C eq. 21 is
// the point of this estimator: W and (c W, W_next / c) compute the same
// function, yet I(T;X) depends on c.
//
// API (matrices as mi::view(...), every quantity in nats). One name, the
// quantity told by the argument list; the I(T;Y) forms always end in the
// teacher's noise variance (a double), the I(T;X) forms never do, so no call
// can be read as the other (and the overloads differ in arity):
//   linear_gaussian(noise_variance)
//   mutual_information(W)                                   I(T;X), Sigma_x = I
//   mutual_information(W, Sigma_x)                          I(T;X)
//   mutual_information(W, W_teacher, teacher_noise_variance)            I(T;Y), Sigma_x = I
//   mutual_information(W, Sigma_x, W_teacher, teacher_noise_variance)   I(T;Y)
//   name(), parameters(), noise_variance()
// and the free function generalization_error(W_teacher, W_total[, Sigma_x], s2_o).
//
// Not a plane estimator: its inputs are weights, not activations.
// Matrices are passed as mi::view(...) of any source (xtensor, std::vector
// plus shape, raw pointer), rows x columns. Results in nats.
#ifndef MI_ESTIMATORS_LINEAR_GAUSSIAN_HPP
#define MI_ESTIMATORS_LINEAR_GAUSSIAN_HPP

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/finite.hpp"
#include "mi/estimators/detail/linalg.hpp"

namespace mi {

namespace detail {

inline void require_variance(double v, bool allow_zero, const char* where, const char* argument) {
    const bool ok = std::isfinite(v) && (allow_zero ? v >= 0.0 : v > 0.0);
    if (!ok) fail(where, argument, v, allow_zero ? "a finite value >= 0" : "a finite value > 0");
}

inline dense_matrix identity_matrix(std::size_t n) {
    dense_matrix m = xt::zeros<double>({n, n});
    for (std::size_t i = 0; i < n; ++i) m(i, i) = 1.0;
    return m;
}

inline void require_cols(const dense_matrix& m, std::size_t cols, const char* where, const char* argument,
                         const char* what) {
    if (m.shape()[1] != cols)
        fail(where, (std::string(argument) + " columns").c_str(), m.shape()[1],
             std::string(what) + " = " + std::to_string(cols));
}

}  // namespace detail

class linear_gaussian {
public:
    /// noise_variance = s2, the variance of each component of the layer noise Z.
    explicit linear_gaussian(double noise_variance) : s2_(noise_variance) {
        detail::require_variance(noise_variance, false, "mi::linear_gaussian", "noise_variance");
    }

    double noise_variance() const noexcept { return s2_; }

    /// I(T;X) for T = W X + Z, X ~ N(0, Sigma_x); W is n_t x n_i, Sigma_x n_i x n_i. Nats.
    template <class T, class U>
    double mutual_information(const activation_view<const T>& w,
                                const activation_view<const U>& input_covariance) const {
        const char* where = "mi::linear_gaussian::mutual_information";
        const auto wm = detail::to_matrix(w, where, "W");
        const auto sx = input_covariance_matrix(input_covariance, wm.shape()[1], where);
        return detail::finite(ixt(wm, sx, where), where, "I(T;X)");
    }
    /// I(T;X) with Sigma_x = I.
    template <class T>
    double mutual_information(const activation_view<const T>& w) const {
        const char* where = "mi::linear_gaussian::mutual_information";
        const auto wm = detail::to_matrix(w, where, "W");
        return detail::finite(ixt(wm, detail::identity_matrix(wm.shape()[1]), where), where, "I(T;X)");
    }

    /// I(T;Y) for the teacher Y = W_o X + E_o, E_o ~ N(0, teacher_noise_variance I). Nats.
    template <class T, class U, class V>
    double mutual_information(const activation_view<const T>& w, const activation_view<const U>& input_covariance,
                                const activation_view<const V>& w_teacher, double teacher_noise_variance) const {
        const char* where = "mi::linear_gaussian::mutual_information";
        const auto wm = detail::to_matrix(w, where, "W");
        const auto sx = input_covariance_matrix(input_covariance, wm.shape()[1], where);
        return detail::finite(ity(wm, sx, detail::to_matrix(w_teacher, where, "W_teacher"), teacher_noise_variance, where),
                              where, "I(T;Y)");
    }
    /// I(T;Y) with Sigma_x = I.
    template <class T, class V>
    double mutual_information(const activation_view<const T>& w, const activation_view<const V>& w_teacher,
                                double teacher_noise_variance) const {
        const char* where = "mi::linear_gaussian::mutual_information";
        const auto wm = detail::to_matrix(w, where, "W");
        return detail::finite(ity(wm, detail::identity_matrix(wm.shape()[1]),
                                  detail::to_matrix(w_teacher, where, "W_teacher"), teacher_noise_variance, where),
                              where, "I(T;Y)");
    }

    std::string name() const { return "linear_gaussian"; }
    std::string parameters() const { return "noise_variance=" + detail::to_text(s2_); }

private:
    template <class U>
    static detail::dense_matrix input_covariance_matrix(const activation_view<const U>& c, std::size_t n,
                                                        const char* where) {
        auto m = detail::to_matrix(c, where, "input_covariance");
        detail::require_psd(m, where, "input_covariance");
        if (m.shape()[0] != n)
            detail::fail(where, "input_covariance rows", m.shape()[0], "the number of columns of W, " + std::to_string(n));
        return m;
    }

    detail::dense_matrix layer_covariance(const detail::dense_matrix& w, const detail::dense_matrix& sx) const {
        auto c = detail::symmetrized(detail::matmul_t(detail::matmul(w, sx), w));
        for (std::size_t i = 0; i < c.shape()[0]; ++i) c(i, i) += s2_;
        return c;
    }

    double ixt(const detail::dense_matrix& w, const detail::dense_matrix& sx, const char* where) const {
        const auto c = layer_covariance(w, sx);
        const double nt = static_cast<double>(w.shape()[0]);
        return 0.5 * (detail::logdet_spd(c, where, "W Sigma_x W^T + s2 I") - nt * std::log(s2_));
    }

    double ity(const detail::dense_matrix& w, const detail::dense_matrix& sx, const detail::dense_matrix& wo,
               double s2o, const char* where) const {
        detail::require_variance(s2o, true, where, "teacher_noise_variance");
        detail::require_cols(wo, w.shape()[1], where, "W_teacher", "the number of columns of W");
        const auto st = layer_covariance(w, sx);
        auto sy = detail::symmetrized(detail::matmul_t(detail::matmul(wo, sx), wo));
        for (std::size_t i = 0; i < sy.shape()[0]; ++i) sy(i, i) += s2o;
        const auto sty = detail::matmul_t(detail::matmul(w, sx), wo);  // n_t x n_o
        // Sigma_Y^+ through its eigen-decomposition: B = Sigma_TY V_+ diag(lambda_+^(-1/2)).
        std::vector<double> lam;
        detail::dense_matrix v;
        detail::sym_eigen(sy, lam, v, where, "Sigma_Y");
        const double top = lam.empty() ? 0.0 : lam.back();
        const std::size_t nt = st.shape()[0], no = lam.size();
        detail::dense_matrix b = xt::zeros<double>({nt, no});
        if (top > 0.0)
            for (std::size_t k = 0; k < no; ++k) {
                if (!(lam[k] > 1e-12 * top)) continue;
                const double f = 1.0 / std::sqrt(lam[k]);
                for (std::size_t i = 0; i < nt; ++i) {
                    double s = 0.0;
                    for (std::size_t j = 0; j < no; ++j) s += sty(i, j) * v(j, k);
                    b(i, k) = s * f;
                }
            }
        auto cond = detail::symmetrized(st - detail::matmul_t(b, b));
        const double value = 0.5 * (detail::logdet_spd(st, where, "Sigma_T") -
                                    detail::logdet_spd(cond, where, "Sigma_T|Y"));
        return value > 0.0 ? value : 0.0;  // >= 0 exactly; rounding can leave -1e-16
    }

    double s2_;
};

/// Expected test error of the student W_tot on the teacher Y = W_o X + E_o, X ~ N(0, I):
/// ||W_o - W_tot||_F^2 + n_o teacher_noise_variance (Saxe et al. 2018 eq. 5).
template <class T, class U>
double generalization_error(const activation_view<const T>& w_teacher, const activation_view<const U>& w_total,
                            double teacher_noise_variance) {
    const char* where = "mi::generalization_error";
    detail::require_variance(teacher_noise_variance, true, where, "teacher_noise_variance");
    detail::check_activations(w_teacher, where, "W_teacher");
    detail::check_activations(w_total, where, "W_total");
    if (w_teacher.rows() != w_total.rows() || w_teacher.cols() != w_total.cols())
        detail::fail(where, "W_total shape", std::to_string(w_total.rows()) + "x" + std::to_string(w_total.cols()),
                     "the shape of W_teacher, " + std::to_string(w_teacher.rows()) + "x" +
                         std::to_string(w_teacher.cols()));
    double s = 0.0;
    for (std::size_t i = 0; i < w_teacher.rows(); ++i)
        for (std::size_t j = 0; j < w_teacher.cols(); ++j) {
            const double d = static_cast<double>(w_teacher(i, j)) - static_cast<double>(w_total(i, j));
            s += d * d;
        }
    return detail::finite(s + static_cast<double>(w_teacher.rows()) * teacher_noise_variance, where,
                          "the generalization error");
}

/// The same with input covariance Sigma_x: tr(D Sigma_x D^T) + n_o teacher_noise_variance, D = W_o - W_tot.
template <class T, class U, class V>
double generalization_error(const activation_view<const T>& w_teacher, const activation_view<const U>& w_total,
                            const activation_view<const V>& input_covariance, double teacher_noise_variance) {
    const char* where = "mi::generalization_error";
    const double base = generalization_error(w_teacher, w_total, teacher_noise_variance);
    auto sx = detail::to_matrix(input_covariance, where, "input_covariance");
    detail::require_psd(sx, where, "input_covariance");
    if (sx.shape()[0] != w_teacher.cols())
        detail::fail(where, "input_covariance rows", sx.shape()[0],
                     "the number of columns of W_teacher, " + std::to_string(w_teacher.cols()));
    double frob = 0.0, quad = 0.0;
    const std::size_t n = w_teacher.cols();
    std::vector<double> d(n);
    for (std::size_t i = 0; i < w_teacher.rows(); ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            d[j] = static_cast<double>(w_teacher(i, j)) - static_cast<double>(w_total(i, j));
            frob += d[j] * d[j];
        }
        for (std::size_t j = 0; j < n; ++j)
            for (std::size_t k = 0; k < n; ++k) quad += d[j] * sx(j, k) * d[k];
    }
    return detail::finite(base - frob + quad, where, "the generalization error");
}

}  // namespace mi

#endif
