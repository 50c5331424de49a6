/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * streams_tool.c - the trajectory generators of streams.h on stdout, for the
 * tests that need an outside program: tests/streams_numpy.py (NumPy as the
 * oracle of the derivation) and tests/streams_dieharder.sh (a battery on the
 * interleaved outputs of consecutive trajectories).  Built with the test hook
 * of src/streams.c, so --legacy gives the seeding before issue 10.
 *
 *   streams_tool replay SEED STREAMS MODE V0 V1 T N A T0 I COUNT
 *       prints "entropy w...", "state w0 w1 w2 w3" (generate_state(4, uint64))
 *       and "raw x..." (COUNT outputs of trajectory I), in decimal
 *   streams_tool interleave [--legacy] SEED FIRST M K
 *       writes raw 32-bit words for dieharder -g 200 until stdout closes:
 *       the first K outputs of trajectories FIRST .. FIRST + M - 1, output n
 *       of each in turn (a 64-bit output as two words, low first), then the
 *       same for the next M trajectories, and so on.  So the battery sees
 *       consecutive trajectories side by side, at the draws a trajectory
 *       really uses.  The model is the SER point V0 = 1, V1 = 2, T = 1,
 *       N = 50, independent streams.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/streams.h"

extern int streams_test_legacy; /* src/streams.c, built with LREKMC_TEST_HOOKS */

static int usage(void)
{
    fputs("usage: streams_tool replay SEED STREAMS MODE V0 V1 T N A T0 I COUNT\n"
          "       streams_tool interleave [--legacy] SEED FIRST M K\n",
          stderr);
    return 2;
}

static int replay(char **argv)
{
    uint64_t seed = strtoull(argv[0], NULL, 0);
    lrk_streams streams = strcmp(argv[1], "common") == 0 ? LRK_STREAMS_COMMON : LRK_STREAMS_INDEPENDENT;
    lrk_model m = {.V0 = strtod(argv[3], NULL), .V1 = strtod(argv[4], NULL), .T = strtod(argv[5], NULL),
                   .N = strtol(argv[6], NULL, 0), .A = strtod(argv[7], NULL), .T0 = strtod(argv[8], NULL)};
    if (lrk_mode_parse(argv[2], &m.mode) != LRK_OK)
        return usage();
    long i = strtol(argv[9], NULL, 0), count = strtol(argv[10], NULL, 0);
    uint32_t words[LRK_STREAM_ENTROPY_MAX];
    size_t n = lrk_stream_entropy(seed, &m, streams, words);
    printf("entropy");
    for (size_t k = 0; k < n; k++)
        printf(" %" PRIu32, words[k]);
    lrk_stream_key key;
    lrk_stream_key_init(&key, seed, &m, streams);
    uint64_t state[4];
    lrk_trajectory_state_words(&key, (uint64_t)i, state);
    printf("\nstate %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\nraw", state[0], state[1], state[2],
           state[3]);
    lrk_pcg64 g;
    lrk_trajectory_rng(&key, i, &g);
    for (long k = 0; k < count; k++)
        printf(" %" PRIu64, lrk_pcg64_next(&g));
    putchar('\n');
    return ferror(stdout) ? 1 : 0;
}

static int interleave(int argc, char **argv)
{
    if (argc > 0 && strcmp(argv[0], "--legacy") == 0) {
        streams_test_legacy = 1;
        argv++;
        argc--;
    }
    if (argc != 4)
        return usage();
    uint64_t seed = strtoull(argv[0], NULL, 0);
    long first = strtol(argv[1], NULL, 0), M = strtol(argv[2], NULL, 0), K = strtol(argv[3], NULL, 0);
    if (M < 1 || M > 1L << 16 || K < 1 || K > 1L << 16 || first < 0)
        return usage();
    lrk_model m = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = 2, .T = 1, .N = 50};
    lrk_stream_key key;
    lrk_stream_key_init(&key, seed, &m, LRK_STREAMS_INDEPENDENT);
    lrk_pcg64 *g = malloc((size_t)M * sizeof *g);
    uint32_t *buffer = malloc((size_t)M * 2 * sizeof *buffer);
    if (g == NULL || buffer == NULL)
        return 1;
    signal(SIGPIPE, SIG_DFL); /* dieharder closing the pipe ends us */
    for (long block = first;; block += M) {
        for (long l = 0; l < M; l++)
            lrk_trajectory_rng(&key, block + l, &g[l]);
        for (long n = 0; n < K; n++) {
            for (long l = 0; l < M; l++) {
                uint64_t x = lrk_pcg64_next(&g[l]);
                buffer[2 * l] = (uint32_t)x;
                buffer[2 * l + 1] = (uint32_t)(x >> 32);
            }
            if (fwrite(buffer, sizeof *buffer, (size_t)M * 2, stdout) != (size_t)M * 2)
                return errno == EPIPE ? 0 : 1;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc == 13 && strcmp(argv[1], "replay") == 0)
        return replay(argv + 2);
    if (argc >= 6 && strcmp(argv[1], "interleave") == 0)
        return interleave(argc - 2, argv + 2);
    return usage();
}
