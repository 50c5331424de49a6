/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fit_data.c - measured relaxation curves for fit_model.h: the CSV contract
 * of docs/fit-data.md, the same checks for arrays (the Python binding), and
 * grouping of points into curves.  Every rejection names where it is
 * (PATH:LINE:COLUMN, or "point I" for arrays), because the user has to find
 * the offending value in a file of thousands of rows.
 */
#define _POSIX_C_SOURCE 200809L
#include "lrekmc/fit_model.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COL_T = 0, COL_Y, COL_SIGMA, COL_TEMP, COL_CURVE, COL_KINDS };
#define MAX_FIELDS 64

typedef struct where {
    const char *source;
    int from_file;
    size_t line, column; /* arrays: line = point index */
} where;

static lrk_status located(lrk_error *err, where w, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static lrk_status located(lrk_error *err, where w, const char *format, ...)
{
    char text[LRK_ERROR_MESSAGE_SIZE];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    if (!w.from_file)
        return lrk_error_set(err, LRK_ERR_INVALID, "%s point %zu: %s", w.source, w.line, text);
    if (w.column == 0)
        return lrk_error_set(err, LRK_ERR_INVALID, "%s:%zu: %s", w.source, w.line, text);
    return lrk_error_set(err, LRK_ERR_INVALID, "%s:%zu:%zu: %s", w.source, w.line, w.column, text);
}

/* A point before grouping, with where each of its values came from. */
typedef struct row {
    double t, y, sigma, T;
    const char *label; size_t label_length; /* curve field (not terminated) */
    where at[COL_KINDS];
} row;

/* Growing curves: capacity beside each lrk_fit_curve. */
typedef struct builder {
    lrk_fit_data *data;
    size_t curve_capacity;
    size_t *point_capacity;
    size_t *T_line; /* where a curve's T was first given */
    size_t last;    /* curve of the previous row */
} builder;

static lrk_status grow_curves(builder *b, lrk_error *err)
{
    lrk_fit_data *d = b->data;
    if (d->curve_count < b->curve_capacity)
        return LRK_OK;
    size_t cap = b->curve_capacity ? 2 * b->curve_capacity : 8;
    lrk_fit_curve *c = realloc(d->curves, cap * sizeof *c);
    if (c != NULL)
        d->curves = c;
    size_t *pc = realloc(b->point_capacity, cap * sizeof *pc);
    if (pc != NULL)
        b->point_capacity = pc;
    size_t *tl = realloc(b->T_line, cap * sizeof *tl);
    if (tl != NULL)
        b->T_line = tl;
    if (c == NULL || pc == NULL || tl == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "%s: out of memory for %zu curves", d->source, cap);
    b->curve_capacity = cap;
    return LRK_OK;
}

static lrk_status new_curve(builder *b, const row *r, size_t *index, lrk_error *err)
{
    lrk_status status = grow_curves(b, err);
    if (status != LRK_OK)
        return status;
    lrk_fit_data *d = b->data;
    lrk_fit_curve *c = &d->curves[d->curve_count];
    memset(c, 0, sizeof *c);
    c->T = d->has_T ? r->T : NAN;
    c->label = malloc(r->label_length + 1);
    if (c->label == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "%s: out of memory", d->source);
    memcpy(c->label, r->label, r->label_length);
    c->label[r->label_length] = '\0';
    b->point_capacity[d->curve_count] = 0;
    b->T_line[d->curve_count] = r->at[COL_TEMP].line;
    *index = d->curve_count++;
    return LRK_OK;
}

static int same_curve(const lrk_fit_data *d, const lrk_fit_curve *c, const row *r)
{
    if (d->has_curve)
        return strlen(c->label) == r->label_length && memcmp(c->label, r->label, r->label_length) == 0;
    if (d->has_T)
        return c->T == r->T;
    return 1;
}

static lrk_status append_point(builder *b, size_t j, const row *r, lrk_error *err)
{
    lrk_fit_data *d = b->data;
    lrk_fit_curve *c = &d->curves[j];
    if (c->count == b->point_capacity[j]) {
        size_t cap = c->count ? 2 * c->count : 16;
        double *t = realloc(c->t, cap * sizeof *t);
        if (t != NULL) c->t = t;
        double *y = realloc(c->y, cap * sizeof *y);
        if (y != NULL) c->y = y;
        double *s = d->has_sigma ? realloc(c->sigma, cap * sizeof *s) : NULL;
        if (s != NULL) c->sigma = s;
        size_t *l = realloc(c->line, cap * sizeof *l);
        if (l != NULL) c->line = l;
        size_t *col = realloc(c->column, cap * sizeof *col);
        if (col != NULL) c->column = col;
        if (t == NULL || y == NULL || (d->has_sigma && s == NULL) || l == NULL || col == NULL)
            return lrk_error_set(err, LRK_ERR_NOMEM, "%s: out of memory for %zu points", d->source, cap);
        b->point_capacity[j] = cap;
    }
    c->t[c->count] = r->t;
    c->y[c->count] = d->input_is_q ? 1.0 - r->y : r->y;
    if (d->has_sigma)
        c->sigma[c->count] = r->sigma;
    c->line[c->count] = r->at[COL_Y].line;
    c->column[c->count] = r->at[COL_Y].column;
    c->count++;
    d->point_count++;
    return LRK_OK;
}

/* Value checks, then the point joins its curve (after the order check). */
static lrk_status add_row(builder *b, const row *r, lrk_error *err)
{
    lrk_fit_data *d = b->data;
    const char *yname = d->input_is_q ? "q" : "phi";
    if (!isfinite(r->t) || !(r->t >= 0))
        return located(err, r->at[COL_T], "t = %g: expected a finite time >= 0", r->t);
    if (!isfinite(r->y))
        return located(err, r->at[COL_Y], "%s = %g: expected a finite number", yname, r->y);
    if (d->has_sigma && (!isfinite(r->sigma) || !(r->sigma > 0) || !isfinite(1.0 / (r->sigma * r->sigma))))
        return located(err, r->at[COL_SIGMA], "sigma = %g: expected a finite sigma > 0 (and 1/sigma^2 finite)",
                       r->sigma);
    if (d->has_T && (!isfinite(r->T) || !(r->T > 0)))
        return located(err, r->at[COL_TEMP], "T = %g: expected a finite temperature > 0", r->T);
    if (d->has_curve && r->label_length == 0)
        return located(err, r->at[COL_CURVE], "empty curve label");
    /* rows of a curve usually come together: try the last curve first */
    size_t j = d->curve_count;
    if (b->last < d->curve_count && same_curve(d, &d->curves[b->last], r))
        j = b->last;
    for (size_t k = 0; j == d->curve_count && k < d->curve_count; k++)
        if (same_curve(d, &d->curves[k], r))
            j = k;
    lrk_status status = LRK_OK;
    if (j == d->curve_count && d->curve_count == LRK_FIT_MAX_CURVES)
        return located(err, d->has_curve ? r->at[COL_CURVE] : r->at[COL_TEMP],
                       "more than %d curves: is %s constant within each curve?", LRK_FIT_MAX_CURVES,
                       d->has_curve ? "the curve label" : "T");
    if (j == d->curve_count) {
        status = new_curve(b, r, &j, err);
        if (status != LRK_OK)
            return status;
    }
    lrk_fit_curve *c = &d->curves[j];
    if (d->has_curve && d->has_T && r->T != c->T)
        return located(err, r->at[COL_TEMP],
                       "T = %.10g differs from T = %.10g of curve '%s' (%s %zu): T must be constant within a curve",
                       r->T, c->T, c->label, d->from_file ? "line" : "point", b->T_line[j]);
    if (c->count > 0 && !(r->t > c->t[c->count - 1])) {
        char curve[160] = "";
        if (d->has_curve || d->has_T)
            snprintf(curve, sizeof curve, " of curve '%.100s'", c->label);
        return located(err, r->at[COL_T],
                       "t = %.10g is not after the previous t = %.10g%s (%s %zu): times must increase "
                       "strictly within a curve",
                       r->t, c->t[c->count - 1], curve, d->from_file ? "line" : "point", c->line[c->count - 1]);
    }
    b->last = j;
    return append_point(b, j, r, err);
}

/* ---- CSV ----------------------------------------------------------------- */

typedef struct field {
    const char *text;
    size_t length, column;
} field;

static int is_space(char c) { return c == ' ' || c == '\t'; }

/* Split [line, line + length) at commas, trimming blanks. */
static size_t split(const char *line, size_t length, field *fields, size_t max)
{
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= length; i++) {
        if (i < length && line[i] != ',')
            continue;
        size_t a = start, e = i;
        while (a < e && is_space(line[a])) a++;
        while (e > a && is_space(line[e - 1])) e--;
        if (n < max)
            fields[n] = (field){line + a, e - a, a + 1};
        n++;
        start = i + 1;
    }
    return n;
}

static int field_is(const field *f, const char *name)
{
    return f->length == strlen(name) && memcmp(f->text, name, f->length) == 0;
}

static int column_kind(const field *f, int *input_is_q)
{
    if (field_is(f, "t")) return COL_T;
    if (field_is(f, "phi")) { *input_is_q = 0; return COL_Y; }
    if (field_is(f, "q")) { *input_is_q = 1; return COL_Y; }
    if (field_is(f, "sigma")) return COL_SIGMA;
    if (field_is(f, "T")) return COL_TEMP;
    if (field_is(f, "curve")) return COL_CURVE;
    return -1;
}

typedef struct header {
    size_t count, line;
    int kind[MAX_FIELDS];
    field names[MAX_FIELDS];
} header;

static lrk_status parse_header(lrk_fit_data *d, header *h, const char *line, size_t length,
                               size_t line_number, lrk_error *err)
{
    where w = {d->source, 1, line_number, 0};
    h->line = line_number;
    h->count = split(line, length, h->names, MAX_FIELDS);
    if (h->count > MAX_FIELDS)
        return located(err, w, "%zu columns in the header; at most %d", h->count, MAX_FIELDS);
    size_t seen[COL_KINDS] = {0};
    for (size_t i = 0; i < h->count; i++) {
        field *f = &h->names[i];
        w.column = f->column;
        int is_q = 0, kind = column_kind(f, &is_q);
        if (kind < 0)
            return located(err, w, "unknown column '%.*s' (expected t, phi or q, sigma, T, curve; names are "
                           "case-sensitive)", (int)f->length, f->text);
        if (kind == COL_Y && seen[COL_Y] && d->input_is_q != is_q)
            return located(err, w, "both phi and q are given (q at column %zu of the header): give one",
                           d->input_is_q ? h->names[seen[COL_Y] - 1].column : f->column);
        if (seen[kind])
            return located(err, w, "duplicate column '%.*s' (also field %zu of the header)", (int)f->length,
                           f->text, seen[kind]);
        if (kind == COL_Y)
            d->input_is_q = is_q;
        seen[kind] = i + 1;
        h->kind[i] = kind;
    }
    w.column = 0;
    if (!seen[COL_T])
        return located(err, w, "the header has no column 't' (time)");
    if (!seen[COL_Y])
        return located(err, w, "the header has no column 'phi' or 'q' (the relaxing quantity)");
    d->has_sigma = seen[COL_SIGMA] != 0;
    d->has_T = seen[COL_TEMP] != 0;
    d->has_curve = seen[COL_CURVE] != 0;
    return LRK_OK;
}

static lrk_status parse_number(const field *f, where w, const char *name, double *out, lrk_error *err)
{
    char buf[128];
    if (f->length == 0)
        return located(err, w, "column %s: empty field, expected a number", name);
    if (f->length >= sizeof buf)
        return located(err, w, "column %s: expected a number, got a %zu-character field", name, f->length);
    memcpy(buf, f->text, f->length);
    buf[f->length] = '\0';
    char *end = NULL;
    errno = 0;
    double v = strtod(buf, &end);
    if (end == buf || *end != '\0')
        return located(err, w, "column %s: expected a number, got '%s'", name, buf);
    if (!isfinite(v) || (errno == ERANGE && fabs(v) > 1.0))
        return located(err, w, "column %s: '%s' is not a finite number", name, buf);
    *out = v;
    return LRK_OK;
}

static lrk_status parse_row(builder *b, const header *h, const char *line, size_t length,
                            size_t line_number, lrk_error *err)
{
    lrk_fit_data *d = b->data;
    field f[MAX_FIELDS];
    where w = {d->source, 1, line_number, 0};
    size_t n = split(line, length, f, MAX_FIELDS);
    if (n >= 1 && h->names[0].length == f[0].length && memcmp(h->names[0].text, f[0].text, f[0].length) == 0)
        return located(err, w, "a second header line (the first is line %zu): concatenated files?", h->line);
    if (n != h->count)
        return located(err, w, "%zu fields, but the header (line %zu) has %zu columns", n, h->line, h->count);
    static const char *names[COL_KINDS] = {"t", "phi", "sigma", "T", "curve"};
    row r = {0, 0, 0, 0, "1", 1, {{0}}};
    for (size_t i = 0; i < n; i++) {
        int kind = h->kind[i];
        w.column = f[i].column;
        r.at[kind] = w;
        const char *name = kind == COL_Y && d->input_is_q ? "q" : names[kind];
        lrk_status status = LRK_OK;
        switch (kind) {
        case COL_T: status = parse_number(&f[i], w, name, &r.t, err); break;
        case COL_Y: status = parse_number(&f[i], w, name, &r.y, err); break;
        case COL_SIGMA: status = parse_number(&f[i], w, name, &r.sigma, err); break;
        case COL_TEMP: status = parse_number(&f[i], w, name, &r.T, err); break;
        default: r.label = f[i].text; r.label_length = f[i].length; break;
        }
        if (status != LRK_OK)
            return status;
    }
    if (!d->has_curve && d->has_T) { /* the T field's text labels the curve */
        for (size_t i = 0; i < n; i++)
            if (h->kind[i] == COL_TEMP) {
                r.label = f[i].text;
                r.label_length = f[i].length;
            }
    }
    return add_row(b, &r, err);
}

static int blank_or_comment(const char *line, size_t length)
{
    size_t i = 0;
    while (i < length && is_space(line[i])) i++;
    return i == length || line[i] == '#';
}

static void builder_done(builder *b)
{
    free(b->point_capacity);
    free(b->T_line);
}

static lrk_status init_data(lrk_fit_data *out, const char *source, int from_file, lrk_error *err)
{
    memset(out, 0, sizeof *out);
    out->source = strdup(source != NULL ? source : "data");
    out->from_file = from_file;
    if (out->source == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "out of memory");
    return LRK_OK;
}

static lrk_status parse_lines(builder *b, const char *text, size_t length, lrk_error *err)
{
    lrk_fit_data *d = b->data;
    header h = {0};
    int have_header = 0;
    size_t line_number = 0, pos = 0;
    while (pos < length) {
        size_t end = pos;
        while (end < length && text[end] != '\n') end++;
        line_number++;
        size_t len = end - pos;
        if (len > 0 && text[pos + len - 1] == '\r')
            len--;
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)text[pos + i];
            if ((c < 0x20 && c != '\t') || c == 0x7f)
                return located(err, (where){d->source, 1, line_number, i + 1},
                               "control character 0x%02x: not a text CSV file", c);
            if (c == '"')
                return located(err, (where){d->source, 1, line_number, i + 1},
                               "quoted fields are not supported");
        }
        lrk_status status = LRK_OK;
        if (!blank_or_comment(text + pos, len)) {
            if (!have_header) {
                status = parse_header(d, &h, text + pos, len, line_number, err);
                have_header = 1;
            } else {
                status = parse_row(b, &h, text + pos, len, line_number, err);
            }
        }
        if (status != LRK_OK)
            return status;
        pos = end + 1;
    }
    if (!have_header)
        return located(err, (where){d->source, 1, line_number ? line_number : 1, 0},
                       "no header line: expected column names such as 't,phi'");
    if (d->point_count == 0)
        return located(err, (where){d->source, 1, h.line, 0}, "a header but no data rows");
    return LRK_OK;
}

lrk_status lrk_fit_data_parse(const char *text, size_t length, const char *source, lrk_fit_data *out,
                              lrk_error *err)
{
    if (out == NULL || (text == NULL && length > 0))
        return lrk_error_set(err, LRK_ERR_INVALID, "fit data: out and text must not be NULL");
    lrk_status status = init_data(out, source, 1, err);
    builder b = {out, 0, NULL, NULL, 0};
    if (status == LRK_OK)
        status = parse_lines(&b, text, length, err);
    builder_done(&b);
    if (status != LRK_OK)
        lrk_fit_data_free(out);
    return status;
}

lrk_status lrk_fit_data_read(const char *path, lrk_fit_data *out, lrk_error *err)
{
    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (path == NULL || out == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID, "fit data: path and out must not be NULL");
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return lrk_error_set(err, LRK_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
    size_t size = 0, cap = 1 << 16;
    char *text = malloc(cap);
    size_t got;
    while (text != NULL && (got = fread(text + size, 1, cap - size, f)) > 0) {
        size += got;
        if (size == cap) {
            char *bigger = realloc(text, 2 * cap);
            if (bigger == NULL) {
                free(text);
                text = NULL;
            }
            text = bigger;
            cap *= 2;
        }
    }
    int failed = ferror(f);
    fclose(f);
    if (text == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "%s: out of memory reading the file", path);
    if (failed) {
        free(text);
        return lrk_error_set(err, LRK_ERR_IO, "%s: read error", path);
    }
    lrk_status status = lrk_fit_data_parse(text, size, path, out, err);
    free(text);
    return status;
}

lrk_status lrk_fit_data_from_arrays(size_t n, const double *t, const double *y, int input_is_q,
                                    const double *sigma, const double *T, const long *curve_id,
                                    const char *source, lrk_fit_data *out, lrk_error *err)
{
    if (out == NULL || (n > 0 && (t == NULL || y == NULL)))
        return lrk_error_set(err, LRK_ERR_INVALID, "fit data: out, t and y must not be NULL");
    lrk_status status = init_data(out, source, 0, err);
    if (status != LRK_OK)
        return status;
    out->input_is_q = input_is_q != 0;
    out->has_sigma = sigma != NULL;
    out->has_T = T != NULL;
    out->has_curve = curve_id != NULL;
    builder b = {out, 0, NULL, NULL, 0};
    for (size_t i = 0; i < n && status == LRK_OK; i++) {
        where w = {out->source, 0, i, 0};
        char label[32];
        row r = {t[i], y[i], sigma ? sigma[i] : 1.0, T ? T[i] : NAN, "1", 1, {w, w, w, w, w}};
        if (curve_id != NULL || T != NULL) {
            if (curve_id != NULL)
                snprintf(label, sizeof label, "%ld", curve_id[i]);
            else
                snprintf(label, sizeof label, "%.17g", T[i]);
            r.label = label;
            r.label_length = strlen(label);
        }
        status = add_row(&b, &r, err);
    }
    if (status == LRK_OK && out->point_count == 0)
        status = lrk_error_set(err, LRK_ERR_INVALID, "%s: no points", out->source);
    builder_done(&b);
    if (status != LRK_OK)
        lrk_fit_data_free(out);
    return status;
}

lrk_status lrk_fit_data_relabel(lrk_fit_data *d, size_t curve, const char *label, lrk_error *err)
{
    if (d == NULL || label == NULL || curve >= d->curve_count)
        return lrk_error_set(err, LRK_ERR_INVALID, "relabel: no curve %zu", curve);
    if (label[0] == '\0')
        return lrk_error_set(err, LRK_ERR_INVALID, "relabel: curve %zu: empty label", curve);
    for (const char *p = label; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == ',' || *p == '"')
            return lrk_error_set(err, LRK_ERR_INVALID,
                                 "relabel: curve %zu: a label may not hold commas, quotes or control characters",
                                 curve);
    char *copy = strdup(label);
    if (copy == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "relabel: out of memory");
    free(d->curves[curve].label);
    d->curves[curve].label = copy;
    return LRK_OK;
}

void lrk_fit_data_free(lrk_fit_data *d)
{
    if (d == NULL)
        return;
    for (size_t j = 0; j < d->curve_count; j++) {
        lrk_fit_curve *c = &d->curves[j];
        free(c->label);
        free(c->t);
        free(c->y);
        free(c->sigma);
        free(c->line);
        free(c->column);
    }
    free(d->curves);
    free(d->source);
    memset(d, 0, sizeof *d);
}
