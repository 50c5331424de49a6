# SPDX-License-Identifier: GPL-3.0-or-later
# Oracle test for the PCG generators: lrekmc's C implementation against the
# reference pcg-cpp (Debian: libpcg-cpp-dev), output for output.  Optional:
# built only when a C++ compiler and pcg_random.hpp are both found, so the
# library itself stays C-only.
include(CheckLanguage)
check_language(CXX)
find_path(LREKMC_PCG_CPP_INCLUDE_DIR pcg_random.hpp PATHS /usr/include)

if(CMAKE_CXX_COMPILER AND LREKMC_PCG_CPP_INCLUDE_DIR)
  enable_language(CXX)
  add_executable(test_rng_oracle ${CMAKE_CURRENT_LIST_DIR}/test_rng_oracle.cpp)
  # pcg-cpp's pcg64 is built on unsigned __int128, a GNU extension: C++ with
  # extensions (gnu++17) keeps the header on its native 128-bit path.
  set_target_properties(test_rng_oracle PROPERTIES CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON
                                                   CXX_EXTENSIONS ON)
  target_include_directories(test_rng_oracle SYSTEM PRIVATE ${LREKMC_PCG_CPP_INCLUDE_DIR})
  target_link_libraries(test_rng_oracle PRIVATE lrekmc PkgConfig::CRITERION)
  # The project's warning flags are set for C; two of them are C-only and make
  # g++ warn "valid for C/ObjC but not for C++", an error under
  # LREKMC_WERROR.  Drop just those two for this C++ target.
  get_target_property(lrekmc_oracle_options test_rng_oracle COMPILE_OPTIONS)
  if(lrekmc_oracle_options)
    list(REMOVE_ITEM lrekmc_oracle_options -Wstrict-prototypes -Wmissing-prototypes)
    set_target_properties(test_rng_oracle PROPERTIES COMPILE_OPTIONS "${lrekmc_oracle_options}")
  endif()
  add_test(NAME test_rng_oracle COMMAND test_rng_oracle --jobs 1)
else()
  message(STATUS "PCG oracle test skipped: needs a C++ compiler and pcg_random.hpp (libpcg-cpp-dev)")
endif()
