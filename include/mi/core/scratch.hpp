// SPDX-License-Identifier: BSD-3-Clause
// scratch_array<T>: an uninitialised array for the large intermediate buffers
// of the memory-bound passes (the binning estimator's code matrix: 61 MB for
// 60,000 rows of 1,024 units). Every estimate allocates it afresh, so each
// of its 4 KiB pages costs a first-touch fault, and on virtual machines a
// fault costs microseconds: measured here, they were half the time of a
// 60,000 x 1,024 binned estimate. Above 4 MiB the array is therefore aligned
// to 2 MiB and, on Linux, offered to the kernel for transparent huge pages
// (madvise(MADV_HUGEPAGE), which the common "madvise" THP setting honours):
// a few hundred times fewer faults. Elsewhere, or when the kernel declines,
// it is an ordinary allocation; the contents never depend on it.
#ifndef MI_CORE_SCRATCH_HPP
#define MI_CORE_SCRATCH_HPP

#include <cstddef>
#include <cstdlib>
#include <new>
#include <type_traits>

#if defined(__linux__)
#include <sys/mman.h>
#endif
#if defined(_WIN32)
#include <malloc.h>  // _aligned_malloc, _aligned_free
#endif

namespace mi::detail {

// Windows' C library has no std::aligned_alloc (memory from _aligned_malloc
// must go back through _aligned_free, so there every block is allocated that way).
inline void* allocate_bytes(std::size_t bytes) noexcept {
#if defined(_WIN32)
    return _aligned_malloc(bytes, alignof(std::max_align_t));
#else
    return std::malloc(bytes);
#endif
}
/// bytes must be a multiple of alignment (std::aligned_alloc's rule).
inline void* allocate_aligned_bytes(std::size_t alignment, std::size_t bytes) noexcept {
#if defined(_WIN32)
    return _aligned_malloc(bytes, alignment);
#else
    return std::aligned_alloc(alignment, bytes);
#endif
}
inline void release_bytes(void* p) noexcept {
#if defined(_WIN32)
    _aligned_free(p);
#else
    std::free(p);
#endif
}

template <class T>
class scratch_array {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                  "scratch_array holds plain values only");

public:
    explicit scratch_array(std::size_t n) : size_(n) {
        if (n == 0) return;
        if (n > (~std::size_t(0)) / sizeof(T)) throw std::bad_alloc();
        const std::size_t bytes = n * sizeof(T);
        if (bytes >= huge_threshold) {
            const std::size_t rounded = (bytes + huge_page - 1) / huge_page * huge_page;
            data_ = static_cast<T*>(allocate_aligned_bytes(huge_page, rounded));
#if defined(__linux__) && defined(MADV_HUGEPAGE)
            if (data_) ::madvise(data_, rounded, MADV_HUGEPAGE);  // advice only: ignored when THP is off
#endif
        } else {
            data_ = static_cast<T*>(allocate_bytes(bytes));
        }
        if (!data_) throw std::bad_alloc();
    }
    ~scratch_array() { release_bytes(data_); }
    scratch_array(const scratch_array&) = delete;
    scratch_array& operator=(const scratch_array&) = delete;

    T* data() noexcept { return data_; }
    const T* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }

private:
    static constexpr std::size_t huge_page = std::size_t(2) << 20;
    static constexpr std::size_t huge_threshold = std::size_t(4) << 20;
    T* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace mi::detail

#endif
