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

/* The binned variant: the coarse buckets are fixed slices of the bits,
 * 2^r per binade, key = bits >> (52 - r), so that the caller can count them
 * while it computes the values (the engine's first pass), before their range
 * is known.  r = disorder_sort_bin_bits(n) grows with n (0 below 1024
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

/* Slots of the bins array: every key of a positive double. */
static inline size_t disorder_sort_bin_size(size_t n)
{
    return (size_t)2048 << disorder_sort_bin_bits(n);
}

/* Sort as disorder_sort, with bins[k] = the number of values whose key
 * (above) is k, for every k in [lo >> (52 - r), hi >> (52 - r)] (lo and hi
 * as for disorder_sort, or any bits with the same keys: only the keys are
 * read; other slots are not read).  Those slots are overwritten. */
void disorder_sort_binned(double *s, double *tmp, uint32_t *count, size_t n, uint32_t *bins, uint64_t lo,
                          uint64_t hi);

#endif /* LREKMC_DISORDER_SORT_H */
