# SPDX-License-Identifier: GPL-3.0-or-later
# Tests of the plot scripts in analysis/: each runs on synthetic run
# directories (tests/analysis/make_fake_run.py, a ctest fixture) and must
# write a non-empty PNG; bad input must end with exit 2 and one stderr line.
# They need Debian's /usr/bin/python3 with numpy and matplotlib; without
# them the tests are left out (with a note) rather than failing.

set(LREKMC_ANALYSIS_PYTHON /usr/bin/python3)
set(LREKMC_ANALYSIS_OK FALSE)
if(EXISTS ${LREKMC_ANALYSIS_PYTHON})
  execute_process(COMMAND ${LREKMC_ANALYSIS_PYTHON} -c "import numpy, matplotlib"
                  RESULT_VARIABLE lrekmc_analysis_import OUTPUT_QUIET ERROR_QUIET)
  if(lrekmc_analysis_import EQUAL 0)
    set(LREKMC_ANALYSIS_OK TRUE)
  endif()
endif()

if(NOT LREKMC_ANALYSIS_OK)
  message(STATUS "analysis tests skipped: ${LREKMC_ANALYSIS_PYTHON} with numpy and matplotlib not found")
else()
  set(lrekmc_scripts ${PROJECT_SOURCE_DIR}/analysis)
  set(lrekmc_fake ${CMAKE_CURRENT_BINARY_DIR}/analysis_fake)
  set(lrekmc_out ${CMAKE_CURRENT_BINARY_DIR}/analysis_out)
  set(lrekmc_check ${LREKMC_ANALYSIS_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/analysis/check_script.py)
  set(lrekmc_env "MPLCONFIGDIR=${CMAKE_CURRENT_BINARY_DIR}/analysis_mpl;PYTHONDONTWRITEBYTECODE=1")

  add_test(NAME analysis_fake_run
           COMMAND ${LREKMC_ANALYSIS_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/analysis/make_fake_run.py
                   ${lrekmc_fake})
  set_tests_properties(analysis_fake_run PROPERTIES FIXTURES_SETUP lrekmc_analysis_fake
                       ENVIRONMENT "${lrekmc_env}")

  # The reader itself and the formulas the plots draw.
  add_test(NAME analysis_data_reader
           COMMAND ${LREKMC_ANALYSIS_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/analysis/test_data.py
                   ${PROJECT_SOURCE_DIR}/analysis ${lrekmc_fake})
  set_tests_properties(analysis_data_reader PROPERTIES FIXTURES_REQUIRED lrekmc_analysis_fake
                       ENVIRONMENT "${lrekmc_env}" LABELS analysis)

  # lrekmc_analysis_test(NAME png|error ARGS...): one checker run that needs the fixture.
  function(lrekmc_analysis_test name kind)
    add_test(NAME ${name} COMMAND ${lrekmc_check} ${kind} ${ARGN})
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED lrekmc_analysis_fake
                         ENVIRONMENT "${lrekmc_env}" LABELS analysis)
  endfunction()

  # Figures: default output paths, explicit -o, point selection, both modes,
  # the crossover axis, empty KMC columns, first-passage histograms.
  lrekmc_analysis_test(analysis_relaxation_default png
    ${lrekmc_fake}/fluctuations/figures/relaxation.png
    ${lrekmc_scripts}/plot_relaxation.py ${lrekmc_fake}/fluctuations)
  lrekmc_analysis_test(analysis_relaxation_overlay_log png ${lrekmc_out}/relaxation_overlay.png
    ${lrekmc_scripts}/plot_relaxation.py ${lrekmc_fake}/sweep --log -o ${lrekmc_out}/relaxation_overlay.png)
  lrekmc_analysis_test(analysis_relaxation_points png ${lrekmc_out}/relaxation_points.png
    ${lrekmc_scripts}/plot_relaxation.py ${lrekmc_fake}/sweep --points 1,4 -o ${lrekmc_out}/relaxation_points.png)
  lrekmc_analysis_test(analysis_relaxation_no_kmc png ${lrekmc_out}/relaxation_no_kmc.png
    ${lrekmc_scripts}/plot_relaxation.py ${lrekmc_fake}/crossover --points 0,4 -o ${lrekmc_out}/relaxation_no_kmc.png)
  lrekmc_analysis_test(analysis_beta_default png ${lrekmc_fake}/sweep/figures/beta.png
    ${lrekmc_scripts}/plot_beta.py ${lrekmc_fake}/sweep)
  lrekmc_analysis_test(analysis_beta_crossover png ${lrekmc_out}/beta_crossover.png
    ${lrekmc_scripts}/plot_beta.py ${lrekmc_fake}/crossover --logx -o ${lrekmc_out}/beta_crossover.png)
  lrekmc_analysis_test(analysis_beta_crossover_run_yaml png ${lrekmc_out}/beta_crossover_yaml.png
    ${lrekmc_scripts}/plot_beta.py ${lrekmc_fake}/crossover-yaml -o ${lrekmc_out}/beta_crossover_yaml.png)
  lrekmc_analysis_test(analysis_beta_x_T png ${lrekmc_out}/beta_T.png
    ${lrekmc_scripts}/plot_beta.py ${lrekmc_fake}/sweep --x T -o ${lrekmc_out}/beta_T.png)
  lrekmc_analysis_test(analysis_fluctuations_default png
    ${lrekmc_fake}/fluctuations/figures/fluctuations.png
    ${lrekmc_scripts}/plot_fluctuations.py ${lrekmc_fake}/fluctuations)
  # A sweep of anything but N is refused, in one line.
  lrekmc_analysis_test(analysis_fluctuations_not_n_sweep error
    ${lrekmc_scripts}/plot_fluctuations.py ${lrekmc_fake}/sweep -o ${lrekmc_out}/fluctuations_sweep.png)

  # Bad input: every script, a missing directory and a summary without a
  # required column; a few argument errors.
  foreach(script plot_relaxation plot_beta plot_fluctuations)
    lrekmc_analysis_test(analysis_${script}_missing_dir error
      ${lrekmc_scripts}/${script}.py ${lrekmc_fake}/no-such-run)
    lrekmc_analysis_test(analysis_${script}_missing_column error
      ${lrekmc_scripts}/${script}.py ${lrekmc_fake}/broken)
    lrekmc_analysis_test(analysis_${script}_no_summary error
      ${lrekmc_scripts}/${script}.py ${lrekmc_fake}/sweep/points)
    lrekmc_analysis_test(analysis_${script}_bad_option error
      ${lrekmc_scripts}/${script}.py ${lrekmc_fake}/sweep --no-such-option)
    add_test(NAME analysis_${script}_help
             COMMAND ${LREKMC_ANALYSIS_PYTHON} ${lrekmc_scripts}/${script}.py --help)
    set_tests_properties(analysis_${script}_help PROPERTIES ENVIRONMENT "${lrekmc_env}"
                         LABELS analysis PASS_REGULAR_EXPRESSION "RUN_DIR")
  endforeach()
  lrekmc_analysis_test(analysis_relaxation_bad_points error
    ${lrekmc_scripts}/plot_relaxation.py ${lrekmc_fake}/sweep --points 0,99)
  foreach(script plot_relaxation plot_fluctuations)
    lrekmc_analysis_test(analysis_${script}_no_points error
      ${lrekmc_scripts}/${script}.py ${lrekmc_fake}/nopoints)
    lrekmc_analysis_test(analysis_${script}_bad_table error
      ${lrekmc_scripts}/${script}.py ${lrekmc_fake}/badtable)
  endforeach()
  # The same scripts on a real (tiny) run of the program.
  set(lrekmc_real ${CMAKE_CURRENT_BINARY_DIR}/analysis_real)
  add_test(NAME analysis_real_run
           COMMAND $<TARGET_FILE:lrekmc_cli> run ${CMAKE_CURRENT_SOURCE_DIR}/analysis/tiny.yaml
                   -o ${lrekmc_real} --quiet --force)
  set_tests_properties(analysis_real_run PROPERTIES FIXTURES_SETUP lrekmc_analysis_real)
  set(lrekmc_real_n ${CMAKE_CURRENT_BINARY_DIR}/analysis_real_n)
  add_test(NAME analysis_real_n_run
           COMMAND $<TARGET_FILE:lrekmc_cli> run ${CMAKE_CURRENT_SOURCE_DIR}/analysis/tiny-n.yaml
                   -o ${lrekmc_real_n} --quiet --force)
  set_tests_properties(analysis_real_n_run PROPERTIES FIXTURES_SETUP lrekmc_analysis_real_n)
  add_test(NAME analysis_real_n_plot_fluctuations
           COMMAND ${lrekmc_check} png ${lrekmc_out}/real_n_plot_fluctuations.png
                   ${lrekmc_scripts}/plot_fluctuations.py ${lrekmc_real_n}
                   -o ${lrekmc_out}/real_n_plot_fluctuations.png)
  set_tests_properties(analysis_real_n_plot_fluctuations PROPERTIES
                       FIXTURES_REQUIRED lrekmc_analysis_real_n ENVIRONMENT "${lrekmc_env}"
                       LABELS analysis)
  lrekmc_analysis_test(analysis_real_plot_fluctuations_not_n_sweep error
    ${lrekmc_scripts}/plot_fluctuations.py ${lrekmc_real})
  set_tests_properties(analysis_real_plot_fluctuations_not_n_sweep PROPERTIES
                       FIXTURES_REQUIRED "lrekmc_analysis_real")
  foreach(script plot_relaxation plot_beta plot_cer_low_t)
    add_test(NAME analysis_real_${script}
             COMMAND ${lrekmc_check} png ${lrekmc_out}/real_${script}.png
                     ${lrekmc_scripts}/${script}.py ${lrekmc_real} -o ${lrekmc_out}/real_${script}.png)
    set_tests_properties(analysis_real_${script} PROPERTIES FIXTURES_REQUIRED lrekmc_analysis_real
                         ENVIRONMENT "${lrekmc_env}" LABELS analysis)
  endforeach()

  # plot_space.py on a real (tiny) lattice run, and on a run without a lattice.
  set(lrekmc_space ${CMAKE_CURRENT_BINARY_DIR}/analysis_space)
  add_test(NAME analysis_space_run
           COMMAND $<TARGET_FILE:lrekmc_cli> run ${CMAKE_CURRENT_SOURCE_DIR}/analysis/tiny-space.yaml
                   -o ${lrekmc_space} --quiet --force)
  set_tests_properties(analysis_space_run PROPERTIES FIXTURES_SETUP lrekmc_analysis_space)
  foreach(kind beta-del observables cer-low-T)
    add_test(NAME analysis_plot_space_${kind}
             COMMAND ${lrekmc_check} png ${lrekmc_out}/space_${kind}.png
                     ${lrekmc_scripts}/plot_space.py ${kind} ${lrekmc_space} -o ${lrekmc_out}/space_${kind}.png)
    set_tests_properties(analysis_plot_space_${kind} PROPERTIES FIXTURES_REQUIRED lrekmc_analysis_space
                         ENVIRONMENT "${lrekmc_env}" LABELS analysis)
  endforeach()
  set(lrekmc_space_disorder ${CMAKE_CURRENT_BINARY_DIR}/analysis_space_disorder)
  add_test(NAME analysis_space_disorder_run
           COMMAND $<TARGET_FILE:lrekmc_cli> run ${CMAKE_CURRENT_SOURCE_DIR}/analysis/tiny-space-disorder.yaml
                   -o ${lrekmc_space_disorder} --quiet --force)
  set_tests_properties(analysis_space_disorder_run PROPERTIES FIXTURES_SETUP lrekmc_analysis_space_disorder)
  add_test(NAME analysis_plot_space_disorder
           COMMAND ${lrekmc_check} png ${lrekmc_out}/space_disorder.png
                   ${lrekmc_scripts}/plot_space.py disorder ${lrekmc_space_disorder} -o ${lrekmc_out}/space_disorder.png)
  set_tests_properties(analysis_plot_space_disorder PROPERTIES FIXTURES_REQUIRED lrekmc_analysis_space_disorder
                       ENVIRONMENT "${lrekmc_env}" LABELS analysis)
  add_test(NAME analysis_plot_space_error_no_width_sweep
           COMMAND ${lrekmc_check} error ${lrekmc_scripts}/plot_space.py disorder ${lrekmc_space})
  set_tests_properties(analysis_plot_space_error_no_width_sweep PROPERTIES FIXTURES_REQUIRED lrekmc_analysis_space
                       ENVIRONMENT "${lrekmc_env}" LABELS analysis)
  add_test(NAME analysis_plot_space_error_no_L_sweep
           COMMAND ${lrekmc_check} error ${lrekmc_scripts}/plot_space.py beta-L ${lrekmc_space})
  set_tests_properties(analysis_plot_space_error_no_L_sweep PROPERTIES FIXTURES_REQUIRED lrekmc_analysis_space
                       ENVIRONMENT "${lrekmc_env}" LABELS analysis)
  # plot_disorder on a real disorder sweep (and the interaction-alone run
  # above as its second, optional directory); a run without a width sweep
  # is an error.
  set(lrekmc_real_disorder ${CMAKE_CURRENT_BINARY_DIR}/analysis_real_disorder)
  add_test(NAME analysis_real_disorder_run
           COMMAND $<TARGET_FILE:lrekmc_cli> run ${CMAKE_CURRENT_SOURCE_DIR}/analysis/tiny_disorder.yaml
                   -o ${lrekmc_real_disorder} --quiet --force)
  set_tests_properties(analysis_real_disorder_run PROPERTIES FIXTURES_SETUP lrekmc_analysis_real_disorder)
  add_test(NAME analysis_real_plot_disorder
           COMMAND ${lrekmc_check} png ${lrekmc_out}/real_disorder.png
                   ${lrekmc_scripts}/plot_disorder.py ${lrekmc_real_disorder} ${lrekmc_real}
                   -o ${lrekmc_out}/real_disorder.png)
  set_tests_properties(analysis_real_plot_disorder PROPERTIES
                       FIXTURES_REQUIRED "lrekmc_analysis_real_disorder;lrekmc_analysis_real"
                       ENVIRONMENT "${lrekmc_env}" LABELS analysis)
  lrekmc_analysis_test(analysis_plot_disorder_no_width error
    ${lrekmc_scripts}/plot_disorder.py ${lrekmc_fake}/sweep)
  lrekmc_analysis_test(analysis_plot_disorder_missing_dir error
    ${lrekmc_scripts}/plot_disorder.py ${lrekmc_fake}/no-such-run)

  # plot_fit.py on real `lrekmc fit` output: a joint fit (beta(T) panel), a
  # per-curve fit without T, and bad input.
  set(lrekmc_fit_out ${CMAKE_CURRENT_BINARY_DIR}/analysis_fit)
  add_test(NAME analysis_fit_run_ser
           COMMAND $<TARGET_FILE:lrekmc_cli> fit ${CMAKE_CURRENT_SOURCE_DIR}/data/fit/ser.csv
                   --model ser -o ${lrekmc_fit_out}/ser --quiet)
  add_test(NAME analysis_fit_run_kww
           COMMAND $<TARGET_FILE:lrekmc_cli> fit ${CMAKE_CURRENT_SOURCE_DIR}/data/fit/ser.csv
                   --model kww --amplitude -o ${lrekmc_fit_out}/kww --quiet)
  set_tests_properties(analysis_fit_run_ser analysis_fit_run_kww PROPERTIES FIXTURES_SETUP lrekmc_analysis_fit)
  foreach(kind ser kww)
    add_test(NAME analysis_plot_fit_${kind}
             COMMAND ${lrekmc_check} png ${lrekmc_fit_out}/${kind}/fit.png
                     ${lrekmc_scripts}/plot_fit.py ${lrekmc_fit_out}/${kind})
    set_tests_properties(analysis_plot_fit_${kind} PROPERTIES FIXTURES_REQUIRED lrekmc_analysis_fit
                         ENVIRONMENT "${lrekmc_env}" LABELS analysis)
  endforeach()
  foreach(bad no-such-dir sweep)
    add_test(NAME analysis_plot_fit_error_${bad}
             COMMAND ${lrekmc_check} error ${lrekmc_scripts}/plot_fit.py ${lrekmc_fake}/${bad})
    set_tests_properties(analysis_plot_fit_error_${bad} PROPERTIES FIXTURES_REQUIRED lrekmc_analysis_fake
                         ENVIRONMENT "${lrekmc_env}" LABELS analysis)
  endforeach()
  add_test(NAME analysis_plot_fit_bad_option
           COMMAND ${lrekmc_check} error ${lrekmc_scripts}/plot_fit.py ${lrekmc_fit_out}/ser --no-such-option)
  set_tests_properties(analysis_plot_fit_bad_option PROPERTIES FIXTURES_REQUIRED lrekmc_analysis_fit
                       ENVIRONMENT "${lrekmc_env}" LABELS analysis)
  add_test(NAME analysis_plot_fit_help COMMAND ${LREKMC_ANALYSIS_PYTHON} ${lrekmc_scripts}/plot_fit.py --help)
  set_tests_properties(analysis_plot_fit_help PROPERTIES ENVIRONMENT "${lrekmc_env}" LABELS analysis
                       PASS_REGULAR_EXPRESSION "FIT_DIR")

  # plot_cer_low_t needs both protocols' columns, which the synthetic runs lack.
  lrekmc_analysis_test(analysis_cer_low_t_without_both_fits error
    ${lrekmc_scripts}/plot_cer_low_t.py ${lrekmc_fake}/sweep)
  lrekmc_analysis_test(analysis_cer_low_t_missing_dir error
    ${lrekmc_scripts}/plot_cer_low_t.py ${lrekmc_fake}/no-such-run)
  add_test(NAME analysis_plot_cer_low_t_help
           COMMAND ${LREKMC_ANALYSIS_PYTHON} ${lrekmc_scripts}/plot_cer_low_t.py --help)
  set_tests_properties(analysis_plot_cer_low_t_help PROPERTIES ENVIRONMENT "${lrekmc_env}"
                       LABELS analysis PASS_REGULAR_EXPRESSION "RUN_DIR")

  lrekmc_analysis_test(analysis_beta_summary_only png ${lrekmc_out}/beta_nopoints.png
    ${lrekmc_scripts}/plot_beta.py ${lrekmc_fake}/nopoints -o ${lrekmc_out}/beta_nopoints.png)
endif()

# The driver of the paper figures: at least its argument handling (a full
# run is minutes of simulation, not a unit test).
add_test(NAME analysis_make_figures_help COMMAND bash ${PROJECT_SOURCE_DIR}/analysis/make_figures.sh --help)
set_tests_properties(analysis_make_figures_help PROPERTIES LABELS analysis
                     PASS_REGULAR_EXPRESSION "plots-only")

# Every shipped configuration is valid.
file(GLOB lrekmc_configs ${PROJECT_SOURCE_DIR}/configs/*.yaml)
foreach(config ${lrekmc_configs})
  get_filename_component(name ${config} NAME_WE)
  add_test(NAME config_check_${name} COMMAND $<TARGET_FILE:lrekmc_cli> check ${config})
endforeach()

# The outputs read unchanged with pandas (when Debian's python3-pandas is there).
execute_process(COMMAND /usr/bin/python3 -c "import pandas" RESULT_VARIABLE lrekmc_no_pandas
                OUTPUT_QUIET ERROR_QUIET)
if(LREKMC_ANALYSIS_OK AND lrekmc_no_pandas EQUAL 0)
  add_test(NAME outputs_read_with_pandas
           COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/analysis/read_with_pandas.py
                   ${CMAKE_CURRENT_BINARY_DIR}/analysis_real)
  set_tests_properties(outputs_read_with_pandas PROPERTIES FIXTURES_REQUIRED lrekmc_analysis_real)
else()
  message(STATUS "pandas test skipped: /usr/bin/python3 cannot import pandas")
endif()
