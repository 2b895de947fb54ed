// SPDX-License-Identifier: BSD-3-Clause
// OpenBLAS at one thread for every program that includes the engine. The engine splits its large
// products over mi's own threads (network.hpp, detail::gemm), each part one BLAS call; a part must
// then be single-threaded, or OpenBLAS would start its threads inside every part and oversubscribe
// the cores. And it must be single-threaded everywhere, inside mi's parallel regions too (an
// autoencoder fitted for each point of the plane driver), where the engine cannot set OpenBLAS'
// thread count (one process-wide setting) without racing another thread's product: OpenBLAS' own
// threads change a product's bits (a 784-1024 network's losses differed in their last bits between
// OPENBLAS_NUM_THREADS=1 and 2), so values would depend on where a network is trained. So the
// count is set once, before main (the dynamic initialisation of an inline variable), and every
// engine product runs single-threaded in OpenBLAS. Part of the reference training engine under
// examples/: it sets OpenBLAS for the whole process, including mi's LAPACK estimators in the same
// program (which then no longer depend on OPENBLAS_NUM_THREADS either). A program that resets it
// gets OpenBLAS' values for its thread count.
//
// openblas_set_num_threads is OpenBLAS' own function, not CBLAS: it is declared weak, so a
// program linked to another BLAS builds and runs (nothing is set; that BLAS threads as it is
// configured to).
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

/// OpenBLAS' thread count, or 0 when the program is not linked to OpenBLAS.
inline int openblas_threads() noexcept {
#if MI_ENGINE_CAN_SET_OPENBLAS_THREADS
    if (openblas_get_num_threads != nullptr) return openblas_get_num_threads();
#endif
    return 0;
}

namespace detail {

inline bool run_openblas_single_threaded() noexcept {
#if MI_ENGINE_CAN_SET_OPENBLAS_THREADS
    if (openblas_set_num_threads != nullptr) {
        openblas_set_num_threads(1);
        return true;
    }
#endif
    return false;
}

/// true when OpenBLAS was set to one thread at start-up.
inline const bool openblas_single_threaded = run_openblas_single_threaded();

}  // namespace detail

}  // namespace mi_examples::engine

#endif
