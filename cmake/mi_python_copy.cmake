# SPDX-License-Identifier: BSD-3-Clause
# cmake -DSRC=<python/mi> -DDST=<build/python/mi> -P mi_python_copy.cmake: copies every *.py
# of the package into the build tree (only files that changed, so imports stay cached).
file(GLOB _py RELATIVE ${SRC} ${SRC}/*.py)
file(MAKE_DIRECTORY ${DST})
foreach(_f IN LISTS _py)
  configure_file(${SRC}/${_f} ${DST}/${_f} COPYONLY)
endforeach()
