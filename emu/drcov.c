/* SPDX-License-Identifier: MIT */
/*
 * Merging drcov files (the layout emu/cover.c writes): the coverage of a
 * suite is the union of its scenarios'. Modules are matched by path (a
 * driver may load at another base in another scenario: blocks are module
 * offsets, so they merge all the same); blocks are deduplicated by
 * (module, offset) and written sorted.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <mmemu/debug.h>

#define DRCOV_MAX_MODULES 4096
#define DRCOV_MAX_BBS (64u << 20)

struct merge_mod {
	char *path;
	unsigned long long base, end;
};

struct merge_bb {
	uint32_t start;
	uint16_t size, mod;
};

struct merge {
	struct merge_mod mod[DRCOV_MAX_MODULES];
	size_t nmod;
	struct merge_bb *bb;
	size_t nbb, cap;
};

/* Index of path in the merged table (added when new); -1 when full. */
static int merged_module(struct merge *g, const char *path, unsigned long long base,
			 unsigned long long end)
{
	for (size_t i = 0; i < g->nmod; i++)
		if (!strcmp(g->mod[i].path, path))
			return (int)i;
	if (g->nmod == DRCOV_MAX_MODULES || !(g->mod[g->nmod].path = strdup(path)))
		return -1;
	g->mod[g->nmod].base = base;
	g->mod[g->nmod].end = end;
	return (int)g->nmod++;
}

/* Reads one module line "id, base, end, entry, checksum, timestamp, path". */
static int read_module(struct merge *g, const char *line)
{
	unsigned long long base, end;
	unsigned id;
	int used = 0;
	const char *p;

	if (sscanf(line, " %u, %llx, %llx,%n", &id, &base, &end, &used) != 3 || !used)
		return -1;
	p = line + used;
	for (int commas = 0; commas < 3 && (p = strchr(p, ',')); commas++)
		p++;
	if (!p)
		return -1;
	while (*p == ' ')
		p++;
	return merged_module(g, p, base, end);
}

static bool add_bb(struct merge *g, struct merge_bb b)
{
	if (g->nbb == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 4096;
		struct merge_bb *v;

		if (cap > DRCOV_MAX_BBS)
			return false;
		v = realloc(g->bb, cap * sizeof(*v));
		if (!v)
			return false;
		g->bb = v;
		g->cap = cap;
	}
	g->bb[g->nbb++] = b;
	return true;
}

/* Reads file f into g; false when it is not a drcov file we understand. */
static bool read_file(struct merge *g, FILE *f)
{
	char line[4096];
	int map[DRCOV_MAX_MODULES];
	unsigned nmod = 0, count = 0;
	size_t nbb = 0;

	if (!fgets(line, sizeof(line), f) || strncmp(line, "DRCOV VERSION: 2", 16))
		return false;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (sscanf(line, "Module Table: version 2, count %u", &count) == 1)
			continue;
		if (!strncmp(line, "Columns:", 8) || !strncmp(line, "DRCOV", 5))
			continue;
		if (sscanf(line, "BB Table: %zu bbs", &nbb) == 1)
			break;
		if (nmod >= DRCOV_MAX_MODULES || (map[nmod++] = read_module(g, line)) < 0)
			return false;
	}
	if (nmod != count)
		return false;
	for (size_t i = 0; i < nbb; i++) {
		uint8_t b[8];

		if (fread(b, 1, 8, f) != 8)
			return false;
		unsigned id = b[6] | b[7] << 8;
		if (id >= nmod)
			return false;
		if (!add_bb(g, (struct merge_bb){ .start = b[0] | b[1] << 8 | b[2] << 16 |
							   (uint32_t)b[3] << 24,
						  .size = (uint16_t)(b[4] | b[5] << 8),
						  .mod = (uint16_t)map[id] }))
			return false;
	}
	return true;
}

static int by_bb(const void *a, const void *b)
{
	const struct merge_bb *x = a, *y = b;

	if (x->mod != y->mod)
		return x->mod < y->mod ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->size < y->size ? 1 : x->size > y->size ? -1 : 0;
}

static enum mm_err write_merged(struct merge *g, const char *out)
{
	FILE *f = fopen(out, "wb");
	size_t n = 0;

	if (!f)
		return MM_ERR_IO;
	qsort(g->bb, g->nbb, sizeof(*g->bb), by_bb);
	for (size_t i = 0; i < g->nbb; i++) /* keep the largest size of a start */
		if (!n || g->bb[i].mod != g->bb[n - 1].mod || g->bb[i].start != g->bb[n - 1].start)
			g->bb[n++] = g->bb[i];
	fprintf(f, "DRCOV VERSION: 2\nDRCOV FLAVOR: mmemu\n");
	fprintf(f, "Module Table: version 2, count %zu\n", g->nmod);
	fprintf(f, "Columns: id, base, end, entry, checksum, timestamp, path\n");
	for (size_t i = 0; i < g->nmod; i++)
		fprintf(f, "%3zu, 0x%016llx, 0x%016llx, 0x0000000000000000, 0x00000000, 0x00000000, %s\n",
			i, g->mod[i].base, g->mod[i].end, g->mod[i].path);
	fprintf(f, "BB Table: %zu bbs\n", n);
	for (size_t i = 0; i < n; i++) {
		const struct merge_bb *b = &g->bb[i];
		uint8_t x[8] = { b->start, b->start >> 8, b->start >> 16, b->start >> 24,
				 b->size, b->size >> 8, b->mod, b->mod >> 8 };

		fwrite(x, 1, sizeof(x), f);
	}
	return fclose(f) ? MM_ERR_IO : MM_OK;
}

enum mm_err mm_coverage_merge_drcov(const char *const *paths, size_t n, const char *out,
				    unsigned *skipped)
{
	struct merge *g = calloc(1, sizeof(*g));
	enum mm_err err;

	if (skipped)
		*skipped = 0;
	if (!g)
		return MM_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		FILE *f = fopen(paths[i], "rb");
		size_t keep_bb = g->nbb;

		if (!f || !read_file(g, f)) {
			g->nbb = keep_bb; /* a bad file adds no blocks (its modules may stay, unused) */
			if (skipped)
				(*skipped)++;
		}
		if (f)
			fclose(f);
	}
	err = write_merged(g, out);
	for (size_t i = 0; i < g->nmod; i++)
		free(g->mod[i].path);
	free(g->bb);
	free(g);
	return err;
}
