/* SPDX-License-Identifier: GPL-3.0-or-later */
/* consumer.c - a program built against an installed liblrekmc through
 * pkg-config: the closed form and a PCG draw, to prove headers and library. */
#include <stdio.h>

#include <lrekmc/closed_form.h>
#include <lrekmc/rng.h>
#include <lrekmc/version.h>

int main(void)
{
    lrk_model m = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = 1, .T = 1, .N = 1000};
    double t = 0;
    lrk_error err;
    if (lrk_closed_form_time(&m, 0.5, &t, &err) != LRK_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 42u, 54u);
    printf("lrekmc %s: t(0.5) = %.6f, pcg64 = %016llx\n", lrk_version(), t,
           (unsigned long long)lrk_pcg64_next(&g));
    return lrk_pcg64_next(&g) == 0x1304aa46c9853d39ULL ? 0 : 1;
}
