# SPDX-License-Identifier: GPL-3.0-or-later
# Tests of the random streams (streams.h) that need the test hook of
# src/streams.c (LREKMC_TEST_HOOKS: the seeding before issue 10, to show that
# the tests detect it) or an outside program: NumPy as the oracle of the
# derivation, dieharder on interleaved trajectory streams.  The hook is
# compiled only into these test programs: their own copy of src/streams.c
# takes precedence over the library's member for every streams.h symbol.
set(LREKMC_STREAMS_HOOKED ${PROJECT_SOURCE_DIR}/src/streams.c)

add_executable(streams_tool ${CMAKE_CURRENT_LIST_DIR}/streams_tool.c ${LREKMC_STREAMS_HOOKED})
target_compile_definitions(streams_tool PRIVATE LREKMC_TEST_HOOKS=1)
target_link_libraries(streams_tool PRIVATE lrekmc)

if(TARGET test_streams)
  target_sources(test_streams PRIVATE ${LREKMC_STREAMS_HOOKED})
  target_compile_definitions(test_streams PRIVATE LREKMC_TEST_HOOKS=1)
endif()

find_program(LREKMC_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(LREKMC_PYTHON3)
  execute_process(COMMAND ${LREKMC_PYTHON3} -c "import numpy" RESULT_VARIABLE lrekmc_no_numpy
                  OUTPUT_QUIET ERROR_QUIET)
endif()
if(LREKMC_PYTHON3 AND lrekmc_no_numpy EQUAL 0)
  add_test(NAME test_streams_numpy
           COMMAND ${LREKMC_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/streams_numpy.py $<TARGET_FILE:streams_tool>)
else()
  message(STATUS "NumPy oracle of the streams skipped: needs /usr/bin/python3 with numpy")
endif()

find_program(LREKMC_DIEHARDER dieharder)
if(LREKMC_DIEHARDER)
  add_test(NAME test_streams_dieharder
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/streams_dieharder.sh ${LREKMC_DIEHARDER}
                   $<TARGET_FILE:streams_tool>)
else()
  message(STATUS "dieharder test of the streams skipped: needs dieharder")
endif()
