/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config_keys.c - the one table of scalar configuration keys (type, range,
 * meaning) and the typed conversion of a YAML scalar for a key.  The YAML
 * loader, `--set` overrides and sweep points all go through lrk_key_apply,
 * so they accept exactly the same values.
 */
#include "config_internal.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const mode_choices[] = {"ser", "cer", "crossover", NULL};
static const char *const spacing_choices[] = {"linear", "log", NULL};
static const char *const protocol_choices[] = {"qlevels", "timegrid", NULL};
static const char *const switch_choices[] = {"auto", "on", "off", NULL};
static const char *const grid_end_choices[] = {"auto", "ode", "moments", "pilot", NULL}; /* grid_end.h order */
static const char *const streams_choices[] = {"independent", "common", NULL}; /* lrk_streams order */

#define AT(member) offsetof(lrk_config, member)
/* Bounds: ANY = none; GT0 = (0, inf); GE0 = [0, inf); UNIT = (0, 1). */
#define ANY 0, 0, 0, 0, 0.0, 0.0
#define GT0 1, 1, 0, 0, 0.0, 0.0
#define GE0 1, 0, 0, 0, 0.0, 0.0
#define UNIT 1, 1, 1, 1, 0.0, 1.0
#define CLOSED(lo, hi) 1, 0, 1, 0, (double)(lo), (double)(hi)

static const lrk_key_def keys[] = {
    {"model.mode", LRK_KEY_ENUM, AT(model.mode), ANY, mode_choices, 1,
     "ser (c = +1), cer (c = -1) or crossover (c = 1 - 2 f(T))"},
    {"model.V0", LRK_KEY_REAL, AT(model.V0), ANY, NULL, 1, "barrier of the first event (units of k_B)"},
    {"model.V1", LRK_KEY_REAL, AT(model.V1), GE0, NULL, 1, "interaction strength (or model.elastic)"},
    {"model.T", LRK_KEY_REAL, AT(model.T), GT0, NULL, 1, "temperature (units of k_B)"},
    {"model.N", LRK_KEY_LONG, AT(model.N), CLOSED(1, LRK_MODEL_MAX_N), NULL, 1,
     "number of LREs n_r in one trajectory"},
    {"model.crossover.A", LRK_KEY_REAL, AT(model.A), ANY, NULL, 1,
     "sharpness A of f(T) (mode crossover; no default)"},
    {"model.crossover.T0", LRK_KEY_REAL, AT(model.T0), GT0, NULL, 1,
     "temperature T0 where f = 1/2 (mode crossover; no default)"},
    {"model.elastic.n_r", LRK_KEY_REAL, AT(elastic.n_r), GT0, NULL, 1, "Eq. 5: number of events n_r"},
    {"model.elastic.q0", LRK_KEY_REAL, AT(elastic.q0), GT0, NULL, 1, "Eq. 5: cage volume q0"},
    {"model.elastic.dp0", LRK_KEY_REAL, AT(elastic.dp0), GE0, NULL, 1, "Eq. 5: stress change dp0"},
    {"model.elastic.d0", LRK_KEY_REAL, AT(elastic.d0), GT0, NULL, 1, "Eq. 5: size d0 of a region"},
    {"model.elastic.d_el", LRK_KEY_REAL, AT(elastic.d_el), GT0, NULL, 1,
     "Eq. 5: elastic interaction range d_el (V1 = 0 when d_el <= d0/2)"},
    {"kmc.trajectories", LRK_KEY_LONG, AT(kmc.trajectories), CLOSED(0, 1e12), NULL, 1,
     "KMC trajectories (0 = deterministic references only)"},
    {"kmc.seed", LRK_KEY_U64, AT(kmc.seed), ANY, NULL, 1, "seed of the PCG streams"},
    {"kmc.streams", LRK_KEY_ENUM, AT(kmc.streams), ANY, streams_choices, 1,
     "independent (keyed by the point's model) or common (the same for every point)"},
    {"kmc.threads", LRK_KEY_INT, AT(kmc.threads), CLOSED(0, 1024), NULL, 1, "threads (0 = all cores)"},
    {"grid.t_max", LRK_KEY_TMAX, AT(grid.t_max), GT0, NULL, 1,
     "end of the time grid (auto = when the ODE and the KMC mean reach q_max)"},
    {"grid.q_max", LRK_KEY_REAL, AT(grid.q_max), UNIT, NULL, 1, "q at which t_max: auto ends the grid"},
    {"grid.t_max_rule", LRK_KEY_ENUM, AT(grid.t_max_rule), ANY, grid_end_choices, 1,
     "how t_max: auto covers the ensemble (auto = moments with KMC, ode without)"},
    {"grid.points", LRK_KEY_LONG, AT(grid.points), CLOSED(2, 1e7), NULL, 1, "points of the time grid"},
    {"grid.spacing", LRK_KEY_ENUM, AT(grid.spacing), ANY, spacing_choices, 1, "time grid spacing"},
    {"fit.protocol", LRK_KEY_ENUM, AT(fit.protocol), ANY, protocol_choices, 1, "KWW fit points"},
    {"fit.q_levels.from", LRK_KEY_REAL, AT(fit.q_from), UNIT, NULL, 1, "first q-level"},
    {"fit.q_levels.to", LRK_KEY_REAL, AT(fit.q_to), UNIT, NULL, 1, "last q-level (>= from)"},
    {"fit.q_levels.count", LRK_KEY_LONG, AT(fit.q_count), CLOSED(1, 1e6), NULL, 1, "number of q-levels"},
    {"fit.batches", LRK_KEY_LONG, AT(fit.batches), CLOSED(2, 10000), NULL, 1,
     "batches for KMC fit errors (<= kmc.trajectories)"},
    {"references.master_equation", LRK_KEY_ENUM, AT(references.master_equation), ANY, switch_choices, 1,
     "exact finite-N master equation (auto = when N is small enough)"},
    {"output.dir", LRK_KEY_STRING, AT(output.dir), ANY, NULL, 0, "directory of the results"},
    {"output.trajectories", LRK_KEY_BOOL, AT(output.trajectories), ANY, NULL, 1,
     "write per-trajectory first-passage times"},
};

_Static_assert(sizeof keys / sizeof keys[0] <= LRK_CONFIG_KEY_SLOTS, "raise LRK_CONFIG_KEY_SLOTS");
_Static_assert(sizeof(lrk_mode) == sizeof(int) && sizeof(lrk_spacing) == sizeof(int) &&
                   sizeof(lrk_fit_protocol) == sizeof(int) && sizeof(lrk_switch) == sizeof(int) &&
                   sizeof(lrk_grid_end_rule) == sizeof(int),
               "enum keys are stored as int");
_Static_assert(sizeof(lrk_streams) == sizeof(int), "enum keys are stored as int");

size_t lrk_key_count(void)
{
    return sizeof keys / sizeof keys[0];
}

const lrk_key_def *lrk_key_at(size_t i)
{
    return i < lrk_key_count() ? &keys[i] : NULL;
}

const char *lrk_config_key_name(size_t i)
{
    return i < lrk_key_count() ? keys[i].name : NULL;
}

int lrk_config_key_describe(size_t i, char *buf, size_t size)
{
    char expected[160];
    if (i >= lrk_key_count())
        return -1;
    lrk_key_expectation(&keys[i], expected, sizeof expected);
    snprintf(buf, size, "%s; %s", expected, keys[i].meaning);
    return 0;
}

const lrk_key_def *lrk_key_find(const char *name, size_t *index)
{
    for (size_t i = 0; i < lrk_key_count(); i++) {
        if (strcmp(keys[i].name, name) == 0) {
            if (index != NULL)
                *index = i;
            return &keys[i];
        }
    }
    return NULL;
}

int lrk_key_is_block(const char *name)
{
    size_t n = strlen(name);
    if (strcmp(name, "sweep") == 0)
        return 1;
    for (size_t i = 0; i < lrk_key_count(); i++)
        if (strncmp(keys[i].name, name, n) == 0 && keys[i].name[n] == '.')
            return 1;
    return 0;
}

static void range_text(const lrk_key_def *k, int integer, char *buf, size_t size)
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

void lrk_key_expectation(const lrk_key_def *k, char *buf, size_t size)
{
    switch (k->kind) {
    case LRK_KEY_REAL: range_text(k, 0, buf, size); return;
    case LRK_KEY_INT:
    case LRK_KEY_LONG: range_text(k, 1, buf, size); return;
    case LRK_KEY_U64: snprintf(buf, size, "an integer in [0, %" PRIu64 "]", UINT64_MAX); return;
    case LRK_KEY_BOOL: snprintf(buf, size, "true or false"); return;
    case LRK_KEY_STRING: snprintf(buf, size, "a non-empty string"); return;
    case LRK_KEY_TMAX: snprintf(buf, size, "auto or a finite number > 0"); return;
    case LRK_KEY_ENUM: break;
    }
    size_t used = (size_t)snprintf(buf, size, "one of");
    for (size_t i = 0; k->choices[i] != NULL && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s %s", i ? "," : "", k->choices[i]);
}

/* The offending text for a message: printable ASCII only, cut when long. */
void lrk_shown_text(const char *text, char *buf, size_t size)
{
    size_t out = 0, i = 0;
    for (; text[i] != '\0' && i < 40 && out + 5 < size; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\'' || ch == '\\' || !isprint(ch))
            out += (size_t)snprintf(buf + out, size - out, "\\x%02x", ch);
        else
            buf[out++] = (char)ch;
    }
    if (text[i] != '\0' && out + 4 < size)
        out += (size_t)snprintf(buf + out, size - out, "...");
    buf[out < size ? out : size - 1] = '\0';
}

static int is_null(const char *text, int quoted)
{
    return !quoted && (text[0] == '\0' || strcmp(text, "~") == 0 || strcmp(text, "null") == 0 ||
                       strcmp(text, "Null") == 0 || strcmp(text, "NULL") == 0);
}

static int is_special_float(const char *text)
{
    const char *p = text + (text[0] == '+' || text[0] == '-');
    if (*p == '.')
        p++;
    static const char *const names[] = {"inf", "Inf", "INF", "nan", "NaN", "NAN", "infinity", "Infinity"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(p, names[i]) == 0)
            return 1;
    return 0;
}

/* Decimal syntax check; on success *integer says whether the exact decimal
 * value is a whole number (digits after the point, once shifted by the
 * exponent, are all zero). */
static int decimal_syntax(const char *text, int *integer)
{
    const char *p = text + (text[0] == '+' || text[0] == '-');
    const char *mantissa = p;
    size_t before = 0, after = 0;
    while (isdigit((unsigned char)*p)) p++, before++;
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p)) p++, after++;
    }
    if (before + after == 0)
        return 0;
    long exponent = 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        int negative = (*p == '-');
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char)*p))
            return 0;
        for (; isdigit((unsigned char)*p); p++)
            if (exponent < 100000)
                exponent = exponent * 10 + (*p - '0');
        if (negative)
            exponent = -exponent;
    }
    if (*p != '\0')
        return 0;
    /* Digit j of the mantissa (0-based, skipping the point) has weight
     * 10^(before - 1 - j + exponent): it is fractional when that is < 0. */
    *integer = 1;
    for (size_t j = 0, seen = 0; seen < before + after; j++) {
        char ch = mantissa[j];
        if (ch == '.')
            continue;
        if ((long)before - 1 - (long)seen + exponent < 0 && ch != '0')
            *integer = 0;
        seen++;
    }
    return 1;
}

int lrk_parse_number(const char *text, double *x, char *why, size_t why_size)
{
    int integer;
    if (is_special_float(text)) {
        snprintf(why, why_size, "not a finite number");
        return -1;
    }
    if (!decimal_syntax(text, &integer)) {
        snprintf(why, why_size, "not a number");
        return -1;
    }
    errno = 0;
    double value = strtod(text, NULL);
    if (errno == ERANGE && !(fabs(value) < 1.0)) {
        snprintf(why, why_size, "out of the range of a double");
        return -1;
    }
    if (errno == ERANGE) {
        snprintf(why, why_size, "too close to zero for a double");
        return -1;
    }
    *x = value;
    return 0;
}

static int in_bounds(const lrk_key_def *k, double x)
{
    if (k->has_lo && (k->lo_open ? !(x > k->lo) : !(x >= k->lo)))
        return 0;
    if (k->has_hi && (k->hi_open ? !(x < k->hi) : !(x <= k->hi)))
        return 0;
    return 1;
}

static lrk_status fail(char *why, size_t why_size, const lrk_key_def *k, const char *text, const char *reason)
{
    char expected[160], shown[200];
    lrk_key_expectation(k, expected, sizeof expected);
    lrk_shown_text(text, shown, sizeof shown);
    snprintf(why, why_size, "expected %s, got '%s'%s%s%s", expected, shown, reason ? " (" : "",
             reason ? reason : "", reason ? ")" : "");
    return LRK_ERR_INVALID;
}

/* The value of a decimal that decimal_syntax found to be a whole number
 * >= 0, exactly; -1 when it exceeds 64 bits. */
static int exact_integer(const char *text, uint64_t *out)
{
    const char *p = text + (text[0] == '+');
    char digits[128];
    size_t n = 0, before = 0;
    for (; isdigit((unsigned char)*p) || *p == '.'; p++) {
        if (*p == '.')
            continue;
        if (n < sizeof digits)
            digits[n] = *p;
        n++;
        before += strchr(text, '.') == NULL || p < strchr(text, '.');
    }
    long exponent = (*p == 'e' || *p == 'E') ? strtol(p + 1, NULL, 10) : 0;
    long whole = (long)before + exponent; /* digits with a weight >= 1 */
    uint64_t value = 0;
    for (long j = 0; j < whole; j++) {
        unsigned digit = (size_t)j < n && (size_t)j < sizeof digits ? (unsigned)(digits[j] - '0') : 0;
        if ((size_t)j >= sizeof digits && (size_t)j < n)
            return -1; /* a mantissa this long cannot fit anyway */
        if (value > (UINT64_MAX - digit) / 10)
            return -1;
        value = value * 10 + digit;
    }
    *out = value;
    return 0;
}

static lrk_status apply_u64(uint64_t *out, const lrk_key_def *k, const char *text, char *why, size_t ws)
{
    const char *p = text + (text[0] == '+');
    size_t digits = strspn(p, "0123456789");
    if (digits > 0 && p[digits] == '\0') {
        errno = 0;
        unsigned long long v = strtoull(p, NULL, 10);
        if (errno == ERANGE)
            return fail(why, ws, k, text, "too large");
        *out = (uint64_t)v;
        return LRK_OK;
    }
    double x;
    char reason[64];
    int integer = 0;
    if (lrk_parse_number(text, &x, reason, sizeof reason) != 0)
        return fail(why, ws, k, text, reason);
    decimal_syntax(text, &integer);
    if (!integer)
        return fail(why, ws, k, text, "not an integer");
    if (x < 0)
        return fail(why, ws, k, text, "negative");
    /* Judged by the exact decimal, not by the double it rounds to
     * (9007199254740993.0 reads as 2^53 exactly). */
    uint64_t exact = 0;
    if (exact_integer(text, &exact) != 0 || exact > 9007199254740992ULL)
        return fail(why, ws, k, text, "write integers above 2^53 with plain digits");
    *out = exact;
    return LRK_OK;
}

static lrk_status apply_number(lrk_config *c, const lrk_key_def *k, const char *text, char *why, size_t ws)
{
    double x;
    char reason[64];
    int integer = 0;
    if (k->kind == LRK_KEY_TMAX && strcmp(text, "auto") == 0) {
        c->grid.t_max_auto = 1;
        return LRK_OK;
    }
    if (lrk_parse_number(text, &x, reason, sizeof reason) != 0)
        return fail(why, ws, k, text, reason);
    decimal_syntax(text, &integer);
    int wants_integer = (k->kind == LRK_KEY_INT || k->kind == LRK_KEY_LONG);
    if (wants_integer && !integer)
        return fail(why, ws, k, text, "not an integer");
    if (!in_bounds(k, x))
        return fail(why, ws, k, text, "out of range");
    char *field = (char *)c + k->offset;
    switch (k->kind) {
    case LRK_KEY_INT: *(int *)(void *)field = (int)x; break;
    case LRK_KEY_LONG: *(long *)(void *)field = (long)x; break;
    case LRK_KEY_TMAX:
        c->grid.t_max_auto = 0;
        c->grid.t_max = x;
        break;
    default: *(double *)(void *)field = x; break;
    }
    return LRK_OK;
}

lrk_status lrk_key_apply(lrk_config *c, const lrk_key_def *k, const char *text, int quoted, char *why,
                         size_t why_size)
{
    char *field = (char *)c + k->offset;
    if (is_null(text, quoted))
        return fail(why, why_size, k, text, "an empty value");
    if (k->kind == LRK_KEY_STRING) {
        if (text[0] == '\0' || strlen(text) > 4096)
            return fail(why, why_size, k, text, text[0] ? "longer than 4096 bytes" : "empty");
        char *copy = lrk_strdup(text);
        if (copy == NULL)
            return LRK_ERR_NOMEM;
        free(*(char **)(void *)field);
        *(char **)(void *)field = copy;
        return LRK_OK;
    }
    if (k->kind == LRK_KEY_ENUM) {
        for (int i = 0; k->choices[i] != NULL; i++) {
            if (strcmp(text, k->choices[i]) == 0) {
                *(int *)(void *)field = i;
                return LRK_OK;
            }
        }
        return fail(why, why_size, k, text, NULL);
    }
    if (quoted && !(k->kind == LRK_KEY_TMAX && strcmp(text, "auto") == 0))
        return fail(why, why_size, k, text, "a quoted string; remove the quotes");
    if (k->kind == LRK_KEY_BOOL) {
        int value;
        if (strcmp(text, "true") == 0 || strcmp(text, "True") == 0 || strcmp(text, "TRUE") == 0)
            value = 1;
        else if (strcmp(text, "false") == 0 || strcmp(text, "False") == 0 || strcmp(text, "FALSE") == 0)
            value = 0;
        else
            return fail(why, why_size, k, text, NULL);
        *(int *)(void *)field = value;
        return LRK_OK;
    }
    lrk_status status = (k->kind == LRK_KEY_U64) ? apply_u64((uint64_t *)(void *)field, k, text, why, why_size)
                                                 : apply_number(c, k, text, why, why_size);
    if (status == LRK_OK && strncmp(k->name, "model.elastic.", 14) == 0)
        c->has_elastic = 1;
    return status;
}

void lrk_format_double(double x, char *buf, size_t size)
{
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(buf, size, "%.*g", precision, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

int lrk_key_format(const lrk_config *c, const lrk_key_def *k, char *buf, size_t size)
{
    const char *field = (const char *)c + k->offset;
    switch (k->kind) {
    case LRK_KEY_REAL: lrk_format_double(*(const double *)(const void *)field, buf, size); break;
    case LRK_KEY_INT: return snprintf(buf, size, "%d", *(const int *)(const void *)field);
    case LRK_KEY_LONG: return snprintf(buf, size, "%ld", *(const long *)(const void *)field);
    case LRK_KEY_U64: return snprintf(buf, size, "%" PRIu64, *(const uint64_t *)(const void *)field);
    case LRK_KEY_BOOL: return snprintf(buf, size, "%s", *(const int *)(const void *)field ? "true" : "false");
    case LRK_KEY_ENUM: {
        int i = *(const int *)(const void *)field, n = 0;
        while (k->choices[n] != NULL) n++;
        return snprintf(buf, size, "%s", (i >= 0 && i < n) ? k->choices[i] : "?");
    }
    case LRK_KEY_STRING: {
        const char *s = *(char *const *)(const void *)field;
        return snprintf(buf, size, "%s", s ? s : "");
    }
    case LRK_KEY_TMAX:
        if (c->grid.t_max_auto)
            return snprintf(buf, size, "auto");
        lrk_format_double(c->grid.t_max, buf, size);
        break;
    }
    return (int)strlen(buf);
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

static const char *const blocks[] = {"model", "kmc", "grid", "fit", "references", "output", "sweep",
                                     "model.crossover", "model.elastic", "fit.q_levels"};

static const char *last_component(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot ? dot + 1 : name;
}

const char *lrk_key_suggest(const char *name)
{
    const char *best = NULL;
    size_t best_distance = (size_t)-1;
    size_t total = lrk_key_count() + sizeof blocks / sizeof blocks[0];
    for (size_t i = 0; i < total; i++) {
        const char *candidate = i < lrk_key_count() ? keys[i].name : blocks[i - lrk_key_count()];
        size_t distance = edit_distance(name, candidate);
        if (distance < best_distance) {
            best_distance = distance;
            best = candidate;
        }
    }
    size_t allowed = 1 + strlen(last_component(name)) / 3;
    if (allowed > 3) allowed = 3;
    if (best != NULL && best_distance <= allowed && strcmp(best, name) != 0)
        return best;
    /* A right name in the wrong section: "model.seed" -> "kmc.seed". */
    for (size_t i = 0; i < lrk_key_count(); i++)
        if (strcmp(last_component(keys[i].name), last_component(name)) == 0 && strcmp(keys[i].name, name))
            return keys[i].name;
    return NULL;
}

void lrk_key_children(const char *prefix, char *buf, size_t size)
{
    size_t n = strlen(prefix), used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < lrk_key_count(); i++) {
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
