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

#endif /* LREKMC_DISORDER_SORT_H */
