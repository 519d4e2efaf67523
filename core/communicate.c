/* SPDX-License-Identifier: MIT */
/*
 * MM communicate: the OS side hands MM a buffer holding an
 * EFI_MM_COMMUNICATE_HEADER and a message; MM validates it and runs the
 * handlers registered for its HeaderGuid on the message, in place.
 *
 *   buffer +0x00 HeaderGuid     (16 bytes)  read once
 *          +0x10 MessageLength  (8 bytes)   read once, written back
 *          +0x18 Data[MessageLength]        handed to the handlers
 *          ...   up to buffer + size
 *
 * The buffer is attacker-controlled memory: every field is fetched once
 * into a host-side request before anything uses it, so a value changed
 * behind our back (a double fetch) cannot pass validation with one value
 * and be used with another. This is the hot path of fuzzing: nothing is
 * formatted unless logging is on or validation fails.
 */
#include <string.h>

#include <pi/mm-communication.h>

#include "call.h"
#include "guid-names.h"
#include "machine.h"
#include "oracle-hook.h"

#define HDR_SIZE 24u /* offsetof(EFI_MM_COMMUNICATE_HEADER, Data) */
#define HDR_LENGTH_OFFSET 16u

_Static_assert(MM_COMMUNICATE_HEADER_SIZE == HDR_SIZE, "EFI_MM_COMMUNICATE_HEADER layout");

/*
 * The region holding all of [addr, addr+len), or NULL. Regions never overlap
 * (mm_memory_check), so a buffer inside a RAM region cannot touch SMRAM.
 */
static inline const struct mm_region *region_of(struct mm_machine *m, uint64_t addr,
						uint64_t len)
{
	const struct mm_region *r = &m->mem.regions[m->mem.comm_hint];
	uint64_t off = addr - r->desc.base; /* wraps above size when addr < base */

	/* The region of the last buffer first: callers reuse their buffers. */
	if (off < r->desc.size && len <= r->desc.size - off)
		return r;
	for (unsigned i = 0; i < m->mem.count; i++) {
		r = &m->mem.regions[i];
		off = addr - r->desc.base;
		if (off < r->desc.size && len <= r->desc.size - off) {
			m->mem.comm_hint = i;
			return r;
		}
	}
	return NULL;
}

/*
 * Cold path: works out why a buffer was refused, records it in the machine
 * and returns the status for it (see mm_comm_validate in communicate.h).
 */
static __attribute__((noinline, cold)) EFI_STATUS refuse(struct mm_machine *m, uint64_t buffer,
							 uint64_t size, uint64_t length)
{
	EFI_STATUS status = EFI_INVALID_PARAMETER;
	const char *why;

	if (size < HDR_SIZE) {
		why = "truncated header";
	} else if (buffer + size < buffer) {
		why = "wraps the address space";
	} else if (mm_mem_overlaps_smram(m, buffer, size)) {
		why = "overlaps SMRAM";
		status = EFI_ACCESS_DENIED;
	} else if (!mm_mem_ptr(m, buffer, size)) {
		why = "not mapped guest memory";
	} else {
		why = "MessageLength exceeds the buffer";
		status = EFI_BAD_BUFFER_SIZE;
	}
	mm_fail(m, MM_ERR_INVALID, "communicate buffer 0x%llx size 0x%llx (MessageLength "
		"0x%llx) refused: %s", (unsigned long long)buffer, (unsigned long long)size,
		(unsigned long long)length, why);
	mm_log(m, MM_LOG_COMMUNICATE, "%s", m->errmsg);
	return status;
}

/*
 * The validation itself, inlined into mm_communicate: one region lookup
 * (usually a hit on the last buffer's region), one fetch of each header field. Anything unusual goes to refuse().
 */
static inline __attribute__((always_inline)) EFI_STATUS
validate(struct mm_machine *m, uint64_t buffer, uint64_t size, struct mm_comm_request *req)
{
	const struct mm_region *r;
	const uint8_t *p;
	uint64_t length;

	if (size < HDR_SIZE || buffer + size < buffer)
		return refuse(m, buffer, size, 0);
	r = region_of(m, buffer, size);
	if (!r || r->desc.kind == MM_REGION_SMRAM)
		return refuse(m, buffer, size, 0);
	p = r->host + (buffer - r->desc.base);
	memcpy(&req->guid, p, sizeof(req->guid));
	memcpy(&length, p + HDR_LENGTH_OFFSET, sizeof(length));
	if (length > size - HDR_SIZE)
		return refuse(m, buffer, size, length);
	req->buffer = buffer;
	req->size = size;
	req->message = buffer + HDR_SIZE;
	req->length = length;
	return EFI_SUCCESS;
}

EFI_STATUS mm_comm_validate(struct mm_machine *m, uint64_t buffer, uint64_t size,
			    struct mm_comm_request *req)
{
	return validate(m, buffer, size, req);
}

/* Logs one request (only called with MM_LOG_COMMUNICATE enabled). */
static __attribute__((noinline, cold)) void log_request(struct mm_machine *m,
							 const struct mm_comm_request *req)
{
	char text[MM_GUID_STRING_LEN + 1];
	const char *name = mm_guid_name(&req->guid);

	if (!name) {
		mm_guid_format(&req->guid, text);
		name = text;
	}
	mm_log_emit(m, MM_LOG_COMMUNICATE,
		    "buffer 0x%llx size 0x%llx: %s, MessageLength 0x%llx: valid",
		    (unsigned long long)req->buffer, (unsigned long long)req->size, name,
		    (unsigned long long)req->length);
}

enum mm_err mm_comm_init(struct mm_machine *m)
{
	m->comm.sizes = mm_pool_zalloc(m, EfiRuntimeServicesData,
				       MM_COMM_MAX_NESTING * sizeof(UINTN), true);
	if (!m->comm.sizes)
		return mm_fail(m, MM_ERR_NOMEM, "communicate: no SMRAM for CommBufferSize");
	return MM_OK;
}

/*
 * Runs the handlers of req's GUID on the message in place, as CPU bsp in an
 * SMI. The handlers get a CommBufferSize in SMRAM (beyond the nesting the
 * SMRAM array covers, a host variable). Returns MmiManage's status; *len is
 * the message length the handlers left.
 */
static EFI_STATUS dispatch(struct mm_machine *m, const struct mm_comm_request *req, unsigned bsp,
			   UINTN *len)
{
	bool in_smm = m->cpus.in_smm;
	unsigned executing = m->cpus.executing, depth = m->comm.depth;
	struct mm_oracle_hooks *oh = mm_oracle_hooks(m);
	UINTN *size = m->comm.sizes && depth < MM_COMM_MAX_NESTING ? &m->comm.sizes[depth] : len;
	EFI_STATUS status;

	m->cpus.in_smm = true;
	m->cpus.executing = bsp;
	m->cpus.bsp = bsp;
	if (m->mmst)
		m->mmst->CurrentlyExecutingCpu = bsp;
	if (oh)
		oh->mmi_begin(m, req->buffer, req->size, req->message, req->length);
	*size = *len;
	m->comm.depth++;
	status = mm_mmi_manage(m, &req->guid, NULL, (void *)(uintptr_t)req->message, size);
	m->comm.depth--;
	*len = *size;
	if (oh)
		oh->mmi_end(m);
	m->cpus.in_smm = in_smm;
	m->cpus.executing = executing;
	return status;
}

/*
 * The whole request on a buffer: validation, dispatch as CPU bsp, the
 * MessageLength written back. *size: in, the buffer's size; out, header
 * plus MessageLength. Returns the status the caller of communicate sees.
 */
static EFI_STATUS communicate(struct mm_machine *m, uint64_t buffer, uint64_t *size,
			      unsigned bsp)
{
	struct mm_comm_request req;
	EFI_STATUS st;
	UINTN len;

	st = validate(m, buffer, *size, &req);
	if (st)
		return st;
	if (m->log.mask & MM_LOG_COMMUNICATE)
		log_request(m, &req);
	len = req.length;
	st = dispatch(m, &req, bsp, &len);
	if (len > req.size - HDR_SIZE) {
		mm_fail(m, MM_ERR_RANGE, "communicate: a handler for the buffer at 0x%llx set "
			"its length to 0x%llx, beyond the 0x%llx bytes it has",
			(unsigned long long)buffer, (unsigned long long)len,
			(unsigned long long)(req.size - HDR_SIZE));
		mm_log(m, MM_LOG_WARN, "%s", m->errmsg);
		return EFI_BAD_BUFFER_SIZE;
	}
	memcpy((uint8_t *)(uintptr_t)buffer + HDR_LENGTH_OFFSET, &len, sizeof(len));
	*size = HDR_SIZE + len;
	mm_log(m, MM_LOG_COMMUNICATE, "buffer 0x%llx: status 0x%llx, MessageLength 0x%llx",
	       (unsigned long long)buffer, (unsigned long long)st, (unsigned long long)len);
	return st;
}

enum mm_err mm_communicate(struct mm_machine *m, uint64_t buffer, uint64_t *size,
			   uint64_t *status)
{
	if (!size || !status)
		return mm_fail(m, MM_ERR_INVALID, "mm_communicate: NULL size or status");
	*status = communicate(m, buffer, size, 0);
	return MM_OK;
}

void mm_comm_entry(struct mm_machine *m)
{
	if (!m->comm.pending)
		return;
	m->comm.pending = false;
	mm_log(m, MM_LOG_COMMUNICATE, "MmEntryPoint: communicate buffer 0x%llx from the MM IPL",
	       (unsigned long long)m->comm.pending_buffer);
	m->comm.pending_status = communicate(m, m->comm.pending_buffer, &m->comm.pending_size,
					     m->cpus.bsp);
	m->comm.done = true;
}

/* Builds the header for guid and as much of msg as fits in the buffer at p. */
static void build(uint8_t *p, uint64_t buf_size, const uint8_t guid[16], const void *msg,
		  uint64_t len)
{
	uint64_t room = buf_size - HDR_SIZE;

	memset(p, 0, buf_size);
	memcpy(p, guid, 16);
	memcpy(p + HDR_LENGTH_OFFSET, &len, sizeof(len));
	if (len)
		memcpy(p + HDR_SIZE, msg, len < room ? len : room);
}

/* Copies the reply message (bounded by the buffer) out to reply/reply_len. */
static void take_reply(const uint8_t *p, uint64_t buf_size, void *reply, uint64_t *reply_len)
{
	uint64_t len;

	if (!reply_len)
		return;
	memcpy(&len, p + HDR_LENGTH_OFFSET, sizeof(len));
	if (len > buf_size - HDR_SIZE)
		len = buf_size - HDR_SIZE;
	if (reply)
		memcpy(reply, p + HDR_SIZE, len < *reply_len ? len : *reply_len);
	*reply_len = len;
}

enum mm_err mm_communicate_msg(struct mm_machine *m, const uint8_t guid[16], const void *msg,
			       uint64_t len, uint64_t buf_size, void *reply, uint64_t *reply_len,
			       uint64_t *status)
{
	uint64_t addr, size;
	enum mm_err err;
	uint8_t *p;

	if (!guid || !status || (len && !msg) || (reply && !reply_len))
		return mm_fail(m, MM_ERR_INVALID, "mm_communicate_msg: NULL argument");
	if (buf_size == 0)
		buf_size = HDR_SIZE + len;
	if (len > UINT64_MAX - HDR_SIZE || buf_size < HDR_SIZE)
		return mm_fail(m, MM_ERR_INVALID, "mm_communicate_msg: message of 0x%llx bytes in "
			       "a buffer of 0x%llx", (unsigned long long)len,
			       (unsigned long long)buf_size);
	err = mm_ram_alloc(m, buf_size, EfiRuntimeServicesData, &addr);
	if (err)
		return err;
	p = (uint8_t *)(uintptr_t)addr;
	build(p, buf_size, guid, msg, len);
	size = buf_size;
	err = mm_communicate(m, addr, &size, status);
	if (!err)
		take_reply(p, buf_size, reply, reply_len);
	mm_ram_free(m, addr, buf_size);
	return err;
}
