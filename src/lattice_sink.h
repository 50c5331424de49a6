/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_sink.h - internal: where one lane's trajectory writes its output
 * (n(t_k), the level times, the observables), shared by lattice_engine.c,
 * which steps the trajectories, and lattice_sink.c, which keeps the
 * observables' bookkeeping out of the event loop's file.
 */
#ifndef LREKMC_LATTICE_SINK_H
#define LREKMC_LATTICE_SINK_H

#include "lattice_engine_internal.h"

/* Output bookkeeping shared by both paths. */
typedef struct sink {
    lattice_lane *ln;       /* the lane's field and recording */
    size_t k, j, snap;
    uint32_t *n_at;
    double *first_passage;
    double *extra;          /* NULL: no observables */
    long px, py, pz;        /* previous event */
    long run;               /* size of the current avalanche */
    double avalanches;
    size_t local_bin;       /* local-q bin of the next event */
    long local_next;        /* the first relaxed count of the bin after it */
    long local_wait;        /* events to the next sampled one */
    double local_samples[2];  /* events sampled so far, in the first and the second half of the bins */
    int pending;            /* the previous event's halo mark is still to be done (px, py, pz) */
} sink;

/* A lane's output before its trajectory, and after it. */
void lattice_sink_open(const lrk_lattice_shared *s, sink *o, lattice_lane *ln, uint32_t *n_at, double *first_passage,
                       double *extra);
void lattice_sink_close(const lrk_lattice_shared *s, sink *o);
/* The observables of event n (site x, y, z), when o->extra is set. */
void lattice_record_extras(const lrk_lattice_shared *s, lrk_lattice_worker *w, sink *o, long n, long x, long y,
                           long z);

#endif /* LREKMC_LATTICE_SINK_H */
