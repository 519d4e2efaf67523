/* SPDX-License-Identifier: MIT */
/*
 * Scenario files to the model of model.h: the top level, the platform (with
 * its include chain), drivers and steps. Expectations are in expect.c. The
 * first problem stops loading with "FILE:LINE:COLUMN: message".
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmemu/driver.h>
#include <mmemu/log.h>
#include <mmemu/scenario.h>

#include "loader-util.h"
#include "loader.h"
#include "names.h"
#include "platform.h"

/* Reads a whole file (at most SC_MAX_FILE_SIZE bytes) into the tree arena. */
static char *read_file(struct ld *l, const char *path, size_t max, size_t *len,
		       const struct sc_node *at)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f) {
		ld_fail(l, at, "cannot read '%s'", path);
		return NULL;
	}
	buf = sc_alloc(l->tree, max + 1);
	n = buf ? fread(buf, 1, max + 1, f) : 0;
	fclose(f);
	if (!buf) {
		ld_fail(l, at, "out of memory");
		return NULL;
	}
	if (n > max) {
		ld_fail(l, at, "'%s' is larger than %zu bytes", path, max);
		return NULL;
	}
	*len = n;
	return buf;
}

/* Parses the YAML file at path into a tree (errors name the file itself). */
static struct sc_node *parse_file(struct ld *l, const char *path, const struct sc_node *at)
{
	size_t len = 0;
	char *text = read_file(l, path, SC_MAX_FILE_SIZE, &len, at);
	struct sc_node *root;

	if (!text)
		return NULL;
	root = sc_yaml_parse(l->tree, path, text, len, l->err, l->errlen);
	if (!root)
		l->failed = true;
	return root;
}

/* ---- platform ---- */

static const char *const platform_keys[] = { "include", "name", "cpus", "save-state",
					      "cpu-engine", "memory", "smbase",
					      "instruction-budget",
					      /* loaded by scenarios/platform.c */
					      "pcds", "dxe-protocols", "flash", "ecam", "pmbase",
					      "init-model", "oracles", NULL };

static bool load_region(struct ld *l, const struct sc_node *n, struct mm_region_desc *r)
{
	static const char *const keys[] = { "name", "base", "size", "type", "efi-type", NULL };
	const struct sc_node *v;
	char *name = NULL;
	uint64_t x;

	if (!ld_map(l, n, "memory region") || !ld_keys(l, n, keys))
		return false;
	if (!ld_get(n, "base") || !ld_get(n, "size"))
		return ld_fail(l, n, "memory region: 'base' and 'size' are required");
	if ((v = ld_get(n, "name")) && !ld_str(l, v, "name", &name))
		return false;
	r->name = name ? name : "region";
	if (!ld_u64(l, ld_get(n, "base"), UINT64_MAX, "base", &r->base) ||
	    !ld_u64(l, ld_get(n, "size"), UINT64_MAX - r->base, "size", &r->size))
		return false;
	r->kind = MM_REGION_RAM;
	if ((v = ld_get(n, "type"))) {
		if (!ld_scalar(l, v, "type"))
			return false;
		if (!strcmp(v->text, "smram"))
			r->kind = MM_REGION_SMRAM;
		else if (strcmp(v->text, "ram"))
			return ld_fail(l, v, "type: expected ram or smram, got '%.40s'", v->text);
	}
	r->efi_type = 7; /* EfiConventionalMemory */
	if ((v = ld_get(n, "efi-type"))) {
		if (!ld_named(l, v, sc_memory_type_names(), 0xffffffffu, "efi-type", &x))
			return false;
		r->efi_type = (uint32_t)x;
	}
	return true;
}

static bool load_memory(struct ld *l, const struct sc_node *n, struct mm_platform *p)
{
	unsigned i = 0;

	if (!ld_seq(l, n, "memory"))
		return false;
	if (n->n > MM_MAX_REGIONS)
		return ld_fail(l, n, "memory: %zu regions, at most %d", n->n, MM_MAX_REGIONS);
	for (const struct sc_node *c = n->first; c; c = c->next)
		if (!load_region(l, c, &p->regions[i++]))
			return false;
	p->nregions = i;
	return true;
}

static bool load_smbase(struct ld *l, const struct sc_node *n, struct mm_platform *p)
{
	static const char *const keys[] = { "default", "tile-size", NULL };
	const struct sc_node *v;
	uint64_t x;

	if (!ld_map(l, n, "smbase") || !ld_keys(l, n, keys))
		return false;
	if ((v = ld_get(n, "default")) && !ld_u64(l, v, 0xffffffffu, "default", &p->smbase_default))
		return false;
	if ((v = ld_get(n, "tile-size"))) {
		if (!ld_u64(l, v, 0x80000000u, "tile-size", &x))
			return false;
		if (x < 0x2000 || (x & (x - 1)))
			return ld_fail(l, v, "tile-size: expected a power of two >= 0x2000");
		p->tile_size = (uint32_t)x;
	}
	return true;
}

/* One choice among a few words. */
static bool load_choice(struct ld *l, const struct sc_node *n, const char *what,
			const char *a, const char *b, bool *is_b)
{
	if (!ld_scalar(l, n, what))
		return false;
	if (!strcmp(n->text, a) || !strcmp(n->text, b)) {
		*is_b = !strcmp(n->text, b);
		return true;
	}
	return ld_fail(l, n, "%s: expected %s or %s, got '%.40s'", what, a, b, n->text);
}

static bool load_platform_node(struct ld *l, const struct sc_node *n, struct mm_platform *p);

/* Includes the platform file named by node n (relative to the current file). */
static bool include_platform(struct ld *l, const struct sc_node *n, struct mm_platform *p)
{
	const char *saved = l->file;
	char real[PATH_MAX];
	struct sc_node *root;
	char *path;
	bool ok;

	if (!ld_scalar(l, n, "platform include"))
		return false;
	path = ld_resolve(l, n, n->text);
	if (!path)
		return false;
	if (!ld_exists(path) || !realpath(path, real))
		return ld_fail(l, n, "platform file '%s' not found", path);
	for (unsigned i = 0; i < l->nchain; i++)
		if (!strcmp(l->chain[i], real))
			return ld_fail(l, n, "circular platform include: '%s' includes itself",
				       path);
	if (l->nchain >= SC_MAX_INCLUDES)
		return ld_fail(l, n, "platform includes nested deeper than %d", SC_MAX_INCLUDES);
	l->chain[l->nchain] = sc_strndup(l->tree, real, strlen(real));
	if (!l->chain[l->nchain])
		return ld_fail(l, n, "out of memory");
	l->nchain++;
	root = parse_file(l, path, n);
	l->file = path;
	ok = root && load_platform_node(l, root, p);
	l->file = saved;
	l->nchain--;
	return ok;
}

static bool load_platform_node(struct ld *l, const struct sc_node *n, struct mm_platform *p)
{
	const struct sc_node *v;
	uint64_t x;
	bool b;

	if (n->kind == SC_SCALAR && !ld_is_null(n))
		return include_platform(l, n, p);
	if (!ld_map(l, n, "platform") || !ld_keys(l, n, platform_keys))
		return false;
	if ((v = ld_get(n, "include")) && !include_platform(l, v, p))
		return false;
	if ((v = ld_get(n, "name")) && !ld_str(l, v, "name", (char **)&p->name))
		return false;
	if ((v = ld_get(n, "cpus"))) {
		if (!ld_u64(l, v, MM_MAX_CPUS, "cpus", &x))
			return false;
		if (!x)
			return ld_fail(l, v, "cpus: 0 is out of range (1..%d)", MM_MAX_CPUS);
		p->cpus = (unsigned)x;
	}
	if ((v = ld_get(n, "save-state"))) {
		if (!load_choice(l, v, "save-state", "intel64", "amd64", &b))
			return false;
		p->save_state = b ? MM_SAVE_STATE_AMD64 : MM_SAVE_STATE_INTEL64;
	}
	if ((v = ld_get(n, "cpu-engine"))) {
		if (!load_choice(l, v, "cpu-engine", "unicorn", "host", &b))
			return false;
		p->cpu_engine = b ? MM_CPU_HOST : MM_CPU_UNICORN;
	}
	if ((v = ld_get(n, "memory")) && !load_memory(l, v, p))
		return false;
	if ((v = ld_get(n, "smbase")) && !load_smbase(l, v, p))
		return false;
	if ((v = ld_get(n, "instruction-budget")) &&
	    !ld_u64(l, v, UINT64_MAX, "instruction-budget", &p->instruction_budget))
		return false;
	return sc_platform_ext_load(l, n, p);
}

/* ---- drivers ---- */

/*
 * Finds a bare driver file name in $MMEMU_DRIVER_DIR, then the build's driver
 * dir; in each, then in its pe/ folder (the PE32+ builds of tests/drivers/pe).
 */
static char *find_bare_driver(struct ld *l, const struct sc_node *n)
{
	const char *dirs[2] = { getenv("MMEMU_DRIVER_DIR"), MMEMU_DRIVER_DIR };
	static const char *const subs[2] = { "", "pe/" };

	for (unsigned i = 0; i < 4; i++) {
		const char *dir = dirs[i / 2], *sub = subs[i % 2];
		size_t dl, sl = strlen(sub), nl = n->len;
		char *p;

		if (!dir || !dir[0])
			continue;
		dl = strlen(dir);
		p = sc_alloc(&l->s->arena, dl + sl + nl + 2);
		if (!p) {
			ld_fail(l, n, "out of memory");
			return NULL;
		}
		memcpy(p, dir, dl);
		p[dl] = '/';
		memcpy(p + dl + 1, sub, sl);
		memcpy(p + dl + 1 + sl, n->text, nl);
		p[dl + 1 + sl + nl] = 0;
		if (ld_exists(p))
			return p;
	}
	ld_fail(l, n, "driver '%.100s' not found in $MMEMU_DRIVER_DIR or %s", n->text,
		MMEMU_DRIVER_DIR);
	return NULL;
}

/* `type:` of an image driver: standalone, traditional or combined. */
static bool load_driver_type(struct ld *l, const struct sc_node *v, struct sc_driver *d)
{
	static const struct {
		const char *name;
		enum mm_module_type type;
	} types[] = { { "standalone", MM_MODULE_STANDALONE },
		      { "traditional", MM_MODULE_TRADITIONAL },
		      { "combined", MM_MODULE_COMBINED } };

	if (!ld_scalar(l, v, "type"))
		return false;
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(v->text, types[i].name)) {
			d->type = types[i].type;
			return true;
		}
	return ld_fail(l, v, "type: expected standalone, traditional or combined, not '%.60s'",
		       v->text);
}

static bool ld_required(const struct mm_scenario *s, const char *path);

/* The optional `depex:`, `type:` and `debug:` keys, only with `image:`. */
static bool load_image_keys(struct ld *l, const struct sc_node *n, struct sc_driver *d)
{
	const struct sc_node *v;

	if (!d->image) {
		if ((v = ld_key(n, "depex")) || (v = ld_key(n, "type")))
			return ld_fail(l, v, "'depex' and 'type' go with 'image' drivers only");
		if ((v = ld_key(n, "debug")))
			return ld_fail(l, v, "'debug' goes with 'image' drivers only");
		return true;
	}
	if ((v = ld_get(n, "debug"))) {
		if (!ld_scalar(l, v, "debug") || !(d->debug = ld_resolve(l, v, v->text)))
			return false;
		if (!ld_required(l->s, d->debug) && !ld_exists(d->debug))
			return ld_fail(l, v, "debug file '%s' not found", d->debug);
	}
	if ((v = ld_get(n, "depex"))) {
		if (!ld_scalar(l, v, "depex"))
			return false;
		d->depex = sc_alloc(&l->s->arena, v->len + 1);
		if (!d->depex)
			return ld_fail(l, v, "out of memory");
		memcpy(d->depex, v->text, v->len);
		d->depex[v->len] = 0;
	}
	if ((v = ld_get(n, "type")) && !load_driver_type(l, v, d))
		return false;
	return true;
}

/* Whether path is one of the scenario's `requires` (then it may be absent now). */
static bool ld_required(const struct mm_scenario *s, const char *path)
{
	for (size_t i = 0; i < s->nrequires; i++)
		if (s->requires[i] && !strcmp(s->requires[i], path))
			return true;
	return false;
}

/* `modules: [NAME or GUID, ...]` of an fv driver. */
static bool load_fv_modules(struct ld *l, const struct sc_node *n, struct sc_driver *d)
{
	if (!ld_seq(l, n, "modules"))
		return false;
	d->modules = sc_alloc(&l->s->arena, (n->n + 1) * sizeof(char *));
	if (!d->modules)
		return ld_fail(l, n, "out of memory");
	for (const struct sc_node *c = n->first; c; c = c->next)
		if (!ld_str(l, c, "module name or file GUID", &d->modules[d->nmodules++]))
			return false;
	return true;
}

/* `fv: IMAGE` with optional `modules:`: the MM drivers of a firmware image. */
static bool load_fv_driver(struct ld *l, const struct sc_node *n, struct sc_driver *d)
{
	const struct sc_node *v = ld_get(n, "fv"), *k;

	if ((k = ld_key(n, "native")) || (k = ld_key(n, "image")) || (k = ld_key(n, "depex")) ||
	    (k = ld_key(n, "type")) || (k = ld_key(n, "debug")))
		return ld_fail(l, k, "driver: 'fv' takes only 'modules' beside it, not '%s'",
			       k->text);
	if (!ld_scalar(l, v, "fv"))
		return false;
	d->fv = true;
	d->line = v->line;
	if ((k = ld_get(n, "modules")) && !ld_is_null(k) && !load_fv_modules(l, k, d))
		return false;
	d->path = ld_resolve(l, v, v->text);
	if (!d->path)
		return false;
	if (!ld_required(l->s, d->path) && !ld_exists(d->path))
		return ld_fail(l, v, "firmware image '%s' not found", d->path);
	return true;
}

static bool load_driver(struct ld *l, const struct sc_node *n, struct sc_driver *d)
{
	static const char *const keys[] = { "native", "image", "depex", "type", "debug", "fv",
					    "modules", NULL };
	const struct sc_node *v;

	if (!ld_map(l, n, "driver") || !ld_keys(l, n, keys))
		return false;
	if (ld_key(n, "fv"))
		return load_fv_driver(l, n, d);
	if ((v = ld_key(n, "modules")))
		return ld_fail(l, v, "'modules' goes with 'fv' drivers only");
	if (ld_key(n, "native") && ld_key(n, "image"))
		return ld_fail(l, n, "driver: 'native' or 'image', not both");
	d->image = ld_key(n, "image") != NULL;
	v = ld_get(n, d->image ? "image" : "native");
	if (!v)
		return ld_fail(l, n, "driver: expected a 'native', an 'image' or an 'fv' key");
	if (!ld_scalar(l, v, d->image ? "image" : "native") || !load_image_keys(l, n, d))
		return false;
	d->line = v->line;
	if (!strchr(v->text, '/')) {
		d->path = find_bare_driver(l, v);
		return d->path != NULL;
	}
	d->path = ld_resolve(l, v, v->text);
	if (!d->path)
		return false;
	if (!ld_exists(d->path))
		return ld_fail(l, v, "driver file '%s' not found", d->path);
	return true;
}

static bool load_drivers(struct ld *l, const struct sc_node *n)
{
	struct mm_scenario *s = l->s;

	if (!ld_seq(l, n, "drivers"))
		return false;
	s->drivers = sc_alloc(&s->arena, (n->n + 1) * sizeof(*s->drivers));
	if (!s->drivers)
		return ld_fail(l, n, "out of memory");
	for (const struct sc_node *c = n->first; c; c = c->next)
		if (!load_driver(l, c, &s->drivers[s->ndrivers++]))
			return false;
	return true;
}

/* ---- top level ---- */

static bool load_requires(struct ld *l, const struct sc_node *n)
{
	struct mm_scenario *s = l->s;

	if (n->kind == SC_SCALAR && !ld_is_null(n)) {
		s->requires = sc_alloc(&s->arena, sizeof(char *));
		if (!s->requires)
			return ld_fail(l, n, "out of memory");
		s->requires[0] = ld_resolve(l, n, n->text);
		s->nrequires = 1;
		return s->requires[0] != NULL;
	}
	if (!ld_seq(l, n, "requires"))
		return false;
	s->requires = sc_alloc(&s->arena, (n->n + 1) * sizeof(char *));
	if (!s->requires)
		return ld_fail(l, n, "out of memory");
	for (const struct sc_node *c = n->first; c; c = c->next) {
		if (!ld_scalar(l, c, "requires"))
			return false;
		s->requires[s->nrequires] = ld_resolve(l, c, c->text);
		if (!s->requires[s->nrequires++])
			return false;
	}
	return true;
}

static bool load_log(struct ld *l, const struct sc_node *n)
{
	uint32_t mask = 0;

	if (!ld_seq(l, n, "log"))
		return false;
	for (const struct sc_node *c = n->first; c; c = c->next) {
		uint32_t one = 0;
		char msg[160];

		if (!ld_scalar(l, c, "log category"))
			return false;
		if (strchr(c->text, ',') || mm_log_parse(c->text, &one, msg, sizeof(msg)))
			return ld_fail(l, c, "log: unknown category '%.40s'", c->text);
		mask |= one;
	}
	l->s->log_mask = mask;
	return true;
}

static enum mm_err load_scenario(const char *path, unsigned depth, struct mm_scenario **out,
				 char *err, size_t errlen);

/*
 * `base: FILE`: FILE's platform, drivers, dispatch mode and requirements
 * become this scenario's, and its steps run before this one's (the fuzzer's
 * reproducers replay an input on the state a scenario leaves). A `platform`
 * mapping next to it overrides single keys; `drivers` cannot be given too.
 */
static bool load_base(struct ld *l, const struct sc_node *root, const struct sc_node *n)
{
	struct mm_scenario *s = l->s, *b;
	char *path;

	if (!ld_scalar(l, n, "base"))
		return false;
	if (ld_get(root, "drivers"))
		return ld_fail(l, ld_get(root, "drivers"), "drivers: not allowed with base");
	if (l->base_depth >= SC_MAX_INCLUDES)
		return ld_fail(l, n, "base: more than %d levels", SC_MAX_INCLUDES);
	path = ld_resolve(l, n, n->text);
	if (!path)
		return false;
	if (load_scenario(path, l->base_depth + 1, &b, l->err, l->errlen)) {
		l->failed = true;
		return false;
	}
	s->base = b;
	s->platform = b->platform;
	s->platform_ext = b->platform_ext;
	s->drivers = b->drivers;
	s->ndrivers = b->ndrivers;
	s->dispatch_order = b->dispatch_order;
	s->requires = b->requires;
	s->nrequires = b->nrequires;
	return true;
}

static bool load_top(struct ld *l, const struct sc_node *root)
{
	static const char *const keys[] = { "name", "description", "base", "platform", "requires",
					    "log", "drivers", "dispatch", "steps",
					    "expect-at-end", NULL };
	struct mm_scenario *s = l->s;
	const struct sc_node *v;
	bool b;

	if (!ld_map(l, root, "scenario") || !ld_keys(l, root, keys))
		return false;
	if ((v = ld_get(root, "base")) && !load_base(l, root, v))
		return false;
	if ((v = ld_get(root, "name")) && !ld_str(l, v, "name", &s->name))
		return false;
	if ((v = ld_get(root, "description")) && !ld_is_null(v) &&
	    !ld_str(l, v, "description", &s->description))
		return false;
	if ((v = ld_get(root, "platform")) && !ld_is_null(v) &&
	    !load_platform_node(l, v, &s->platform))
		return false;
	if ((v = ld_get(root, "requires")) && !ld_is_null(v) && !load_requires(l, v))
		return false;
	if ((v = ld_get(root, "log")) && !load_log(l, v))
		return false;
	if ((v = ld_get(root, "drivers")) && !ld_is_null(v) && !load_drivers(l, v))
		return false;
	if ((v = ld_get(root, "dispatch"))) {
		if (!load_choice(l, v, "dispatch", "depex", "order", &b))
			return false;
		s->dispatch_order = b;
	}
	if ((v = ld_get(root, "steps")) && !ld_is_null(v) &&
	    !sc_load_steps(l, v, &s->steps, &s->nsteps))
		return false;
	if ((v = ld_get(root, "expect-at-end"))) {
		s->has_end = true;
		if (!sc_load_expect(l, v, SC_ACTION_COUNT, &s->end))
			return false;
	}
	return true;
}

/* The default name: the file name without directory and .yaml/.yml. */
static char *default_name(struct mm_scenario *s, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 5 && !strcmp(base + len - 5, ".yaml"))
		len -= 5;
	else if (len > 4 && !strcmp(base + len - 4, ".yml"))
		len -= 4;
	return sc_strndup(&s->arena, base, len);
}

enum mm_err mm_scenario_load(const char *path, struct mm_scenario **out, char *err,
			     size_t errlen)
{
	return load_scenario(path, 0, out, err, errlen);
}

/* mm_scenario_load of a scenario that is the base of depth others. */
static enum mm_err load_scenario(const char *path, unsigned depth, struct mm_scenario **out,
				 char *err, size_t errlen)
{
	struct sc_arena tree = { 0 };
	struct ld l = { .tree = &tree, .err = err, .errlen = errlen, .base_depth = depth };
	struct mm_scenario *s;
	struct sc_arena a = { 0 };
	char dummy[1];
	struct sc_node *root;
	enum mm_err rc = MM_ERR_FORMAT;

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
		l.err = err;
		l.errlen = errlen;
	}
	err[0] = 0;
	*out = NULL;
	if (!path)
		return MM_ERR_INVALID;
	s = sc_alloc(&a, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "%s: out of memory", path);
		return MM_ERR_NOMEM;
	}
	s->arena = a;
	l.s = s;
	l.file = path;
	s->path = sc_strndup(&s->arena, path, strlen(path));
	s->log_mask = MM_LOG_ALL;
	s->platform.name = NULL;
	mm_platform_default(&s->platform);
	if (!ld_exists(path)) {
		snprintf(err, errlen, "%s: cannot read the file", path);
		rc = MM_ERR_IO;
		goto fail;
	}
	root = parse_file(&l, path, NULL);
	if (root && load_top(&l, root) && !l.failed) {
		if (!s->name)
			s->name = default_name(s, path);
		if (s->name && s->path) {
			sc_arena_free(&tree);
			*out = s;
			return MM_OK;
		}
		snprintf(err, errlen, "%s: out of memory", path);
		rc = MM_ERR_NOMEM;
	}
fail:
	sc_arena_free(&tree);
	mm_scenario_free(s->base);
	a = s->arena;
	sc_arena_free(&a);
	return rc;
}

void mm_scenario_free(struct mm_scenario *s)
{
	struct sc_arena a;

	if (!s)
		return;
	mm_scenario_free(s->base);
	a = s->arena; /* s itself lives in its arena */
	sc_arena_free(&a);
}

const char *mm_scenario_name(const struct mm_scenario *s)
{
	return s ? s->name : NULL;
}

const char *mm_scenario_path(const struct mm_scenario *s)
{
	return s ? s->path : NULL;
}
