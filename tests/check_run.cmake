# SPDX-License-Identifier: GPL-3.0-or-later
# "What check accepts, run runs": tests/check_run_agree.py drives the CLI over
# the configurations that once broke it and 40 random small ones (fixed
# seed), asserting run, resume and verify for every one check accepts.  Only
# Python's standard library is needed.
find_program(LREKMC_CHECK_RUN_PYTHON python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(LREKMC_CHECK_RUN_PYTHON)
  add_test(NAME check_run_agree
           COMMAND ${LREKMC_CHECK_RUN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/check_run_agree.py
                   $<TARGET_FILE:lrekmc_cli> ${CMAKE_CURRENT_BINARY_DIR}/check_run_agree 40)
  # Under the sanitizers (a Debug build, ~10-30x slower) a command may take
  # longer before it counts as hung: the master-equation case alone takes
  # ~2 s in Release and over 120 s instrumented on a loaded machine.
  if(LREKMC_SANITIZE)
    set_tests_properties(check_run_agree PROPERTIES TIMEOUT 1500 ENVIRONMENT CHECK_RUN_TIMEOUT=900)
  else()
    set_tests_properties(check_run_agree PROPERTIES TIMEOUT 600)
  endif()
else()
  message(STATUS "check_run_agree skipped: needs /usr/bin/python3")
endif()
