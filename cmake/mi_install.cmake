# SPDX-License-Identifier: BSD-3-Clause
# The installed package: headers, the CMake package (mi::mi, mi::native and,
# when built, the linalg component in its own export file so that a consumer
# without xtensor-blas/BLAS/LAPACK can still use mi::mi), mi.pc and the license.
# Every installed file is relocatable: paths are relative to the file itself
# (PACKAGE_PREFIX_DIR, ${pcfiledir}); the package test greps for absolute ones.
set(MI_CMAKE_DIR "${CMAKE_INSTALL_DATADIR}/cmake/mi")
install(DIRECTORY include/mi DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS mi mi_native EXPORT miTargets)
install(EXPORT miTargets NAMESPACE mi:: DESTINATION ${MI_CMAKE_DIR})
if(MI_HAVE_LINALG)
  install(TARGETS mi_linalg EXPORT miLinalgTargets)
  install(EXPORT miLinalgTargets NAMESPACE mi:: DESTINATION ${MI_CMAKE_DIR})
endif()
configure_package_config_file(cmake/miConfig.cmake.in
  "${CMAKE_CURRENT_BINARY_DIR}/miConfig.cmake"
  INSTALL_DESTINATION ${MI_CMAKE_DIR})
write_basic_package_version_file("${CMAKE_CURRENT_BINARY_DIR}/miConfigVersion.cmake"
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/miConfig.cmake"
              "${CMAKE_CURRENT_BINARY_DIR}/miConfigVersion.cmake"
        DESTINATION ${MI_CMAKE_DIR})

# pkg-config: arch-independent, so under share/; the prefix is found from the
# .pc file's own location. Debian ships xtensor.pc, xsimd.pc and xtl.pc.
set(MI_PKGCONFIG_DIR "${CMAKE_INSTALL_DATADIR}/pkgconfig")
file(RELATIVE_PATH MI_PC_TO_PREFIX "/_prefix/${MI_PKGCONFIG_DIR}" "/_prefix")
string(REGEX REPLACE "/$" "" MI_PC_TO_PREFIX "${MI_PC_TO_PREFIX}")
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  message(FATAL_ERROR "mi: CMAKE_INSTALL_INCLUDEDIR must be relative to the prefix for a relocatable mi.pc")
endif()
configure_file(cmake/mi.pc.in "${CMAKE_CURRENT_BINARY_DIR}/mi.pc" @ONLY)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/mi.pc" DESTINATION ${MI_PKGCONFIG_DIR})

install(FILES LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/licenses/mi)
