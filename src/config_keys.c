/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config_keys.c - the one table of scalar configuration keys: a row per key
 * with its name, type, range, default, doc line and place in lrk_config
 * (in the style of Redis's static_configs[]), and the typed conversion of a
 * YAML scalar for a key (config_value.c).  The YAML loader, `--set` overrides and sweep points
 * all go through config_key_apply, so they accept exactly the same values;
 * defaults (config.c), emission and the resume hash (config_emit.c), `check`
 * and the key table of docs/configuration.md are generated from the rows.
 * Adding a scalar key is one row here plus the struct member and its use.
 */
#include "config_internal.h"

#include "lrekmc/disorder.h"
#include "lrekmc/lattice.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AT(member) offsetof(lrk_config, member)
/* The offset of a member that must have C type `type` (a compile error
 * otherwise: the row's kind and the struct cannot drift apart). */
#define TYPED(member, type) (AT(member) + 0 * sizeof(char[_Generic(((lrk_config *)0)->member, type: 1, default: -1)]))
/* Enum members are stored as int (config_key_apply writes an int). */
#define INT_SIZED(member) (AT(member) + 0 * sizeof(char[sizeof(((lrk_config *)0)->member) == sizeof(int) ? 1 : -1]))

/* Bounds: ANY = none; GT0 = (0, inf); GE0 = [0, inf); UNIT = (0, 1). */
#define ANY 0, 0, 0, 0, 0.0, 0.0
#define GT0 1, 1, 0, 0, 0.0, 0.0
#define GE0 1, 0, 0, 0, 0.0, 0.0
#define UNIT 1, 1, 1, 1, 0.0, 1.0
#define CLOSED(lo, hi) 1, 0, 1, 0, (double)(lo), (double)(hi)
#define POSITIVE_UPTO(hi) 1, 1, 1, 0, 0.0, (double)(hi)

/* One row per kind: name, member, [bounds | choices], default text, doc line. */
#define REAL(name, member, bounds, def, doc) {name, KEY_REAL, TYPED(member, double), bounds, NULL, 1, doc, def, 0, NULL}
#define LONG(name, member, lo, hi, def, doc) \
    {name, KEY_LONG, TYPED(member, long), CLOSED(lo, hi), NULL, 1, doc, def, 0, NULL}
#define ENUM(name, member, names, def, doc) {name, KEY_ENUM, INT_SIZED(member), ANY, names, 1, doc, def, 0, NULL}

static int replaced_by_elastic(const lrk_config *c)
{
    return c->has_elastic;
}

size_t config_key_slot(const char *name)
{
    size_t i = 0;
    if (config_key_find(name, &i) == NULL) {
        fprintf(stderr, "lrekmc: internal error: the unknown key '%s' is named in the source\n", name);
        abort();
    }
    return i;
}

const lrk_sweep_axis *config_key_sweep_axis(const lrk_config *c, const char *name)
{
    for (size_t a = 0; a < c->sweep_axis_count; a++)
        for (size_t k = 0; k < c->sweep_axes[a].key_count; k++)
            if (strcmp(c->sweep_axes[a].keys[k], name) == 0)
                return &c->sweep_axes[a];
    return NULL;
}

/* model.space.* are not emitted (so not hashed) without a lattice: every
 * mean-field configuration keeps its resume hash.  A sweep over the lattice
 * has one at some point, so its base keeps them (else run.yaml and `check`
 * would lose the box of the lattice points). */
static int no_lattice(const lrk_config *c)
{
    return c->model.space.lattice == LRK_LATTICE_NONE && config_key_sweep_axis(c, "model.space.lattice") == NULL;
}

/* Written only when given, so configurations without disorder keep their
 * bytes and their resume hash. */
static int no_disorder(const lrk_config *c)
{
    return c->model.disorder.kind == LRK_DISORDER_NONE && c->model.disorder.width == 0;
}

/* With a lattice, Ly, Lz and N follow the box unless given: they are then
 * not emitted (nor hashed), so that a re-read configuration resolves them
 * again at every sweep point (a sweep over L moves them) instead of pinning
 * point 0's values. */
static int follows_box(const lrk_config *c, const char *name)
{
    size_t slot = 0;
    if (no_lattice(c) || config_key_find(name, &slot) == NULL)
        return 0;
    return c->origin[slot].kind == LRK_ORIGIN_DEFAULT;
}

static int n_follows_box(const lrk_config *c)
{
    return follows_box(c, "model.N");
}

static int ly_omitted(const lrk_config *c)
{
    return no_lattice(c) || follows_box(c, "model.space.Ly");
}

static int lz_omitted(const lrk_config *c)
{
    return no_lattice(c) || follows_box(c, "model.space.Lz");
}

/* Rows of model.space: as REAL, LONG and ENUM, omitted without a lattice. */
#define SPACE_REAL(name, member, bounds, def, doc) \
    {name, KEY_REAL, TYPED(member, double), bounds, NULL, 1, doc, def, 0, no_lattice}
#define SPACE_LONG(name, member, lo, hi, def, doc) \
    {name, KEY_LONG, TYPED(member, long), CLOSED(lo, hi), NULL, 1, doc, def, 0, no_lattice}
#define SPACE_ENUM(name, member, names, def, doc) \
    {name, KEY_ENUM, INT_SIZED(member), ANY, names, 1, doc, def, 0, no_lattice}

static const config_key_def keys[] = {
    ENUM("model.mode", model.mode, lrk_mode_names, "ser",
         "coupling c = +1 (stretched, Eq. 5-6), -1 (compressed, Eq. 9), 1 - 2 f(T) (crossover, Eq. 10)"),
    REAL("model.V0", model.V0, ANY, "1", "barrier of the first event (units of k_B)"),
    REAL("model.elastic.n_r", elastic.n_r, GT0, NULL,
         "Eq. 5 input n_r; the block model.elastic replaces model.V1 and needs all five inputs"),
    REAL("model.elastic.q0", elastic.q0, GT0, NULL, "Eq. 5 input q0 (cage volume)"),
    REAL("model.elastic.dp0", elastic.dp0, GE0, NULL, "Eq. 5 input dp0 (stress change)"),
    REAL("model.elastic.d0", elastic.d0, GT0, NULL, "Eq. 5 input d0 (size of a region)"),
    REAL("model.elastic.d_el", elastic.d_el, GT0, NULL,
         "Eq. 5 input d_el (elastic interaction range; V1 = 0 when d_el <= d0/2)"),
    {"model.V1", KEY_REAL, TYPED(model.V1, double), GE0, NULL, 1,
     "interaction strength; give either V1 or model.elastic, not both", "1", 0, replaced_by_elastic},
    REAL("model.T", model.T, GT0, "1", "temperature (units of k_B)"),
    REAL("model.crossover.A", model.A, ANY, NULL,
         "sharpness A of f(T) = 1/(exp(-A(1/T - 1/T0)) + 1); required when mode is crossover, given only then"),
    REAL("model.crossover.T0", model.T0, GT0, NULL,
         "temperature T0 where f = 1/2; required when mode is crossover, given only then"),
    SPACE_ENUM("model.space.lattice", model.space.lattice, lrk_lattice_names, "none",
                   "LREs in space: none (mean field) or cubic (one LRE per site of a periodic box, docs/space.md)"),
    SPACE_LONG("model.space.L", model.space.Lx, 1, LRK_SPACE_MAX_L, "16", "sites of the box along x"),
    {"model.space.Ly", KEY_LONG, TYPED(model.space.Ly, long), CLOSED(0, LRK_SPACE_MAX_L), NULL, 1,
     "sites along y; 0 = L", "0", 0, ly_omitted},
    {"model.space.Lz", KEY_LONG, TYPED(model.space.Lz, long), CLOSED(0, LRK_SPACE_MAX_L), NULL, 1,
     "sites along z; 0 = L", "0", 0, lz_omitted},
    SPACE_REAL("model.space.d_el", model.space.d_el, POSITIVE_UPTO(LRK_SPACE_MAX_D_EL), "3",
                   "elasticity length in lattice spacings: range of the r3 kernel and of an avalanche step"),
    SPACE_ENUM("model.space.kernel", model.space.kernel, lrk_kernel_names, "r3",
                   "r3: J ~ (d0/2r)^3 for r <= d_el, a full neighbourhood adds V1 (Eq. 4); uniform: J = V1/N, "
                   "the mean-field chain"),
    {"model.N", KEY_LONG, TYPED(model.N, long), CLOSED(1, LRK_MODEL_MAX_N), NULL, 1,
     "number of LREs n_r in one trajectory", "1000", 0, n_follows_box},
    {"model.disorder.distribution", KEY_ENUM, INT_SIZED(model.disorder.kind), ANY, lrk_disorder_names, 1,
     "quenched barrier offsets delta_i (docs/disorder.md): none, normal, uniform, exponential or bimodal", "none",
     0, no_disorder},
    {"model.disorder.width", KEY_REAL, TYPED(model.disorder.width, double), GE0, NULL, 1,
     "offset width: normal std, uniform half-width, exponential mean, bimodal +-width (0 = no disorder)", "0",
     0, no_disorder},
    LONG("kmc.trajectories", kmc.trajectories, 0, 1e12, "10000",
         "KMC trajectories; 0 = deterministic references only"),
    {"kmc.seed", KEY_U64, TYPED(kmc.seed, uint64_t), ANY, NULL, 1,
     "seed of every trajectory's generator (docs/kmc.md, random streams)", "42", 0, NULL},
    ENUM("kmc.streams", kmc.streams, lrk_streams_names, "independent",
         "independent: each point's streams are keyed by its own model (mode, V0, V1, T, N, crossover A and "
         "T0), so points are statistically independent; common: the seed alone, the same random numbers at "
         "every point (for differences between points)"),
    {"kmc.threads", KEY_INT, TYPED(kmc.threads, int), CLOSED(0, 1024), NULL, 1,
     "OpenMP threads; 0 = all cores (results do not depend on it)", "0", 1, NULL},
    {"grid.t_max", KEY_TMAX, TYPED(grid.t_max, double), GT0, NULL, 1,
     "end of the output time grid; auto = the later of the ODE's time to q_max and a time by which the "
     "ensemble mean has reached q_max (grid.t_max_rule)", "auto", 0, NULL},
    REAL("grid.q_max", grid.q_max, UNIT, "0.99", "q that ends the grid when t_max is auto"),
    ENUM("grid.t_max_rule", grid.t_max_rule, lrk_grid_end_rule_names, "auto",
         "how t_max: auto covers the ensemble: moments = Chernoff bound from the exact rates (SER in space: "
         "of the slowest chain), pilot = 1024-trajectory pilot run with its own seed, ode = the ODE alone; auto = "
         "the engine's rule (moments for the mean-field chain and SER in space, else pilot) when kmc.trajectories "
         "> 0, ode without KMC (docs/fit.md, where the grid ends)"),
    LONG("grid.points", grid.points, 2, 1e7, "400", "points of the time grid"),
    ENUM("grid.spacing", grid.spacing, lrk_spacing_names, "linear",
         "time grid spacing (log: 4 decades below t_max)"),
    ENUM("fit.protocol", fit.protocol, lrk_fit_protocol_names, "qlevels",
         "KWW fit points: (t(q_j), q_j) at the q-levels, or (t_k, q(t_k)) on the grid"),
    REAL("fit.q_levels.from", fit.q_from, UNIT, "0.01", "first q-level (<= to)"),
    REAL("fit.q_levels.to", fit.q_to, UNIT, "0.99", "last q-level (>= from)"),
    LONG("fit.q_levels.count", fit.q_count, 1, 1e6, "99", "number of equally spaced q-levels"),
    LONG("fit.batches", fit.batches, 2, 10000, "20",
         "batches for the batch-means errors of KMC fits (<= kmc.trajectories when that is > 0)"),
    ENUM("references.master_equation", references.master_equation, lrk_switch_names, "auto",
         "exact finite-N master equation; auto = when N is small enough, on = up to the larger limits (over its work budget: left out with a warning)"),
    {"output.dir", KEY_STRING, TYPED(output.dir, char *), ANY, NULL, 0,
     "directory of the results (at most 4096 bytes; not sweepable)", LRK_CONFIG_DEFAULT_DIR, 1, NULL},
    {"output.trajectories", KEY_BOOL, TYPED(output.trajectories, int), ANY, NULL, 1,
     "also write every trajectory's first-passage times", "false", 0, NULL},
};

_Static_assert(sizeof keys / sizeof keys[0] <= LRK_CONFIG_KEY_SLOTS, "raise LRK_CONFIG_KEY_SLOTS");

size_t config_key_count(void)
{
    return sizeof keys / sizeof keys[0];
}

const config_key_def *config_key_at(size_t i)
{
    return i < config_key_count() ? &keys[i] : NULL;
}

const char *lrk_config_key_name(size_t i)
{
    return i < config_key_count() ? keys[i].name : NULL;
}

int lrk_config_key_describe(size_t i, char *buf, size_t size)
{
    char expected[160];
    if (i >= config_key_count())
        return -1;
    config_key_expectation(&keys[i], expected, sizeof expected);
    snprintf(buf, size, "%s (default %s); %s", expected, keys[i].default_text ? keys[i].default_text : "none",
             keys[i].meaning);
    return 0;
}

void lrk_config_keys_markdown(FILE *out)
{
    char expected[160];
    fputs("| key | type and allowed values | default | meaning |\n|---|---|---|---|\n", out);
    for (size_t i = 0; i < config_key_count(); i++) {
        const config_key_def *k = &keys[i];
        config_key_expectation(k, expected, sizeof expected);
        fprintf(out, "| `%s` | %s | ", k->name, expected);
        if (k->default_text != NULL)
            fprintf(out, "`%s`", k->default_text);
        else
            fputs("none", out);
        fprintf(out, " | %s |\n", k->meaning);
    }
}

const config_key_def *config_key_find(const char *name, size_t *index)
{
    for (size_t i = 0; i < config_key_count(); i++) {
        if (strcmp(keys[i].name, name) == 0) {
            if (index != NULL)
                *index = i;
            return &keys[i];
        }
    }
    return NULL;
}

int config_key_is_block(const char *name)
{
    size_t n = strlen(name);
    if (strcmp(name, "sweep") == 0)
        return 1;
    for (size_t i = 0; i < config_key_count(); i++)
        if (strncmp(keys[i].name, name, n) == 0 && keys[i].name[n] == '.')
            return 1;
    return 0;
}

static void range_text(const config_key_def *k, int integer, char *buf, size_t size)
{
    const char *noun = integer ? "an integer" : "a finite number";
    if (k->has_lo && k->has_hi)
        snprintf(buf, size, "%s in %c%.17g, %.17g%c", noun, k->lo_open ? '(' : '[', k->lo, k->hi,
                 k->hi_open ? ')' : ']');
    else if (k->has_lo)
        snprintf(buf, size, "%s %s %.17g", noun, k->lo_open ? ">" : ">=", k->lo);
    else
        snprintf(buf, size, "%s", noun);
}

void config_key_expectation(const config_key_def *k, char *buf, size_t size)
{
    switch (k->kind) {
    case KEY_REAL: range_text(k, 0, buf, size); return;
    case KEY_INT:
    case KEY_LONG: range_text(k, 1, buf, size); return;
    case KEY_U64: snprintf(buf, size, "an integer in [0, %" PRIu64 "]", UINT64_MAX); return;
    case KEY_BOOL: snprintf(buf, size, "true or false"); return;
    case KEY_STRING: snprintf(buf, size, "a non-empty string"); return;
    case KEY_TMAX: snprintf(buf, size, "auto or a finite number > 0"); return;
    case KEY_ENUM: break;
    }
    size_t used = (size_t)snprintf(buf, size, "one of");
    for (size_t i = 0; k->choices[i] != NULL && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s %s", i ? "," : "", k->choices[i]);
}


/* Levenshtein distance, with one row of cost (names are short; long inputs
 * are cut to keep this bounded). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64) n = 64;
    if (m > 64) m = 64;
    size_t row[65];
    for (size_t j = 0; j <= m; j++) row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t above = row[j];
            size_t cost = (tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1])) ? 0 : 1;
            size_t best = diagonal + cost;
            if (above + 1 < best) best = above + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[m];
}

static const char *last_component(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot ? dot + 1 : name;
}

/* Keep `candidate` (its first `length` bytes) when it is closer to `name`. */
static void consider(const char *name, const char *candidate, size_t length, char *best, size_t *best_distance)
{
    char text[128];
    if (length >= sizeof text)
        return;
    memcpy(text, candidate, length);
    text[length] = '\0';
    size_t distance = edit_distance(name, text);
    if (distance < *best_distance) {
        *best_distance = distance;
        memcpy(best, text, length + 1);
    }
}

const char *config_key_suggest(const char *name)
{
    static _Thread_local char best[128];
    size_t best_distance = (size_t)-1;
    /* The keys, then the blocks above them by depth ("model", then
     * "model.elastic"), "sweep" after the sections: the first closest wins. */
    for (size_t i = 0; i < config_key_count(); i++)
        consider(name, keys[i].name, strlen(keys[i].name), best, &best_distance);
    for (int depth = 1; depth <= 2; depth++) {
        for (size_t i = 0; i < config_key_count(); i++) {
            const char *end = keys[i].name;
            for (int d = 0; d < depth && end != NULL; d++)
                end = strchr(d == 0 ? end : end + 1, '.');
            if (end != NULL)
                consider(name, keys[i].name, (size_t)(end - keys[i].name), best, &best_distance);
        }
        if (depth == 1)
            consider(name, "sweep", 5, best, &best_distance);
    }
    size_t allowed = 1 + strlen(last_component(name)) / 3;
    if (allowed > 3) allowed = 3;
    if (best_distance <= allowed && strcmp(best, name) != 0)
        return best;
    /* A right name in the wrong section: "model.seed" -> "kmc.seed". */
    for (size_t i = 0; i < config_key_count(); i++)
        if (strcmp(last_component(keys[i].name), last_component(name)) == 0 && strcmp(keys[i].name, name))
            return keys[i].name;
    return NULL;
}

void config_key_children(const char *prefix, char *buf, size_t size)
{
    size_t n = strlen(prefix), used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < config_key_count(); i++) {
        const char *name = keys[i].name;
        if (strncmp(name, prefix, n) != 0 || name[n] != '.')
            continue;
        const char *child = name + n + 1;
        size_t length = strcspn(child, ".");
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strncmp(keys[j].name, name, n + 1 + length) == 0 &&
                   (keys[j].name[n + 1 + length] == '.' || keys[j].name[n + 1 + length] == '\0');
        if (!seen && used < size)
            used += (size_t)snprintf(buf + used, size - used, "%s%.*s", used ? ", " : "", (int)length, child);
    }
}
