/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_flood.h - the straightforward reference for the clusters of
 * relaxed sites (lrk_lattice_clusters, lattice_observe.h): a flood fill from
 * every unseen relaxed site, six periodic neighbours by divisions.  Shared
 * by test_lattice_observe (the oracle) and bench_observe (the reference
 * speed), so both hold the same one.
 */
#ifndef LREKMC_TESTS_LATTICE_FLOOD_H
#define LREKMC_TESTS_LATTICE_FLOOD_H

/* The three statistics of lrk_lattice_clusters for the Lx x Ly x Lz field
 * f (nonzero = relaxed); stack and seen hold N entries each. */
static void flood_clusters(long Lx, long Ly, long Lz, const unsigned char *f, long *stack, unsigned char *seen,
                           double out[3])
{
    const long N = Lx * Ly * Lz;
    long clusters = 0, largest = 0, n = 0;
    for (long i = 0; i < N; i++)
        seen[i] = 0;
    for (long i = 0; i < N; i++) {
        if (!f[i] || seen[i])
            continue;
        long top = 0, size = 0;
        stack[top++] = i;
        seen[i] = 1;
        while (top > 0) {
            const long j = stack[--top], x = j % Lx, y = j / Lx % Ly, z = j / (Lx * Ly);
            size++;
            const long nb[6] = {(x + 1) % Lx + Lx * (y + Ly * z), (x + Lx - 1) % Lx + Lx * (y + Ly * z),
                                x + Lx * ((y + 1) % Ly + Ly * z), x + Lx * ((y + Ly - 1) % Ly + Ly * z),
                                x + Lx * (y + Ly * ((z + 1) % Lz)), x + Lx * (y + Ly * ((z + Lz - 1) % Lz))};
            for (int d = 0; d < 6; d++)
                if (f[nb[d]] && !seen[nb[d]]) {
                    seen[nb[d]] = 1;
                    stack[top++] = nb[d];
                }
        }
        clusters++;
        n += size;
        largest = size > largest ? size : largest;
    }
    out[0] = (double)clusters;
    out[1] = clusters > 0 ? (double)n / (double)clusters : 0.0;
    out[2] = (double)largest / (double)N;
}

#endif /* LREKMC_TESTS_LATTICE_FLOOD_H */
