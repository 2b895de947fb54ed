// SPDX-License-Identifier: BSD-3-Clause
// OpenBLAS' thread count, set for a scope and restored after it. The engine splits its large
// products over mi's own threads (network.hpp, detail::gemm); each part must then be a
// single-threaded BLAS call, or OpenBLAS would start its threads inside every part and
// oversubscribe the cores. Part of the reference training engine under examples/.
//
// openblas_set_num_threads is OpenBLAS' own function, not CBLAS: it is declared weak, so a
// program linked to another BLAS builds and runs (the guard then does nothing, and that BLAS
// threads as it is configured to).
#ifndef MI_EXAMPLES_ENGINE_BLAS_THREADS_HPP
#define MI_EXAMPLES_ENGINE_BLAS_THREADS_HPP

#if defined(__GNUC__) && defined(__ELF__)
#define MI_ENGINE_CAN_SET_OPENBLAS_THREADS 1
extern "C" void openblas_set_num_threads(int) __attribute__((weak));
extern "C" int openblas_get_num_threads(void) __attribute__((weak));
#else
#define MI_ENGINE_CAN_SET_OPENBLAS_THREADS 0
#endif

namespace mi_examples::engine {

/// Sets OpenBLAS' thread count to `threads` until the end of the scope. Not for use while another
/// thread calls BLAS: the count is one process-wide setting.
class openblas_threads_pinned {
public:
    explicit openblas_threads_pinned(int threads) {
#if MI_ENGINE_CAN_SET_OPENBLAS_THREADS
        if (openblas_set_num_threads != nullptr && openblas_get_num_threads != nullptr) {
            previous_ = openblas_get_num_threads();
            if (previous_ != threads) openblas_set_num_threads(threads);
            else previous_ = 0;
        }
#else
        (void)threads;
#endif
    }
    ~openblas_threads_pinned() {
#if MI_ENGINE_CAN_SET_OPENBLAS_THREADS
        if (previous_ > 0) openblas_set_num_threads(previous_);
#endif
    }
    openblas_threads_pinned(const openblas_threads_pinned&) = delete;
    openblas_threads_pinned& operator=(const openblas_threads_pinned&) = delete;

private:
    int previous_ = 0;  ///< the count to restore; 0: nothing to restore
};

}  // namespace mi_examples::engine

#endif
