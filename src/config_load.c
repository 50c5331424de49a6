/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config_load.c - YAML text to lrk_config: a walk over libyaml's parser
 * events that maps every `section: {key: value}` to a dotted key of the key
 * table (config_keys.c).  Working on events rather than a loaded document
 * keeps memory bounded on hostile input (aliases are never expanded: they
 * are rejected) and gives a line:column for every node.
 */
#include "config_loader.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOP_SECTIONS "model, kmc, grid, fit, references, output, sweep"

/* ---- the walker ------------------------------------------------------------ */

static void report_at(lrk_loader *L, unsigned long line, unsigned long column, const char *format, va_list args)
{
    char body[1536];
    vsnprintf(body, sizeof body, format, args);
    lrk_diagnostics_add(L->d, "%s:%lu:%lu: %s", L->name, line, column, body);
    if (L->status == LRK_OK)
        L->status = LRK_ERR_INVALID;
}

void lrk_loader_error(lrk_loader *L, yaml_mark_t mark, const char *format, ...)
{
    va_list args;
    if (L->stopped)
        return;
    va_start(args, format);
    report_at(L, (unsigned long)mark.line + 1, (unsigned long)mark.column + 1, format, args);
    va_end(args);
    if (++L->errors >= LRK_CONFIG_MAX_ERRORS) {
        lrk_diagnostics_add(L->d, "%s:%lu:%lu: too many errors (%d); stopping here", L->name,
                            (unsigned long)mark.line + 1, (unsigned long)mark.column + 1, LRK_CONFIG_MAX_ERRORS);
        L->stopped = 1;
    }
}

/* Reader errors carry a byte offset, not a mark: count lines ourselves. */
static yaml_mark_t mark_of_offset(const lrk_loader *L, size_t offset)
{
    yaml_mark_t mark = {0, 0, 0};
    for (size_t i = 0; i < offset && i < L->size; i++) {
        if (L->data[i] == '\n') {
            mark.line++;
            mark.column = 0;
        } else if ((L->data[i] & 0xC0) != 0x80) {
            mark.column++;  /* count characters, not UTF-8 continuation bytes */
        }
    }
    mark.index = offset;
    return mark;
}

static void report_syntax_error(lrk_loader *L)
{
    yaml_parser_t *p = &L->parser;
    const char *problem = p->problem ? p->problem : "malformed YAML";
    if (p->error == YAML_MEMORY_ERROR) {
        lrk_diagnostics_add(L->d, "%s: out of memory while parsing", L->name);
        L->status = LRK_ERR_NOMEM;
    } else if (p->error == YAML_READER_ERROR) {
        char value[32] = "";
        if (p->problem_value != -1)
            snprintf(value, sizeof value, " (0x%02x)", (unsigned)p->problem_value);
        lrk_loader_error(L, mark_of_offset(L, p->problem_offset),
                         "invalid input: %s%s at byte %zu: expected UTF-8 text", problem, value, p->problem_offset);
    } else if (p->problem_mark.index < L->size && L->data[p->problem_mark.index] == '\t') {
        lrk_loader_error(L, p->problem_mark,
                         "syntax error: a tab character here; YAML indentation must use spaces (%s)", problem);
    } else if (p->context != NULL && strstr(p->context, "simple key") != NULL
               && p->problem_mark.index > p->context_mark.index + 1024) {
        /* libyaml gives up on a key after 1024 characters (the YAML limit) */
        lrk_loader_error(L, p->context_mark, "a key of more than 1024 characters: YAML allows at most 1024 in a key");
    } else if (p->context != NULL) {
        lrk_loader_error(L, p->problem_mark, "syntax error: %s (%s at line %lu, column %lu)", problem, p->context,
                         (unsigned long)p->context_mark.line + 1, (unsigned long)p->context_mark.column + 1);
    } else {
        lrk_loader_error(L, p->problem_mark, "syntax error: %s", problem);
    }
    if (L->status == LRK_OK)
        L->status = LRK_ERR_INVALID;
    L->stopped = 1;
}

int lrk_loader_next(lrk_loader *L)
{
    if (L->stopped)
        return 0;
    if (L->has_event) {
        yaml_event_delete(&L->event);
        L->has_event = 0;
    }
    if (!yaml_parser_parse(&L->parser, &L->event)) {
        report_syntax_error(L);
        return 0;
    }
    L->has_event = 1;
    return 1;
}

/* Anchors and aliases inside skipped nodes: say once that they are not
 * supported (a billion-laughs file then names its real problem). */
static void note_reference(lrk_loader *L)
{
    if (!L->reported_reference)
        lrk_loader_plain_node(L);
}

int lrk_loader_skip(lrk_loader *L)
{
    yaml_event_type_t type = L->event.type;
    note_reference(L);
    if (type != YAML_SEQUENCE_START_EVENT && type != YAML_MAPPING_START_EVENT)
        return !L->stopped;
    for (size_t depth = 1; depth > 0;) {
        if (!lrk_loader_next(L))
            return 0;
        note_reference(L);
        type = L->event.type;
        if (type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT) {
            if (++depth > LRK_LOADER_MAX_DEPTH) {
                lrk_loader_error(L, L->event.start_mark,
                                 "nesting deeper than %d levels (a configuration needs at most 4); stopping",
                                 LRK_LOADER_MAX_DEPTH);
                L->stopped = 1;
                return 0;
            }
        } else if (type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT) {
            depth--;
        }
    }
    return 1;
}

int lrk_loader_plain_node(lrk_loader *L)
{
    const yaml_event_t *e = &L->event;
    const yaml_char_t *anchor = NULL, *tag = NULL;
    char shown[128];
    switch (e->type) {
    case YAML_ALIAS_EVENT:
        lrk_shown_text((const char *)e->data.alias.anchor, shown, sizeof shown);
        lrk_loader_error(L, e->start_mark,
                         "aliases (*%s) are not supported: write the value out in full", shown);
        L->reported_reference = 1;
        return 0;
    case YAML_SCALAR_EVENT: anchor = e->data.scalar.anchor; tag = e->data.scalar.tag; break;
    case YAML_SEQUENCE_START_EVENT: anchor = e->data.sequence_start.anchor; tag = e->data.sequence_start.tag; break;
    case YAML_MAPPING_START_EVENT: anchor = e->data.mapping_start.anchor; tag = e->data.mapping_start.tag; break;
    default: break;
    }
    if (anchor != NULL) {
        lrk_shown_text((const char *)anchor, shown, sizeof shown);
        lrk_loader_error(L, e->start_mark, "anchors (&%s) are not supported: write every value out in full", shown);
        L->reported_reference = 1;
    }
    if (tag != NULL) {
        lrk_shown_text((const char *)tag, shown, sizeof shown);
        lrk_loader_error(L, e->start_mark, "tags (%s) are not supported: values are typed by their key", shown);
    }
    return 1;
}

int lrk_loader_is_null(const lrk_loader *L)
{
    const yaml_event_t *e = &L->event;
    if (e->type != YAML_SCALAR_EVENT || e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    const char *v = (const char *)e->data.scalar.value;
    return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
           strcmp(v, "NULL") == 0;
}

const char *lrk_loader_scalar(lrk_loader *L)
{
    const char *value = (const char *)L->event.data.scalar.value;
    if (strlen(value) != L->event.data.scalar.length) {
        lrk_loader_error(L, L->event.start_mark, "a NUL character inside a scalar is not allowed");
        return NULL;
    }
    return value;
}

void lrk_loader_describe(const lrk_loader *L, char *buf, size_t size)
{
    switch (L->event.type) {
    case YAML_MAPPING_START_EVENT: snprintf(buf, size, "a mapping"); return;
    case YAML_SEQUENCE_START_EVENT: snprintf(buf, size, "a list"); return;
    case YAML_ALIAS_EVENT: snprintf(buf, size, "an alias"); return;
    case YAML_SCALAR_EVENT: break;
    default: snprintf(buf, size, "nothing"); return;
    }
    if (lrk_loader_is_null(L)) {
        snprintf(buf, size, "an empty value");
        return;
    }
    char shown[200];
    lrk_shown_text((const char *)L->event.data.scalar.value, shown, sizeof shown);
    snprintf(buf, size, "'%s'", shown);
}

typedef struct seen_key {
    char *text;
    yaml_mark_t mark;
} seen_key;

/* Record key in seen[]; report and return 0 when it was there already. */
static int first_time(lrk_loader *L, seen_key **seen, size_t *count, const char *key, yaml_mark_t mark)
{
    for (size_t i = 0; i < *count; i++) {
        if (strcmp((*seen)[i].text, key) == 0) {
            char shown[200];
            lrk_shown_text(key, shown, sizeof shown);
            lrk_loader_error(L, mark, "duplicate key '%s' (first given at line %lu, column %lu): give each key once",
                             shown, (unsigned long)(*seen)[i].mark.line + 1,
                             (unsigned long)(*seen)[i].mark.column + 1);
            return 0;
        }
    }
    seen_key *grown = realloc(*seen, (*count + 1) * sizeof *grown);
    char *copy = lrk_strdup(key);
    if (grown == NULL || copy == NULL) {
        free(copy);
        if (grown != NULL)
            *seen = grown;
        L->status = LRK_ERR_NOMEM;
        L->stopped = 1;
        return 0;
    }
    *seen = grown;
    (*seen)[*count] = (seen_key){copy, mark};
    (*count)++;
    return 1;
}

/* One entry of a mapping; the key event is current. 0 = stop. */
static int mapping_entry(lrk_loader *L, lrk_loader_entry entry, void *context, seen_key **seen, size_t *count)
{
    char got[256];
    yaml_mark_t key_mark = L->event.start_mark;
    int usable = lrk_loader_plain_node(L) && L->event.type == YAML_SCALAR_EVENT;
    if (L->event.type != YAML_SCALAR_EVENT && L->event.type != YAML_ALIAS_EVENT) {
        lrk_loader_describe(L, got, sizeof got);
        lrk_loader_error(L, key_mark, "expected a key (a plain name), got %s", got);
    }
    if (!usable) {
        /* Skip the key node, then its value. */
        return lrk_loader_skip(L) && lrk_loader_next(L) && lrk_loader_skip(L);
    }
    const char *text = lrk_loader_scalar(L);
    char *key = text ? lrk_strdup(text) : NULL;
    if (text != NULL && key == NULL) {
        L->status = LRK_ERR_NOMEM;
        L->stopped = 1;
        return 0;
    }
    int fresh = key != NULL && first_time(L, seen, count, key, key_mark);
    int ok = lrk_loader_next(L);
    if (ok)
        ok = fresh ? entry(L, key, key_mark, context) : lrk_loader_skip(L);
    free(key);
    return ok && !L->stopped;
}

int lrk_loader_mapping(lrk_loader *L, lrk_loader_entry entry, void *context)
{
    seen_key *seen = NULL;
    size_t count = 0;
    int ok = 1;
    while (ok && lrk_loader_next(L) && L->event.type != YAML_MAPPING_END_EVENT)
        ok = mapping_entry(L, entry, context, &seen, &count);
    for (size_t i = 0; i < count; i++)
        free(seen[i].text);
    free(seen);
    return ok && !L->stopped;
}

/* ---- the schema ------------------------------------------------------------- */

static int schema_entry(lrk_loader *L, const char *key, yaml_mark_t key_mark, void *context);

static int scalar_key(lrk_loader *L, const lrk_key_def *def, size_t index, yaml_mark_t key_mark)
{
    char got[256], expected[160], why[512];
    if (!lrk_loader_plain_node(L))
        return 1;
    if (L->event.type != YAML_SCALAR_EVENT) {
        lrk_loader_describe(L, got, sizeof got);
        lrk_key_expectation(def, expected, sizeof expected);
        lrk_loader_error(L, L->event.start_mark, "%s: expected %s, got %s", def->name, expected, got);
        return lrk_loader_skip(L);
    }
    const char *text = lrk_loader_scalar(L);
    if (text == NULL)
        return 1;
    int quoted = L->event.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
    lrk_status status = lrk_key_apply(L->c, def, text, quoted, why, sizeof why);
    if (status == LRK_ERR_NOMEM) {
        L->status = LRK_ERR_NOMEM;
        L->stopped = 1;
        return 0;
    }
    if (status != LRK_OK) {
        lrk_loader_error(L, L->event.start_mark, "%s: %s", def->name, why);
        return 1;
    }
    L->c->origin[index] =
        (lrk_config_origin){LRK_ORIGIN_FILE, (unsigned long)key_mark.line + 1, (unsigned long)key_mark.column + 1};
    return 1;
}

/* A plain scalar over 1024 characters followed by ':' was meant as a key,
 * but YAML caps implicit keys at 1024 characters, so libyaml read it as a
 * value (and fails on the ':').  Say that, once, and stop. */
static int report_long_key(lrk_loader *L)
{
    if (L->event.type != YAML_SCALAR_EVENT || L->event.data.scalar.length <= 1024)
        return 0;
    size_t at = L->event.end_mark.index;
    while (at < L->size && L->data[at] == ' ')
        at++;
    if (at >= L->size || L->data[at] != ':')
        return 0;
    lrk_loader_error(L, L->event.start_mark, "a key of %zu characters: YAML allows at most 1024 in a key",
                     L->event.data.scalar.length);
    return 1;
}

static int block_key(lrk_loader *L, const char *path)
{
    char got[256], children[256];
    if (!lrk_loader_plain_node(L))
        return 1;
    if (L->event.type == YAML_MAPPING_START_EVENT)
        return lrk_loader_mapping(L, schema_entry, (void *)path);
    if (lrk_loader_is_null(L))
        return 1;  /* `section:` with every key commented out */
    if (report_long_key(L))
        return 0;
    lrk_loader_describe(L, got, sizeof got);
    lrk_key_children(path, children, sizeof children);
    lrk_loader_error(L, L->event.start_mark, "%s: expected a mapping with keys %s, got %s", path, children, got);
    return lrk_loader_skip(L);
}

static void report_unknown(lrk_loader *L, const char *path, const char *parent, yaml_mark_t mark)
{
    char shown[200], children[256];
    const char *suggestion = lrk_key_suggest(path);
    lrk_shown_text(path, shown, sizeof shown);
    if (suggestion != NULL) {
        lrk_loader_error(L, mark, "unknown key '%s'; did you mean '%s'?", shown, suggestion);
        return;
    }
    if (parent == NULL)
        snprintf(children, sizeof children, "%s", TOP_SECTIONS);
    else
        lrk_key_children(parent, children, sizeof children);
    lrk_loader_error(L, mark, "unknown key '%s' (expected one of %s)", shown, children);
}

static int schema_entry(lrk_loader *L, const char *key, yaml_mark_t key_mark, void *context)
{
    const char *parent = context;
    char path[512];
    size_t index = 0;
    if (parent == NULL)
        snprintf(path, sizeof path, "%s", key);
    else
        snprintf(path, sizeof path, "%s.%s", parent, key);
    if (parent == NULL && strcmp(key, "sweep") == 0)
        return lrk_loader_sweep(L, key_mark);
    const lrk_key_def *def = (strchr(key, '.') == NULL) ? lrk_key_find(path, &index) : NULL;
    if (def != NULL)
        return scalar_key(L, def, index, key_mark);
    if (strchr(key, '.') == NULL && lrk_key_is_block(path))
        return block_key(L, path);
    if (strchr(key, '.') != NULL && lrk_key_find(path, NULL) != NULL) {
        char shown[200];
        lrk_shown_text(key, shown, sizeof shown);
        lrk_loader_error(L, key_mark,
                         "unknown key '%s': nest keys as mappings (e.g. model: {T: 0.5}); dotted names "
                         "are for sweep: and --set",
                         shown);
    } else {
        report_unknown(L, path, parent, key_mark);
    }
    return lrk_loader_skip(L);
}

/* ---- documents -------------------------------------------------------------- */

static int document(lrk_loader *L)
{
    char got[256];
    yaml_mark_t start = L->event.start_mark;
    if (!lrk_loader_next(L))
        return 0;
    if (lrk_loader_is_null(L) && L->event.data.scalar.anchor == NULL && L->event.data.scalar.tag == NULL) {
        lrk_loader_error(L, start, "empty document: expected a mapping of sections (" TOP_SECTIONS ")");
    } else if (lrk_loader_plain_node(L)) {
        if (L->event.type == YAML_MAPPING_START_EVENT) {
            if (!lrk_loader_mapping(L, schema_entry, NULL))
                return 0;
        } else if (report_long_key(L)) {
            return 0;
        } else {
            lrk_loader_describe(L, got, sizeof got);
            lrk_loader_error(L, L->event.start_mark, "expected a mapping of sections (" TOP_SECTIONS
                             ") at the top level, got %s", got);
            if (!lrk_loader_skip(L))
                return 0;
        }
    }
    return lrk_loader_next(L);  /* DOCUMENT_END */
}

static void walk(lrk_loader *L)
{
    if (!lrk_loader_next(L) || !lrk_loader_next(L))  /* STREAM_START, then the first document */
        return;
    if (L->event.type == YAML_STREAM_END_EVENT) {
        lrk_loader_error(L, L->event.start_mark, "%s: expected a mapping of sections (" TOP_SECTIONS ")",
                         L->size == 0 ? "the file is empty" : "the file holds no YAML document (only comments?)");
        return;
    }
    if (!document(L) || !lrk_loader_next(L))
        return;
    if (L->event.type == YAML_DOCUMENT_START_EVENT)
        lrk_loader_error(L, L->event.start_mark,
                         "a second YAML document (after '---'): a configuration file holds exactly one");
}

lrk_status lrk_config_load_string(lrk_config *c, const char *name, const char *data, size_t size,
                                  lrk_diagnostics *d)
{
    lrk_loader L;
    if (data == NULL)  /* libyaml asserts on a NULL input */
        data = "", size = 0;
    memset(&L, 0, sizeof L);
    L.name = name != NULL ? name : "(string)";
    L.data = (const unsigned char *)data;
    L.size = size;
    L.c = c;
    L.d = d;
    char *source = lrk_strdup(L.name);
    if (source == NULL)
        return LRK_ERR_NOMEM;
    free(c->source);
    c->source = source;
    if (!yaml_parser_initialize(&L.parser)) {
        lrk_diagnostics_add(d, "%s: out of memory", L.name);
        return LRK_ERR_NOMEM;
    }
    yaml_parser_set_input_string(&L.parser, (const unsigned char *)data, size);
    walk(&L);
    if (L.has_event)
        yaml_event_delete(&L.event);
    yaml_parser_delete(&L.parser);
    return L.status;
}

lrk_status lrk_config_load_file(lrk_config *c, const char *path, lrk_diagnostics *d)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        lrk_diagnostics_add(d, "%s: cannot open: %s", path, strerror(errno));
        return LRK_ERR_IO;
    }
    size_t capacity = 65536, size = 0;
    char *data = malloc(capacity);
    lrk_status status = LRK_OK;
    while (data != NULL) {
        size += fread(data + size, 1, capacity - size, file);
        if (size > LRK_CONFIG_MAX_FILE_SIZE) { /* the limit itself is allowed */
            lrk_diagnostics_add(d, "%s: larger than 16 MiB (%u bytes): not a configuration file", path,
                                LRK_CONFIG_MAX_FILE_SIZE);
            status = LRK_ERR_INVALID;
            break;
        }
        if (size < capacity)
            break;
        /* grow to at most one byte past the limit: enough to see it exceeded */
        size_t next = capacity * 2 > LRK_CONFIG_MAX_FILE_SIZE + 1u ? LRK_CONFIG_MAX_FILE_SIZE + 1u : capacity * 2;
        char *grown = realloc(data, next);
        if (grown == NULL)
            free(data);
        data = grown;
        capacity = next;
    }
    if (data == NULL) {
        lrk_diagnostics_add(d, "%s: out of memory", path);
        status = LRK_ERR_NOMEM;
    } else if (status == LRK_OK && ferror(file)) {
        lrk_diagnostics_add(d, "%s: read error: %s", path, strerror(errno));
        status = LRK_ERR_IO;
    }
    fclose(file);
    if (status == LRK_OK)
        status = lrk_config_load_string(c, path, data, size, d);
    free(data);
    return status;
}
