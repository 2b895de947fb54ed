# Overlay port that builds from this source tree (header-only: installs the
# headers, the CMake package and mi.pc, nothing to compile):
#   vcpkg install mi --overlay-ports=<mi>/packaging/vcpkg/ports
#   vcpkg install "mi[linalg]" --overlay-ports=<mi>/packaging/vcpkg/ports
# A registry port would replace SOURCE_PATH by vcpkg_from_github(... REF "v${VERSION}").
get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../../../.." ABSOLUTE)

# The version is written once, in include/mi/version.hpp; vcpkg.json must agree
# (also checked by mi's packaging_versions test).
file(STRINGS "${SOURCE_PATH}/include/mi/version.hpp" mi_version_lines REGEX "#define MI_VERSION_(MAJOR|MINOR|PATCH)")
string(REGEX REPLACE ".*MAJOR ([0-9]+).*MINOR ([0-9]+).*PATCH ([0-9]+).*" "\\1.\\2.\\3" mi_version "${mi_version_lines}")
if(NOT mi_version STREQUAL VERSION)
  message(FATAL_ERROR "vcpkg.json says ${VERSION}, include/mi/version.hpp says ${mi_version}")
endif()

# The linalg feature decides whether xtensor-blas/BLAS/LAPACK are looked for:
# MI_WITH_LINALG=ON requires them (installing mi::linalg), OFF skips the search.
vcpkg_check_features(OUT_FEATURE_OPTIONS FEATURE_OPTIONS FEATURES linalg MI_WITH_LINALG)

set(VCPKG_BUILD_TYPE release)
vcpkg_cmake_configure(
    SOURCE_PATH "${SOURCE_PATH}"
    OPTIONS -DMI_BUILD_TESTS=OFF -DMI_BUILD_EXAMPLES=OFF -DMI_BUILD_BENCH=OFF ${FEATURE_OPTIONS}
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(CONFIG_PATH share/cmake/mi)
vcpkg_fixup_pkgconfig()
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/lib" "${CURRENT_PACKAGES_DIR}/debug")
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
