// SPDX-License-Identifier: BSD-3-Clause
// mi version: the one place it is written; CMake parses these three lines.
#ifndef MI_VERSION_HPP
#define MI_VERSION_HPP

#define MI_VERSION_MAJOR 0
#define MI_VERSION_MINOR 1
#define MI_VERSION_PATCH 0

#endif
