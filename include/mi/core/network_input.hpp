// SPDX-License-Identifier: BSD-3-Clause
// mi::network_input: the network's input X, row i the input that produced row
// i of every layer, for the estimators whose I(X;T) needs X itself (KSG
// between X and T, the matrix-based Renyi functional's Gram matrix of X).
// It travels in mi::samples, so a resampled sample set (the plane driver's
// half-samples) carries the matching rows of X and such estimators can be
// bootstrapped like any other.
//
// Why a copy and not a view: mi::samples outlives the caller's buffers (a
// recording keeps it for the whole run) and subsets of it are new sets of
// rows. The copy keeps the caller's element type (float or double), so an
// estimator computes on X exactly as it would on the caller's view.
//
// Copies share the rows (immutable) and a small memo, through which an
// estimator prepares what it derives from X once for every epoch and layer
// (KSG's standardised, jittered X and its search structure; Renyi's Gram
// matrix of X and its entropy):
//
//   auto held = s.network_input().memo<prepared_x>(key, [&] { return prepare(...); });
//
// `key` must say everything the prepared value depends on (the estimator
// and its parameters). The memo is thread-safe; a value is computed once.
#ifndef MI_CORE_NETWORK_INPUT_HPP
#define MI_CORE_NETWORK_INPUT_HPP

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"

namespace mi {

class network_input {
public:
    /// No input: estimators that need X refuse with mi::error.
    network_input() = default;

    /// A copy of the rows of x (finite values, at least one row and one column).
    template <class T>
    explicit network_input(const activation_view<T>& x) {
        using V = std::remove_const_t<T>;
        detail::check_activations(x, "mi::network_input", "x");
        auto s = std::make_shared<state>();
        s->rows = x.rows();
        s->cols = x.cols();
        auto& out = values_of<V>(*s);
        out.reserve(x.rows() * x.cols());
        for (std::size_t i = 0; i < x.rows(); ++i) out.insert(out.end(), x.row(i), x.row(i) + x.cols());
        state_ = std::move(s);
    }

    bool empty() const noexcept { return !state_; }
    std::size_t rows() const noexcept { return state_ ? state_->rows : 0; }
    std::size_t cols() const noexcept { return state_ ? state_->cols : 0; }
    bool is_float() const noexcept { return state_ && !state_->f.empty(); }

    /// Calls f(activation_view<const float>) or f(activation_view<const double>), the caller's type;
    /// returns the common type of the two results.
    template <class F>
    auto visit(F&& f) const -> std::common_type_t<std::invoke_result_t<F&, activation_view<const float>>,
                                                  std::invoke_result_t<F&, activation_view<const double>>> {
        if (!state_) detail::fail("mi::network_input::visit", "network_input", "none", "rows of X");
        if (is_float()) return f(activation_view<const float>(state_->f.data(), state_->rows, state_->cols, state_->cols));
        return f(activation_view<const double>(state_->d.data(), state_->rows, state_->cols, state_->cols));
    }

    /// Throws unless X is present and has `rows` rows (the rows of the layer it is paired with).
    void require(std::size_t rows, const char* where) const {
        if (!state_)
            detail::fail(where, "samples.network_input()", "none",
                         "the network input X, row-aligned with the layer (mi::samples::with_network_input)");
        if (state_->rows != rows)
            detail::fail(where, "network input rows", state_->rows,
                         "the number of layer rows, " + std::to_string(rows));
    }

    /// The given rows (with repetition), as a new input with its own memo.
    network_input subset(const std::vector<std::size_t>& rows) const {
        if (!state_) return {};
        network_input out;
        auto s = std::make_shared<state>();
        s->rows = rows.size();
        s->cols = state_->cols;
        const auto gather = [&](const auto& in, auto& out_values) {
            out_values.reserve(rows.size() * s->cols);
            for (const std::size_t r : rows) {
                if (r >= state_->rows)
                    detail::fail("mi::network_input::subset", "row", r, "< " + std::to_string(state_->rows));
                out_values.insert(out_values.end(), in.begin() + static_cast<std::ptrdiff_t>(r * s->cols),
                                  in.begin() + static_cast<std::ptrdiff_t>((r + 1) * s->cols));
            }
        };
        if (is_float()) gather(state_->f, s->f);
        else gather(state_->d, s->d);
        out.state_ = std::move(s);
        return out;
    }

    /// The value memoised under `key`, computed by make() (returning a Value) on first use.
    template <class Value, class Make>
    std::shared_ptr<const Value> memo(const std::string& key, Make&& make) const {
        if (!state_) detail::fail("mi::network_input::memo", "network_input", "none", "rows of X");
        std::shared_ptr<entry> e;
        {
            std::lock_guard<std::mutex> lock(state_->mutex);
            auto& slot = state_->memo[key];
            if (!slot) slot = std::make_shared<entry>();
            e = slot;
        }
        // Computed under the entry's own lock, not the map's (other keys proceed): one thread
        // computes, the others wait; a throwing make() leaves the entry empty for a retry.
        // (Not std::call_once: libstdc++'s can hang on the call after an exception.)
        std::lock_guard<std::mutex> lock(e->mutex);
        if (!e->value) e->value = std::make_shared<const Value>(make());
        return std::static_pointer_cast<const Value>(e->value);
    }

private:
    struct entry {
        std::mutex mutex;
        std::shared_ptr<const void> value;
    };
    struct state {
        std::size_t rows = 0, cols = 0;
        std::vector<float> f;
        std::vector<double> d;
        std::mutex mutex;
        std::map<std::string, std::shared_ptr<entry>> memo;
    };
    template <class V>
    static std::vector<V>& values_of(state& s) {
        if constexpr (std::is_same_v<V, float>) return s.f;
        else return s.d;
    }

    std::shared_ptr<state> state_;
};

}  // namespace mi

#endif
