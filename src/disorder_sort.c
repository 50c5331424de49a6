/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * disorder_sort.c - sort positive doubles exactly in linear expected time
 * (disorder_sort.h): the operational times of the disorder engine, whose
 * bits are smooth on the scale of a coarse bucket.
 *
 * Two levels, each a counting sort keyed by the bits of the value (a
 * positive double's bits order like the value, so every key is a
 * nondecreasing function of it):
 *  1. coarse buckets.  In disorder_sort they are (bits - lo) >> shift, at
 *     most COARSE of them, one pass to count and one to scatter into tmp.
 *     In the engine's disorder_buckets they are fixed slices of the bits,
 *     2^r per binade, with capacities predicted from the previous sorts, so
 *     each value goes into its bucket as soon as it is computed (no array
 *     of unsorted values, no count pass); a value whose bucket is full waits
 *     in an overflow list, grouped by slice and merged with its bucket;
 *  2. each coarse bucket (now in L1/L2) by the next bits below its own
 *     shift, with between 1 and 2 slots per element, into s; then an
 *     insertion pass (branch-free for a value and its predecessor) orders
 *     neighbours that share a slot.
 * The fine key is integer arithmetic on the bits (no min/max pass, no
 * floating-point scale): 5.6 against 8.4 ns per value for the previous
 * linear key (s - min)/(max - min) at N = 10^5 (docs/disorder.md).  When the
 * insertion pass of a bucket has moved more than MAX_SLOT values per value
 * (clustered input) the bucket goes to qsort, so no input is quadratic (a
 * budget, not a scan for the fullest slot: that scan chained a compare and
 * a cmov over every slot).
 */
#include "disorder_sort.h"

#include <math.h>
#include <stdlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define COARSE 512 /* at most */
#define MIN_COARSE 16
#define MAX_SLOT 32

/* lo = min(a, b), hi = max(a, b) for positive doubles (equal ones have
 * equal bits), without a branch: minsd/maxsd where there is SSE2 (the
 * compiler turns the ternaries into a branch). */
static inline void order_pair(double a, double b, double *lo, double *hi)
{
#if defined(__SSE2__)
    __m128d va = _mm_set_sd(a), vb = _mm_set_sd(b);
    *lo = _mm_cvtsd_f64(_mm_min_sd(va, vb));
    *hi = _mm_cvtsd_f64(_mm_max_sd(va, vb));
#else
    *lo = a < b ? a : b;
    *hi = a < b ? b : a;
#endif
}

/* count[b] = count[0] + ... + count[b] for b < n (in place): four slots at
 * a time with SSE2 (integer adds: the same sums in any order). */
static void prefix_sums(uint32_t *count, size_t n)
{
    size_t b = 0;
    uint32_t acc = 0;
#if defined(__SSE2__)
    __m128i carry = _mm_setzero_si128();
    for (; b + 4 <= n; b += 4) {
        __m128i x = _mm_loadu_si128((const __m128i *)(count + b));
        x = _mm_add_epi32(x, _mm_slli_si128(x, 4));
        x = _mm_add_epi32(x, _mm_slli_si128(x, 8));
        x = _mm_add_epi32(x, carry);
        _mm_storeu_si128((__m128i *)(count + b), x);
        carry = _mm_shuffle_epi32(x, 0xff);
    }
    acc = (uint32_t)_mm_cvtsi128_si32(carry);
#endif
    for (; b < n; b++) {
        acc += count[b];
        count[b] = acc;
    }
}

static void insertion_sort(double *x, size_t count)
{
    for (size_t i = 1; i < count; i++) {
        double v = x[i];
        size_t j = i;
        while (j > 0 && x[j - 1] > v) {
            x[j] = x[j - 1];
            j--;
        }
        x[j] = v;
    }
}

/* The same on a nearly sorted array (counting-sorted by a fine key:
 * neighbours out of order share a slot), giving up (returning 0, x a
 * permutation of its input) once more than `limit` values have been moved.
 * The step that orders a value with its predecessor is branch-free (the
 * running maximum stays in a register, min/max instead of a compare and a
 * branch on a coin flip): only a value that must move past two or more
 * others takes the branch, rarely. */
static int insertion_sort_bounded(double *x, size_t count, size_t limit)
{
    if (count < 2)
        return 1;
    size_t moves = 0;
    /* hi = the largest of x[0..i), not stored; below = the largest of
     * x[0..i-1) (0 before any: the values are positive) */
    double hi = x[0], below = 0;
    for (size_t i = 1; i < count; i++) {
        double v = x[i];
        double lo;
        order_pair(v, hi, &lo, &hi);
        x[i - 1] = lo;
        if (__builtin_expect(below > lo, 0)) {
            size_t j = i - 1;
            while (j > 0 && x[j - 1] > lo) {
                x[j] = x[j - 1];
                j--;
            }
            x[j] = lo;
            moves += i - 1 - j;
            if (moves > limit) {
                x[i] = hi;
                return 0;
            }
        }
        double unused;
        order_pair(below, lo, &unused, &below);
    }
    x[count - 1] = hi;
    return 1;
}

static int by_value(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Counting sort of src[0..m), whose bits lie in [base, base + 2^width), into
 * dst by the top bits of (bits - base). */
static void fine_sort(const double *src, double *dst, size_t m, uint32_t *count, uint64_t base, unsigned width)
{
    unsigned k = 1;
    while (((size_t)1 << k) < m)
        k++;
    const unsigned sh = width > k ? width - k : 0;
    const size_t F = (size_t)1 << (width > k ? k : width);
    memset(count, 0, (F + 1) * sizeof(uint32_t));
    for (size_t i = 0; i < m; i++)
        count[((disorder_bits_of(src[i]) - base) >> sh) + 1]++;
    prefix_sums(count, F + 1);
    for (size_t i = 0; i < m; i++)
        dst[count[(disorder_bits_of(src[i]) - base) >> sh]++] = src[i];
    /* neighbours that share a slot; clustered input (many values per slot)
     * would make this quadratic, so past MAX_SLOT moves per value on
     * average the bucket goes to qsort (with sh = 0 a slot holds equal
     * values, which insertion never moves) */
    if (!insertion_sort_bounded(dst, m, sh > 0 ? MAX_SLOT * m : (size_t)-1))
        qsort(dst, m, sizeof(double), by_value);
}

/* Buckets b < buckets cover the bits [base + (b << shift), base + ((b + 1)
 * << shift)); pos[b] holds their counts on entry.  Scatter s into tmp by
 * bucket, then sort each bucket back into s; pos is left holding each
 * bucket's end. */
static void sort_buckets(double *s, double *tmp, uint32_t *count, size_t n, uint32_t *pos, size_t buckets,
                         uint64_t base, unsigned shift)
{
    uint32_t sum = 0;
    for (size_t b = 0; b < buckets; b++) {
        uint32_t c = pos[b];
        pos[b] = sum;
        sum += c;
    }
    for (size_t i = 0; i < n; i++)
        tmp[pos[(disorder_bits_of(s[i]) - base) >> shift]++] = s[i];
    size_t first = 0;
    for (size_t b = 0; b < buckets; b++) {
        size_t m = pos[b] - first;
        if (m <= 16) {
            memcpy(s + first, tmp + first, m * sizeof(double));
            insertion_sort(s + first, m);
        } else {
            fine_sort(tmp + first, s + first, m, count, base + ((uint64_t)b << shift), shift);
        }
        first = pos[b];
    }
}

void disorder_sort(double *s, double *tmp, uint32_t *count, size_t n, uint64_t lo, uint64_t hi)
{
    /* about 16 values per coarse bucket or more: small buckets cost an
     * unpredictable insertion sort each */
    size_t buckets = MIN_COARSE;
    while (buckets < COARSE && 16 * buckets < n)
        buckets *= 2;
    unsigned shift = 0;
    while (((hi - lo) >> shift) >= buckets)
        shift++;
    uint32_t coarse[COARSE];
    memset(coarse, 0, buckets * sizeof(uint32_t));
    for (size_t i = 0; i < n; i++)
        coarse[(disorder_bits_of(s[i]) - lo) >> shift]++;
    sort_buckets(s, tmp, count, n, coarse, buckets, lo, shift);
}

/* ---- buckets with predicted capacities ----------------------------------- */

#define MARGIN_BELOW 12 /* binades of spare slices below the smallest value seen */
#define MARGIN_ABOVE 4  /* and above the largest */

int disorder_buckets_init(disorder_buckets *b, size_t n)
{
    memset(b, 0, sizeof *b);
    b->shift = 52 - disorder_sort_bin_bits(n);
    b->slices = disorder_sort_bin_size(n);
    b->data_size = 2 * n + 1024 < UINT32_MAX ? 2 * n + 1024 : UINT32_MAX;
    b->slot = calloc(2 * b->slices, sizeof(uint32_t));
    b->start = calloc(b->slices, sizeof(uint32_t));
    b->over = calloc(b->slices, sizeof(uint32_t));
    b->mean = calloc(b->slices, sizeof(float));
    b->data = malloc(b->data_size * sizeof(double));
    b->ov = malloc((n + 1) * sizeof(double));
    b->ov2 = malloc((n + 1) * sizeof(double));
    b->ov_first = SIZE_MAX;
    return b->slot && b->start && b->over && b->mean && b->data && b->ov && b->ov2;
}

void disorder_buckets_free(disorder_buckets *b)
{
    free(b->slot);
    free(b->start);
    free(b->over);
    free(b->mean);
    free(b->data);
    free(b->ov);
    free(b->ov2);
    memset(b, 0, sizeof *b);
}

void disorder_buckets_overflow(disorder_buckets *b, double v, size_t k)
{
    b->ov[b->nov++] = v;
    b->over[k]++;
    b->ov_first = k < b->ov_first ? k : b->ov_first;
    b->ov_last = k > b->ov_last ? k : b->ov_last;
}

/* Sort the m values of src (whose bits lie in slice `key`) into dst. */
static void sort_slice(const double *src, double *dst, size_t m, uint32_t *count, size_t key, unsigned shift)
{
    if (m <= 16) {
        memcpy(dst, src, m * sizeof(double));
        insertion_sort(dst, m);
    } else {
        fine_sort(src, dst, m, count, (uint64_t)key << shift, shift);
    }
}

/* The capacities of the next fill: slices within the margins around
 * [first, last] (the nonempty ones) get their running mean plus three
 * standard deviations (Poisson) and 2, as long as data has room; the
 * others none. */
static void predict(disorder_buckets *b, size_t first, size_t last)
{
    for (size_t k = b->cap_first; k < b->cap_last; k++)
        b->slot[2 * k] = b->slot[2 * k + 1] = 0;
    const size_t per_binade = (size_t)1 << (52 - b->shift);
    size_t lo = first > MARGIN_BELOW * per_binade ? first - MARGIN_BELOW * per_binade : 0;
    size_t hi = last + 1 + MARGIN_ABOVE * per_binade < b->slices ? last + 1 + MARGIN_ABOVE * per_binade : b->slices;
    /* means of slices leaving the window are forgotten */
    for (size_t k = b->cap_first; k < b->cap_last; k++)
        if (k < lo || k >= hi)
            b->mean[k] = 0;
    size_t used = 0;
    for (size_t k = lo; k < hi; k++) {
        float mu = b->mean[k];
        size_t cap = (size_t)(mu + 3.0f * sqrtf(mu)) + 2;
        if (cap > b->data_size - used)
            cap = b->data_size - used;
        b->start[k] = b->slot[2 * k] = (uint32_t)used;
        used += cap;
        b->slot[2 * k + 1] = (uint32_t)used;
    }
    b->cap_first = lo;
    b->cap_last = hi;
}

void disorder_buckets_sort(disorder_buckets *b, double *s, uint32_t *count)
{
    size_t lo = b->cap_first, hi = b->cap_last;
    if (b->nov > 0) {
        /* group the overflow by slice (a counting sort; over[k] ends as the
         * end of slice k's run in ov2) */
        uint32_t sum = 0;
        for (size_t k = b->ov_first; k <= b->ov_last; k++) {
            uint32_t c = b->over[k];
            b->over[k] = sum;
            sum += c;
        }
        for (size_t i = 0; i < b->nov; i++)
            b->ov2[b->over[disorder_bits_of(b->ov[i]) >> b->shift]++] = b->ov[i];
        if (lo == hi || b->ov_first < lo)
            lo = b->ov_first;
        if (lo == hi || b->ov_last + 1 > hi)
            hi = b->ov_last + 1;
    }
    /* the weight of this sort in the running means: 1/1, 1/2, ... 1/8 */
    if (b->sorts < 8)
        b->sorts += 1;
    const float w = (float)(1.0 / b->sorts);
    size_t out = 0, run = 0, first = SIZE_MAX, last = 0;
    for (size_t k = lo; k < hi; k++) {
        size_t m1 = k >= b->cap_first && k < b->cap_last ? b->slot[2 * k] - b->start[k] : 0;
        size_t m2 = 0, from = run;
        if (b->nov > 0 && k >= b->ov_first && k <= b->ov_last) {
            m2 = b->over[k] - run;
            run = b->over[k];
            b->over[k] = 0;
        }
        size_t m = m1 + m2;
        b->mean[k] += w * ((float)m - b->mean[k]);
        if (m == 0)
            continue;
        first = k < first ? k : first;
        last = k;
        const double *src = b->data + b->start[k];
        if (m2 > 0 && m1 == 0) {
            src = b->ov2 + from;
        } else if (m2 > 0) { /* ov is free now */
            memcpy(b->ov, b->data + b->start[k], m1 * sizeof(double));
            memcpy(b->ov + m1, b->ov2 + from, m2 * sizeof(double));
            src = b->ov;
        }
        sort_slice(src, s + out, m, count, k, b->shift);
        out += m;
    }
    b->nov = 0;
    b->ov_first = SIZE_MAX;
    b->ov_last = 0;
    if (first != SIZE_MAX)
        predict(b, first, last);
}
