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

static void report_at(loader *L, unsigned long line, unsigned long column, const char *format, va_list args)
{
    char body[1536];
    vsnprintf(body, sizeof body, format, args);
    lrk_diagnostics_add(L->d, "%s:%lu:%lu: %s", L->name, line, column, body);
    if (L->status == LRK_OK)
        L->status = LRK_ERR_INVALID;
}

void loader_error(loader *L, yaml_mark_t mark, const char *format, ...)
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
static yaml_mark_t mark_of_offset(const loader *L, size_t offset)
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

static void report_syntax_error(loader *L)
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
        loader_error(L, mark_of_offset(L, p->problem_offset),
                         "invalid input: %s%s at byte %zu: expected UTF-8 text", problem, value, p->problem_offset);
    } else if (p->problem_mark.index < L->size && L->data[p->problem_mark.index] == '\t') {
        loader_error(L, p->problem_mark,
                         "syntax error: a tab character here; YAML indentation must use spaces (%s)", problem);
    } else if (p->context != NULL && strstr(p->context, "simple key") != NULL
               && p->problem_mark.index > p->context_mark.index + 1024) {
        /* libyaml gives up on a key after 1024 characters (the YAML limit) */
        loader_error(L, p->context_mark, "a key of more than 1024 characters: YAML allows at most 1024 in a key");
    } else if (p->context != NULL) {
        loader_error(L, p->problem_mark, "syntax error: %s (%s at line %lu, column %lu)", problem, p->context,
                         (unsigned long)p->context_mark.line + 1, (unsigned long)p->context_mark.column + 1);
    } else {
        loader_error(L, p->problem_mark, "syntax error: %s", problem);
    }
    if (L->status == LRK_OK)
        L->status = LRK_ERR_INVALID;
    L->stopped = 1;
}

lrk_status loader_go_on(const loader *L)
{
    if (!L->stopped)
        return LRK_OK;
    return L->status != LRK_OK ? L->status : LRK_ERR_INVALID;
}

lrk_status loader_next(loader *L)
{
    if (L->stopped)
        return loader_go_on(L);
    if (L->has_event) {
        yaml_event_delete(&L->event);
        L->has_event = 0;
    }
    if (!yaml_parser_parse(&L->parser, &L->event)) {
        report_syntax_error(L);
        return loader_go_on(L);
    }
    L->has_event = 1;
    return LRK_OK;
}

/* Anchors and aliases inside skipped nodes: say once that they are not
 * supported (a billion-laughs file then names its real problem). */
static void note_reference(loader *L)
{
    if (!L->reported_reference)
        loader_plain_node(L);
}

lrk_status loader_skip(loader *L)
{
    yaml_event_type_t type = L->event.type;
    note_reference(L);
    if (type != YAML_SEQUENCE_START_EVENT && type != YAML_MAPPING_START_EVENT)
        return loader_go_on(L);
    for (size_t depth = 1; depth > 0;) {
        lrk_status s = loader_next(L);
        if (s != LRK_OK)
            return s;
        note_reference(L);
        type = L->event.type;
        if (type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT) {
            if (++depth > LOADER_MAX_DEPTH) {
                loader_error(L, L->event.start_mark,
                                 "nesting deeper than %d levels (a configuration needs at most 4); stopping",
                                 LOADER_MAX_DEPTH);
                L->stopped = 1;
                return loader_go_on(L);
            }
        } else if (type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT) {
            depth--;
        }
    }
    return LRK_OK;
}

int loader_plain_node(loader *L)
{
    const yaml_event_t *e = &L->event;
    const yaml_char_t *anchor = NULL, *tag = NULL;
    char shown[128];
    switch (e->type) {
    case YAML_ALIAS_EVENT:
        config_shown_text((const char *)e->data.alias.anchor, shown, sizeof shown);
        loader_error(L, e->start_mark,
                         "aliases (*%s) are not supported: write the value out in full", shown);
        L->reported_reference = 1;
        return 0;
    case YAML_SCALAR_EVENT: anchor = e->data.scalar.anchor; tag = e->data.scalar.tag; break;
    case YAML_SEQUENCE_START_EVENT: anchor = e->data.sequence_start.anchor; tag = e->data.sequence_start.tag; break;
    case YAML_MAPPING_START_EVENT: anchor = e->data.mapping_start.anchor; tag = e->data.mapping_start.tag; break;
    default: break;
    }
    if (anchor != NULL) {
        config_shown_text((const char *)anchor, shown, sizeof shown);
        loader_error(L, e->start_mark, "anchors (&%s) are not supported: write every value out in full", shown);
        L->reported_reference = 1;
    }
    if (tag != NULL) {
        config_shown_text((const char *)tag, shown, sizeof shown);
        loader_error(L, e->start_mark, "tags (%s) are not supported: values are typed by their key", shown);
    }
    return 1;
}

int loader_is_null(const loader *L)
{
    const yaml_event_t *e = &L->event;
    if (e->type != YAML_SCALAR_EVENT || e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    const char *v = (const char *)e->data.scalar.value;
    return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
           strcmp(v, "NULL") == 0;
}

const char *loader_scalar(loader *L)
{
    const char *value = (const char *)L->event.data.scalar.value;
    if (strlen(value) != L->event.data.scalar.length) {
        loader_error(L, L->event.start_mark, "a NUL character inside a scalar is not allowed");
        return NULL;
    }
    return value;
}

void loader_describe(const loader *L, char *buf, size_t size)
{
    switch (L->event.type) {
    case YAML_MAPPING_START_EVENT: snprintf(buf, size, "a mapping"); return;
    case YAML_SEQUENCE_START_EVENT: snprintf(buf, size, "a list"); return;
    case YAML_ALIAS_EVENT: snprintf(buf, size, "an alias"); return;
    case YAML_SCALAR_EVENT: break;
    default: snprintf(buf, size, "nothing"); return;
    }
    if (loader_is_null(L)) {
        snprintf(buf, size, "an empty value");
        return;
    }
    char shown[200];
    config_shown_text((const char *)L->event.data.scalar.value, shown, sizeof shown);
    snprintf(buf, size, "'%s'", shown);
}

typedef struct seen_key {
    char *text;
    yaml_mark_t mark;
} seen_key;

/* Record key in seen[]; report and return 0 when it was there already. */
static int first_time(loader *L, seen_key **seen, size_t *count, const char *key, yaml_mark_t mark)
{
    for (size_t i = 0; i < *count; i++) {
        if (strcmp((*seen)[i].text, key) == 0) {
            char shown[200];
            config_shown_text(key, shown, sizeof shown);
            loader_error(L, mark, "duplicate key '%s' (first given at line %lu, column %lu): give each key once",
                             shown, (unsigned long)(*seen)[i].mark.line + 1,
                             (unsigned long)(*seen)[i].mark.column + 1);
            return 0;
        }
    }
    seen_key *grown = realloc(*seen, (*count + 1) * sizeof *grown);
    char *copy = config_strdup(key);
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

/* One entry of a mapping; the key event is current. */
static lrk_status mapping_entry(loader *L, loader_entry entry, void *context, seen_key **seen,
                                size_t *count)
{
    char got[256];
    yaml_mark_t key_mark = L->event.start_mark;
    int usable = loader_plain_node(L) && L->event.type == YAML_SCALAR_EVENT;
    if (L->event.type != YAML_SCALAR_EVENT && L->event.type != YAML_ALIAS_EVENT) {
        loader_describe(L, got, sizeof got);
        loader_error(L, key_mark, "expected a key (a plain name), got %s", got);
    }
    lrk_status s;
    if (!usable) {
        /* Skip the key node, then its value. */
        if ((s = loader_skip(L)) == LRK_OK && (s = loader_next(L)) == LRK_OK)
            s = loader_skip(L);
        return s;
    }
    const char *text = loader_scalar(L);
    char *key = text ? config_strdup(text) : NULL;
    if (text != NULL && key == NULL) {
        L->status = LRK_ERR_NOMEM;
        L->stopped = 1;
        return LRK_ERR_NOMEM;
    }
    int fresh = key != NULL && first_time(L, seen, count, key, key_mark);
    s = loader_next(L);
    if (s == LRK_OK)
        s = fresh ? entry(L, key, key_mark, context) : loader_skip(L);
    free(key);
    return s != LRK_OK ? s : loader_go_on(L);
}

lrk_status loader_mapping(loader *L, loader_entry entry, void *context)
{
    seen_key *seen = NULL;
    size_t count = 0;
    lrk_status s;
    while ((s = loader_next(L)) == LRK_OK && L->event.type != YAML_MAPPING_END_EVENT)
        if ((s = mapping_entry(L, entry, context, &seen, &count)) != LRK_OK)
            break;
    for (size_t i = 0; i < count; i++)
        free(seen[i].text);
    free(seen);
    return s != LRK_OK ? s : loader_go_on(L);
}

/* ---- the schema ------------------------------------------------------------- */

static lrk_status schema_entry(loader *L, const char *key, yaml_mark_t key_mark, void *context);

static lrk_status scalar_key(loader *L, const config_key_def *def, size_t index, yaml_mark_t key_mark)
{
    char got[256], expected[160], why[512];
    if (!loader_plain_node(L))
        return LRK_OK;
    if (L->event.type != YAML_SCALAR_EVENT) {
        loader_describe(L, got, sizeof got);
        config_key_expectation(def, expected, sizeof expected);
        loader_error(L, L->event.start_mark, "%s: expected %s, got %s", def->name, expected, got);
        return loader_skip(L);
    }
    const char *text = loader_scalar(L);
    if (text == NULL)
        return LRK_OK;
    int quoted = L->event.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
    lrk_status status = config_key_apply(L->c, def, text, quoted, why, sizeof why);
    if (status == LRK_ERR_NOMEM) {
        L->status = LRK_ERR_NOMEM;
        L->stopped = 1;
        return LRK_ERR_NOMEM;
    }
    if (status != LRK_OK) {
        loader_error(L, L->event.start_mark, "%s: %s", def->name, why);
        return LRK_OK;
    }
    L->c->origin[index] =
        (lrk_config_origin){LRK_ORIGIN_FILE, (unsigned long)key_mark.line + 1, (unsigned long)key_mark.column + 1};
    return LRK_OK;
}

/* A plain scalar over 1024 characters followed by ':' was meant as a key,
 * but YAML caps implicit keys at 1024 characters, so libyaml read it as a
 * value (and fails on the ':').  Say that, once, and stop: a predicate that
 * reports, and marks the walk stopped. */
static int report_long_key(loader *L)
{
    if (L->event.type != YAML_SCALAR_EVENT || L->event.data.scalar.length <= 1024)
        return 0;
    size_t at = L->event.end_mark.index;
    while (at < L->size && L->data[at] == ' ')
        at++;
    if (at >= L->size || L->data[at] != ':')
        return 0;
    loader_error(L, L->event.start_mark, "a key of %zu characters: YAML allows at most 1024 in a key",
                 L->event.data.scalar.length);
    L->stopped = 1;
    return 1;
}

static lrk_status block_key(loader *L, const char *path)
{
    char got[256], children[256];
    if (!loader_plain_node(L))
        return LRK_OK;
    if (L->event.type == YAML_MAPPING_START_EVENT)
        return loader_mapping(L, schema_entry, (void *)path);
    if (loader_is_null(L))
        return LRK_OK;  /* `section:` with every key commented out */
    if (report_long_key(L))
        return loader_go_on(L);
    loader_describe(L, got, sizeof got);
    config_key_children(path, children, sizeof children);
    loader_error(L, L->event.start_mark, "%s: expected a mapping with keys %s, got %s", path, children, got);
    return loader_skip(L);
}

static void report_unknown(loader *L, const char *path, const char *parent, yaml_mark_t mark)
{
    char shown[200], children[256];
    const char *suggestion = config_key_suggest(path);
    config_shown_text(path, shown, sizeof shown);
    if (suggestion != NULL) {
        loader_error(L, mark, "unknown key '%s'; did you mean '%s'?", shown, suggestion);
        return;
    }
    if (parent == NULL)
        snprintf(children, sizeof children, "%s", TOP_SECTIONS);
    else
        config_key_children(parent, children, sizeof children);
    loader_error(L, mark, "unknown key '%s' (expected one of %s)", shown, children);
}

static lrk_status schema_entry(loader *L, const char *key, yaml_mark_t key_mark, void *context)
{
    const char *parent = context;
    char path[512];
    size_t index = 0;
    if (parent == NULL)
        snprintf(path, sizeof path, "%s", key);
    else
        snprintf(path, sizeof path, "%s.%s", parent, key);
    if (parent == NULL && strcmp(key, "sweep") == 0)
        return loader_sweep(L, key_mark);
    const config_key_def *def = (strchr(key, '.') == NULL) ? config_key_find(path, &index) : NULL;
    if (def != NULL)
        return scalar_key(L, def, index, key_mark);
    if (strchr(key, '.') == NULL && config_key_is_block(path))
        return block_key(L, path);
    if (strchr(key, '.') != NULL && config_key_find(path, NULL) != NULL) {
        char shown[200];
        config_shown_text(key, shown, sizeof shown);
        loader_error(L, key_mark,
                         "unknown key '%s': nest keys as mappings (e.g. model: {T: 0.5}); dotted names "
                         "are for sweep: and --set",
                         shown);
    } else {
        report_unknown(L, path, parent, key_mark);
    }
    return loader_skip(L);
}

/* ---- documents -------------------------------------------------------------- */

static lrk_status document(loader *L)
{
    char got[256];
    yaml_mark_t start = L->event.start_mark;
    lrk_status s = loader_next(L);
    if (s != LRK_OK)
        return s;
    if (loader_is_null(L) && L->event.data.scalar.anchor == NULL && L->event.data.scalar.tag == NULL) {
        loader_error(L, start, "empty document: expected a mapping of sections (" TOP_SECTIONS ")");
    } else if (loader_plain_node(L)) {
        if (L->event.type == YAML_MAPPING_START_EVENT) {
            s = loader_mapping(L, schema_entry, NULL);
        } else if (report_long_key(L)) {
            return loader_go_on(L);
        } else {
            loader_describe(L, got, sizeof got);
            loader_error(L, L->event.start_mark, "expected a mapping of sections (" TOP_SECTIONS
                             ") at the top level, got %s", got);
            s = loader_skip(L);
        }
    }
    return s != LRK_OK ? s : loader_next(L); /* DOCUMENT_END */
}

/* The whole stream; the load's status is L->status (errors are counted
 * there, and a stop has set it). */
static void walk(loader *L)
{
    if (loader_next(L) != LRK_OK || loader_next(L) != LRK_OK)  /* STREAM_START, the first document */
        return;
    if (L->event.type == YAML_STREAM_END_EVENT) {
        loader_error(L, L->event.start_mark, "%s: expected a mapping of sections (" TOP_SECTIONS ")",
                         L->size == 0 ? "the file is empty" : "the file holds no YAML document (only comments?)");
        return;
    }
    if (document(L) != LRK_OK || loader_next(L) != LRK_OK)
        return;
    if (L->event.type == YAML_DOCUMENT_START_EVENT)
        loader_error(L, L->event.start_mark,
                         "a second YAML document (after '---'): a configuration file holds exactly one");
}

lrk_status lrk_config_load_string(lrk_config *c, const char *name, const char *data, size_t size,
                                  lrk_diagnostics *d)
{
    loader L;
    if (data == NULL)  /* libyaml asserts on a NULL input */
        data = "", size = 0;
    memset(&L, 0, sizeof L);
    L.name = name != NULL ? name : "(string)";
    L.data = (const unsigned char *)data;
    L.size = size;
    L.c = c;
    L.d = d;
    char *source = config_strdup(L.name);
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
