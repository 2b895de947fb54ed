// SPDX-License-Identifier: BSD-3-Clause
// scratch_array<T> and page_friendly_allocator<T>: memory for the large intermediate buffers
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

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <mutex>
#include <new>
#include <type_traits>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif
#if defined(_WIN32)
#include <malloc.h>  // _aligned_malloc, _aligned_free
#endif

namespace mi::detail {

// Windows' C library has no std::aligned_alloc: memory from _aligned_malloc must go back through
// _aligned_free, so there every block is allocated that way.
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

/// Memory for `bytes` (released with release_bytes): from 4 MiB on aligned to 2 MiB and offered
/// for transparent huge pages (see the top of this file), below that aligned to 64 bytes (at least
/// one line, so that 0 bytes are a real block too).
inline void* allocate_page_friendly(std::size_t bytes) noexcept {
    constexpr std::size_t huge_page = std::size_t(2) << 20, huge_threshold = std::size_t(4) << 20, line = 64;
    if (bytes > ~std::size_t(0) - huge_page) return nullptr;
    if (bytes < huge_threshold)
        return allocate_aligned_bytes(line, std::max<std::size_t>(1, (bytes + line - 1) / line) * line);
    const std::size_t rounded = (bytes + huge_page - 1) / huge_page * huge_page;
    void* p = allocate_aligned_bytes(huge_page, rounded);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (p) ::madvise(p, rounded, MADV_HUGEPAGE);  // advice only: ignored when THP is off
#endif
    return p;
}

template <class T>
class scratch_array {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                  "scratch_array holds plain values only");

public:
    explicit scratch_array(std::size_t n) : size_(n) {
        if (n == 0) return;
        if (n > (~std::size_t(0)) / sizeof(T)) throw std::bad_alloc();
        data_ = static_cast<T*>(allocate_page_friendly(n * sizeof(T)));
        if (!data_) throw std::bad_alloc();
    }
    ~scratch_array() { release_bytes(data_); }
    scratch_array(const scratch_array&) = delete;
    scratch_array& operator=(const scratch_array&) = delete;

    T* data() noexcept { return data_; }
    const T* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }

private:
    T* data_ = nullptr;
    std::size_t size_ = 0;
};

/// std::allocator's interface over allocate_page_friendly, for containers that may be large and
/// are allocated anew for every estimate (the estimators' dense matrices, dense_matrix.hpp).
template <class T>
struct page_friendly_allocator {
    static_assert(alignof(T) <= 64, "allocate_page_friendly aligns to 64 bytes");
    using value_type = T;
    page_friendly_allocator() noexcept = default;
    template <class U>
    page_friendly_allocator(const page_friendly_allocator<U>&) noexcept {}
    T* allocate(std::size_t n) {
        if (n > (~std::size_t(0)) / sizeof(T)) throw std::bad_alloc();
        void* p = allocate_page_friendly(n * sizeof(T));
        if (!p) throw std::bad_alloc();
        return static_cast<T*>(p);
    }
    void deallocate(T* p, std::size_t) noexcept { release_bytes(p); }
    template <class U>
    bool operator==(const page_friendly_allocator<U>&) const noexcept { return true; }
    template <class U>
    bool operator!=(const page_friendly_allocator<U>&) const noexcept { return false; }
};

/// Freed blocks of 64 KiB to 16 MiB, kept for the next allocation of about their size. glibc
/// hands blocks of a few hundred KiB back to the kernel when they are freed, so an estimate
/// repeated over a plane's points faulted the pages of its arrays in afresh every time
/// (measured with perf on this project's 2-core VM: 12 % of a one-thread 2-D
/// Kozachenko-Leonenko estimate at N = 16384). At most 16 blocks and 64 MiB are kept, the
/// oldest freed first;
/// a block serves requests of half its size and more. Contents never carry meaning: a
/// vector value-initialises or assigns what it reads.
class block_cache {
public:
    static constexpr std::size_t smallest = std::size_t(64) << 10, largest = std::size_t(16) << 20;
    static constexpr std::size_t most_blocks = 16, most_bytes = std::size_t(64) << 20;
    static constexpr std::size_t header = 64;  // the block's size, keeping 64-byte alignment

    static void* allocate(std::size_t bytes) {
        const std::size_t need = (bytes + header - 1) / header * header + header;
        if (need >= smallest && need <= largest) {
            block_cache& c = instance();
            std::lock_guard<std::mutex> lock(c.mutex_);
            std::size_t best = c.count_;
            for (std::size_t b = 0; b < c.count_; ++b)
                if (c.size_[b] >= need && c.size_[b] / 2 <= need && (best == c.count_ || c.size_[b] < c.size_[best])) best = b;
            if (best < c.count_) {
                char* block = c.block_[best];
                c.total_ -= c.size_[best];
                c.remove(best);
                return block + header;
            }
        }
        auto* block = static_cast<char*>(allocate_aligned_bytes(header, need));
        if (!block) throw std::bad_alloc();
        *reinterpret_cast<std::size_t*>(block) = need;
        return block + header;
    }
    static void release(void* p) noexcept {
        if (!p) return;
        char* block = static_cast<char*>(p) - header;
        const std::size_t size = *reinterpret_cast<std::size_t*>(block);
        if (size >= smallest && size <= largest) {
            block_cache& c = instance();
            std::lock_guard<std::mutex> lock(c.mutex_);
            while (c.count_ > 0 && (c.count_ == most_blocks || c.total_ + size > most_bytes)) {
                release_bytes(c.block_[0]);
                c.total_ -= c.size_[0];
                c.remove(0);
            }
            c.block_[c.count_] = block;
            c.size_[c.count_++] = size;
            c.total_ += size;
            return;
        }
        release_bytes(block);
    }

    /// Frees every kept block (a program that is done estimating can give the memory back).
    static void trim() noexcept {
        block_cache& c = instance();
        std::lock_guard<std::mutex> lock(c.mutex_);
        for (std::size_t b = 0; b < c.count_; ++b) release_bytes(c.block_[b]);
        c.count_ = 0;
        c.total_ = 0;
    }
    /// The blocks and bytes kept now (for tests and memory accounting).
    static std::size_t blocks_kept() {
        block_cache& c = instance();
        std::lock_guard<std::mutex> lock(c.mutex_);
        return c.count_;
    }
    static std::size_t bytes_kept() {
        block_cache& c = instance();
        std::lock_guard<std::mutex> lock(c.mutex_);
        return c.total_;
    }

private:
    block_cache() = default;
    // never destroyed: a vector freed by another static's destructor at exit still finds it
    static block_cache& instance() {
        static block_cache* c = new block_cache;
        return *c;
    }
    void remove(std::size_t b) noexcept {
        for (std::size_t i = b + 1; i < count_; ++i) {
            block_[i - 1] = block_[i];
            size_[i - 1] = size_[i];
        }
        --count_;
    }
    std::mutex mutex_;
    char* block_[most_blocks] = {};
    std::size_t size_[most_blocks] = {};
    std::size_t count_ = 0, total_ = 0;
};

/// std::allocator's interface over block_cache, for the arrays an estimate allocates anew
/// every call (prepared rows, search structures, their temporaries).
template <class T>
struct cached_allocator {
    static_assert(alignof(T) <= block_cache::header, "block_cache aligns to 64 bytes");
    using value_type = T;
    cached_allocator() noexcept = default;
    template <class U>
    cached_allocator(const cached_allocator<U>&) noexcept {}
    T* allocate(std::size_t n) {
        if (n > (~std::size_t(0) - block_cache::header * 2) / sizeof(T)) throw std::bad_alloc();
        return static_cast<T*>(block_cache::allocate(n * sizeof(T)));
    }
    void deallocate(T* p, std::size_t) noexcept { block_cache::release(p); }
    template <class U>
    bool operator==(const cached_allocator<U>&) const noexcept { return true; }
    template <class U>
    bool operator!=(const cached_allocator<U>&) const noexcept { return false; }
};

/// A vector whose storage goes through block_cache.
template <class T>
using cached_vector = std::vector<T, cached_allocator<T>>;

}  // namespace mi::detail

#endif
