# SPDX-License-Identifier: GPL-3.0-or-later
# The pytest suite of the Python package, one ctest test per file (so ctest
# -j runs them side by side), against the package assembled in BUILD/python
# and the CLI of the same build.
execute_process(COMMAND ${Python3_EXECUTABLE} -c "import pytest, pandas, matplotlib"
                RESULT_VARIABLE lrekmc_no_pytest OUTPUT_QUIET ERROR_QUIET)
if(NOT lrekmc_no_pytest EQUAL 0)
  message(STATUS "Python package tests skipped: ${Python3_EXECUTABLE} lacks pytest, pandas or "
                 "matplotlib (scripts/install-deps.sh)")
  return()
endif()
set(lrekmc_python_env
    "PYTHONPATH=${CMAKE_BINARY_DIR}/python"
    "LREKMC_CLI=$<TARGET_FILE:lrekmc_cli>"
    "LREKMC_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
    "MPLBACKEND=Agg"
    "MPLCONFIGDIR=${CMAKE_CURRENT_BINARY_DIR}/mpl"
    "PYTHONDONTWRITEBYTECODE=1"
    "OMP_NUM_THREADS=2")
file(GLOB lrekmc_python_tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/tests/test_*.py)
if(NOT LREKMC_PYTHON_FIT_MODEL)
  list(FILTER lrekmc_python_tests EXCLUDE REGEX "test_fit_model\\.py$")
endif()
foreach(test ${lrekmc_python_tests})
  get_filename_component(name ${test} NAME_WE)
  add_test(NAME python_${name}
           COMMAND ${Python3_EXECUTABLE} -m pytest -q -p no:cacheprovider
                   ${test} ${CMAKE_CURRENT_SOURCE_DIR}/tests/conftest.py
           WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(python_${name} PROPERTIES ENVIRONMENT "${lrekmc_python_env}"
                       LABELS python)
endforeach()

# The tutorial notebook runs top to bottom (nbclient through nbconvert); a
# failing cell fails the test.  Its output goes to the build tree.
execute_process(COMMAND ${Python3_EXECUTABLE} -c "import nbconvert, nbclient, ipykernel"
                RESULT_VARIABLE lrekmc_no_nbconvert OUTPUT_QUIET ERROR_QUIET)
if(lrekmc_no_nbconvert EQUAL 0)
  add_test(NAME python_tutorial_notebook
           COMMAND ${Python3_EXECUTABLE} -m nbconvert --to notebook --execute
                   --ExecutePreprocessor.timeout=300 --output-dir ${CMAKE_CURRENT_BINARY_DIR}/notebook
                   ${PROJECT_SOURCE_DIR}/analysis/tutorial.ipynb)
  set_tests_properties(python_tutorial_notebook PROPERTIES
                       ENVIRONMENT "${lrekmc_python_env};PYDEVD_DISABLE_FILE_VALIDATION=1"
                       LABELS python)
else()
  message(STATUS "tutorial notebook test skipped: nbconvert, nbclient or ipykernel missing")
endif()
