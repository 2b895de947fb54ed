# SPDX-License-Identifier: BSD-3-Clause
# mi::native: opt-in -march=native for consumers who build for the machine they
# run on (xsimd then picks the widest instruction set, e.g. AVX-512 instead of
# SSE2). Never part of mi::mi: a binary built with it may not run on an older
# CPU. Other compilers get no flag (MSVC: pass /arch:AVX2 or /arch:AVX512 yourself).
add_library(mi_native INTERFACE)
add_library(mi::native ALIAS mi_native)
set_target_properties(mi_native PROPERTIES EXPORT_NAME native)
target_compile_options(mi_native INTERFACE $<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang,AppleClang>:-march=native>)
