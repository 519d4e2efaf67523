/* SPDX-License-Identifier: MIT */
/*
 * The port and MMIO buses, and EFI_MM_CPU_IO_PROTOCOL (PI 1.8 vol. 4, 7.2),
 * the MMST's MmIo, on top of them.
 *
 * Each space keeps its claimed ranges in an array sorted by base, without
 * overlap, so an access finds its device by binary search. An access no
 * device claims reads as all ones and its writes are dropped, as on a PC bus.
 */
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "handle.h"
#include "machine.h"

#define MM_IO_PORT_LIMIT 0x10000ull /* 16-bit port space */

static const char *const space_names[] = { "port", "mmio" };

static bool size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

static uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

/* Index of the first range of space whose base is above addr. */
static unsigned upper_bound(const struct mm_io *io, enum mm_io_space space, uint64_t addr)
{
	unsigned lo = 0, hi = io->count[space];

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (io->ranges[space][mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The range of space that holds addr, or NULL. */
static const struct mm_io_range *find_range(const struct mm_io *io, enum mm_io_space space,
					    uint64_t addr)
{
	unsigned i = upper_bound(io, space, addr);
	const struct mm_io_range *r;

	if (i == 0)
		return NULL;
	r = &io->ranges[space][i - 1];
	return addr - r->base < r->len ? r : NULL;
}

static enum mm_err grow(struct mm_machine *m, enum mm_io_space space)
{
	struct mm_io *io = &m->io;
	unsigned cap = io->cap[space] ? io->cap[space] * 2 : 16;
	struct mm_io_range *r = realloc(io->ranges[space], cap * sizeof(*r));

	if (!r)
		return mm_fail(m, MM_ERR_NOMEM, "I/O ranges: out of memory");
	io->ranges[space] = r;
	io->cap[space] = cap;
	return MM_OK;
}

/* Checks that [base, base+len) is a sane, free range of space. */
static enum mm_err check_range(struct mm_machine *m, enum mm_io_space space, uint64_t base,
			       uint64_t len, const char *name)
{
	struct mm_io *io = &m->io;
	unsigned i;

	if ((unsigned)space > MM_IO_MMIO || len == 0 || base + len - 1 < base ||
	    (space == MM_IO_PORT && (base >= MM_IO_PORT_LIMIT || len > MM_IO_PORT_LIMIT - base)))
		return mm_fail(m, MM_ERR_INVALID, "I/O range %s: bad base 0x%llx or length 0x%llx",
			       name, (unsigned long long)base, (unsigned long long)len);
	i = upper_bound(io, space, base);
	if (i > 0) {
		const struct mm_io_range *prev = &io->ranges[space][i - 1];

		if (base - prev->base < prev->len)
			return mm_fail(m, MM_ERR_EXISTS, "%s range %s at 0x%llx overlaps %s",
				       space_names[space], name, (unsigned long long)base,
				       prev->name);
	}
	if (i < io->count[space] && io->ranges[space][i].base - base < len)
		return mm_fail(m, MM_ERR_EXISTS, "%s range %s at 0x%llx+0x%llx overlaps %s",
			       space_names[space], name, (unsigned long long)base,
			       (unsigned long long)len, io->ranges[space][i].name);
	return MM_OK;
}

enum mm_err mm_io_add(struct mm_machine *m, enum mm_io_space space, uint64_t base, uint64_t len,
		      mm_io_read_fn read, mm_io_write_fn write, void *user, const char *name)
{
	struct mm_io *io = &m->io;
	enum mm_err err;
	unsigned i;

	if (!name)
		name = "device";
	err = check_range(m, space, base, len, name);
	if (!err && io->count[space] == io->cap[space])
		err = grow(m, space);
	if (err)
		return err;
	i = upper_bound(io, space, base);
	memmove(&io->ranges[space][i + 1], &io->ranges[space][i],
		(io->count[space] - i) * sizeof(struct mm_io_range));
	io->ranges[space][i] = (struct mm_io_range){ base, len, read, write, user, name };
	io->count[space]++;
	mm_log(m, MM_LOG_IO, "%s 0x%llx-0x%llx claimed by %s", space_names[space],
	       (unsigned long long)base, (unsigned long long)(base + len - 1), name);
	return MM_OK;
}

enum mm_err mm_io_remove(struct mm_machine *m, enum mm_io_space space, uint64_t base)
{
	struct mm_io *io = &m->io;
	unsigned i;

	if ((unsigned)space > MM_IO_MMIO)
		return mm_fail(m, MM_ERR_INVALID, "I/O remove: bad space %d", (int)space);
	i = upper_bound(io, space, base);
	if (i == 0 || io->ranges[space][i - 1].base != base)
		return mm_fail(m, MM_ERR_NOT_FOUND, "%s range at 0x%llx: none starts there",
			       space_names[space], (unsigned long long)base);
	i--;
	mm_log(m, MM_LOG_IO, "%s 0x%llx-0x%llx released by %s", space_names[space],
	       (unsigned long long)base,
	       (unsigned long long)(base + io->ranges[space][i].len - 1),
	       io->ranges[space][i].name);
	memmove(&io->ranges[space][i], &io->ranges[space][i + 1],
		(io->count[space] - i - 1) * sizeof(struct mm_io_range));
	io->count[space]--;
	return MM_OK;
}

uint64_t mm_io_read(struct mm_machine *m, enum mm_io_space space, uint64_t addr, unsigned size)
{
	const struct mm_io_range *r;
	uint64_t v;

	if ((unsigned)space > MM_IO_MMIO || !size_ok(size)) {
		mm_log(m, MM_LOG_WARN, "I/O read of %u bytes at 0x%llx: bad size or space", size,
		       (unsigned long long)addr);
		return ~0ull;
	}
	r = find_range(&m->io, space, addr);
	v = r && r->read ? r->read(m, r->user, addr, size) & size_mask(size) : size_mask(size);
	mm_log(m, MM_LOG_IO, "%s read%u 0x%llx -> 0x%llx (%s)", space_names[space], size * 8,
	       (unsigned long long)addr, (unsigned long long)v, r ? r->name : "unclaimed");
	return v;
}

void mm_io_write(struct mm_machine *m, enum mm_io_space space, uint64_t addr, unsigned size,
		 uint64_t value)
{
	const struct mm_io_range *r;

	if ((unsigned)space > MM_IO_MMIO || !size_ok(size)) {
		mm_log(m, MM_LOG_WARN, "I/O write of %u bytes at 0x%llx: bad size or space", size,
		       (unsigned long long)addr);
		return;
	}
	value &= size_mask(size);
	r = find_range(&m->io, space, addr);
	mm_log(m, MM_LOG_IO, "%s write%u 0x%llx <- 0x%llx (%s)", space_names[space], size * 8,
	       (unsigned long long)addr, (unsigned long long)value,
	       r ? r->name : "unclaimed, dropped");
	if (r && r->write)
		r->write(m, r->user, addr, size, value);
}

void mm_io_fini(struct mm_machine *m)
{
	for (unsigned s = 0; s < 2; s++) {
		free(m->io.ranges[s]);
		m->io.ranges[s] = NULL;
		m->io.count[s] = m->io.cap[s] = 0;
	}
}

/*
 * The parameter rules of EFI_MM_CPU_IO (PI 1.8 vol. 4, 7.2) for one access of
 * Count elements of 1 << Width bytes at Address; stores the element size in
 * *size. Port accesses must stay within the 16-bit port space.
 */
static EFI_STATUS cpu_io_args(struct mm_machine *m, const char *service, EFI_MM_IO_WIDTH width,
			      UINT64 addr, UINTN count, const VOID *buf, bool port,
			      unsigned *size)
{
	uint64_t bytes, limit = port ? MM_IO_PORT_LIMIT : 0;
	bool bad = (unsigned)width > MM_IO_UINT64 || !buf;

	if (!bad) {
		*size = 1u << width;
		bad = count > UINT64_MAX / *size;
		bytes = bad ? 0 : count * *size;
		bad = bad || (bytes && addr + bytes - 1 < addr) ||
		      (port && (addr >= limit || bytes > limit - addr)) ||
		      !mm_caller_ptr_ok(m, buf, bytes);
	}
	if (bad) {
		mm_log(m, MM_LOG_WARN, "%s by %s: width %d, address 0x%llx, count %llu, "
		       "buffer %p refused", service, mm_executing_name(m), (int)width,
		       (unsigned long long)addr, (unsigned long long)count, buf);
		return EFI_INVALID_PARAMETER;
	}
	return EFI_SUCCESS;
}

/* Reads count elements of size bytes from space at addr into buf. */
static void bus_read(struct mm_machine *m, enum mm_io_space space, uint64_t addr,
		     unsigned size, UINTN count, uint8_t *buf)
{
	for (UINTN i = 0; i < count; i++, addr += size, buf += size) {
		void *mem = space == MM_IO_MMIO ? mm_mem_ptr(m, addr, size) : NULL;
		uint64_t v;

		if (mem) {
			memcpy(buf, mem, size);
			continue;
		}
		v = mm_io_read(m, space, addr, size);
		memcpy(buf, &v, size);
	}
}

/* Writes count elements of size bytes from buf to space at addr. */
static void bus_write(struct mm_machine *m, enum mm_io_space space, uint64_t addr,
		      unsigned size, UINTN count, const uint8_t *buf)
{
	for (UINTN i = 0; i < count; i++, addr += size, buf += size) {
		void *mem = space == MM_IO_MMIO ? mm_mem_ptr(m, addr, size) : NULL;
		uint64_t v = 0;

		if (mem) {
			memcpy(mem, buf, size);
			continue;
		}
		memcpy(&v, buf, size);
		mm_io_write(m, space, addr, size, v);
	}
}

/* One EFI_MM_CPU_IO member: checks the arguments, then moves the data. */
static EFI_STATUS cpu_io(const char *service, enum mm_io_space space, bool write,
			 EFI_MM_IO_WIDTH width, UINT64 addr, UINTN count, VOID *buf)
{
	struct mm_machine *m = mm_current();
	unsigned size = 1;
	EFI_STATUS status;

	if (!m)
		return EFI_UNSUPPORTED;
	status = cpu_io_args(m, service, width, addr, count, buf, space == MM_IO_PORT, &size);
	if (status)
		return status;
	if (write)
		bus_write(m, space, addr, size, count, buf);
	else
		bus_read(m, space, addr, size, count, buf);
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI MmMemRead(CONST EFI_MM_CPU_IO_PROTOCOL *This, EFI_MM_IO_WIDTH Width,
			    UINT64 Address, UINTN Count, VOID *Buffer)
{
	(void)This;
	return cpu_io("MmIo.Mem.Read", MM_IO_MMIO, false, Width, Address, Count, Buffer);
}

EFI_STATUS EFIAPI MmMemWrite(CONST EFI_MM_CPU_IO_PROTOCOL *This, EFI_MM_IO_WIDTH Width,
			     UINT64 Address, UINTN Count, VOID *Buffer)
{
	(void)This;
	return cpu_io("MmIo.Mem.Write", MM_IO_MMIO, true, Width, Address, Count, Buffer);
}

EFI_STATUS EFIAPI MmIoRead(CONST EFI_MM_CPU_IO_PROTOCOL *This, EFI_MM_IO_WIDTH Width,
			   UINT64 Address, UINTN Count, VOID *Buffer)
{
	(void)This;
	return cpu_io("MmIo.Io.Read", MM_IO_PORT, false, Width, Address, Count, Buffer);
}

EFI_STATUS EFIAPI MmIoWrite(CONST EFI_MM_CPU_IO_PROTOCOL *This, EFI_MM_IO_WIDTH Width,
			    UINT64 Address, UINTN Count, VOID *Buffer)
{
	(void)This;
	return cpu_io("MmIo.Io.Write", MM_IO_PORT, true, Width, Address, Count, Buffer);
}
