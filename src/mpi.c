/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mpi.c - parallel.h over MPI (built with -DLREKMC_MPI=ON only; parallel.c
 * holds the serial versions).  Rank 0 hands each worker a job (the KMC
 * parameters of one point: model, grid, levels), runs its own slice, then
 * receives one reply per worker in rank order: a status, and when it is
 * LRK_OK the slice's per-batch arrays, histogram and, if asked, the
 * per-trajectory first-passage rows, batch by batch.
 *
 * Every message between a pair of ranks is matched by its tag, and the
 * receiver always knows how many to expect: the counts follow from the job
 * and the reply header.  Arrays longer than CHUNK elements go in several
 * messages because MPI counts are int.  Waiting for a job or a reply polls
 * with short sleeps instead of a blocking call, which would spin a core
 * that the OpenMP threads of a slice on the same node could use.
 */
#ifdef LREKMC_WITH_MPI
#define _POSIX_C_SOURCE 200809L
#include "lrekmc/parallel.h"

#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parallel_env.h"

enum { TAG_JOB = 1, TAG_MODEL, TAG_GRID, TAG_LEVELS, TAG_REPLY, TAG_MESSAGE, TAG_BATCHES, TAG_HIST, TAG_ROWS };
enum { JOB_QUIT = 0, JOB_RUN = 1 };
enum { JOB_KIND, JOB_T_COUNT, JOB_LEVEL_COUNT, JOB_SEED, JOB_TRAJECTORIES, JOB_BATCHES,
       JOB_THREADS, JOB_ROWS, JOB_STREAMS, JOB_SIZE };
enum { REPLY_STATUS, REPLY_BATCHES, REPLY_EVENTS, REPLY_MESSAGE_LENGTH, REPLY_SIZE };

#define CHUNK (1L << 26) /* elements per message */
/* The grid and levels go in small messages: a worker that cannot allocate
 * them drains them into a fixed buffer and answers with an error. */
#define GRID_CHUNK 4096

static int mpi_started; /* lrk_parallel_init started MPI and it is not finalized */
static int world_rank, world_size = 1;

static void send_chunks(const void *data, size_t count, MPI_Datatype type, size_t size, int peer, int tag,
                        long chunk)
{
    const char *bytes = data;
    while (count > 0) {
        int n = count > (size_t)chunk ? (int)chunk : (int)count;
        MPI_Send(bytes, n, type, peer, tag, MPI_COMM_WORLD);
        bytes += (size_t)n * size;
        count -= (size_t)n;
    }
}

static void send_array(const void *data, size_t count, MPI_Datatype type, size_t size, int peer, int tag)
{
    send_chunks(data, count, type, size, peer, tag, CHUNK);
}

/* data NULL: receive into a scratch buffer and drop (chunk <= GRID_CHUNK). */
static void receive_chunks(void *data, size_t count, MPI_Datatype type, size_t size, int peer, int tag,
                           long chunk)
{
    static double scratch[GRID_CHUNK];
    char *bytes = data;
    while (count > 0) {
        int n = count > (size_t)chunk ? (int)chunk : (int)count;
        MPI_Recv(bytes != NULL ? (void *)bytes : (void *)scratch, n, type, peer, tag, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
        if (bytes != NULL)
            bytes += (size_t)n * size;
        count -= (size_t)n;
    }
}

static void receive_array(void *data, size_t count, MPI_Datatype type, size_t size, int peer, int tag)
{
    char *bytes = data;
    while (count > 0) {
        int n = count > (size_t)CHUNK ? (int)CHUNK : (int)count;
        MPI_Recv(bytes, n, type, peer, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        bytes += (size_t)n * size;
        count -= (size_t)n;
    }
}

/* Receive a small header, sleeping between checks (see the file comment). */
static void receive_polling(uint64_t *header, int count, int peer, int tag)
{
    const struct timespec pause = {0, 200000};
    MPI_Request request;
    int done = 0;
    MPI_Irecv(header, count, MPI_UINT64_T, peer, tag, MPI_COMM_WORLD, &request);
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    while (!done) {
        nanosleep(&pause, NULL);
        MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    }
}

/* MPI starts only under a launcher: a plain `lrekmc` is then the serial
 * program, without the start-up time and the files of an MPI singleton
 * (which also fail under a file-size limit). */
lrk_status lrk_parallel_init(int *argc, char ***argv, lrk_error *err)
{
    if (parallel_launcher_size() == 0)
        return LRK_OK;
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return lrk_error_set(err, LRK_ERR_INVALID, "MPI_Init_thread failed");
    MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &world_size);
    if (provided < MPI_THREAD_FUNNELED) {
        MPI_Finalize();
        world_rank = 0;
        world_size = 1;
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "the MPI library offers thread level %d; lrekmc runs OpenMP threads inside "
                             "each rank and needs MPI_THREAD_FUNNELED (%d)",
                             provided, MPI_THREAD_FUNNELED);
    }
    mpi_started = 1;
    return LRK_OK;
}

void lrk_parallel_finalize(void)
{
    if (!mpi_started)
        return;
    if (world_rank == 0) {
        uint64_t job[JOB_SIZE] = {[JOB_KIND] = JOB_QUIT};
        for (int worker = 1; worker < world_size; worker++)
            MPI_Send(job, JOB_SIZE, MPI_UINT64_T, worker, TAG_JOB, MPI_COMM_WORLD);
    }
    MPI_Finalize();
    mpi_started = 0;
}

int lrk_parallel_rank(void)
{
    return world_rank;
}

int lrk_parallel_size(void)
{
    return world_size;
}

void lrk_parallel_abort(int code, const char *message)
{
    fprintf(stderr, "lrekmc: rank %d of %d: %s\n", world_rank, world_size, message);
    fflush(stderr);
    if (mpi_started)
        MPI_Abort(MPI_COMM_WORLD, code);
    exit(code);
}

/* ---- rank 0 ---------------------------------------------------------- */

static void send_job(const lrk_kmc_params *p, int worker)
{
    uint64_t job[JOB_SIZE] = {
        [JOB_KIND] = JOB_RUN,
        [JOB_T_COUNT] = p->t_count,
        [JOB_LEVEL_COUNT] = p->level_count,
        [JOB_SEED] = p->seed,
        [JOB_TRAJECTORIES] = (uint64_t)p->trajectories,
        [JOB_BATCHES] = (uint64_t)p->batches,
        [JOB_THREADS] = (uint64_t)p->threads,
        [JOB_ROWS] = p->keep_first_passage || p->first_passage_sink != NULL,
        [JOB_STREAMS] = (uint64_t)p->streams,
    };
    MPI_Send(job, JOB_SIZE, MPI_UINT64_T, worker, TAG_JOB, MPI_COMM_WORLD);
    /* lrk_model is plain data and every rank runs the same binary: its bytes
     * are the model, so a new model parameter needs no edit here. */
    MPI_Send(p->model, (int)sizeof *p->model, MPI_BYTE, worker, TAG_MODEL, MPI_COMM_WORLD);
    send_chunks(p->t, p->t_count, MPI_DOUBLE, sizeof(double), worker, TAG_GRID, GRID_CHUNK);
    send_chunks(p->q_levels, p->level_count, MPI_DOUBLE, sizeof(double), worker, TAG_LEVELS, GRID_CHUNK);
}

/* Rank 0's own progress, scaled to the whole run: the slices progress at
 * about the same pace, and the total arrives once all replies are in. */
typedef struct scaled_progress {
    const lrk_kmc_params *p;
    double factor;
} scaled_progress;

static void report_scaled(void *user, long trajectories_done, uint64_t events_done)
{
    const scaled_progress *scale = user;
    double trajectories = (double)trajectories_done * scale->factor;
    if (trajectories > (double)scale->p->trajectories)
        trajectories = (double)scale->p->trajectories;
    scale->p->progress(scale->p->progress_user, (long)trajectories,
                       (uint64_t)((double)events_done * scale->factor));
}

static lrk_status run_own_slice(const lrk_kmc_params *p, lrk_kmc_result *whole, lrk_error *err)
{
    long first, count;
    lrk_parallel_slice(whole->batch_count, world_size, 0, &first, &count);
    if (count == 0)
        return LRK_OK;
    lrk_kmc_params own = *p;
    scaled_progress scale = {.p = p, .factor = 1.0};
    lrk_kmc_result *part = NULL;
    lrk_status s = lrk_kmc_result_create(&own, first, count, &part, err);
    if (s == LRK_OK && p->progress != NULL) {
        scale.factor = (double)whole->trajectories / (double)part->trajectories_held;
        own.progress = report_scaled;
        own.progress_user = &scale;
    }
    if (s == LRK_OK)
        s = lrk_kmc_run(&own, part, err);
    if (s == LRK_OK)
        s = lrk_kmc_result_merge(whole, part, err);
    lrk_kmc_result_free(part);
    return s;
}

/* Rank 0's receive buffers, allocated before any job is sent: running out
 * of memory is then an ordinary LRK_ERR_NOMEM, never a message stream left
 * half-read (which could only end the processes). */
typedef struct receive_buffers {
    uint64_t *hist;   /* t_count x hist_bins: a slice's histogram, added to the whole */
    double *rows;     /* largest batch x level_count: a batch's first-passage rows */
} receive_buffers;

static void buffers_free(receive_buffers *b)
{
    free(b->hist);
    free(b->rows);
}

static lrk_status buffers_alloc(receive_buffers *b, const lrk_kmc_params *p, const lrk_kmc_result *whole,
                                lrk_error *err)
{
    size_t K = whole->t_count, L = whole->level_count;
    long largest = 0, first, count;
    for (long batch = 0; batch < whole->batch_count; batch++) {
        lrk_kmc_batch_range(whole->trajectories, whole->batch_count, batch, &first, &count);
        largest = count > largest ? count : largest;
    }
    int rows = p->keep_first_passage || p->first_passage_sink != NULL;
    b->hist = K > SIZE_MAX / sizeof(uint64_t) / whole->hist_bins ? NULL
                                                                 : malloc((K * whole->hist_bins + 1) * sizeof(uint64_t));
    b->rows = rows && (size_t)largest < SIZE_MAX / sizeof(double) / (L + 1)
                  ? malloc(((size_t)largest * L + 1) * sizeof(double)) : NULL;
    if (b->hist == NULL || (rows && b->rows == NULL)) {
        buffers_free(b);
        return lrk_error_set(err, LRK_ERR_NOMEM, "kmc: out of memory for the receive buffers of %d ranks",
                             world_size);
    }
    return LRK_OK;
}

/* The first-passage rows of the worker's slice, batch by batch: into the
 * whole result (keep_first_passage) and to the sink while `use` holds.
 * Every row is received whatever happens, so the message stream stays in
 * step. */
static lrk_status receive_rows(const lrk_kmc_params *p, lrk_kmc_result *whole, long first_batch, long batches,
                               int worker, int use, double *rows, lrk_error *err)
{
    size_t L = whole->level_count;
    lrk_status s = LRK_OK;
    for (long b = first_batch; b < first_batch + batches; b++) {
        long first, count;
        lrk_kmc_batch_range(whole->trajectories, whole->batch_count, b, &first, &count);
        receive_array(rows, (size_t)count * L, MPI_DOUBLE, sizeof(double), worker, TAG_ROWS);
        if (whole->first_passage != NULL)
            memcpy(whole->first_passage + (size_t)(first - whole->first_trajectory) * L, rows,
                   (size_t)count * L * sizeof(double));
        if (use && s == LRK_OK && p->first_passage_sink != NULL) {
            s = p->first_passage_sink(p->first_passage_user, first, count, L, rows);
            if (s != LRK_OK)
                lrk_error_set(err, s, "kmc: the first-passage sink failed (%s)", lrk_status_name(s));
        }
    }
    return s;
}

/* The arrays of an LRK_OK reply, straight into the whole result's slots for
 * the worker's slice (slices are disjoint; what a failed run receives is
 * only drained, the whole result is then discarded). */
static lrk_status receive_part(const lrk_kmc_params *p, lrk_kmc_result *whole, int worker, const uint64_t *reply,
                               int use, const receive_buffers *buffers, lrk_error *err)
{
    long first, count;
    lrk_parallel_slice(whole->batch_count, world_size, worker, &first, &count);
    if (reply[REPLY_BATCHES] != (uint64_t)count)
        lrk_parallel_abort(1, "a worker answered for another slice than it was given");
    if (count == 0)
        return LRK_OK;
    size_t B = (size_t)count, K = whole->t_count, L = whole->level_count, E = whole->extra_count;
    size_t at = (size_t)(first - whole->first_batch);
    receive_array(whole->batch_trajectories + at, B, MPI_LONG, sizeof(long), worker, TAG_BATCHES);
    receive_array(whole->batch_q_mean + at * K, B * K, MPI_DOUBLE, sizeof(double), worker, TAG_BATCHES);
    receive_array(whole->batch_q_m2 + at * K, B * K, MPI_DOUBLE, sizeof(double), worker, TAG_BATCHES);
    receive_array(whole->batch_t_mean + at * L, B * L, MPI_DOUBLE, sizeof(double), worker, TAG_BATCHES);
    receive_array(whole->batch_t_m2 + at * L, B * L, MPI_DOUBLE, sizeof(double), worker, TAG_BATCHES);
    receive_array(whole->batch_extra_mean + at * E, B * E, MPI_DOUBLE, sizeof(double), worker, TAG_BATCHES);
    receive_array(whole->batch_extra_m2 + at * E, B * E, MPI_DOUBLE, sizeof(double), worker, TAG_BATCHES);
    receive_array(buffers->hist, K * whole->hist_bins, MPI_UINT64_T, sizeof(uint64_t), worker, TAG_HIST);
    memset(whole->batch_done + at, 1, B);
    for (size_t i = 0; i < K * whole->hist_bins; i++)
        whole->hist[i] += buffers->hist[i];
    whole->events += reply[REPLY_EVENTS];
    if (p->keep_first_passage || p->first_passage_sink != NULL)
        return receive_rows(p, whole, first, count, worker, use, buffers->rows, err);
    return LRK_OK;
}

/* One worker's reply.  `use` is 0 once the run has failed: the reply is
 * then only drained. */
static lrk_status receive_reply(const lrk_kmc_params *p, lrk_kmc_result *whole, int worker, int use,
                                const receive_buffers *buffers, lrk_error *err)
{
    uint64_t reply[REPLY_SIZE];
    receive_polling(reply, REPLY_SIZE, worker, TAG_REPLY);
    lrk_status s = (lrk_status)reply[REPLY_STATUS];
    if (s == LRK_OK)
        return receive_part(p, whole, worker, reply, use, buffers, err);
    char message[LRK_ERROR_MESSAGE_SIZE] = "";
    size_t length = reply[REPLY_MESSAGE_LENGTH] < sizeof message ? reply[REPLY_MESSAGE_LENGTH] : sizeof message - 1;
    MPI_Recv(message, (int)length, MPI_CHAR, worker, TAG_MESSAGE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    return lrk_error_set(err, s, "rank %d of %d: %s", worker, world_size, message);
}

/* The status of the run so far and of one more rank: the first failure
 * wins, except that a real error outranks an interruption. */
static lrk_status combine(lrk_status so_far, lrk_error *err, lrk_status next, const lrk_error *next_err)
{
    if (next == LRK_OK || (so_far != LRK_OK && (so_far != LRK_ERR_INTERRUPTED || next == LRK_ERR_INTERRUPTED)))
        return so_far;
    if (err != NULL)
        memcpy(err->message, next_err->message, sizeof err->message);
    return next;
}

static int distributing(void)
{
    return mpi_started && world_size > 1 && world_rank == 0;
}

lrk_status lrk_kmc_run_distributed(const lrk_kmc_params *p, lrk_kmc_result **out, lrk_error *err)
{
    if (!distributing())
        return lrk_kmc_run_all(p, out, err);
    *out = NULL;
    if (p->engine != NULL && p->engine != lrk_engine_for_model(p->model))
        return lrk_error_set(err, LRK_ERR_INVALID, "kmc: engine \"%s\" is not the model's (%s): the workers "
                             "would simulate another process; run it on one rank", p->engine->name,
                             lrk_engine_for_model(p->model)->name);
    lrk_kmc_result *whole = NULL;
    lrk_status s = lrk_kmc_result_create(p, 0, -1, &whole, err); /* validates p */
    receive_buffers buffers = {0};
    if (s == LRK_OK && (s = buffers_alloc(&buffers, p, whole, err)) != LRK_OK)
        lrk_kmc_result_free(whole);
    if (s != LRK_OK)
        return s;
    for (int worker = 1; worker < world_size; worker++)
        send_job(p, worker);
    s = run_own_slice(p, whole, err);
    for (int worker = 1; worker < world_size; worker++) {
        lrk_error worker_err = {{0}};
        lrk_status ws = receive_reply(p, whole, worker, s == LRK_OK, &buffers, &worker_err);
        s = combine(s, err, ws, &worker_err);
    }
    buffers_free(&buffers);
    if (s == LRK_OK)
        s = lrk_kmc_result_finalize(whole, err);
    if (s != LRK_OK) {
        lrk_kmc_result_free(whole);
        return s;
    }
    if (p->progress != NULL)
        p->progress(p->progress_user, whole->trajectories, whole->events);
    *out = whole;
    return LRK_OK;
}

/* ---- workers ---------------------------------------------------------- */

typedef struct job {
    lrk_model model;
    lrk_kmc_params params;
    double *t, *q_levels;
    int out_of_memory;       /* the grid could not be held: answer with an error */
} job;

/* malloc, or NULL as if memory had run out when LREKMC_TEST_WORKER_NOMEM is
 * set (the test of the worker's out-of-memory answer, tests/mpi/nomem.sh). */
static void *grid_alloc(size_t bytes)
{
    const char *test = getenv("LREKMC_TEST_WORKER_NOMEM");
    return test != NULL && test[0] == '1' ? NULL : malloc(bytes);
}

/* The next job from rank 0; 0 when it says quit. */
static int receive_job(job *j, volatile sig_atomic_t *stop)
{
    uint64_t header[JOB_SIZE];
    receive_polling(header, JOB_SIZE, 0, TAG_JOB);
    if (header[JOB_KIND] == JOB_QUIT)
        return 0;
    MPI_Recv(&j->model, (int)sizeof j->model, MPI_BYTE, 0, TAG_MODEL, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    size_t t_count = header[JOB_T_COUNT], level_count = header[JOB_LEVEL_COUNT];
    j->t = t_count < SIZE_MAX / sizeof(double) ? grid_alloc((t_count + 1) * sizeof(double)) : NULL;
    j->q_levels = level_count < SIZE_MAX / sizeof(double) ? grid_alloc((level_count + 1) * sizeof(double)) : NULL;
    j->out_of_memory = j->t == NULL || j->q_levels == NULL;
    if (j->out_of_memory) { /* drained, so that the message stream stays in step */
        free(j->t);
        free(j->q_levels);
        j->t = j->q_levels = NULL;
    }
    receive_chunks(j->t, t_count, MPI_DOUBLE, sizeof(double), 0, TAG_GRID, GRID_CHUNK);
    receive_chunks(j->q_levels, level_count, MPI_DOUBLE, sizeof(double), 0, TAG_LEVELS, GRID_CHUNK);
    j->params = (lrk_kmc_params){.model = &j->model, .t = j->t, .t_count = t_count, .q_levels = j->q_levels,
                                 .level_count = level_count, .seed = header[JOB_SEED],
                                 .streams = (lrk_streams)header[JOB_STREAMS],
                                 .trajectories = (long)header[JOB_TRAJECTORIES],
                                 .batches = (long)header[JOB_BATCHES], .threads = (int)header[JOB_THREADS],
                                 .keep_first_passage = (int)header[JOB_ROWS], .stop = stop};
    return 1;
}

static void send_rows(const lrk_kmc_result *part)
{
    size_t L = part->level_count;
    for (long b = part->first_batch; b < part->first_batch + part->batches_held; b++) {
        long first, count;
        lrk_kmc_batch_range(part->trajectories, part->batch_count, b, &first, &count);
        send_array(part->first_passage + (size_t)(first - part->first_trajectory) * L, (size_t)count * L,
                   MPI_DOUBLE, sizeof(double), 0, TAG_ROWS);
    }
}

static void send_reply(lrk_status s, const lrk_kmc_result *part, const lrk_error *err)
{
    size_t length = s == LRK_OK ? 0 : strnlen(err->message, sizeof err->message);
    uint64_t reply[REPLY_SIZE] = {
        [REPLY_STATUS] = (uint64_t)s,
        [REPLY_BATCHES] = s == LRK_OK && part != NULL ? (uint64_t)part->batches_held : 0,
        [REPLY_EVENTS] = s == LRK_OK && part != NULL ? part->events : 0,
        [REPLY_MESSAGE_LENGTH] = length,
    };
    MPI_Send(reply, REPLY_SIZE, MPI_UINT64_T, 0, TAG_REPLY, MPI_COMM_WORLD);
    if (s != LRK_OK) {
        MPI_Send(err->message, (int)length, MPI_CHAR, 0, TAG_MESSAGE, MPI_COMM_WORLD);
        return;
    }
    if (part == NULL)
        return;
    size_t B = (size_t)part->batches_held, K = part->t_count, L = part->level_count, E = part->extra_count;
    send_array(part->batch_trajectories, B, MPI_LONG, sizeof(long), 0, TAG_BATCHES);
    send_array(part->batch_q_mean, B * K, MPI_DOUBLE, sizeof(double), 0, TAG_BATCHES);
    send_array(part->batch_q_m2, B * K, MPI_DOUBLE, sizeof(double), 0, TAG_BATCHES);
    send_array(part->batch_t_mean, B * L, MPI_DOUBLE, sizeof(double), 0, TAG_BATCHES);
    send_array(part->batch_t_m2, B * L, MPI_DOUBLE, sizeof(double), 0, TAG_BATCHES);
    send_array(part->batch_extra_mean, B * E, MPI_DOUBLE, sizeof(double), 0, TAG_BATCHES);
    send_array(part->batch_extra_m2, B * E, MPI_DOUBLE, sizeof(double), 0, TAG_BATCHES);
    send_array(part->hist, K * part->hist_bins, MPI_UINT64_T, sizeof(uint64_t), 0, TAG_HIST);
    if (part->first_passage != NULL)
        send_rows(part);
}

/* Run this rank's slice of the job (maybe none) and answer. */
static void serve_job(const job *j)
{
    lrk_error err = {{0}};
    lrk_kmc_result *part = NULL;
    if (j->out_of_memory) {
        lrk_error_set(&err, LRK_ERR_NOMEM, "out of memory for the grid of a point (%zu times, %zu levels)",
                      j->params.t_count, j->params.level_count);
        send_reply(LRK_ERR_NOMEM, NULL, &err);
        return;
    }
    lrk_status s = lrk_kmc_validate(&j->params, &err);
    long first = 0, count = 0;
    if (s == LRK_OK)
        lrk_parallel_slice(lrk_kmc_batch_count(&j->params), world_size, world_rank, &first, &count);
    if (s == LRK_OK && count > 0)
        s = lrk_kmc_result_create(&j->params, first, count, &part, &err);
    if (s == LRK_OK && part != NULL)
        s = lrk_kmc_run(&j->params, part, &err);
    send_reply(s, part, &err);
    lrk_kmc_result_free(part);
}

lrk_status lrk_parallel_serve(volatile sig_atomic_t *stop, lrk_error *err)
{
    if (!mpi_started)
        return LRK_OK;
    if (world_rank == 0)
        return lrk_error_set(err, LRK_ERR_INVALID, "lrk_parallel_serve: rank 0 hands out work, it does not serve");
    job j;
    while (receive_job(&j, stop)) {
        serve_job(&j);
        free(j.t);
        free(j.q_levels);
    }
    return LRK_OK;
}

#else
/* Built without MPI: parallel.c has the serial versions.  (ISO C wants at
 * least one declaration in a translation unit.) */
typedef int lrk_mpi_not_built;
#endif /* LREKMC_WITH_MPI */
