/* SPDX-License-Identifier: MIT */
/*
 * Symbols of emulated images (include/mmemu/debug.h): an image's address
 * becomes function+offset and source file:line through the DWARF of an
 * ELF file, given by mm_symbols_add or else found the first time an image
 * is asked about:
 *
 *   1. the image file itself, when it is ELF;
 *   2. <dir>/<stem>.debug beside the image file (EDK2's GCC builds leave
 *      Foo.debug beside Foo.efi);
 *   3. the path the PE's CodeView debug entry names (EDK2's GCC builds
 *      name the ELF Foo.dll there) when it is an ELF file, its .debug
 *      sibling, and <dir>/<its stem>.debug beside the image file.
 *
 * An address base + x of an image is looked up as link_base + x in the ELF
 * file (struct mm_image): EDK2 links the ELF so that its addresses are the
 * PE image's (RVAs, ImageBase 0), and a PE linked at another ImageBase
 * whose DWARF was copied to ELF (objcopy -O elf64-x86-64) has addresses
 * ImageBase + RVA.
 *
 * Built on libdw's Dwfl when the build found libdw (MMEMU_HAVE_LIBDW);
 * otherwise mm_symbols_add says MM_ERR_UNSUPPORTED and nothing resolves.
 */
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mmemu/debug.h>

#include "core/image.h"
#include "core/machine.h"
#include "emu/debug-info.h"

/* True when path names a readable ELF file. */
static bool is_elf(const char *path)
{
	unsigned char magic[4];
	int fd = open(path, O_RDONLY);
	bool yes = fd >= 0 && read(fd, magic, 4) == 4 && !memcmp(magic, ELFMAG, SELFMAG);

	if (fd >= 0)
		close(fd);
	return yes;
}

/* Copies into out the path's directory with a slash ("" for none). */
static void dir_of(const char *path, char *out, size_t cap)
{
	const char *slash = strrchr(path, '/');

	snprintf(out, cap, "%.*s", slash ? (int)(slash - path + 1) : 0, path);
}

/* Copies into out the base name of path (either slash kind) without its extension. */
static void stem_of(const char *path, char *out, size_t cap)
{
	const char *base = path, *dot;

	for (const char *p = path; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	dot = strrchr(base, '.');
	snprintf(out, cap, "%.*s", dot && dot != base ? (int)(dot - base) : (int)strlen(base), base);
}

/* Tries the candidate "<a><b><c>"; true (and out set) when it is an ELF file. */
static bool try3(char *out, size_t cap, const char *a, const char *b, const char *c)
{
	return snprintf(out, cap, "%s%s%s", a, b, c) < (int)cap && is_elf(out);
}

bool mm_symbols_find(const struct mm_image *img, char *out, size_t cap)
{
	char dir[4096], stem[256], cvdir[4096], cvstem[256];

	if (!img || !img->path)
		return false;
	if (try3(out, cap, img->path, "", ""))
		return true;
	dir_of(img->path, dir, sizeof(dir));
	stem_of(img->path, stem, sizeof(stem));
	if (try3(out, cap, dir, stem, ".debug"))
		return true;
	if (!img->codeview)
		return false;
	dir_of(img->codeview, cvdir, sizeof(cvdir));
	stem_of(img->codeview, cvstem, sizeof(cvstem));
	return try3(out, cap, img->codeview, "", "") || try3(out, cap, cvdir, cvstem, ".debug") ||
	       try3(out, cap, dir, cvstem, ".debug");
}

#ifdef MMEMU_HAVE_LIBDW
#include <dwarf.h>
#include <elfutils/libdwfl.h>

/* The lowest address of the PT_LOAD segments of the ELF file at path; false when none. */
static bool first_segment(const char *path, uint64_t *vaddr)
{
	int fd = open(path, O_RDONLY);
	Elf *elf;
	size_t n = 0;
	bool found = false;

	if (fd < 0)
		return false;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (elf && !elf_getphdrnum(elf, &n)) {
		for (size_t i = 0; i < n; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD &&
			    (!found || ph.p_vaddr < *vaddr)) {
				*vaddr = ph.p_vaddr;
				found = true;
			}
		}
	}
	elf_end(elf);
	close(fd);
	return found;
}

/* The first image called name, or NULL. */
static const struct mm_image *image_named(const struct mm_machine *m, const char *name)
{
	for (const struct mm_image *img = m->images.list; img; img = img->next)
		if (!strcmp(img->name, name))
			return img;
	return NULL;
}

#define SYMBOLS_MAX 256

/* The symbol file of an image; mod NULL: looked for, none found. */
struct sym_file {
	char *image;   /* image name it describes */
	char *path;
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
		if (s->f[i].dwfl)
			dwfl_end(s->f[i].dwfl);
		free(s->f[i].image);
		free(s->f[i].path);
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

/* Opens path with libdw into f; MM_OK or MM_ERR_IO / MM_ERR_FORMAT (f cleared). */
static enum mm_err open_file(struct mm_machine *m, struct sym_file *f, const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return mm_fail(m, MM_ERR_IO, "symbols: cannot open '%s'", path);
	f->dwfl = dwfl_begin(&offline_callbacks);
	if (f->dwfl)
		f->mod = dwfl_report_elf(f->dwfl, f->image, path, fd, 0, false); /* takes fd */
	else
		close(fd);
	if (f->dwfl)
		dwfl_report_end(f->dwfl, NULL, NULL);
	f->path = strdup(path);
	if (f->dwfl && f->mod && f->path)
		return MM_OK;
	if (f->dwfl)
		dwfl_end(f->dwfl);
	free(f->path);
	f->dwfl = NULL;
	f->mod = NULL;
	f->path = NULL;
	return mm_fail(m, MM_ERR_FORMAT, "symbols: '%s' is not an ELF file libdw reads: %s", path,
		       dwfl_errmsg(-1));
}

enum mm_err mm_symbols_add(struct mm_machine *m, const char *image, const char *path)
{
	struct symbols *s = symbols_of(m);
	struct sym_file *f;
	enum mm_err e;

	if (!s)
		return mm_fail(m, MM_ERR_NOMEM, "symbols: out of memory");
	if (!image || !path)
		return mm_fail(m, MM_ERR_INVALID, "symbols: no image name or no path");
	if (s->n == SYMBOLS_MAX)
		return mm_fail(m, MM_ERR_RANGE, "symbols: more than %d symbol files", SYMBOLS_MAX);
	/* A later file for the same image replaces the earlier one: put it first. */
	memmove(&s->f[1], &s->f[0], s->n * sizeof(s->f[0]));
	f = &s->f[0];
	memset(f, 0, sizeof(*f));
	f->image = strdup(image);
	e = f->image ? open_file(m, f, path) : mm_fail(m, MM_ERR_NOMEM, "symbols: out of memory");
	if (e) {
		free(f->image);
		memmove(&s->f[0], &s->f[1], s->n * sizeof(s->f[0]));
		return e;
	}
	s->n++;
	return MM_OK;
}

/*
 * The symbol file of img, or NULL: the one given for its name, else the
 * one found beside it (remembered, found or not, so that each image is
 * looked for once). The table is a cache: it is filled in even through a
 * const machine.
 */
static struct sym_file *file_of(const struct mm_machine *m, const struct mm_image *img)
{
	struct symbols *s = mm_extension_get(m, "symbols");
	char path[4096];
	struct sym_file *f;

	if (!img)
		return NULL;
	for (unsigned i = 0; s && i < s->n; i++)
		if (!strcmp(s->f[i].image, img->name))
			return s->f[i].mod ? &s->f[i] : NULL;
	if (!img->path)
		return NULL;
	s = symbols_of((struct mm_machine *)m);
	if (!s || s->n == SYMBOLS_MAX)
		return NULL;
	f = &s->f[s->n];
	memset(f, 0, sizeof(*f));
	f->image = strdup(img->name);
	if (!f->image)
		return NULL;
	s->n++;
	if (mm_symbols_find(img, path, sizeof(path)) &&
	    open_file((struct mm_machine *)m, f, path) == MM_OK)
		return f;
	return NULL;
}

/* The closest line entry at or below an address, found by scanning every line. */
struct line_scan {
	uint64_t at, best;
	const char *file;
	int line;
};

static void scan_line(void *user, const char *file, int line, uint64_t addr)
{
	struct line_scan *ls = user;

	if (addr <= ls->at && (!ls->file || addr > ls->best)) {
		ls->best = addr;
		ls->file = file;
		ls->line = line;
	}
}

/* Calls fn for every line table row of f's DWARF, with the address in f. */
static int file_lines(struct sym_file *f,
		      void (*fn)(void *user, const char *file, int line, uint64_t addr), void *user)
{
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

/*
 * The function around at from the DWARF (its DW_TAG_subprogram), for files
 * without a symbol table (DWARF copied out of a PE); *off: at - its entry.
 */
static const char *dwarf_function(struct sym_file *f, uint64_t at, GElf_Off *off)
{
	Dwarf_Addr bias = 0, low;
	Dwarf *dw = dwfl_module_getdwarf(f->mod, &bias);
	Dwarf_Off cuoff = 0, next;
	Dwarf_Die cu, *scopes = NULL;
	const char *name = NULL;
	size_t hsize;
	int n = 0;

	/* The CU holding at, by its ranges (clang emits no .debug_aranges). */
	while (dw && !n && dwarf_nextcu(dw, cuoff, &next, &hsize, NULL, NULL, NULL) == 0) {
		if (dwarf_offdie(dw, cuoff + hsize, &cu) && dwarf_haspc(&cu, at - bias) > 0)
			n = dwarf_getscopes(&cu, at - bias, &scopes);
		cuoff = next;
	}

	for (int i = 0; i < n && !name; i++)
		if (dwarf_tag(&scopes[i]) == DW_TAG_subprogram && dwarf_diename(&scopes[i]) &&
		    !dwarf_lowpc(&scopes[i], &low)) {
			name = dwarf_diename(&scopes[i]);
			*off = at - bias - low;
		}
	free(scopes);
	return name;
}

bool mm_symbolize(const struct mm_machine *m, uint64_t addr, char *buf, size_t len)
{
	const struct mm_image *img = mm_image_find(m, addr);
	struct sym_file *f = file_of(m, img);
	GElf_Off off = 0;
	GElf_Sym sym;
	const char *fn, *src = NULL;
	Dwfl_Line *line;
	int lineno = 0;
	uint64_t at;

	if (!f || !len)
		return false;
	at = addr - img->base + img->link_base;
	fn = dwfl_module_addrinfo(f->mod, at, &off, &sym, NULL, NULL, NULL);
	if (!fn)
		fn = dwarf_function(f, at, &off);
	line = dwfl_module_getsrc(f->mod, at);
	if (line)
		src = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
	if (!src && fn) {
		/*
		 * libdw finds a line through .debug_aranges, which clang does not
		 * emit: scan the line tables, staying inside the function found.
		 */
		struct line_scan ls = { .at = at };

		file_lines(f, scan_line, &ls);
		if (ls.file && at - ls.best <= off) {
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

	for (unsigned k = 0; s && k < s->n; k++)
		if (s->f[k].mod && i-- == 0)
			return s->f[k].image;
	return NULL;
}

void mm_symbols_match_all(struct mm_machine *m)
{
	for (const struct mm_image *img = m->images.list; img; img = img->next)
		if (img->engine == MM_ENGINE_EMULATED)
			file_of(m, img);
}

/* Passes a line on with its address made an offset from the image base. */
struct lines_rebase {
	void (*fn)(void *user, const char *file, int line, uint64_t offset);
	void *user;
	uint64_t link_base;
};

static void rebase_line(void *user, const char *file, int line, uint64_t addr)
{
	struct lines_rebase *r = user;

	r->fn(r->user, file, line, addr - r->link_base);
}

int mm_symbols_lines(const struct mm_machine *m, const char *image,
		     void (*fn)(void *user, const char *file, int line, uint64_t offset),
		     void *user)
{
	const struct mm_image *img = image ? image_named(m, image) : NULL;
	const struct symbols *s = mm_extension_get(m, "symbols");
	struct lines_rebase r = { fn, user, img ? img->link_base : 0 };

	for (unsigned i = 0; s && image && i < s->n; i++)
		if (!strcmp(s->f[i].image, image))
			return s->f[i].mod ? file_lines((struct sym_file *)&s->f[i], rebase_line, &r)
					   : -1;
	return -1;
}

const char *mm_symbols_file(const struct mm_machine *m, const struct mm_image *img,
			    uint64_t *address)
{
	struct sym_file *f = file_of(m, img);
	uint64_t first = 0;

	if (!f || !first_segment(f->path, &first))
		return NULL;
	*address = img->base + (first - img->link_base);
	return f->path;
}

#else /* !MMEMU_HAVE_LIBDW: no lines, no functions, no files */

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

bool mm_symbolize(const struct mm_machine *m, uint64_t addr, char *buf, size_t len)
{
	(void)m, (void)addr, (void)buf, (void)len;
	return false;
}

void mm_symbols_match_all(struct mm_machine *m)
{
	(void)m;
}

const char *mm_symbols_file(const struct mm_machine *m, const struct mm_image *img,
			    uint64_t *address)
{
	(void)m, (void)img, (void)address;
	return NULL;
}

#endif

