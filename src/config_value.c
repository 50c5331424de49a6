/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config_value.c - one scalar's text for one key of the table (config_keys.c):
 * YAML 1.2 core-schema numbers (what is a decimal, what is null, inf and
 * nan refused), exact integers up to 2^64 - 1, range checks with the
 * message naming the key and its allowed values, and the shortest text that
 * reads back to the same double.  Kept apart from the table so that the
 * table stays a table.
 */
#include "config_internal.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The offending text for a message: printable ASCII only, cut when long. */
void config_shown_text(const char *text, char *buf, size_t size)
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

int config_parse_number(const char *text, double *x, char *why, size_t why_size)
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

static int in_bounds(const config_key_def *k, double x)
{
    if (k->has_lo && (k->lo_open ? !(x > k->lo) : !(x >= k->lo)))
        return 0;
    if (k->has_hi && (k->hi_open ? !(x < k->hi) : !(x <= k->hi)))
        return 0;
    return 1;
}

static lrk_status fail(char *why, size_t why_size, const config_key_def *k, const char *text, const char *reason)
{
    char expected[160], shown[200];
    config_key_expectation(k, expected, sizeof expected);
    config_shown_text(text, shown, sizeof shown);
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

static lrk_status apply_u64(uint64_t *out, const config_key_def *k, const char *text, char *why, size_t ws)
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
    if (config_parse_number(text, &x, reason, sizeof reason) != 0)
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

static lrk_status apply_number(lrk_config *c, const config_key_def *k, const char *text, char *why, size_t ws)
{
    double x;
    char reason[64];
    int integer = 0;
    if (k->kind == KEY_TMAX && strcmp(text, "auto") == 0) {
        c->grid.t_max_auto = 1;
        return LRK_OK;
    }
    if (config_parse_number(text, &x, reason, sizeof reason) != 0)
        return fail(why, ws, k, text, reason);
    decimal_syntax(text, &integer);
    int wants_integer = (k->kind == KEY_INT || k->kind == KEY_LONG);
    if (wants_integer && !integer)
        return fail(why, ws, k, text, "not an integer");
    if (!in_bounds(k, x))
        return fail(why, ws, k, text, "out of range");
    char *field = (char *)c + k->offset;
    switch (k->kind) {
    case KEY_INT: *(int *)(void *)field = (int)x; break;
    case KEY_LONG: *(long *)(void *)field = (long)x; break;
    case KEY_TMAX:
        c->grid.t_max_auto = 0;
        c->grid.t_max = x;
        break;
    default: *(double *)(void *)field = x; break;
    }
    return LRK_OK;
}

lrk_status config_key_apply(lrk_config *c, const config_key_def *k, const char *text, int quoted, char *why,
                         size_t why_size)
{
    char *field = (char *)c + k->offset;
    if (is_null(text, quoted))
        return fail(why, why_size, k, text, "an empty value");
    if (k->kind == KEY_STRING) {
        if (text[0] == '\0' || strlen(text) > 4096)
            return fail(why, why_size, k, text, text[0] ? "longer than 4096 bytes" : "empty");
        char *copy = config_strdup(text);
        if (copy == NULL)
            return LRK_ERR_NOMEM;
        free(*(char **)(void *)field);
        *(char **)(void *)field = copy;
        return LRK_OK;
    }
    if (k->kind == KEY_ENUM) {
        for (int i = 0; k->choices[i] != NULL; i++) {
            if (strcmp(text, k->choices[i]) == 0) {
                *(int *)(void *)field = i;
                return LRK_OK;
            }
        }
        return fail(why, why_size, k, text, NULL);
    }
    if (quoted && !(k->kind == KEY_TMAX && strcmp(text, "auto") == 0))
        return fail(why, why_size, k, text, "a quoted string; remove the quotes");
    if (k->kind == KEY_BOOL) {
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
    lrk_status status = (k->kind == KEY_U64) ? apply_u64((uint64_t *)(void *)field, k, text, why, why_size)
                                                 : apply_number(c, k, text, why, why_size);
    if (status == LRK_OK && strncmp(k->name, "model.elastic.", 14) == 0)
        c->has_elastic = 1;
    return status;
}

void config_format_double(double x, char *buf, size_t size)
{
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(buf, size, "%.*g", precision, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

int config_key_format(const lrk_config *c, const config_key_def *k, char *buf, size_t size)
{
    const char *field = (const char *)c + k->offset;
    switch (k->kind) {
    case KEY_REAL: config_format_double(*(const double *)(const void *)field, buf, size); break;
    case KEY_INT: return snprintf(buf, size, "%d", *(const int *)(const void *)field);
    case KEY_LONG: return snprintf(buf, size, "%ld", *(const long *)(const void *)field);
    case KEY_U64: return snprintf(buf, size, "%" PRIu64, *(const uint64_t *)(const void *)field);
    case KEY_BOOL: return snprintf(buf, size, "%s", *(const int *)(const void *)field ? "true" : "false");
    case KEY_ENUM: {
        int i = *(const int *)(const void *)field, n = 0;
        while (k->choices[n] != NULL) n++;
        return snprintf(buf, size, "%s", (i >= 0 && i < n) ? k->choices[i] : "?");
    }
    case KEY_STRING: {
        const char *s = *(char *const *)(const void *)field;
        /* NULL only after a failed allocation of the default */
        return snprintf(buf, size, "%s", s ? s : k->default_text ? k->default_text : "");
    }
    case KEY_TMAX:
        if (c->grid.t_max_auto)
            return snprintf(buf, size, "auto");
        config_format_double(c->grid.t_max, buf, size);
        break;
    }
    return (int)strlen(buf);
}
