# SPDX-License-Identifier: GPL-3.0-or-later
# MPI tests (built with -DLREKMC_MPI=ON; scripts/test-mpi.sh runs them):
# results on 2 and 3 ranks are the bytes of a single process, resume and
# signals keep working under mpirun, and a worker out of memory fails the
# run cleanly (tests/mpi/*.sh).  They start
# several ranks on few cores, so they run alone (RUN_SERIAL).  A serial
# build instead checks that it refuses to be one of several ranks.

if(LREKMC_MPI)
  if(NOT MPIEXEC_EXECUTABLE)
    message(STATUS "MPI tests skipped: no mpiexec found")
  else()
    foreach(kind identical signals nomem)
      add_test(NAME mpi_${kind}
               COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/mpi/${kind}.sh $<TARGET_FILE:lrekmc_cli>
                       ${MPIEXEC_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/data/mpi/${kind}.yaml
                       ${CMAKE_CURRENT_BINARY_DIR}/mpi_${kind})
      set_tests_properties(mpi_${kind} PROPERTIES RUN_SERIAL TRUE TIMEOUT 600 LABELS mpi)
    endforeach()
    # the spatial engine, and disorder in space (both engines)
    foreach(kind space space-disorder)
      string(REPLACE "-" "_" test_kind ${kind})
      add_test(NAME mpi_identical_${test_kind}
               COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/mpi/identical.sh $<TARGET_FILE:lrekmc_cli>
                       ${MPIEXEC_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/data/mpi/identical-${kind}.yaml
                       ${CMAKE_CURRENT_BINARY_DIR}/mpi_identical_${test_kind})
      set_tests_properties(mpi_identical_${test_kind} PROPERTIES RUN_SERIAL TRUE TIMEOUT 600 LABELS mpi)
    endforeach()
  endif()
else()
  add_test(NAME serial_build_refuses_mpi_ranks COMMAND $<TARGET_FILE:lrekmc_cli> --version)
  set_tests_properties(serial_build_refuses_mpi_ranks PROPERTIES ENVIRONMENT "OMPI_COMM_WORLD_SIZE=2"
                       PASS_REGULAR_EXPRESSION "built without MPI.*-DLREKMC_MPI=ON"
                       FAIL_REGULAR_EXPRESSION "^lrekmc [0-9]")
endif()
