/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config_loader.h - the event-level YAML walker shared by config_load.c
 * (sections and keys) and config_sweep.c (the sweep: block).
 *
 * The walker holds one current libyaml event.  A node handler is called with
 * the first event of its node current and returns with the node's last event
 * current.  Handlers return LRK_OK to go on, and the status that ends the
 * load to stop (LRK_ERR_INVALID after a syntax error or too many errors,
 * LRK_ERR_NOMEM); ordinary errors are only counted.  The int functions are
 * predicates.
 */
#ifndef LREKMC_CONFIG_LOADER_H
#define LREKMC_CONFIG_LOADER_H

#include <yaml.h>

#include "config_internal.h"

typedef struct loader {
    yaml_parser_t parser;
    yaml_event_t event;
    int has_event;
    int stopped;               /* a fatal problem was reported: unwind */
    size_t errors;
    int reported_reference;    /* an anchor or alias was reported already */
    size_t sweep_values;       /* values stored for the sweep so far */
    lrk_status status;         /* LRK_ERR_INVALID or LRK_ERR_NOMEM once something failed */
    const char *name;          /* file name for messages */
    const unsigned char *data; /* the whole input (offsets of reader errors -> line:column) */
    size_t size;
    lrk_config *c;
    lrk_diagnostics *d;
} loader;

/* Advance to the next event; stops (after reporting) on a syntax error. */
lrk_status loader_next(loader *L);

/* LRK_OK while the walk goes on, else the status that ends it. */
lrk_status loader_go_on(const loader *L);

/* "NAME:LINE:COLUMN: message" at mark (0-based in libyaml, printed 1-based). */
void loader_error(loader *L, yaml_mark_t mark, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Consume the current node (any kind). */
lrk_status loader_skip(loader *L);

/* Report anchors and tags on the current event (they are not supported).
 * Returns 0 when the current event is an alias (reported; nothing to read). */
int loader_plain_node(loader *L);

/* "a mapping", "a list", "a scalar 'text'" ... for "got ..." messages. */
void loader_describe(const loader *L, char *buf, size_t size);

/* The current event is a scalar with no content (null): `key:` alone. */
int loader_is_null(const loader *L);

/* The current scalar's text, or NULL (reported) when it holds a NUL byte. */
const char *loader_scalar(loader *L);

/* Walk the mapping whose MAPPING_START is current: for every entry with a
 * scalar key (duplicates and non-scalar keys are reported and skipped) call
 * entry with the value node current. */
typedef lrk_status (*loader_entry)(loader *L, const char *key, yaml_mark_t key_mark, void *context);
lrk_status loader_mapping(loader *L, loader_entry entry, void *context);

/* The `sweep:` value (config_sweep.c). */
lrk_status loader_sweep(loader *L, yaml_mark_t key_mark);

#define LOADER_MAX_DEPTH 64  /* deeper nesting stops the load */

#endif /* LREKMC_CONFIG_LOADER_H */
