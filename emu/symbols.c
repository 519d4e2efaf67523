/* SPDX-License-Identifier: MIT */
/*
 * Symbols of emulated images (include/mmemu/debug.h): an image's address
 * becomes function+offset and source file:line through the DWARF of an
 * ELF file (the image itself when it is ELF, or the .debug ELF that EDK2's
 * GCC builds leave beside each .efi). EDK2 links those ELF files so that a
 * virtual address equals the PE image's RVA; an offset in the image is
 * therefore looked up as that ELF address (module reported with bias 0).
 *
 * Built on libdw's Dwfl when the build found libdw (MMEMU_HAVE_LIBDW);
 * otherwise mm_symbols_add says MM_ERR_UNSUPPORTED and nothing resolves.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mmemu/debug.h>

#include "core/image.h"
#include "core/machine.h"
#include "emu/debug-info.h"

#ifdef MMEMU_HAVE_LIBDW
#include <elfutils/libdwfl.h>

#define SYMBOLS_MAX 256

struct sym_file {
	char *image;   /* image name it describes */
	Dwfl *dwfl;
	Dwfl_Module *mod;
};

struct symbols {
	struct sym_file f[SYMBOLS_MAX];
	unsigned n;
};

static void symbols_fini(struct mm_machine *m, void *data)
{
	struct symbols *s = data;

	(void)m;
	for (unsigned i = 0; i < s->n; i++) {
		dwfl_end(s->f[i].dwfl);
		free(s->f[i].image);
	}
	free(s);
}

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

/* The machine's symbol table, created on first use; NULL when out of memory. */
static struct symbols *symbols_of(struct mm_machine *m)
{
	struct symbols *s = mm_extension_get(m, "symbols");

	if (s)
		return s;
	s = calloc(1, sizeof(*s));
	if (s && mm_extension_add(m, "symbols", symbols_fini, s)) {
		free(s);
		s = NULL;
	}
	return s;
}

enum mm_err mm_symbols_add(struct mm_machine *m, const char *image, const char *path)
{
	struct symbols *s = symbols_of(m);
	struct sym_file *f;
	int fd;

	if (!s)
		return mm_fail(m, MM_ERR_NOMEM, "symbols: out of memory");
	if (!image || !path)
		return mm_fail(m, MM_ERR_INVALID, "symbols: no image name or no path");
	if (s->n == SYMBOLS_MAX)
		return mm_fail(m, MM_ERR_RANGE, "symbols: more than %d symbol files", SYMBOLS_MAX);
	f = &s->f[s->n];
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return mm_fail(m, MM_ERR_IO, "symbols: cannot open '%s'", path);
	f->dwfl = dwfl_begin(&offline_callbacks);
	if (f->dwfl)
		f->mod = dwfl_report_elf(f->dwfl, image, path, fd, 0, false); /* takes fd */
	else
		close(fd);
	if (f->dwfl)
		dwfl_report_end(f->dwfl, NULL, NULL);
	f->image = strdup(image);
	if (!f->dwfl || !f->mod || !f->image) {
		if (f->dwfl)
			dwfl_end(f->dwfl);
		free(f->image);
		memset(f, 0, sizeof(*f));
		return mm_fail(m, MM_ERR_FORMAT, "symbols: '%s' is not an ELF file libdw reads: %s",
			       path, dwfl_errmsg(-1));
	}
	s->n++;
	return MM_OK;
}

/* The symbol file of image name, or NULL. */
static struct sym_file *file_of(const struct mm_machine *m, const char *name)
{
	struct symbols *s = mm_extension_get(m, "symbols");

	for (unsigned i = 0; s && name && i < s->n; i++)
		if (!strcmp(s->f[i].image, name))
			return &s->f[i];
	return NULL;
}

/* The closest line entry at or below an offset, found by scanning every line. */
struct line_scan {
	uint64_t rva, best;
	const char *file;
	int line;
};

static void scan_line(void *user, const char *file, int line, uint64_t offset)
{
	struct line_scan *ls = user;

	if (offset <= ls->rva && (!ls->file || offset > ls->best)) {
		ls->best = offset;
		ls->file = file;
		ls->line = line;
	}
}

bool mm_symbolize(const struct mm_machine *m, uint64_t addr, char *buf, size_t len)
{
	const struct mm_image *img = mm_image_find(m, addr);
	struct sym_file *f = img ? file_of(m, img->name) : NULL;
	GElf_Off off = 0;
	GElf_Sym sym;
	const char *fn, *src = NULL;
	Dwfl_Line *line;
	int lineno = 0;
	uint64_t rva;

	if (!f || !len)
		return false;
	rva = addr - img->base;
	fn = dwfl_module_addrinfo(f->mod, rva, &off, &sym, NULL, NULL, NULL);
	line = dwfl_module_getsrc(f->mod, rva);
	if (line)
		src = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
	if (!src && fn) {
		/*
		 * libdw finds a line through .debug_aranges, which clang does not
		 * emit: scan the line tables, staying inside the function found.
		 */
		struct line_scan ls = { .rva = rva };

		mm_symbols_lines(m, img->name, scan_line, &ls);
		if (ls.file && rva - ls.best <= off) {
			src = ls.file;
			lineno = ls.line;
		}
	}
	if (!fn && !src)
		return false;
	if (src && strrchr(src, '/'))
		src = strrchr(src, '/') + 1;
	if (fn && src)
		snprintf(buf, len, "%s+0x%llx (%s:%d)", fn, (unsigned long long)off, src, lineno);
	else if (fn)
		snprintf(buf, len, "%s+0x%llx", fn, (unsigned long long)off);
	else
		snprintf(buf, len, "%s:%d", src, lineno);
	return true;
}

const char *mm_symbols_image(const struct mm_machine *m, unsigned i)
{
	const struct symbols *s = mm_extension_get(m, "symbols");

	return s && i < s->n ? s->f[i].image : NULL;
}

int mm_symbols_lines(const struct mm_machine *m, const char *image,
		     void (*fn)(void *user, const char *file, int line, uint64_t offset),
		     void *user)
{
	struct sym_file *f = file_of(m, image);
	Dwarf_Addr bias = 0;
	Dwarf *dw = f ? dwfl_module_getdwarf(f->mod, &bias) : NULL;
	Dwarf_Off off = 0, next;
	size_t hsize;

	if (!dw)
		return -1;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		Dwarf_Lines *lines;
		size_t n = 0;

		if (dwarf_offdie(dw, off + hsize, &cu) && !dwarf_getsrclines(&cu, &lines, &n)) {
			for (size_t i = 0; i < n; i++) {
				Dwarf_Line *l = dwarf_onesrcline(lines, i);
				Dwarf_Addr a;
				int line;
				const char *file = l ? dwarf_linesrc(l, NULL, NULL) : NULL;

				if (file && !dwarf_lineaddr(l, &a) && !dwarf_lineno(l, &line) && line > 0)
					fn(user, file, line, a + bias);
			}
		}
		off = next;
	}
	return 0;
}

#else /* !MMEMU_HAVE_LIBDW */

const char *mm_symbols_image(const struct mm_machine *m, unsigned i)
{
	(void)m, (void)i;
	return NULL;
}

int mm_symbols_lines(const struct mm_machine *m, const char *image,
		     void (*fn)(void *user, const char *file, int line, uint64_t offset),
		     void *user)
{
	(void)m, (void)image, (void)fn, (void)user;
	return -1;
}


enum mm_err mm_symbols_add(struct mm_machine *m, const char *image, const char *path)
{
	(void)image;
	(void)path;
	return mm_fail(m, MM_ERR_UNSUPPORTED, "symbols: mmemu was built without libdw");
}

/* The closest line entry at or below an offset, found by scanning every line. */
struct line_scan {
	uint64_t rva, best;
	const char *file;
	int line;
};

static void scan_line(void *user, const char *file, int line, uint64_t offset)
{
	struct line_scan *ls = user;

	if (offset <= ls->rva && (!ls->file || offset > ls->best)) {
		ls->best = offset;
		ls->file = file;
		ls->line = line;
	}
}

bool mm_symbolize(const struct mm_machine *m, uint64_t addr, char *buf, size_t len)
{
	(void)m, (void)addr, (void)buf, (void)len;
	return false;
}

#endif
