# SPDX-License-Identifier: GPL-3.0-or-later
# cython: language_level=3, embedsignature=True
"""lrekmc._core - the compiled binding of liblrekmc (C library of the CLI).

What lives here is only what must touch C: loading and validating a
configuration (config.h), computing one point without the GIL (point.h),
running a campaign into a run directory (campaign.h) and the KWW fit
(fit.h).  Tables come back as the CSV text of the library's own writers,
so every number is the one the command-line program writes; the Python
modules of the package turn them into pandas objects.  Users import
``lrekmc``, not this module.
"""

from libc.stdint cimport uint64_t
from libc.stdio cimport FILE, fclose
from libc.stdlib cimport free, malloc
from libc.string cimport memset

import threading
import warnings

cimport cython

cdef extern from "stdio.h":
    FILE *open_memstream(char **ptr, size_t *size)

cdef extern from "_interrupt.h":
    ctypedef int lrekmc_py_flag  # volatile sig_atomic_t
    lrekmc_py_flag *lrekmc_py_catch_sigint(lrekmc_py_flag *own)
    void lrekmc_py_release_sigint()

cdef extern from "lrekmc/status.h":
    ctypedef enum lrk_status:
        LRK_OK
        LRK_ERR_INVALID
        LRK_ERR_NOMEM
        LRK_ERR_IO
        LRK_ERR_NUMERIC
        LRK_ERR_NOCONVERGE
        LRK_ERR_INTERRUPTED
    ctypedef struct lrk_error:
        char message[1024]
    const char *lrk_status_name(lrk_status status)

cdef extern from "lrekmc/version.h":
    const char *lrk_version()
    const char *lrk_git_revision()

cdef extern from "lrekmc/config.h":
    ctypedef struct lrk_config:
        pass
    ctypedef struct lrk_diagnostics:
        size_t count
        char **messages
    void lrk_diagnostics_init(lrk_diagnostics *d)
    void lrk_diagnostics_free(lrk_diagnostics *d)
    void lrk_config_defaults(lrk_config *c)
    lrk_status lrk_config_load_file(lrk_config *c, const char *path, lrk_diagnostics *d)
    lrk_status lrk_config_load_string(lrk_config *c, const char *name, const char *data, size_t size,
                                      lrk_diagnostics *d)
    lrk_status lrk_config_set(lrk_config *c, const char *assignment, lrk_diagnostics *d)
    lrk_status lrk_config_validate(lrk_config *c, lrk_diagnostics *d)
    size_t lrk_config_sweep_point_count(const lrk_config *c)
    lrk_status lrk_config_sweep_point(lrk_config *point, const lrk_config *base, size_t index,
                                      lrk_diagnostics *d)
    int lrk_config_equal(const lrk_config *a, const lrk_config *b)
    const char *lrk_config_key_name(size_t i)
    int lrk_config_key_describe(size_t i, char *buf, size_t size)
    lrk_status lrk_config_emit(const lrk_config *c, FILE *out, lrk_error *err)
    lrk_status lrk_config_copy(lrk_config *dst, const lrk_config *src)
    void lrk_config_free(lrk_config *c)

cdef extern from "lrekmc/kmc.h":
    ctypedef void (*lrk_kmc_progress_fn)(void *user, long trajectories_done, uint64_t events_done)
    ctypedef struct lrk_kmc_result:
        uint64_t events

cdef extern from "lrekmc/fit.h":
    ctypedef struct lrk_kww_fit:
        int converged
        double beta, tau, beta_err, tau_err, rms_residual, max_residual, chi2_dof
        size_t iterations, points
    lrk_status lrk_kww_fit_points(const double *t, const double *q, const double *sigma, size_t count,
                                  lrk_kww_fit *out, lrk_error *err) nogil

cdef extern from "lrekmc/point.h":
    ctypedef struct lrk_run_control:
        lrekmc_py_flag *stop
        lrk_kmc_progress_fn progress
        void *progress_data
        int threads
        FILE *first_passage_out
        FILE *warnings
    ctypedef struct lrk_point_fit:
        lrk_kww_fit fit
        size_t batches_converged
        double beta_batch_err, tau_batch_err, beta_spread, tau_spread
    ctypedef struct lrk_point:
        lrk_point_fit ode
        lrk_point_fit kmc_fit
        lrk_kmc_result *kmc
    lrk_status lrk_point_compute(const lrk_config *c, const lrk_run_control *control, lrk_point *p,
                                 lrk_error *err) nogil
    void lrk_point_free(lrk_point *p)
    void lrk_point_write_relaxation(const lrk_point *p, FILE *out)
    void lrk_point_write_levels(const lrk_point *p, FILE *out)
    int LRK_POINT_SPACE_TABLES
    const char *lrk_point_space_tables[]
    int lrk_point_has_space(const lrk_point *p)
    lrk_status lrk_point_write_space(const lrk_point *p, size_t table, FILE *out, lrk_error *err)
    char *lrk_point_summary_csv(const lrk_config *base, size_t k, const lrk_config *point_config,
                                const lrk_point *p)
    double lrk_point_event_estimate(const lrk_config *c)
    const char *lrk_point_column(const char *file, size_t i, const char **doc)

cdef extern from "lrekmc/rundir.h":
    ctypedef void (*lrk_notice_fn)(void *user, const char *message)
    ctypedef struct lrk_verify_report:
        size_t points_finished, points_outdated, points_unfinished, problems
    lrk_status lrk_run_dir_verify(const char *dir, lrk_notice_fn notice, void *user,
                                  lrk_verify_report *report, lrk_error *err) nogil

cdef extern from "lrekmc/campaign.h":
    ctypedef struct lrk_campaign_progress:
        const char *phase
        size_t point, points_done, point_count
        long trajectories_done, trajectories
        double events_done, events_total, seconds
    ctypedef void (*lrk_campaign_progress_fn)(void *user, const lrk_campaign_progress *state)
    ctypedef struct lrk_campaign_options:
        const char *output_dir
        int threads
        int force
        const char *command_line
        lrekmc_py_flag *stop
        lrk_campaign_progress_fn progress
        void *progress_user
        lrk_notice_fn notice
        void *notice_user
    ctypedef struct lrk_campaign_report:
        size_t point_count, points_computed, points_kept
        char *output_dir
    const char *lrk_summary_column(size_t i, const char **doc)
    lrk_status lrk_campaign_run(const lrk_config *base, const lrk_campaign_options *options,
                                lrk_campaign_report *report, lrk_error *err) nogil
    void lrk_campaign_report_free(lrk_campaign_report *report)

cdef extern from "Python.h":
    int PyErr_CheckSignals() except -1


__version__ = lrk_version().decode()
git_revision = lrk_git_revision().decode()


class ConfigError(ValueError):
    """A configuration the library refuses.

    ``messages`` holds every problem found, one string each, exactly as
    ``lrekmc check`` prints them (``FILE:LINE:COLUMN: ...`` for the file,
    ``--set KEY: ...`` for an override); ``str(error)`` is all of them, one
    per line.  ``source`` is the YAML text the positions refer to when the
    configuration came from a string or a dict (None for a file)."""

    def __init__(self, messages, source=None):
        self.messages = list(messages)
        self.source = source
        super().__init__("\n".join(self.messages))


class LrekmcError(RuntimeError):
    """A computation or a run directory failed (disk, numerics); the message
    is the library's and names the path or the parameter."""


cdef list _diagnostics_list(lrk_diagnostics *d):
    return [d.messages[i].decode("utf-8", "replace") for i in range(d.count)]


cdef class _Config:
    """A resolved, validated configuration held by the C library.

    Use ``lrekmc.Config.load``; this is its compiled core."""

    cdef lrk_config c
    cdef int ready
    cdef readonly object base        # the campaign this point comes from (or None)
    cdef readonly Py_ssize_t index   # its point number in the campaign
    cdef readonly object source      # YAML text for string / dict input, else None
    cdef readonly object name        # file name or "<string>" / "<dict>"

    def __cinit__(self):
        self.ready = 0
        self.base = None
        self.index = 0

    def __dealloc__(self):
        if self.ready:
            lrk_config_free(&self.c)

    @staticmethod
    def _load(name, text, assignments):
        """Load a file (text None) or YAML text, apply the ``KEY=VALUE``
        assignments and validate, like ``lrekmc check FILE --set ...``.
        Raises ConfigError with every message."""
        cdef _Config self = _Config.__new__(_Config)
        cdef lrk_diagnostics d
        cdef lrk_status status, one
        cdef bytes bname = str(name).encode()
        cdef bytes btext
        lrk_diagnostics_init(&d)
        lrk_config_defaults(&self.c)
        self.ready = 1
        self.name = str(name)
        self.source = text
        try:
            if text is None:
                status = lrk_config_load_file(&self.c, bname, &d)
            else:
                btext = text.encode()
                status = lrk_config_load_string(&self.c, bname, btext, len(btext), &d)
            if status == LRK_OK or status == LRK_ERR_INVALID:
                for assignment in assignments:
                    one = lrk_config_set(&self.c, assignment.encode(), &d)
                    if status == LRK_OK:
                        status = one
            if status == LRK_OK:
                status = lrk_config_validate(&self.c, &d)
            if status == LRK_ERR_NOMEM:
                raise MemoryError("configuration: out of memory")
            if status != LRK_OK:
                messages = _diagnostics_list(&d)
                raise ConfigError(messages or [f"{name}: {lrk_status_name(status).decode()}"], text)
        finally:
            lrk_diagnostics_free(&d)
        return self

    def _yaml(self):
        """The resolved configuration as YAML, as ``lrekmc check`` prints it."""
        cdef char *buffer = NULL
        cdef size_t size = 0
        cdef lrk_error err
        cdef FILE *out = open_memstream(&buffer, &size)
        if out == NULL:
            raise MemoryError("out of memory")
        status = lrk_config_emit(&self.c, out, &err)
        fclose(out)
        try:
            if status != LRK_OK:
                raise LrekmcError(err.message.decode())
            return buffer[:size].decode()
        finally:
            free(buffer)

    def _point_count(self):
        """Points of the sweep (1 without a sweep)."""
        return lrk_config_sweep_point_count(&self.c)

    def _point(self, Py_ssize_t k):
        """Point k of the sweep as a configuration without a sweep."""
        cdef _Config point = _Config.__new__(_Config)
        cdef lrk_diagnostics d
        cdef Py_ssize_t count = lrk_config_sweep_point_count(&self.c)
        if k < 0 or k >= count:
            raise IndexError(f"point {k}: the campaign has points 0 .. {count - 1}")
        lrk_diagnostics_init(&d)
        status = lrk_config_sweep_point(&point.c, &self.c, k, &d)
        point.ready = 1
        try:
            if status != LRK_OK:
                raise ConfigError(_diagnostics_list(&d), self.source)
        finally:
            lrk_diagnostics_free(&d)
        point.base = self
        point.index = k
        point.name = self.name
        point.source = self.source
        return point

    def _equal(self, _Config other):
        return bool(lrk_config_equal(&self.c, &other.c))

    def _event_estimate(self):
        return lrk_point_event_estimate(&self.c)


def columns(table):
    """[(column, doc line)] of "summary" (its fixed columns, after point and
    the swept keys), "relaxation" or "levels", from the library's one
    column table per file (the writers use the same tables)."""
    cdef const char *doc = NULL
    cdef const char *name
    cdef size_t i = 0
    cdef bytes file = (str(table) + ".csv").encode()
    out = []
    while True:
        name = lrk_summary_column(i, &doc) if table == "summary" else lrk_point_column(file, i, &doc)
        if name == NULL:
            break
        out.append((name.decode(), doc.decode() if doc != NULL else ""))
        i += 1
    if not out:
        raise ValueError(f"columns: table is 'summary', 'relaxation' or 'levels', not {table!r}")
    return out


def key_reference():
    """[(dotted key, what it accepts and means)] for every scalar key, in the
    library's table order (``lrekmc check --help`` prints the same)."""
    cdef char buffer[512]
    out = []
    cdef size_t i = 0
    while lrk_config_key_name(i) != NULL:
        lrk_config_key_describe(i, buffer, sizeof(buffer))
        out.append((lrk_config_key_name(i).decode(), buffer.decode()))
        i += 1
    return out


cdef str _stream_text(void (*write)(const lrk_point *, FILE *), const lrk_point *p):
    cdef char *buffer = NULL
    cdef size_t size = 0
    cdef FILE *out = open_memstream(&buffer, &size)
    if out == NULL:
        raise MemoryError("out of memory")
    write(p, out)
    if fclose(out) != 0:
        free(buffer)
        raise MemoryError("out of memory")
    try:
        return buffer[:size].decode()
    finally:
        free(buffer)


cdef dict _space_texts(const lrk_point *p):
    """The spatial tables of a point in space ({} without them): the bytes
    of points/<k>/<name>.csv."""
    cdef char *buffer = NULL
    cdef size_t size = 0
    cdef FILE *out
    cdef lrk_error err
    cdef lrk_status status
    texts = {}
    if not lrk_point_has_space(p):
        return texts
    for i in range(LRK_POINT_SPACE_TABLES):
        buffer = NULL
        size = 0
        out = open_memstream(&buffer, &size)
        if out == NULL:
            raise MemoryError("out of memory")
        status = lrk_point_write_space(p, i, out, &err)
        if fclose(out) != 0 or status != LRK_OK:
            free(buffer)
            raise MemoryError(err.message.decode() if status != LRK_OK else "out of memory")
        try:
            texts[lrk_point_space_tables[i].decode()] = buffer[:size].decode()
        finally:
            free(buffer)
    return texts


cdef dict _fit_dict(const lrk_point_fit *f, int with_batches):
    cdef const lrk_kww_fit *k = &f.fit
    out = dict(converged=bool(k.converged), beta=k.beta, tau=k.tau, beta_err=k.beta_err,
               tau_err=k.tau_err, rms_residual=k.rms_residual, max_residual=k.max_residual,
               chi2_dof=k.chi2_dof, iterations=k.iterations, points=k.points)
    if with_batches:
        out.update(batches_converged=f.batches_converged, beta_batch_err=f.beta_batch_err,
                   tau_batch_err=f.tau_batch_err, beta_spread=f.beta_spread,
                   tau_spread=f.tau_spread)
    return out


cdef class _Progress:
    """What a progress callback run from a library thread needs: the user's
    callable, and the first exception it raised (re-raised by the caller)."""
    cdef object callback
    cdef object error
    cdef lrekmc_py_flag *stop


cdef void _kmc_progress(void *user, long trajectories_done, uint64_t events_done) with gil:
    cdef _Progress holder = <_Progress>user
    if holder.error is not None:
        return
    try:
        holder.callback(trajectories_done, events_done)
    except BaseException as exc:  # stop the run; the caller re-raises
        holder.error = exc
        holder.stop[0] = 1


cdef void _campaign_progress(void *user, const lrk_campaign_progress *state) with gil:
    cdef _Progress holder = <_Progress>user
    if holder.error is not None:
        return
    try:
        holder.callback(dict(phase=state.phase.decode() if state.phase != NULL else None,
                             point=state.point, points_done=state.points_done,
                             point_count=state.point_count,
                             trajectories_done=state.trajectories_done,
                             trajectories=state.trajectories, events_done=state.events_done,
                             events_total=state.events_total, seconds=state.seconds))
    except BaseException as exc:
        holder.error = exc
        holder.stop[0] = 1


cdef void _notice(void *user, const char *message) with gil:
    """A line about the run directory (rundir.h): appended to the list."""
    (<list>user).append(message.decode("utf-8", "replace"))


def verify(directory):
    """lrk_run_dir_verify: (points_finished, points_outdated, points_unfinished, problems,
    [every problem, naming its file]); changes nothing."""
    cdef lrk_verify_report report
    cdef lrk_error err
    cdef lrk_status status
    cdef bytes bdir = str(directory).encode()
    cdef list lines = []
    cdef const char *cdir = bdir
    cdef void *user = <void *>lines
    err.message[0] = 0
    memset(&report, 0, sizeof(report))
    with nogil:
        status = lrk_run_dir_verify(cdir, _notice, user, &report, &err)
    if status != LRK_OK:
        raise OSError(err.message.decode())
    return report.points_finished, report.points_outdated, report.points_unfinished, report.problems, lines


cdef lrekmc_py_flag *_catch(lrekmc_py_flag *own):
    if threading.current_thread() is threading.main_thread():
        return lrekmc_py_catch_sigint(own)
    return own


cdef _after_interrupt(lrekmc_py_flag *flag, lrekmc_py_flag *own):
    """Called with the GIL after the library stopped on the flag: let Python
    run its SIGINT handler (normally raising KeyboardInterrupt)."""
    PyErr_CheckSignals()  # raises what Python's handler raises
    raise KeyboardInterrupt()


def compute(_Config config, int threads, progress, bint first_passage=False):
    """Compute one point (config without a sweep, or a sweep point) with the
    GIL released.  Returns a dict of CSV texts (relaxation, levels, summary:
    the bytes of the CLI's files; with first_passage, the per-trajectory rows
    the library streams when output.trajectories is true; for a point in
    space the spatial tables correlation, snapshots, avalanches, local_q) and
    the two fits as dicts.  progress: None or a callable(trajectories_done, events_done)."""
    cdef lrk_point p
    cdef lrk_error err
    cdef lrk_run_control control
    cdef lrk_status status
    cdef lrekmc_py_flag own = 0
    cdef lrekmc_py_flag *flag
    cdef _Progress holder = _Progress()
    cdef _Config base = config.base if config.base is not None else config
    cdef size_t k = config.index
    if config._point_count() != 1 and config.base is None:
        raise ValueError(f"{config.name}: the configuration has a sweep of {config._point_count()} "
                         "points; compute one with config.point(k), all with lrekmc.compute_all, "
                         "or use lrekmc.run")
    cdef char *rows = NULL
    cdef size_t rows_size = 0
    cdef FILE *rows_out = NULL
    cdef char *notes = NULL
    cdef size_t notes_size = 0
    cdef FILE *notes_out = NULL
    memset(&p, 0, sizeof(p))
    memset(&control, 0, sizeof(control))
    err.message[0] = 0
    control.threads = threads
    notes_out = open_memstream(&notes, &notes_size)  # the library's warnings, re-issued below
    if notes_out == NULL:
        raise MemoryError("out of memory")
    control.warnings = notes_out
    if first_passage:  # per-trajectory rows (output.trajectories) into memory
        rows_out = open_memstream(&rows, &rows_size)
        if rows_out == NULL:
            raise MemoryError("out of memory")
        control.first_passage_out = rows_out
    flag = _catch(&own)
    holder.stop = flag
    control.stop = flag
    if progress is not None:
        holder.callback = progress
        control.progress = _kmc_progress
        control.progress_data = <void *>holder
    try:
        with nogil:
            status = lrk_point_compute(&config.c, &control, &p, &err)
    finally:
        if flag != &own:
            lrekmc_py_release_sigint()
        if rows_out != NULL:
            fclose(rows_out)
        fclose(notes_out)
    try:
        trajectory_rows = rows[:rows_size].decode() if rows != NULL else None
        library_warnings = notes[:notes_size].decode().splitlines() if notes != NULL else []
    finally:
        free(rows)
        free(notes)
    for line in library_warnings:  # a grid short of q_max, a master equation left out, ...
        warnings.warn(line.removeprefix("lrekmc: warning: "), RuntimeWarning, stacklevel=2)
    if status != LRK_OK:
        if holder.error is not None:
            raise holder.error
        if status == LRK_ERR_INTERRUPTED:
            _after_interrupt(flag, &own)
        if status == LRK_ERR_NOMEM:
            raise MemoryError(err.message.decode())
        raise LrekmcError(err.message.decode())
    cdef char *summary = NULL
    try:
        summary = lrk_point_summary_csv(&base.c, k, &config.c, &p)
        if summary == NULL:
            raise MemoryError("summary: out of memory")
        out = dict(relaxation=_stream_text(lrk_point_write_relaxation, &p),
                   levels=_stream_text(lrk_point_write_levels, &p),
                   summary=summary.decode(),
                   ode_fit=_fit_dict(&p.ode, 0),
                   kmc_fit=_fit_dict(&p.kmc_fit, 1) if p.kmc != NULL else None,
                   first_passage_rows=trajectory_rows)
        out.update(_space_texts(&p))
    finally:
        free(summary)
        lrk_point_free(&p)
    if holder.error is not None:
        raise holder.error
    return out


def campaign_run(_Config config, directory, int threads, bint force, command_line, progress,
                 list notices=None):
    """Run or resume the campaign into directory (None: output.dir) through
    lrk_campaign_run.  Returns (output_dir, point_count, computed, kept);
    the library's notices about the directory (a damaged point computed
    again, a temporary removed) are appended to `notices`."""
    cdef lrk_campaign_options options
    cdef lrk_campaign_report report
    cdef lrk_error err
    cdef lrk_status status
    cdef lrekmc_py_flag own = 0
    cdef lrekmc_py_flag *flag
    cdef _Progress holder = _Progress()
    cdef bytes bdir = str(directory).encode() if directory is not None else None
    cdef bytes bline = str(command_line).encode()
    if config.base is not None:
        raise ValueError("lrekmc.run takes the campaign, not one of its points")
    memset(&options, 0, sizeof(options))
    memset(&report, 0, sizeof(report))
    err.message[0] = 0
    options.output_dir = <const char *>bdir if bdir is not None else NULL
    options.threads = threads
    options.force = force
    options.command_line = bline
    flag = _catch(&own)
    holder.stop = flag
    options.stop = flag
    if progress is not None:
        holder.callback = progress
        options.progress = _campaign_progress
        options.progress_user = <void *>holder
    if notices is not None:
        options.notice = _notice
        options.notice_user = <void *>notices
    try:
        with nogil:
            status = lrk_campaign_run(&config.c, &options, &report, &err)
    finally:
        if flag != &own:
            lrekmc_py_release_sigint()
    result = (report.output_dir.decode() if report.output_dir != NULL else directory,
              report.point_count, report.points_computed, report.points_kept)
    lrk_campaign_report_free(&report)
    if holder.error is not None:
        raise holder.error
    if status == LRK_ERR_INTERRUPTED:
        _after_interrupt(flag, &own)
    if status == LRK_ERR_NOMEM:
        raise MemoryError(err.message.decode())
    if status == LRK_ERR_IO:
        raise OSError(err.message.decode())
    if status != LRK_OK:
        raise LrekmcError(err.message.decode())
    return result


@cython.boundscheck(False)
def kww_fit(t, q, sigma):
    """lrk_kww_fit_points on float64 arrays of one length (sigma may be
    None).  Returns (status name or None, message, fit dict)."""
    cdef const double[::1] tv = t
    cdef const double[::1] qv = q
    cdef const double[::1] sv
    cdef const double *sp = NULL
    cdef lrk_kww_fit fit
    cdef lrk_error err
    cdef size_t n = tv.shape[0]
    if qv.shape[0] != n:
        raise ValueError(f"t and q differ in length ({n} and {qv.shape[0]})")
    if sigma is not None:
        sv = sigma
        if sv.shape[0] != n:
            raise ValueError(f"sigma has {sv.shape[0]} values, t has {n}")
        sp = &sv[0] if n > 0 else NULL
    err.message[0] = 0
    with nogil:
        status = lrk_kww_fit_points(&tv[0] if n > 0 else NULL, &qv[0] if n > 0 else NULL, sp, n,
                                    &fit, &err)
    out = dict(converged=bool(fit.converged), beta=fit.beta, tau=fit.tau, beta_err=fit.beta_err,
               tau_err=fit.tau_err, rms_residual=fit.rms_residual, max_residual=fit.max_residual,
               chi2_dof=fit.chi2_dof, iterations=fit.iterations, points=fit.points)
    if status == LRK_OK:
        return None, "", out
    return lrk_status_name(status).decode(), err.message.decode(), out
