/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * point_hash.h (private) - the configuration hash of every point of a sweep
 * without building the points: point_hasher_hash(h, k) equals
 * lrk_config_hash of lrk_config_sweep_point(k) (without its sweep), at a
 * few tens of nanoseconds instead of tens of microseconds, so that resuming
 * a campaign of 10^7 points takes seconds.  When a swept key moves another
 * key's entry (a key omitted only together with another: disorder width
 * from 0 without a distribution, a swept lattice), detected once per value
 * at creation, every point is built and hashed in full instead.
 */
#ifndef LREKMC_POINT_HASH_H
#define LREKMC_POINT_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "lrekmc/config.h"
#include "lrekmc/status.h"

typedef struct point_hasher point_hasher;

/* Prepare for base's sweep (base validated); point 0 must be valid. */
lrk_status point_hasher_create(const lrk_config *base, point_hasher **out, lrk_error *err);
uint64_t point_hasher_hash(const point_hasher *h, size_t index);
void point_hasher_free(point_hasher *h);

#endif /* LREKMC_POINT_HASH_H */
