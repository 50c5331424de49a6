/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * disorder_sort.h - the exact linear-time sort of the disorder engine's
 * operational times, internal to the library, its tests and the benchmark
 * (bench/bench_disorder.c times it as a phase of its own).
 */
#ifndef LREKMC_DISORDER_SORT_H
#define LREKMC_DISORDER_SORT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The bits of a double: for positive doubles they order like the values. */
static inline uint64_t disorder_bits_of(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

/* Slots of the count array disorder_sort needs for n values. */
static inline size_t disorder_sort_count_size(size_t n)
{
    return 4 * n + 2;
}

/* Sort the positive doubles s[0..n) ascending, exactly, for any input; lo
 * and hi are the smallest and largest of their bits (disorder_bits_of); tmp
 * holds n doubles, count disorder_sort_count_size(n) slots. */
void disorder_sort(double *s, double *tmp, uint32_t *count, size_t n, uint64_t lo, uint64_t hi);

/* The engine's coarse buckets (disorder_buckets below) are fixed slices of
 * the bits, 2^r per binade, key = bits >> (52 - r), so that a value finds
 * its bucket as soon as it is computed, before the range is known.  r = disorder_sort_bin_bits(n) grows with n (0 below 1024
 * values, 4 from 8192 on: about 16 slices per binade, like the 512 buckets
 * of disorder_sort over the ~25 binades of 10^5 operational times), and the
 * key takes at most 2^(11 + r) <= 4 n + 2048 values. */
static inline unsigned disorder_sort_bin_bits(size_t n)
{
    unsigned r = 0;
    while (r < 4 && ((size_t)1024 << r) <= n)
        r++;
    return r;
}

/* Slices: every key of a positive double. */
static inline size_t disorder_sort_bin_size(size_t n)
{
    return (size_t)2048 << disorder_sort_bin_bits(n);
}

/* The engine's sort: buckets whose capacities are predicted, so that the
 * values go straight from the pass that computes them into their coarse
 * bucket (the slices above), with no array of unsorted values and no count
 * pass.  The capacity of a slice is its running mean count over the previous
 * sorts (of the same scratch) plus three standard deviations and 2; a value
 * that finds its slice full goes to an overflow list, and the sort merges
 * each slice with its overflow.  The prediction decides only where values
 * wait, never the result: any input, in any history, is sorted exactly (the
 * first sort of a fresh disorder_buckets sees every value overflow). */
typedef struct disorder_buckets {
    unsigned shift;        /* slice key = bits >> shift */
    size_t slices;         /* disorder_sort_bin_size(n) */
    uint32_t *slot;        /* per slice: its next free place in data, the end of its capacity */
    uint32_t *start;       /* per slice: the start of its capacity */
    uint32_t *over;        /* per slice: how many values overflowed */
    float *mean;           /* per slice: running mean count */
    double *data;          /* the capacities, slice after slice */
    size_t data_size;
    double *ov, *ov2;      /* overflow values (n each), then grouped by slice */
    size_t nov;
    size_t cap_first, cap_last; /* slices with a capacity: [cap_first, cap_last) */
    size_t ov_first, ov_last;   /* overflowed slices within [ov_first, ov_last] */
    double sorts;          /* how many sorts the means average (at most 8) */
} disorder_buckets;

/* For n values at a time; 0 when out of memory (then free it). */
int disorder_buckets_init(disorder_buckets *b, size_t n);
void disorder_buckets_free(disorder_buckets *b);

/* The rare branch of disorder_buckets_put_block: v overflows slice k. */
void disorder_buckets_overflow(disorder_buckets *b, double v, size_t k);

/* Add the values v[0..m) (positive doubles).  The fields stay in
 * registers (the stores into slot and data could alias them otherwise). */
static inline void disorder_buckets_put_block(disorder_buckets *b, const double *v, size_t m)
{
    const unsigned shift = b->shift;
    uint32_t *const slot = b->slot;
    double *const data = b->data;
    for (size_t j = 0; j < m; j++) {
        size_t k = disorder_bits_of(v[j]) >> shift;
        uint32_t p = slot[2 * k];
        if (__builtin_expect(p < slot[2 * k + 1], 1)) {
            data[p] = v[j];
            slot[2 * k] = p + 1;
        } else {
            disorder_buckets_overflow(b, v[j], k);
        }
    }
}

/* s[0..) = every value put since the last sort, ascending (exactly, as
 * disorder_sort), count as for disorder_sort; then the buckets are empty,
 * their capacities predicted from this and earlier sorts. */
void disorder_buckets_sort(disorder_buckets *b, double *s, uint32_t *count);

#endif /* LREKMC_DISORDER_SORT_H */
