/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the firmware volume parser (loader/fv.c, section.c):
 * any input is scanned for volumes and walked; every file's blobs are read
 * in full so that ASan sees an out-of-bounds pointer or length, and every
 * problem's reason is read. The seeds (corpus/fv/) are the synthetic volumes
 * of tests/loader/fv-test.c (MMEMU_FV_CORPUS=DIR writes them).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "loader/fv.h"

/* Touches every byte of a blob. */
static unsigned touch(const struct mm_fv_blob *b)
{
	unsigned s = 0;

	for (size_t i = 0; b->data && i < b->len; i++)
		s += b->data[i];
	return s;
}

static void on_file(void *user, const struct mm_fv_file *f)
{
	unsigned *sink = user;

	*sink += touch(&f->pe32) + touch(&f->te) + touch(&f->pic) + touch(&f->mm_depex) +
		 touch(&f->dxe_depex) + touch(&f->pei_depex) + touch(&f->data) +
		 (unsigned)strlen(f->ui_name) + (unsigned)strlen(f->at.path);
}

static void on_problem(void *user, const struct mm_fv_problem *p)
{
	unsigned *sink = user;

	*sink += (unsigned)strlen(p->reason) + (unsigned)strlen(p->at.path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct mm_fv_visitor visit = { NULL, on_file, on_problem };
	unsigned sink = 0;
	char err[128];

	mm_fv_parse(data, size, &visit, &sink, err, sizeof(err));
	return 0;
}
