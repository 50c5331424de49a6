# SPDX-License-Identifier: GPL-3.0-or-later
# Whether to build the Python package (LREKMC_PYTHON = AUTO | ON | OFF).
# It needs Debian's /usr/bin/python3 with its headers (python3-dev) and
# cython3.  A sanitizer build leaves it out: an instrumented module cannot be
# loaded into an uninstrumented interpreter.
if(NOT LREKMC_PYTHON STREQUAL "OFF" AND LREKMC_SANITIZE)
  if(LREKMC_PYTHON STREQUAL "ON")
    message(FATAL_ERROR "LREKMC_PYTHON=ON cannot be combined with LREKMC_SANITIZE=ON")
  endif()
  message(STATUS "Python package: left out of the sanitizer build")
elseif(NOT LREKMC_PYTHON STREQUAL "OFF")
  if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
    set(Python3_EXECUTABLE /usr/bin/python3)
  endif()
  find_package(Python3 3.9 COMPONENTS Interpreter Development.Module)
  find_program(LREKMC_CYTHON NAMES cython3 cython)
  if(Python3_FOUND AND LREKMC_CYTHON)
    message(STATUS "Python package: ${Python3_EXECUTABLE} ${Python3_VERSION}, ${LREKMC_CYTHON}")
    add_subdirectory(python)
  elseif(LREKMC_PYTHON STREQUAL "ON")
    message(FATAL_ERROR "LREKMC_PYTHON=ON: python3-dev and cython3 are needed (scripts/install-deps.sh)")
  else()
    message(STATUS "Python package: skipped (python3-dev or cython3 not found; scripts/install-deps.sh)")
  endif()
endif()
