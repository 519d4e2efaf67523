/* SPDX-License-Identifier: MIT */
/*
 * Coverage as lcov tracefiles (include/mmemu/debug.h): the covered blocks
 * of each image that has symbols (mm_symbols_add) mapped onto the rows of
 * its DWARF line table. A source line is hit when one of its rows lies
 * inside a block that ran; every line the table knows is listed, so genhtml
 * shows what did not run too. Blocks are recorded once, so hit counts are
 * 0 or 1.
 */
#include <stdlib.h>
#include <string.h>

#include <mmemu/debug.h>

#include "core/machine.h"
#include "emu/debug-info.h"

struct lcov_row {
	const char *file; /* owned by the symbol file, lives with the machine */
	int line;
	int hit;
};

struct lcov_collect {
	const struct mm_cover_range *r;
	size_t nr;
	struct lcov_row *rows;
	size_t n, cap;
	bool nomem;
};

/* True when offset lies in one of the sorted ranges. */
static bool covered(const struct mm_cover_range *r, size_t n, uint64_t offset)
{
	size_t lo = 0, hi = n;

	while (lo < hi) { /* first range starting after offset */
		size_t mid = (lo + hi) / 2;

		if (r[mid].offset <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && offset < r[lo - 1].offset + r[lo - 1].size;
}

static void add_row(void *user, const char *file, int line, uint64_t offset)
{
	struct lcov_collect *c = user;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		struct lcov_row *v = realloc(c->rows, cap * sizeof(*v));

		if (!v) {
			c->nomem = true;
			return;
		}
		c->rows = v;
		c->cap = cap;
	}
	c->rows[c->n++] = (struct lcov_row){ file, line, covered(c->r, c->nr, offset) };
}

static int by_file_line(const void *a, const void *b)
{
	const struct lcov_row *x = a, *y = b;
	int d = strcmp(x->file, y->file);

	return d ? d : (x->line > y->line) - (x->line < y->line);
}

/* Writes the rows of one image, one SF record per source file. */
static void write_rows(FILE *f, struct lcov_row *v, size_t n)
{
	qsort(v, n, sizeof(*v), by_file_line);
	for (size_t i = 0; i < n;) {
		const char *file = v[i].file;
		unsigned lf = 0, lh = 0;

		fprintf(f, "TN:\nSF:%s\n", file);
		while (i < n && !strcmp(v[i].file, file)) {
			int line = v[i].line, hit = 0;

			for (; i < n && !strcmp(v[i].file, file) && v[i].line == line; i++)
				hit |= v[i].hit;
			fprintf(f, "DA:%d,%d\n", line, hit);
			lf++;
			lh += (unsigned)hit;
		}
		fprintf(f, "LF:%u\nLH:%u\nend_of_record\n", lf, lh);
	}
}

enum mm_err mm_coverage_write_lcov(struct mm_machine *m, const char *path)
{
	const char *image;
	FILE *f;

	if (!mm_extension_get(m, "cover"))
		return mm_fail(m, MM_ERR_STATE, "coverage: not enabled");
	f = fopen(path, "w");
	if (!f)
		return mm_fail(m, MM_ERR_IO, "coverage: cannot write '%s'", path);
	mm_symbols_match_all(m); /* .debug files beside the images too */
	for (unsigned i = 0; (image = mm_symbols_image(m, i)); i++) {
		struct lcov_collect c = { 0 };
		struct mm_cover_range *r = NULL;

		if (mm_cover_ranges(m, image, &r, &c.nr))
			continue;
		c.r = r;
		if (!mm_symbols_lines(m, image, add_row, &c) && !c.nomem)
			write_rows(f, c.rows, c.n);
		free(c.rows);
		free(r);
	}
	if (fclose(f))
		return mm_fail(m, MM_ERR_IO, "coverage: cannot write '%s'", path);
	return MM_OK;
}
