/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * disorder_internal.h - a test hook of the disorder engine, internal to the
 * library and its tests: a deliberately broken variant of the operational-time
 * engine (each gap is mapped to real time with h(n + 1) instead of h(n)), so
 * that tests/test_disorder.c can show its equality-in-distribution test
 * rejects a wrong engine.  Never selected by configuration.
 */
#ifndef LREKMC_DISORDER_INTERNAL_H
#define LREKMC_DISORDER_INTERNAL_H

#include "lrekmc/disorder.h"

#define DISORDER_METHOD_BROKEN ((lrk_disorder_method)99)

#endif /* LREKMC_DISORDER_INTERNAL_H */
