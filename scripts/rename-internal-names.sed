# SPDX-License-Identifier: GPL-3.0-or-later
# For merging branches written before the internal names left the lrk_ prefix
# (issue 12): sed -i -f scripts/rename-internal-names.sed $(git grep -l lrk_ -- src tests).
# Only names declared in src/*.h; public headers are untouched.  Delete once merged.
s/\blrk_key_def\b/config_key_def/g
s/\blrk_key_kind\b/config_key_kind/g
s/\blrk_key_\(count\|at\|find\|is_block\|expectation\|apply\|format\|children\|suggest\)\b/config_key_\1/g
s/\bLRK_KEY_\(REAL\|INT\|LONG\|U64\|BOOL\|ENUM\|STRING\|TMAX\)\b/KEY_\1/g
s/\blrk_format_double\b/config_format_double/g
s/\blrk_parse_number\b/config_parse_number/g
s/\blrk_shown_text\b/config_shown_text/g
s/\blrk_strdup\b/config_strdup/g
s/\blrk_config_report\b/config_report/g
s/\blrk_sweep_axis_free\b/config_sweep_axis_free/g
s/\blrk_sweep_axis_copy\b/config_sweep_axis_copy/g
s/\blrk_sweep_generate\b/config_sweep_generate/g
s/\blrk_summary_\(header\|row\|write\)\b/summary_\1/g
s/\blrk_run_record_\(now\|write\|read_hash\)\b/run_record_\1/g
s/\blrk_run_record\b/run_record/g
s/\blrk_point_state\b/point_state/g
s/\bLRK_POINT_\(PENDING\|KEPT\|COMPUTED\)\b/POINT_\1/g
s/\blrk_loader\b/loader/g
s/\blrk_loader_/loader_/g
s/\bLRK_LOADER_/LOADER_/g
s/\blrk_parallel_launcher_size\b/parallel_launcher_size/g
s/\blrk_point_hasher\b/point_hasher/g
s/\blrk_point_hasher_\(create\|hash\|free\)\b/point_hasher_\1/g
