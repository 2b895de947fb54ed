# Overlay port that builds from this source tree (header-only: installs the
# headers and the CMake package, nothing to compile):
#   vcpkg install mi --overlay-ports=<mi>/packaging/vcpkg/ports
# A registry port would replace SOURCE_PATH by vcpkg_from_github(... REF "v${VERSION}").
get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../../../.." ABSOLUTE)
set(VCPKG_BUILD_TYPE release)
vcpkg_cmake_configure(
    SOURCE_PATH "${SOURCE_PATH}"
    OPTIONS -DMI_BUILD_TESTS=OFF -DMI_BUILD_EXAMPLES=OFF -DMI_BUILD_BENCH=OFF
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(CONFIG_PATH share/cmake/mi)
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/lib" "${CURRENT_PACKAGES_DIR}/debug")
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
