# SPDX-License-Identifier: GPL-3.0-or-later
# cython: language_level=3, embedsignature=True
"""lrekmc._fit - the compiled binding of fit_model.h (fitting the LRE model
and KWW to measured curves, the library behind ``lrekmc fit``).  Built only
when the library has fit_model.h; users call ``lrekmc.fit_model``."""

cimport cython
from libc.stdint cimport uint64_t
from libc.stdlib cimport free

cdef extern from "lrekmc/status.h":
    ctypedef enum lrk_status:
        LRK_OK
        LRK_ERR_INVALID
        LRK_ERR_NOMEM
        LRK_ERR_NOCONVERGE
    ctypedef struct lrk_error:
        char message[1024]

cdef extern from "lrekmc/fit_model.h":
    ctypedef enum lrk_fit_kind:
        LRK_FIT_KWW
    ctypedef enum lrk_fit_bootstrap_over:
        LRK_FIT_BOOTSTRAP_POINTS
        LRK_FIT_BOOTSTRAP_CURVES
    ctypedef struct lrk_fit_curve:
        char *label
        double T
        size_t count
    ctypedef struct lrk_fit_data:
        size_t curve_count, point_count
        lrk_fit_curve *curves
    ctypedef struct lrk_fit_options:
        lrk_fit_kind kind
        int free_amplitude
        int free_plateau
        size_t bootstrap
        lrk_fit_bootstrap_over bootstrap_over
        uint64_t seed
    ctypedef struct lrk_fit_parameter:
        long curve
        const char *name
        double value, error, bootstrap_error
    ctypedef struct lrk_fit_result:
        int weighted
        size_t point_count, parameter_count, curve_count
        lrk_fit_parameter *parameters
        double *fitted
        double *curve_chi2
        double chi2
        size_t dof
        double chi2_dof, chi2_p_value, aic, bic
        size_t iterations, bootstrap_done, bootstrap_failed
    lrk_status lrk_fit_kind_parse(const char *name, lrk_fit_kind *kind, lrk_error *err)
    lrk_status lrk_fit_data_from_arrays(size_t n, const double *t, const double *y, int input_is_q,
                                        const double *sigma, const double *T, const long *curve_id,
                                        const char *source, lrk_fit_data *out, lrk_error *err)
    lrk_status lrk_fit_data_relabel(lrk_fit_data *data, size_t curve, const char *label,
                                    lrk_error *err)
    void lrk_fit_data_free(lrk_fit_data *data)
    lrk_fit_options lrk_fit_options_default()
    lrk_status lrk_fit_check(const lrk_fit_data *data, const lrk_fit_options *options,
                             lrk_error *err)
    lrk_status lrk_fit_model(const lrk_fit_data *data, const lrk_fit_options *options,
                             lrk_fit_result *out, lrk_error *err) nogil
    void lrk_fit_result_free(lrk_fit_result *result)
    lrk_status lrk_fit_evaluate(const lrk_fit_result *r, const lrk_fit_data *data, size_t curve,
                                double t, double *phi, lrk_error *err)


class FitError(ValueError):
    """The data or options are refused, or the fit did not converge; the
    message is the library's (it names the point, the curve or the option)."""


cdef class ModelFit:
    """A fitted model (fit_model.h) over the data it was fitted to."""

    cdef lrk_fit_data data
    cdef lrk_fit_result result
    cdef int ready
    cdef readonly object model

    def __cinit__(self):
        self.ready = 0

    def __dealloc__(self):
        if self.ready >= 1:
            lrk_fit_data_free(&self.data)
        if self.ready >= 2:
            lrk_fit_result_free(&self.result)

    def parameters(self):
        """[(curve or -1, name, value, error, bootstrap_error)]."""
        cdef size_t i
        out = []
        for i in range(self.result.parameter_count):
            p = &self.result.parameters[i]
            out.append((p.curve, p.name.decode(), p.value, p.error, p.bootstrap_error))
        return out

    def curves(self):
        """[(label, T, point count, chi2 part)] in curve order."""
        cdef size_t j
        return [(self.data.curves[j].label.decode(), self.data.curves[j].T,
                 self.data.curves[j].count, self.result.curve_chi2[j])
                for j in range(self.data.curve_count)]

    def fitted(self):
        """The model's phi at every data point (curves in order)."""
        cdef size_t i
        return [self.result.fitted[i] for i in range(self.result.point_count)]

    def statistics(self):
        """chi2, dof, chi2_dof, chi2_p (NaN unweighted), aic, bic, weighted,
        iterations, bootstrap_done, bootstrap_failed."""
        r = &self.result
        return dict(chi2=r.chi2, dof=r.dof, chi2_dof=r.chi2_dof, chi2_p=r.chi2_p_value,
                    aic=r.aic, bic=r.bic, weighted=bool(r.weighted), iterations=r.iterations,
                    bootstrap_done=r.bootstrap_done, bootstrap_failed=r.bootstrap_failed)

    def evaluate(self, size_t curve, t):
        """The fitted phi of curve `curve` at the times t (a list of floats)."""
        cdef lrk_error err
        cdef double phi
        if curve >= self.data.curve_count:
            raise IndexError(f"curve {curve}: the fit has {self.data.curve_count} curves")
        out = []
        for time in t:
            if lrk_fit_evaluate(&self.result, &self.data, curve, time, &phi, &err) != LRK_OK:
                raise FitError(err.message.decode())
            out.append(phi)
        return out


@cython.boundscheck(False)
def fit(t, y, bint input_is_q, sigma, T, curve_id, labels, str model, bint free_amplitude,
        bint free_plateau, size_t bootstrap, bint bootstrap_curves, uint64_t seed, str source):
    """lrk_fit_model on float64 arrays (sigma, T and the int64 curve_id may
    be None); labels: the curve names in order of first appearance, or None."""
    cdef const double[::1] tv = t
    cdef const double[::1] yv = y
    cdef const double[::1] sv
    cdef const double[::1] Tv
    cdef const long[::1] cv
    cdef const double *sp = NULL
    cdef const double *Tp = NULL
    cdef const long *cp = NULL
    cdef size_t n = tv.shape[0]
    cdef lrk_error err
    cdef lrk_fit_options options = lrk_fit_options_default()
    cdef ModelFit out = ModelFit.__new__(ModelFit)
    cdef lrk_status status
    cdef bytes bsource = source.encode()
    if n == 0:
        raise FitError(f"{source}: no data points")
    if yv.shape[0] != n:
        raise ValueError(f"t and y differ in length ({n} and {yv.shape[0]})")
    if sigma is not None:
        sv = sigma
        sp = &sv[0]
    if T is not None:
        Tv = T
        Tp = &Tv[0]
    if curve_id is not None:
        cv = curve_id
        cp = &cv[0]
    err.message[0] = 0
    if lrk_fit_kind_parse(model.encode(), &options.kind, &err) != LRK_OK:
        raise FitError(err.message.decode())
    options.free_amplitude = free_amplitude
    options.free_plateau = free_plateau
    options.bootstrap = bootstrap
    options.bootstrap_over = LRK_FIT_BOOTSTRAP_CURVES if bootstrap_curves else LRK_FIT_BOOTSTRAP_POINTS
    options.seed = seed
    if lrk_fit_data_from_arrays(n, &tv[0], &yv[0], input_is_q, sp, Tp, cp, bsource, &out.data,
                                &err) != LRK_OK:
        raise FitError(err.message.decode())
    out.ready = 1
    out.model = model
    if labels is not None:
        for j, label in enumerate(labels):
            if lrk_fit_data_relabel(&out.data, j, str(label).encode(), &err) != LRK_OK:
                raise FitError(err.message.decode())
    if lrk_fit_check(&out.data, &options, &err) != LRK_OK:
        raise FitError(err.message.decode())
    with nogil:
        status = lrk_fit_model(&out.data, &options, &out.result, &err)
    if status == LRK_ERR_NOMEM:
        raise MemoryError(err.message.decode())
    if status != LRK_OK:
        raise FitError(err.message.decode())
    out.ready = 2
    return out
