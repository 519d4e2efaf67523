/* SPDX-License-Identifier: MIT */
/*
 * Traces of a run (include/mmemu/debug.h): emulated instructions with their
 * disassembly and image+offset, handler returns, memory accesses to one
 * range, and port/MMIO accesses. One line per event:
 *
 *   insn  0x00000000007f1234 SampleDriver+0x234  mov eax, 1
 *   call  SampleDriver+0x1a0 type 2a571201-... returned 0x0 (EFI_SUCCESS)
 *   mem   W 0x0000000000100000 size 4 value 0x12 at SampleDriver+0x240
 *   io    port 0xb2 write 0x01 ...
 *
 * The Unicorn hooks exist only once a trace is enabled; the writer stops at
 * the line limit (with one last line saying so) and the hooks then return at
 * once.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>
#include <mmemu/debug.h>

#include "core/image.h"
#include "emu/debug-info.h"
#include "emu/model.h"

#define TRACE_DEFAULT_LIMIT 100000

struct trace {
	struct mm_machine *m;
	struct mm_emu *e;       /* NULL: no CPU model (calls and io only) */
	struct mm_trace_opts o;
	FILE *out;
	uint64_t lines;
	bool cs_open;
	csh cs;
};

static void trace_fini(struct mm_machine *m, void *data)
{
	struct trace *t = data;

	(void)m;
	if (t->cs_open)
		cs_close(&t->cs);
	if (t->out)
		fflush(t->out);
	free(t);
}

/* Starts a line when the limit allows; false when the trace is full. */
static bool line_ok(struct trace *t)
{
	if (t->lines < t->o.limit) {
		t->lines++;
		return true;
	}
	if (t->lines == t->o.limit) {
		fprintf(t->out, "trace: limit of %" PRIu64 " lines reached\n", t->o.limit);
		t->lines++;
	}
	return false;
}

/* Code hook: one line per emulated instruction. */
static void on_insn(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct trace *t = user;
	uint8_t code[16];
	cs_insn *insn = NULL;
	char sym[256];

	if (!line_ok(t))
		return;
	if (size > sizeof(code))
		size = sizeof(code);
	fprintf(t->out, "insn  0x%016" PRIx64 " %-28s ", addr, MM_ADDR(t->m, addr));
	if (uc_mem_read(uc, addr, code, size) == UC_ERR_OK &&
	    cs_disasm(t->cs, code, size, addr, 1, &insn) == 1) {
		fprintf(t->out, "%s %s", insn->mnemonic, insn->op_str);
		cs_free(insn, 1);
	} else {
		fprintf(t->out, "(%u bytes, not disassembled)", size);
	}
	if (mm_symbolize(t->m, addr, sym, sizeof(sym))) /* mm_symbols_add gave the image's */
		fprintf(t->out, "  ; %s", sym);
	fputc('\n', t->out);
}

/* Memory hook on the chosen range. */
static void on_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
		   void *user)
{
	struct trace *t = user;
	uint64_t rip = 0;

	if (!line_ok(t))
		return;
	uc_reg_read(uc, UC_X86_REG_RIP, &rip);
	if (type == UC_MEM_WRITE)
		fprintf(t->out, "mem   W 0x%016" PRIx64 " size %d value 0x%" PRIx64 " at %s\n", addr,
			size, (uint64_t)value, MM_ADDR(t->m, rip));
	else
		fprintf(t->out, "mem   R 0x%016" PRIx64 " size %d at %s\n", addr, size,
			MM_ADDR(t->m, rip));
}

/* Installs the Unicorn hooks o asks for. */
static enum mm_err add_hooks(struct trace *t)
{
	uc_hook h;
	uc_err u = UC_ERR_OK;

	if (t->o.what & MM_TRACE_INSN) {
		if (cs_open(CS_ARCH_X86, CS_MODE_64, &t->cs) != CS_ERR_OK)
			return mm_fail(t->m, MM_ERR_NOMEM, "trace: capstone cannot open");
		t->cs_open = true;
		u = uc_hook_add(t->e->uc, &h, UC_HOOK_CODE, on_insn, t, 1, 0);
	}
	if (!u && (t->o.what & MM_TRACE_MEM)) {
		u = uc_hook_add(t->e->uc, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, on_mem, t,
				t->o.mem_lo, t->o.mem_hi);
		t->e->mem_watchers += !u; /* for the machine's life, as the hook */
	}
	if (u)
		return mm_fail(t->m, MM_ERR_NOMEM, "trace: uc_hook_add: %s", uc_strerror(u));
	if (t->o.what & (MM_TRACE_INSN | MM_TRACE_MEM))
		uc_ctl_flush_tlb(t->e->uc); /* code translated before had no hooks */
	return MM_OK;
}

enum mm_err mm_trace_enable(struct mm_machine *m, const struct mm_trace_opts *o)
{
	struct mm_emu *e = mm_emu_get(m);
	struct trace *t;

	if (!MMEMU_DEBUG_FEATURES)
		return mm_fail(m, MM_ERR_UNSUPPORTED, "trace: " MM_NO_DEBUG_FEATURES_TEXT);
	if (!o || !o->what)
		return mm_fail(m, MM_ERR_INVALID, "trace: nothing to trace");
	if (mm_extension_get(m, "trace"))
		return mm_fail(m, MM_ERR_STATE, "trace: already tracing");
	if (!e && (o->what & (MM_TRACE_INSN | MM_TRACE_MEM)))
		return mm_fail(m, MM_ERR_STATE, "trace: insn and mem traces need the CPU model");
	t = calloc(1, sizeof(*t));
	if (!t || mm_extension_add(m, "trace", trace_fini, t)) {
		free(t);
		return mm_fail(m, MM_ERR_NOMEM, "trace: out of memory");
	}
	t->m = m;
	t->e = e;
	t->o = *o;
	if (!t->o.limit)
		t->o.limit = TRACE_DEFAULT_LIMIT;
	t->out = o->out ? o->out : stderr;
	if (o->what & MM_TRACE_IO)
		mm_log_set_mask(m, mm_log_mask(m) | MM_LOG_IO);
	return add_hooks(t);
}

/* Parses "LO-HI" (hex with or without 0x) into o. */
static enum mm_err parse_range(const char *s, size_t len, struct mm_trace_opts *o)
{
	char buf[64], *end;

	if (len >= sizeof(buf))
		return MM_ERR_INVALID;
	memcpy(buf, s, len);
	buf[len] = 0;
	o->mem_lo = strtoull(buf, &end, 16);
	if (*end != '-')
		return MM_ERR_INVALID;
	o->mem_hi = strtoull(end + 1, &end, 16);
	if (*end || o->mem_hi < o->mem_lo)
		return MM_ERR_INVALID;
	return MM_OK;
}

enum mm_err mm_trace_parse(const char *spec, struct mm_trace_opts *o)
{
	uint32_t what = 0;

	if (!spec || !*spec)
		return MM_ERR_INVALID;
	while (*spec) {
		size_t n = strcspn(spec, ",");

		if (n == 4 && !strncmp(spec, "insn", 4))
			what |= MM_TRACE_INSN;
		else if (n == 5 && !strncmp(spec, "calls", 5))
			what |= MM_TRACE_CALLS;
		else if (n == 2 && !strncmp(spec, "io", 2))
			what |= MM_TRACE_IO;
		else if (n > 4 && !strncmp(spec, "mem:", 4) && !parse_range(spec + 4, n - 4, o))
			what |= MM_TRACE_MEM;
		else
			return MM_ERR_INVALID;
		spec += n + (spec[n] == ',');
	}
	o->what = what;
	return MM_OK;
}

void mm_trace_handler(void *user, const char *driver, uint64_t address,
		      const uint8_t *type_guid, uint64_t status)
{
	struct mm_machine *m = user;
	struct trace *t = m ? mm_extension_get(m, "trace") : NULL;
	char sym[256];

	if (!t || !(t->o.what & MM_TRACE_CALLS) || !line_ok(t))
		return;
	if (driver && mm_symbolize(m, address, sym, sizeof(sym)))
		fprintf(t->out, "call  %s %s", MM_ADDR(m, address), sym);
	else if (driver)
		fprintf(t->out, "call  %s", MM_ADDR(m, address));
	else /* host code: its address changes from run to run */
		fprintf(t->out, "call  (Foundation/chipset)");
	if (type_guid) {
		const uint8_t *g = type_guid;

		fprintf(t->out,
			" type %02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11],
			g[12], g[13], g[14], g[15]);
	} else {
		fprintf(t->out, " (root handler)");
	}
	fprintf(t->out, " returned 0x%" PRIx64 "\n", status);
}

void mm_trace_log(struct mm_machine *m, uint32_t cat, const char *line)
{
	struct trace *t = m ? mm_extension_get(m, "trace") : NULL;

	if (!t || cat != MM_LOG_IO || !(t->o.what & MM_TRACE_IO) || !line_ok(t))
		return;
	fprintf(t->out, "io    %s\n", line);
}

uint64_t mm_trace_lines(const struct mm_machine *m)
{
	const struct trace *t = mm_extension_get(m, "trace");

	return t ? (t->lines > t->o.limit ? t->o.limit : t->lines) : 0;
}
