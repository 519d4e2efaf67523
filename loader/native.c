/* SPDX-License-Identifier: MIT */
/*
 * Native drivers: ELF shared objects built for the host against include/pi,
 * described by the .mmemu_module record of <mmemu/native-driver.h>.
 *
 * Loading goes in two steps so that a bad file never runs any code:
 *   1. the file is read with libelf (pread, not mmap: a truncated file gives
 *      errors, not SIGBUS), checked to be an ELF64 x86-64 ET_DYN, and its
 *      record validated field by field; an expression DEPEX is compiled;
 *   2. only then is it dlopened, its entry point found through the exported
 *      pointer mmemu_module_entry (or the entry's name), and its mapped range
 *      (every PT_LOAD segment) registered as a native image whose unload hook
 *      dlcloses it.
 */
#define _GNU_SOURCE
#include "loader/native.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/depex.h"
#include "core/machine.h"

/* Room for a compiled expression: every GUID operand costs 17 bytes. */
#define NATIVE_DEPEX_CAP (4 * MMEMU_MODULE_DEPEX_MAX)

/* What step 1 learned about a file. */
struct native_file {
	const char *path;
	struct mmemu_module rec;
	uint64_t rec_off; /* file offset of the record */
	uint8_t depex[NATIVE_DEPEX_CAP];
	size_t depex_len; /* 0: no DEPEX */
};

/* The last dynamic-linker error, never NULL. */
static const char *dl_why(void)
{
	const char *why = dlerror();

	return why ? why : "unknown error";
}

/* The mapped range of a dlopened object, found by dl_iterate_phdr. */
struct native_range {
	ElfW(Addr) load_bias;
	uint64_t lo, hi;
	bool found;
};

#define REC_OFF(field) ((uint64_t)offsetof(struct mmemu_module, field))

/* Fails with MM_ERR_FORMAT naming the file and the offset of the problem. */
static enum mm_err bad_at(struct mm_machine *m, const char *path, uint64_t off, const char *what)
{
	return mm_fail(m, MM_ERR_FORMAT, "%s: %s at offset 0x%llx", path, what,
		       (unsigned long long)off);
}

/* Checks the ELF header: 64-bit little-endian x86-64 shared object. */
static enum mm_err check_ehdr(struct mm_machine *m, const char *path, Elf *e)
{
	GElf_Ehdr eh;

	if (elf_kind(e) != ELF_K_ELF)
		return bad_at(m, path, 0, "not an ELF file");
	if (gelf_getclass(e) != ELFCLASS64)
		return bad_at(m, path, EI_CLASS, "not a 64-bit ELF file");
	if (!gelf_getehdr(e, &eh))
		return mm_fail(m, MM_ERR_FORMAT, "%s: bad ELF header at offset 0x0: %s", path,
			       elf_errmsg(-1));
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return bad_at(m, path, EI_DATA, "not a little-endian ELF file");
	if (eh.e_type != ET_DYN)
		return mm_fail(m, MM_ERR_FORMAT,
			       "%s: ELF type %u is not a shared object (ET_DYN) at offset 0x%x",
			       path, (unsigned)eh.e_type, (unsigned)offsetof(Elf64_Ehdr, e_type));
	if (eh.e_machine != EM_X86_64)
		return mm_fail(m, MM_ERR_FORMAT,
			       "%s: ELF machine %u is not x86-64 at offset 0x%x", path,
			       (unsigned)eh.e_machine, (unsigned)offsetof(Elf64_Ehdr, e_machine));
	return MM_OK;
}

/* Finds the .mmemu_module section of e; stores it and its header. */
static enum mm_err find_section(struct mm_machine *m, const char *path, Elf *e, Elf_Scn **out,
				GElf_Shdr *sh)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(e, &shstrndx) != 0)
		return mm_fail(m, MM_ERR_FORMAT, "%s: no section name table at offset 0x0: %s",
			       path, elf_errmsg(-1));
	while ((scn = elf_nextscn(e, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, sh))
			return mm_fail(m, MM_ERR_FORMAT, "%s: bad section header at offset 0x0: %s",
				       path, elf_errmsg(-1));
		name = elf_strptr(e, shstrndx, sh->sh_name);
		if (name && strcmp(name, MMEMU_MODULE_SECTION) == 0) {
			*out = scn;
			return MM_OK;
		}
	}
	return mm_fail(m, MM_ERR_FORMAT,
		       "%s: no " MMEMU_MODULE_SECTION " section at offset 0x0 (not built with MMEMU_MODULE?)",
		       path);
}

/*
 * True when the section bytes past the record are all zero: padding some
 * toolchains add (a sanitizer's redzone), not a second record.
 */
static bool zero_tail(const Elf_Data *data, size_t rec_size)
{
	const uint8_t *p = data->d_buf;

	for (size_t i = rec_size; i < data->d_size; i++)
		if (p[i])
			return false;
	return true;
}

/* Copies the record out of the section, checking the section holds exactly one. */
static enum mm_err read_record(struct mm_machine *m, struct native_file *f, Elf_Scn *scn,
			       const GElf_Shdr *sh)
{
	Elf_Data *data;

	f->rec_off = sh->sh_offset;
	if (sh->sh_type != SHT_PROGBITS)
		return bad_at(m, f->path, sh->sh_offset, MMEMU_MODULE_SECTION " has no file data");
	data = elf_rawdata(scn, NULL);
	if (!data || !data->d_buf || data->d_size != sh->sh_size)
		return mm_fail(m, MM_ERR_FORMAT, "%s: " MMEMU_MODULE_SECTION
			       " truncated (0x%llx bytes) at offset 0x%llx", f->path,
			       (unsigned long long)sh->sh_size, (unsigned long long)sh->sh_offset);
	if (data->d_size < REC_OFF(file_guid))
		return mm_fail(m, MM_ERR_FORMAT, "%s: " MMEMU_MODULE_SECTION
			       " too short (0x%zx bytes) at offset 0x%llx", f->path, data->d_size,
			       (unsigned long long)sh->sh_offset);
	memset(&f->rec, 0, sizeof(f->rec));
	memcpy(&f->rec, data->d_buf,
	       data->d_size < sizeof(f->rec) ? data->d_size : sizeof(f->rec));
	if (memcmp(f->rec.magic, MMEMU_MODULE_MAGIC, MMEMU_MODULE_MAGIC_SIZE) != 0)
		return bad_at(m, f->path, f->rec_off, "bad " MMEMU_MODULE_SECTION " magic");
	if (f->rec.version != MMEMU_MODULE_VERSION)
		return mm_fail(m, MM_ERR_FORMAT, "%s: unsupported record version %u at offset 0x%llx",
			       f->path, f->rec.version,
			       (unsigned long long)(f->rec_off + REC_OFF(version)));
	if (f->rec.size != sizeof(f->rec))
		return mm_fail(m, MM_ERR_FORMAT, "%s: record size 0x%x, expected 0x%zx at offset 0x%llx",
			       f->path, f->rec.size, sizeof(f->rec),
			       (unsigned long long)(f->rec_off + REC_OFF(size)));
	if (data->d_size < sizeof(f->rec) || !zero_tail(data, sizeof(f->rec)))
		return mm_fail(m, MM_ERR_FORMAT, "%s: " MMEMU_MODULE_SECTION
			       " holds 0x%zx bytes, expected one record of 0x%zx at offset 0x%llx",
			       f->path, data->d_size, sizeof(f->rec), (unsigned long long)f->rec_off);
	return MM_OK;
}

/* Checks a fixed-size string field is non-empty and NUL-terminated. */
static enum mm_err check_string(struct mm_machine *m, const struct native_file *f,
				const char *s, size_t cap, uint64_t field, const char *what)
{
	char msg[64];

	if (s[0] && memchr(s, '\0', cap))
		return MM_OK;
	snprintf(msg, sizeof(msg), "%s %s", what, s[0] ? "not NUL-terminated" : "empty");
	return bad_at(m, f->path, f->rec_off + field, msg);
}

/* Checks the DEPEX fields and compiles an expression into f->depex. */
static enum mm_err check_depex(struct mm_machine *m, struct native_file *f)
{
	const struct mmemu_module *r = &f->rec;
	uint64_t len_off = f->rec_off + REC_OFF(depex_len);
	char err[MM_ERRMSG_MAX / 2];

	switch (r->depex_kind) {
	case MMEMU_DEPEX_NONE:
		if (r->depex_len != 0)
			return bad_at(m, f->path, len_off, "DEPEX length set without a DEPEX");
		f->depex_len = 0;
		return MM_OK;
	case MMEMU_DEPEX_BYTES:
		if (r->depex_len == 0 || r->depex_len > MMEMU_MODULE_DEPEX_MAX)
			return bad_at(m, f->path, len_off, "DEPEX byte length out of bounds");
		memcpy(f->depex, r->depex.bytes, r->depex_len);
		f->depex_len = r->depex_len;
		return MM_OK;
	case MMEMU_DEPEX_EXPRESSION:
		if (r->depex_len == 0 || r->depex_len >= MMEMU_MODULE_DEPEX_MAX ||
		    strnlen(r->depex.text, MMEMU_MODULE_DEPEX_MAX) != r->depex_len)
			return bad_at(m, f->path, len_off,
				      "DEPEX expression length does not match its text");
		if (mm_depex_compile(r->depex.text, f->depex, sizeof(f->depex), &f->depex_len, err,
				     sizeof(err)) != MM_OK)
			return mm_fail(m, MM_ERR_FORMAT, "%s: DEPEX \"%s\": %s at offset 0x%llx",
				       f->path, r->depex.text, err,
				       (unsigned long long)(f->rec_off + REC_OFF(depex)));
		return MM_OK;
	default:
		return mm_fail(m, MM_ERR_FORMAT, "%s: unknown DEPEX kind %u at offset 0x%llx",
			       f->path, r->depex_kind,
			       (unsigned long long)(f->rec_off + REC_OFF(depex_kind)));
	}
}

/* Validates every field of the record after the header read_record checked. */
static enum mm_err check_record(struct mm_machine *m, struct native_file *f)
{
	const struct mmemu_module *r = &f->rec;
	enum mm_err err;

	if (r->reserved != 0)
		return bad_at(m, f->path, f->rec_off + REC_OFF(reserved), "reserved field not 0");
	switch (r->module_type) {
	case MM_MODULE_TRADITIONAL:
	case MM_MODULE_COMBINED:
	case MM_MODULE_STANDALONE:
		break;
	default:
		return mm_fail(m, MM_ERR_FORMAT, "%s: unknown module type 0x%x at offset 0x%llx",
			       f->path, r->module_type,
			       (unsigned long long)(f->rec_off + REC_OFF(module_type)));
	}
	err = check_string(m, f, r->name, sizeof(r->name), REC_OFF(name), "name");
	if (!err)
		err = check_string(m, f, r->entry, sizeof(r->entry), REC_OFF(entry), "entry name");
	if (!err)
		err = check_depex(m, f);
	return err;
}

/* Step 1 on an open descriptor: ELF checks, the record, the DEPEX. */
static enum mm_err read_fd(struct mm_machine *m, struct native_file *f, int fd)
{
	Elf *e;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	enum mm_err err;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return mm_fail(m, MM_ERR_UNSUPPORTED, "%s: libelf: %s", f->path, elf_errmsg(-1));
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e)
		return bad_at(m, f->path, 0, "not an ELF file");
	err = check_ehdr(m, f->path, e);
	if (!err)
		err = find_section(m, f->path, e, &scn, &sh);
	if (!err)
		err = read_record(m, f, scn, &sh);
	elf_end(e);
	if (!err)
		err = check_record(m, f);
	return err;
}

/* Step 1: reads and validates the file at f->path. */
static enum mm_err read_file(struct mm_machine *m, struct native_file *f)
{
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);
	enum mm_err err;

	if (fd < 0)
		return mm_fail(m, MM_ERR_IO, "%s: %s", f->path, strerror(errno));
	err = read_fd(m, f, fd);
	close(fd);
	return err;
}

enum mm_err mm_native_read_module(struct mm_machine *m, const char *path,
				  struct mmemu_module *out)
{
	struct native_file *f;
	enum mm_err err;

	if (!m || !path || !out)
		return m ? mm_fail(m, MM_ERR_INVALID, "native driver: NULL argument")
			 : MM_ERR_INVALID;
	f = calloc(1, sizeof(*f));
	if (!f)
		return mm_fail(m, MM_ERR_NOMEM, "%s: out of memory", path);
	f->path = path;
	err = read_file(m, f);
	if (!err)
		*out = f->rec;
	free(f);
	return err;
}

/* dl_iterate_phdr callback: the PT_LOAD span of the object at r->load_bias. */
static int range_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct native_range *r = data;

	(void)size;
	if (info->dlpi_addr != r->load_bias)
		return 0;
	for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD)
			continue;
		if (!r->found || ph->p_vaddr < r->lo)
			r->lo = ph->p_vaddr;
		if (!r->found || ph->p_vaddr + ph->p_memsz > r->hi)
			r->hi = ph->p_vaddr + ph->p_memsz;
		r->found = true;
	}
	return r->found;
}

/* Finds the page-aligned range [*base, *base + *size) handle is mapped at. */
static enum mm_err mapped_range(struct mm_machine *m, const char *path, void *handle,
				uint64_t *base, uint64_t *size)
{
	struct link_map *lm = NULL;
	struct native_range r = { 0 };
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	if (dlinfo(handle, RTLD_DI_LINKMAP, &lm) != 0 || !lm)
		return mm_fail(m, MM_ERR_FORMAT, "%s: dlinfo: %s", path, dl_why());
	r.load_bias = lm->l_addr;
	dl_iterate_phdr(range_cb, &r);
	if (!r.found || r.hi <= r.lo)
		return mm_fail(m, MM_ERR_FORMAT, "%s: no loaded segment found", path);
	r.lo &= ~(page - 1);
	r.hi = (r.hi + page - 1) & ~(page - 1);
	*base = lm->l_addr + r.lo;
	*size = r.hi - r.lo;
	return MM_OK;
}

/* Finds the entry point: the exported pointer, else the function by name. */
static enum mm_err find_entry(struct mm_machine *m, const struct native_file *f, void *handle,
			      uint64_t base, uint64_t size, uint64_t *entry)
{
	const MMEMU_ENTRY_POINT *ptr;
	void *fn;

	dlerror();
	ptr = dlsym(handle, MMEMU_MODULE_ENTRY_SYMBOL);
	if (ptr && (uint64_t)(uintptr_t)ptr - base < size) {
		*entry = (uint64_t)(uintptr_t)*ptr;
	} else {
		fn = dlsym(handle, f->rec.entry);
		if (!fn)
			return mm_fail(m, MM_ERR_FORMAT, "%s: entry point: neither "
				       MMEMU_MODULE_ENTRY_SYMBOL " nor %s exported", f->path,
				       f->rec.entry);
		*entry = (uint64_t)(uintptr_t)fn;
	}
	if (*entry - base >= size)
		return mm_fail(m, MM_ERR_FORMAT, "%s: entry point 0x%llx outside the image",
			       f->path, (unsigned long long)*entry);
	return MM_OK;
}

/* Image unload hook: the last reference to the object goes. */
static void native_unload(struct mm_machine *m, struct mm_image *img)
{
	mm_log(m, MM_LOG_DISPATCH, "native %s: unloaded from 0x%llx", img->name,
	       (unsigned long long)img->base);
	if (img->loader_data && dlclose(img->loader_data) != 0)
		mm_log(m, MM_LOG_WARN, "native %s: dlclose: %s", img->name, dl_why());
	img->loader_data = NULL;
}

/* dlopens the validated file; a bare file name is taken relative to the cwd. */
static void *open_object(struct mm_machine *m, const char *path)
{
	char buf[4096];
	const char *p = path;
	void *h;

	if (!strchr(path, '/')) {
		if ((size_t)snprintf(buf, sizeof(buf), "./%s", path) >= sizeof(buf)) {
			mm_fail(m, MM_ERR_FORMAT, "%s: path too long", path);
			return NULL;
		}
		p = buf;
	}
	h = dlopen(p, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		mm_fail(m, MM_ERR_FORMAT, "%s: dlopen: %s", path, dl_why());
	return h;
}

/* Step 2: dlopen, image registration, driver record. */
static enum mm_err load_object(struct mm_machine *m, const struct native_file *f,
			       unsigned *index)
{
	struct mm_driver_desc d = { 0 };
	struct mm_image *img;
	uint64_t base = 0, size = 0;
	void *h = open_object(m, f->path);
	enum mm_err err;

	if (!h)
		return MM_ERR_FORMAT;
	err = mapped_range(m, f->path, h, &base, &size);
	if (!err && mm_image_find(m, base)) {
		err = mm_fail(m, MM_ERR_EXISTS, "%s: already loaded at 0x%llx", f->path,
			      (unsigned long long)base);
	}
	if (!err)
		err = find_entry(m, f, h, base, size, &d.entry);
	if (err) {
		dlclose(h);
		return err;
	}
	img = mm_image_add(m, f->rec.name, &f->rec.file_guid, base, size, MM_ENGINE_NATIVE);
	if (!img) {
		dlclose(h);
		return MM_ERR_NOMEM;
	}
	img->unload = native_unload;
	img->loader_data = h;
	d.name = f->rec.name;
	d.guid = f->rec.file_guid;
	d.type = (enum mm_module_type)f->rec.module_type;
	d.depex = f->depex_len ? f->depex : NULL;
	d.depex_len = f->depex_len;
	d.image = img;
	err = mm_driver_add(m, &d, NULL);
	if (err) {
		mm_image_remove(m, img);
		return err;
	}
	mm_log(m, MM_LOG_DISPATCH, "native %s: %s at 0x%llx (+0x%llx), entry %s at 0x%llx, DEPEX %s",
	       f->path, f->rec.name, (unsigned long long)base, (unsigned long long)size,
	       f->rec.entry, (unsigned long long)d.entry,
	       f->rec.depex_kind == MMEMU_DEPEX_EXPRESSION ? f->rec.depex.text
	       : f->rec.depex_kind == MMEMU_DEPEX_BYTES ? "(bytes)" : "(none)");
	if (index)
		*index = mm_driver_count(m) - 1;
	return MM_OK;
}

enum mm_err mm_driver_load_native(struct mm_machine *m, const char *path, unsigned *index)
{
	struct native_file *f;
	enum mm_err err;

	if (!m)
		return MM_ERR_INVALID;
	if (!path)
		return mm_fail(m, MM_ERR_INVALID, "native driver: NULL path");
	f = calloc(1, sizeof(*f));
	if (!f)
		return mm_fail(m, MM_ERR_NOMEM, "%s: out of memory", path);
	f->path = path;
	err = read_file(m, f);
	if (!err)
		err = load_object(m, f, index);
	free(f);
	return err;
}
