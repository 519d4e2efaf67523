/* SPDX-License-Identifier: MIT */
/*
 * GDB remote serial protocol stub for the Unicorn CPU model (see gdb.h).
 *
 * Synchronous: a stop (hook point of the model, or one of our hooks inside
 * uc_emu_start) calls serve(), which talks to gdb until it resumes. Where
 * the stop happened decides where the stopped CPU's registers are:
 *   in the engine   our code/memory hook, the hook points (SMI entry, RSM,
 *                   stop record): the engine holds the CPU's state;
 *   other CPUs      waiting in the rendezvous: their context saved at the
 *                   host call; otherwise their state outside SMM.
 * Addresses are linear (= physical: SMM page tables are identity-mapped);
 * in real mode RIP is reported as CS base + IP (our SMM code runs with CS
 * base = SMBASE), so gdb reads the right bytes. (Inside a code hook Unicorn
 * already holds the linear address in RIP in real mode; an IP is at most
 * 0xFFFF and every SMBASE is above, which tells the two apart.)
 *
 * Hooks: one UC_HOOK_CODE over all code and one UC_HOOK_MEM_READ |
 * UC_HOOK_MEM_WRITE exist only while a breakpoint, a watchpoint, a step or
 * the handler break needs them (see update_hooks); without them the
 * emulation runs as fast as without a debugger.
 *
 * Protocol reference: GDB manual, appendix "Remote Serial Protocol"; the
 * register layout follows gdb's amd64 target description features
 * (org.gnu.gdb.i386.core, .sse, .segments), plus org.mmemu.sys.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/guid-names.h"
#include "core/image.h"
#include "core/log.h"
#include "emu/debug-info.h"
#include "emu/gdb.h"
#include "core/hex.h"
#include "emu/model.h"

#define PKT_MAX 0x1000      /* PacketSize we announce (bytes of packet data) */
#define MEM_MAX 0x7F0       /* bytes per m reply: hex fits PKT_MAX */
#define MEM_ABSURD 0x100000 /* m/M lengths above this are refused */
#define MAX_BP 64
#define MAX_WP 16
#define REG_BYTES_MAX 16

/* GDB signal numbers (gdb/signals.def), used in stop replies. */
enum { SIG_ILL = 4, SIG_TRAP = 5, SIG_ABRT = 6, SIG_SEGV = 11, SIG_XCPU = 24 };

enum wp_kind { WP_WRITE = 2, WP_READ = 3, WP_ACCESS = 4 }; /* Z type numbers */

struct watch {
	uint64_t addr, len;
	enum wp_kind kind;
};

struct mm_gdb {
	struct mm_emu *e;
	int listen_fd, fd;       /* -1: none */
	unsigned port;           /* the listening port */
	bool no_ack;             /* QStartNoAckMode accepted */
	bool no_ack_next;        /* ... from the next packet on */
	bool resumed;            /* gdb waits for a stop reply */
	bool closed;             /* session over: run to completion */
	struct mm_gdb_options o;
	char *break_handler;     /* copy of o.break_handler */
	bool entry_first;        /* stop at the first SMI entry only */
	bool entry_every;        /* stop at every SMI entry */
	bool entry_done;
	bool first_smm;          /* stop at the first instruction run in SMM */
	uint64_t resolve_seen;   /* MMI dispatch count at the last handler lookup */

	uint64_t bp[MAX_BP];
	unsigned nbp;
	struct watch wp[MAX_WP];
	unsigned nwp;
	uint64_t handler;        /* resolved break-handler address, 0: none */
	bool stepping;
	bool skip_once;          /* the next code hook at skip_addr is the stop's own insn */
	uint64_t skip_addr;
	const char *watch_kind;  /* a watchpoint hit, reported at the next instruction */
	uint64_t watch_addr;
	unsigned watch_cpu;

	uc_hook code_hook, mem_hook;
	bool code_on, mem_on;
	bool flush_pending;      /* hooks deleted inside the engine: flush later */
	bool in_engine;          /* serving from inside uc_emu_start */

	unsigned engine_cpu;     /* CPU whose state the engine holds at the stop */
	unsigned stop_cpu;       /* CPU the stop is reported for */
	unsigned cur;            /* Hg thread (CPU index) */
	int signal;
	char extra[48];          /* stop reply extras ("watch:addr;") */
	unsigned images_told;    /* image count gdb last fetched the library list for, +1 */

	char in[PKT_MAX + 8];    /* received packet data */
	char out[PKT_MAX + 8];   /* reply being built */
	size_t outlen;
	char rbuf[512];          /* receive buffer */
	size_t rpos, rlen;
};

/* ---------------------------------------------------------------------------
 * Registers
 */

enum reg_src { R_GPR, R_RIP, R_FLAGS, R_SEG, R_ZERO, R_XMM, R_BASE, R_CR, R_EFER, R_CSBASE,
	       R_SMBASE };

struct reg_def {
	const char *name;
	unsigned size;
	enum reg_src src;
	int uc;          /* Unicorn register id */
	int mm;          /* enum mm_reg for the outside state, -1: none */
	const char *type;
	const char *feature;
};

#define GPR(n, u, r) { n, 8, R_GPR, u, r, "int64", "core" }
#define SEG(n, u, r) { n, 4, R_SEG, u, r, "int32", "core" }
#define ST(n) { n, 10, R_ZERO, 0, -1, "i387_ext", "core" }
#define FPC(n) { n, 4, R_ZERO, 0, -1, "int", "core" }
#define XMM(n, u) { n, 16, R_XMM, u, -1, "uint128", "sse" }

/* gdb's amd64 register numbering: the order of the g packet. */
static const struct reg_def regs[] = {
	GPR("rax", UC_X86_REG_RAX, MM_REG_RAX), GPR("rbx", UC_X86_REG_RBX, MM_REG_RBX),
	GPR("rcx", UC_X86_REG_RCX, MM_REG_RCX), GPR("rdx", UC_X86_REG_RDX, MM_REG_RDX),
	GPR("rsi", UC_X86_REG_RSI, MM_REG_RSI), GPR("rdi", UC_X86_REG_RDI, MM_REG_RDI),
	{ "rbp", 8, R_GPR, UC_X86_REG_RBP, MM_REG_RBP, "data_ptr", "core" },
	{ "rsp", 8, R_GPR, UC_X86_REG_RSP, MM_REG_RSP, "data_ptr", "core" },
	GPR("r8", UC_X86_REG_R8, MM_REG_R8), GPR("r9", UC_X86_REG_R9, MM_REG_R9),
	GPR("r10", UC_X86_REG_R10, MM_REG_R10), GPR("r11", UC_X86_REG_R11, MM_REG_R11),
	GPR("r12", UC_X86_REG_R12, MM_REG_R12), GPR("r13", UC_X86_REG_R13, MM_REG_R13),
	GPR("r14", UC_X86_REG_R14, MM_REG_R14), GPR("r15", UC_X86_REG_R15, MM_REG_R15),
	{ "rip", 8, R_RIP, UC_X86_REG_RIP, MM_REG_RIP, "code_ptr", "core" },
	{ "eflags", 4, R_FLAGS, UC_X86_REG_EFLAGS, MM_REG_RFLAGS, "int32", "core" },
	SEG("cs", UC_X86_REG_CS, MM_REG_CS), SEG("ss", UC_X86_REG_SS, MM_REG_SS),
	SEG("ds", UC_X86_REG_DS, MM_REG_DS), SEG("es", UC_X86_REG_ES, MM_REG_ES),
	SEG("fs", UC_X86_REG_FS, MM_REG_FS), SEG("gs", UC_X86_REG_GS, MM_REG_GS),
	ST("st0"), ST("st1"), ST("st2"), ST("st3"), ST("st4"), ST("st5"), ST("st6"), ST("st7"),
	FPC("fctrl"), FPC("fstat"), FPC("ftag"), FPC("fiseg"), FPC("fioff"), FPC("foseg"),
	FPC("fooff"), FPC("fop"),
	XMM("xmm0", UC_X86_REG_XMM0), XMM("xmm1", UC_X86_REG_XMM1),
	XMM("xmm2", UC_X86_REG_XMM2), XMM("xmm3", UC_X86_REG_XMM3),
	XMM("xmm4", UC_X86_REG_XMM4), XMM("xmm5", UC_X86_REG_XMM5),
	XMM("xmm6", UC_X86_REG_XMM6), XMM("xmm7", UC_X86_REG_XMM7),
	XMM("xmm8", UC_X86_REG_XMM8), XMM("xmm9", UC_X86_REG_XMM9),
	XMM("xmm10", UC_X86_REG_XMM10), XMM("xmm11", UC_X86_REG_XMM11),
	XMM("xmm12", UC_X86_REG_XMM12), XMM("xmm13", UC_X86_REG_XMM13),
	XMM("xmm14", UC_X86_REG_XMM14), XMM("xmm15", UC_X86_REG_XMM15),
	{ "mxcsr", 4, R_ZERO, 0, -1, "int", "sse" },
	{ "fs_base", 8, R_BASE, UC_X86_REG_FS_BASE, -1, "int64", "segments" },
	{ "gs_base", 8, R_BASE, UC_X86_REG_GS_BASE, -1, "int64", "segments" },
	{ "cr0", 8, R_CR, UC_X86_REG_CR0, MM_REG_CR0, "int64", "sys" },
	{ "cr2", 8, R_CR, UC_X86_REG_CR2, -1, "int64", "sys" },
	{ "cr3", 8, R_CR, UC_X86_REG_CR3, MM_REG_CR3, "int64", "sys" },
	{ "cr4", 8, R_CR, UC_X86_REG_CR4, MM_REG_CR4, "int64", "sys" },
	{ "efer", 8, R_EFER, 0, MM_REG_EFER, "int64", "sys" },
	{ "cs_base", 8, R_CSBASE, 0, -1, "int64", "sys" },
	{ "smbase", 8, R_SMBASE, 0, -1, "int64", "sys" },
};

#define NREGS (sizeof(regs) / sizeof(regs[0]))
#define REG_RIP 16

/* Where a CPU's registers are at this stop. */
enum cpu_where { AT_ENGINE, AT_TRAP, AT_OUTSIDE };

static enum cpu_where where(const struct mm_gdb *g, unsigned cpu)
{
	const struct mm_emu_cpu *c = &g->e->cpu[cpu];

	if (cpu == g->engine_cpu)
		return AT_ENGINE;
	if (c->waiting && c->trap_valid)
		return AT_TRAP;
	return AT_OUTSIDE;
}

/* Reads Unicorn register id of cpu (engine or its trap context); 0 when unreadable. */
static uint64_t uc_get(const struct mm_gdb *g, unsigned cpu, int id)
{
	uint64_t v = 0;

	if (where(g, cpu) == AT_ENGINE)
		uc_reg_read(g->e->uc, id, &v);
	else
		uc_context_reg_read(g->e->cpu[cpu].trap_ctx, id, &v);
	return v;
}

/* True when cpu executes in real mode (CR0.PE clear) at this stop. */
static bool real_mode(const struct mm_gdb *g, unsigned cpu)
{
	if (where(g, cpu) == AT_OUTSIDE)
		return false;
	return !(uc_get(g, cpu, UC_X86_REG_CR0) & 1);
}

/* EFER of cpu: live MSR, its arrival record, or its outside state. */
static uint64_t efer_of(const struct mm_gdb *g, unsigned cpu)
{
	uc_x86_msr msr = { .rid = 0xC0000080 };

	switch (where(g, cpu)) {
	case AT_ENGINE:
		uc_reg_read(g->e->uc, UC_X86_REG_MSR, &msr);
		return msr.value;
	case AT_TRAP:
		return g->e->cpu[cpu].arrival.efer;
	default:
		return g->e->cpu[cpu].reg[MM_REG_EFER];
	}
}

/* Value of register r of cpu, little-endian into out (r->size bytes). */
static void reg_read(const struct mm_gdb *g, unsigned cpu, const struct reg_def *r, uint8_t *out)
{
	const struct mm_emu_cpu *c = &g->e->cpu[cpu];
	bool outside = where(g, cpu) == AT_OUTSIDE;
	uint64_t v = 0;

	memset(out, 0, r->size);
	switch (r->src) {
	case R_ZERO:
		return;
	case R_XMM:
		if (where(g, cpu) == AT_ENGINE)
			uc_reg_read(g->e->uc, r->uc, out);
		return;
	case R_EFER:
		v = efer_of(g, cpu);
		break;
	case R_CSBASE:
		v = real_mode(g, cpu) ? c->smbase : 0;
		break;
	case R_SMBASE:
		v = c->smbase;
		break;
	case R_RIP:
		v = outside ? c->reg[MM_REG_RIP] : uc_get(g, cpu, UC_X86_REG_RIP);
		if (real_mode(g, cpu) && v <= 0xFFFF)
			v += c->smbase;
		break;
	case R_BASE:
		v = outside ? 0 : uc_get(g, cpu, r->uc);
		break;
	default:
		if (outside)
			v = r->mm >= 0 ? c->reg[r->mm] : 0;
		else
			v = uc_get(g, cpu, r->uc);
		break;
	}
	for (unsigned i = 0; i < r->size && i < 8; i++)
		out[i] = (uint8_t)(v >> (8 * i));
}

/*
 * Writes register r of the engine CPU from in (r->size bytes, little
 * endian). Only the CPU in the engine is writable; the constant and
 * derived registers (x87, cs_base, smbase, efer) ignore writes. False when
 * refused.
 */
static bool reg_write(struct mm_gdb *g, unsigned cpu, const struct reg_def *r, const uint8_t *in)
{
	uint64_t v = 0;

	if (where(g, cpu) != AT_ENGINE)
		return false;
	if (r->src == R_XMM)
		return uc_reg_write(g->e->uc, r->uc, in) == UC_ERR_OK;
	for (unsigned i = 0; i < r->size && i < 8; i++)
		v |= (uint64_t)in[i] << (8 * i);
	switch (r->src) {
	case R_ZERO: case R_EFER: case R_CSBASE: case R_SMBASE:
		return true;
	case R_RIP:
		if (real_mode(g, cpu) && uc_get(g, cpu, UC_X86_REG_RIP) <= 0xFFFF)
			v -= g->e->cpu[cpu].smbase;
		break;
	default:
		break;
	}
	return uc_reg_write(g->e->uc, r->uc, &v) == UC_ERR_OK;
}

/* ---------------------------------------------------------------------------
 * Target description
 */

/* Appends the <reg> lines of feature to f. */
static void xml_feature(FILE *f, const char *feature, const char *gdbname)
{
	fprintf(f, "<feature name=\"%s\">\n", gdbname);
	for (unsigned i = 0; i < NREGS; i++)
		if (!strcmp(regs[i].feature, feature))
			fprintf(f, "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\" regnum=\"%u\"/>\n",
				regs[i].name, regs[i].size * 8, regs[i].type, i);
	fprintf(f, "</feature>\n");
}

/* target.xml, malloc'd (NULL: no memory). */
static char *target_xml(size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	fprintf(f, "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
		   "<target version=\"1.0\">\n<architecture>i386:x86-64</architecture>\n");
	xml_feature(f, "core", "org.gnu.gdb.i386.core");
	xml_feature(f, "sse", "org.gnu.gdb.i386.sse");
	xml_feature(f, "segments", "org.gnu.gdb.i386.segments");
	xml_feature(f, "sys", "org.mmemu.sys");
	fprintf(f, "</target>\n");
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* ---------------------------------------------------------------------------
 * Hooks
 */

static void serve(struct mm_gdb *g);

/* True when addr is a breakpoint (Z0 and Z1 share the set). */
static bool bp_has(const struct mm_gdb *g, uint64_t addr)
{
	for (unsigned i = 0; i < g->nbp; i++)
		if (g->bp[i] == addr)
			return true;
	return false;
}

/* Stops at an instruction inside the engine: serves gdb, then goes on. */
static void stop_in_engine(struct mm_gdb *g, int sig)
{
	g->signal = sig;
	g->engine_cpu = g->e->running;
	if (!g->extra[0]) /* a watch hit names its own CPU */
		g->stop_cpu = g->engine_cpu;
	g->cur = g->stop_cpu;
	g->in_engine = true;
	serve(g);
	g->in_engine = false;
	if (!g->closed && (g->nbp || g->nwp || g->stepping || g->handler ||
			   (g->break_handler && !g->handler)))
		return;
	/* nothing armed any more: delete the hooks (no flush inside the engine) */
	g->first_smm = false;
	if (g->code_on)
		uc_hook_del(g->e->uc, g->code_hook);
	if (g->mem_on) {
		uc_hook_del(g->e->uc, g->mem_hook);
		g->e->mem_watchers--;
	}
	g->code_on = g->mem_on = false;
	g->flush_pending = true;
}

/* Moves a pending watch hit into the stop reply extras and stop_cpu. */
static void take_watch(struct mm_gdb *g)
{
	snprintf(g->extra, sizeof(g->extra), "%s:%llx;", g->watch_kind,
		 (unsigned long long)g->watch_addr);
	g->stop_cpu = g->watch_cpu;
	g->watch_kind = NULL;
}

static uint64_t resolve_handler(struct mm_gdb *g);

/*
 * True at the first instruction run in SMM (when armed), and at the named
 * handler's entry; looks the handler up once per MMI dispatch until found.
 */
static bool smm_stop(struct mm_gdb *g, uint64_t addr)
{
	struct mm_machine *m = g->e->m;

	if (g->handler)
		return addr == g->handler;
	if (!m->cpus.in_smm)
		return false;
	if (g->first_smm)
		return true;
	if (g->break_handler && g->resolve_seen != m->mmi.dispatch_count + 1) {
		g->resolve_seen = m->mmi.dispatch_count + 1;
		g->handler = resolve_handler(g);
	}
	return g->handler && addr == g->handler;
}

/* Code hook: breakpoints, the handler break, steps, pending watch reports. */
static void on_code(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct mm_gdb *g = user;

	(void)uc, (void)size;
	if (g->closed)
		return;
	if (g->skip_once) {
		g->skip_once = false;
		if (addr == g->skip_addr)
			return;
	}
	g->extra[0] = 0;
	if (g->watch_kind) {
		take_watch(g);
	} else if (!g->stepping && !bp_has(g, addr) && !smm_stop(g, addr)) {
		return;
	}
	g->first_smm = false;
	g->stepping = false;
	stop_in_engine(g, SIG_TRAP);
}

/* Memory hook: a watched access is reported before the next instruction. */
static void on_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
		   void *user)
{
	struct mm_gdb *g = user;
	bool write = type == UC_MEM_WRITE;

	(void)uc, (void)value;
	if (g->closed)
		return;
	for (unsigned i = 0; i < g->nwp; i++) {
		const struct watch *w = &g->wp[i];

		if (addr >= w->addr + w->len || addr + (uint64_t)size <= w->addr)
			continue;
		if ((w->kind == WP_WRITE && !write) || (w->kind == WP_READ && write))
			continue;
		g->watch_kind = w->kind == WP_WRITE ? "watch" : w->kind == WP_READ ? "rwatch"
										    : "awatch";
		g->watch_addr = addr < w->addr ? w->addr : addr;
		g->watch_cpu = g->e->running;
		return;
	}
}

/*
 * Adds or removes the code and memory hooks to match what is armed. Both
 * come and go together. They are added only outside uc_emu_start: Unicorn
 * applies a new hook to code translated after it only, so adding one means
 * flushing the translation cache, which is unsafe from inside a hook. Stops
 * inside the engine come from the code hook, so both hooks are there then
 * and anything gdb arms at such a stop takes effect at once. When gdb
 * resumes from such a stop with nothing armed, the hooks are deleted
 * (Unicorn defers that safely); translated code keeps a dead call until the
 * next flush, at the next stop outside the engine.
 */
static void update_hooks(struct mm_gdb *g)
{
	bool need = !g->closed && (g->nbp || g->nwp || g->stepping || g->handler ||
				   g->first_smm || (g->break_handler && !g->handler));
	uc_engine *uc = g->e->uc;

	if (g->in_engine || (need == g->code_on && !(g->flush_pending && !need)))
		return;
	g->flush_pending = false;
	if (need) {
		g->code_on = !uc_hook_add(uc, &g->code_hook, UC_HOOK_CODE, on_code, g, 1, 0);
		g->mem_on = !uc_hook_add(uc, &g->mem_hook, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
					 on_mem, g, 1, 0);
		g->e->mem_watchers += g->mem_on; /* single steps see each REP element */
	} else {
		if (g->code_on)
			uc_hook_del(uc, g->code_hook);
		if (g->mem_on) {
			uc_hook_del(uc, g->mem_hook);
			g->e->mem_watchers--;
		}
		g->code_on = g->mem_on = false;
	}
	mm_emu_drop_translations(g->e);
}

/* ---------------------------------------------------------------------------
 * Packets
 */

static const char hexd[] = "0123456789abcdef";

/* Closes the connection: the session is over, the run goes on to its end. */
static void hang_up(struct mm_gdb *g)
{
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
	g->closed = true;
	g->stepping = false;
	g->nbp = g->nwp = 0;
	g->handler = 0;
	mm_log(g->e->m, MM_LOG_SMI, "gdb: session closed; the run goes on");
}

/* Next byte from gdb, -1 on end of stream or error. */
static int get_byte(struct mm_gdb *g)
{
	if (g->rpos == g->rlen) {
		ssize_t n;

		do
			n = recv(g->fd, g->rbuf, sizeof(g->rbuf), 0);
		while (n < 0 && errno == EINTR);
		if (n <= 0)
			return -1;
		g->rpos = 0;
		g->rlen = (size_t)n;
	}
	return (unsigned char)g->rbuf[g->rpos++];
}

/* Writes all n bytes (no SIGPIPE); false when gdb is gone. */
static bool send_all(struct mm_gdb *g, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(g->fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* Sends g->out as a packet, waiting for the ack unless no-ack mode. */
static bool send_packet(struct mm_gdb *g)
{
	char frame[PKT_MAX + 16];
	unsigned sum = 0;
	size_t n = 0;

	frame[n++] = '$';
	for (size_t i = 0; i < g->outlen; i++) {
		sum += (unsigned char)g->out[i];
		frame[n++] = g->out[i];
	}
	frame[n++] = '#';
	frame[n++] = hexd[(sum >> 4) & 0xF];
	frame[n++] = hexd[sum & 0xF];
	for (int tries = 0; tries < 8; tries++) {
		int c;

		if (!send_all(g, frame, n))
			return false;
		if (g->no_ack)
			return true;
		do
			c = get_byte(g);
		while (c >= 0 && c != '+' && c != '-');
		if (c == '+')
			return true;
		if (c < 0)
			return false;
	}
	return false;
}

/*
 * Receives one packet into g->in (NUL-terminated). 1: a packet, 0: a bad
 * one was refused (gdb retransmits), -1: the connection ended.
 */
static int recv_packet(struct mm_gdb *g)
{
	unsigned sum = 0;
	size_t n = 0;
	int c, hi, lo;

	do
		c = get_byte(g);
	while (c >= 0 && c != '$');
	if (c < 0)
		return -1;
	while ((c = get_byte(g)) >= 0 && c != '#') {
		sum += (unsigned)c;
		if (c == '$') { /* restart: the previous one was cut */
			n = 0;
			sum = 0;
			continue;
		}
		if (n < PKT_MAX)
			g->in[n] = (char)c;
		n++;
	}
	if (c < 0 || (hi = get_byte(g)) < 0 || (lo = get_byte(g)) < 0)
		return -1;
	if (n > PKT_MAX || mm_hex_digit(hi) < 0 || mm_hex_digit(lo) < 0 ||
	    (unsigned)(mm_hex_digit(hi) << 4 | mm_hex_digit(lo)) != (sum & 0xFF)) {
		if (!g->no_ack && !send_all(g, "-", 1))
			return -1;
		return 0;
	}
	g->in[n] = 0;
	if (!g->no_ack && !send_all(g, "+", 1))
		return -1;
	return 1;
}

/* Appends printf output to the reply (truncated at PKT_MAX). */
static void put(struct mm_gdb *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct mm_gdb *g, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(g->out + g->outlen, PKT_MAX - g->outlen + 1, fmt, ap);
	va_end(ap);
	if (n > 0)
		g->outlen += (size_t)n;
	if (g->outlen > PKT_MAX)
		g->outlen = PKT_MAX;
}

/* Appends n bytes as hex (truncated at PKT_MAX). */
static void put_hex(struct mm_gdb *g, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n && g->outlen + 2 <= PKT_MAX; i++) {
		g->out[g->outlen++] = hexd[p[i] >> 4];
		g->out[g->outlen++] = hexd[p[i] & 0xF];
	}
}

/* Decodes 2*n hex digits at s into p; false on a bad digit. */
static bool get_hex(const char *s, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = mm_hex_digit(s[2 * i]), lo = hi < 0 ? -1 : mm_hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		p[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* Parses a hex number at *s (at least one digit), advancing *s. */
static bool get_num(const char **s, uint64_t *v)
{
	const char *p = *s;
	int d;

	*v = 0;
	if (mm_hex_digit(*p) < 0)
		return false;
	while ((d = mm_hex_digit(*p)) >= 0) {
		if (*v >> 60)
			return false; /* more than 64 bits */
		*v = *v << 4 | (uint64_t)d;
		p++;
	}
	*s = p;
	return true;
}

/* Parses "addr,len" then the expected terminator (0 for end of packet). */
static bool get_range(const char **s, uint64_t *addr, uint64_t *len, char end)
{
	if (!get_num(s, addr) || **s != ',')
		return false;
	(*s)++;
	if (!get_num(s, len) || **s != end)
		return false;
	if (end)
		(*s)++;
	return true;
}

/* ---------------------------------------------------------------------------
 * Commands
 */

/* The stop reply; "library:;" tells gdb to fetch the library list again (images changed). */
static void stop_reply(struct mm_gdb *g)
{
	bool images = g->images_told && g->images_told != g->e->m->images.count + 1;

	put(g, "T%02xthread:%x;%s%s", g->signal, g->stop_cpu + 1, g->extra,
	    images ? "library:;" : "");
}

/* g: every register of the selected thread, in regs[] order. */
static void cmd_read_regs(struct mm_gdb *g)
{
	uint8_t v[REG_BYTES_MAX];

	for (unsigned i = 0; i < NREGS; i++) {
		reg_read(g, g->cur, &regs[i], v);
		put_hex(g, v, regs[i].size);
	}
}

/* G: every register; only the CPU in the engine is writable. */
static void cmd_write_regs(struct mm_gdb *g, const char *s)
{
	uint8_t v[REG_BYTES_MAX];
	size_t need = 0;

	for (unsigned i = 0; i < NREGS; i++)
		need += regs[i].size * 2;
	if (strlen(s) < need || where(g, g->cur) != AT_ENGINE) {
		put(g, "E01");
		return;
	}
	for (unsigned i = 0; i < NREGS; i++) {
		if (!get_hex(s, v, regs[i].size)) {
			put(g, "E01");
			return;
		}
		reg_write(g, g->cur, &regs[i], v);
		s += regs[i].size * 2;
	}
	put(g, "OK");
}

/* p n: one register. */
static void cmd_read_reg(struct mm_gdb *g, const char *s)
{
	uint8_t v[REG_BYTES_MAX];
	uint64_t n;

	if (!get_num(&s, &n) || *s || n >= NREGS) {
		put(g, "E01");
		return;
	}
	reg_read(g, g->cur, &regs[n], v);
	put_hex(g, v, regs[n].size);
}

/* P n=value: one register of the CPU in the engine. */
static void cmd_write_reg(struct mm_gdb *g, const char *s)
{
	uint8_t v[REG_BYTES_MAX];
	uint64_t n;

	if (!get_num(&s, &n) || *s++ != '=' || n >= NREGS ||
	    strlen(s) != regs[n].size * 2 || !get_hex(s, v, regs[n].size) ||
	    !reg_write(g, g->cur, &regs[n], v)) {
		put(g, "E01");
		return;
	}
	put(g, "OK");
}

/* True when [addr, addr+len) is a sane request (no wrap, bounded). */
static bool range_ok(uint64_t addr, uint64_t len)
{
	return len <= MEM_ABSURD && addr + len >= addr;
}

/* m addr,len: at most MEM_MAX bytes, fewer up to the first unmapped one. */
static void cmd_read_mem(struct mm_gdb *g, const char *s)
{
	uint8_t buf[MEM_MAX];
	uint64_t addr, len, n = 0;

	if (!get_range(&s, &addr, &len, 0) || !range_ok(addr, len)) {
		put(g, "E01");
		return;
	}
	if (len > MEM_MAX)
		len = MEM_MAX; /* gdb asks again for the rest */
	if (uc_mem_read(g->e->uc, addr, buf, len) == UC_ERR_OK)
		n = len;
	else
		while (n < len && uc_mem_read(g->e->uc, addr + n, buf + n, 1) == UC_ERR_OK)
			n++;
	if (!n && len) {
		put(g, "E01");
		return;
	}
	put_hex(g, buf, n);
}

/* M addr,len:bytes through Unicorn. */
static void cmd_write_mem(struct mm_gdb *g, const char *s)
{
	uint8_t buf[MEM_MAX];
	uint64_t addr, len;

	if (!get_range(&s, &addr, &len, ':') || !range_ok(addr, len) || len > MEM_MAX ||
	    strlen(s) != len * 2 || !get_hex(s, buf, len) ||
	    uc_mem_write(g->e->uc, addr, buf, len) != UC_ERR_OK) {
		put(g, "E01");
		return;
	}
	if (len && !g->in_engine) /* code may have changed: retranslate it */
		uc_ctl_remove_cache(g->e->uc, addr, addr + len);
	put(g, "OK");
}

/* Adds a breakpoint; false when the set is full. */
static bool bp_add(struct mm_gdb *g, uint64_t addr)
{
	if (bp_has(g, addr))
		return true;
	if (g->nbp == MAX_BP)
		return false;
	g->bp[g->nbp++] = addr;
	return true;
}

/* Removes a breakpoint; false when there was none. */
static bool bp_del(struct mm_gdb *g, uint64_t addr)
{
	for (unsigned i = 0; i < g->nbp; i++)
		if (g->bp[i] == addr) {
			g->bp[i] = g->bp[--g->nbp];
			return true;
		}
	return false;
}

/* Adds or removes a watchpoint; false when full, absent or absurd. */
static bool wp_set(struct mm_gdb *g, bool add, uint64_t addr, uint64_t len, enum wp_kind kind)
{
	for (unsigned i = 0; i < g->nwp; i++) {
		struct watch *w = &g->wp[i];

		if (w->addr == addr && w->len == len && w->kind == kind) {
			if (!add)
				*w = g->wp[--g->nwp];
			return true;
		}
	}
	if (!add || g->nwp == MAX_WP || !len || !range_ok(addr, len))
		return false;
	g->wp[g->nwp++] = (struct watch){ addr, len, kind };
	return true;
}

/* Z / z: type,addr,kind. */
static void cmd_point(struct mm_gdb *g, const char *s, bool add)
{
	uint64_t type, addr, kind;
	bool ok;

	if (!get_num(&s, &type) || *s++ != ',' || !get_num(&s, &addr) || *s++ != ',' ||
	    !get_num(&s, &kind) || (*s && *s != ';')) {
		put(g, "E01");
		return;
	}
	if (type > 4) {
		put(g, "%s", ""); /* unsupported type: empty reply */
		return;
	}
	if (type <= 1)
		ok = add ? bp_add(g, addr) : bp_del(g, addr);
	else
		ok = wp_set(g, add, addr, kind, (enum wp_kind)type);
	put(g, ok ? "OK" : "E01");
	update_hooks(g);
}

/* True when tid names a CPU (thread id = CPU index + 1). */
static bool thread_ok(const struct mm_gdb *g, uint64_t tid)
{
	return tid >= 1 && tid <= g->e->ncpus;
}

/* H op thread: selects the thread for g/p (other ops accepted). */
static void cmd_thread_select(struct mm_gdb *g, const char *s)
{
	char op = *s++;
	uint64_t tid;

	if (!strcmp(s, "-1") || !strcmp(s, "0")) {
		put(g, "OK");
		return;
	}
	if (!get_num(&s, &tid) || *s || !thread_ok(g, tid)) {
		put(g, "E01");
		return;
	}
	if (op == 'g')
		g->cur = (unsigned)tid - 1;
	put(g, "OK");
}

/* Text of the extra info of a thread (CPU index and state). */
static void cmd_thread_info(struct mm_gdb *g, const char *s)
{
	char text[96];
	uint64_t tid;
	unsigned cpu;

	if (!get_num(&s, &tid) || *s || !thread_ok(g, tid)) {
		put(g, "E01");
		return;
	}
	cpu = (unsigned)tid - 1;
	snprintf(text, sizeof(text), "CPU %u, SMBASE 0x%llx%s%s", cpu,
		 (unsigned long long)g->e->cpu[cpu].smbase,
		 cpu == g->engine_cpu ? ", in the engine" : "",
		 g->e->cpu[cpu].waiting ? ", waiting in SMM" : "");
	put_hex(g, (const uint8_t *)text, strlen(text));
}

/*
 * Replies with the part "offset,length" (s) of the document xml (xlen
 * bytes, malloc'd: freed here; NULL: out of memory) of a qXfer read.
 */
static void xfer_reply(struct mm_gdb *g, const char *s, char *xml, size_t xlen)
{
	uint64_t off, len;

	if (!xml || !get_range(&s, &off, &len, 0)) {
		put(g, "E01");
	} else {
		if (len > PKT_MAX - 1)
			len = PKT_MAX - 1;
		if (off >= xlen) {
			put(g, "l");
		} else {
			size_t n = xlen - off < len ? xlen - off : len;

			put(g, "%c%.*s", off + n < xlen ? 'm' : 'l', (int)n, xml + off);
		}
	}
	free(xml);
}

/* qXfer:features:read:target.xml:offset,length */
static void cmd_xfer_features(struct mm_gdb *g, const char *s)
{
	size_t xlen = 0;
	char *xml;

	if (strncmp(s, "target.xml:", 11)) {
		put(g, "E00");
		return;
	}
	xml = target_xml(&xlen);
	xfer_reply(g, s + 11, xml, xlen);
}

/* Writes text to f with the five XML special characters escaped. */
static void xml_text(FILE *f, const char *text)
{
	for (; *text; text++) {
		switch (*text) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default: fputc(*text, f);
		}
	}
}

/*
 * gdb's library list (GDB manual, "Library List Format"), malloc'd: every
 * emulated image that has a symbol file (emu/symbols.c finds .debug files
 * beside the images), named by that file, with the guest address of the
 * file's first segment, so that gdb loads its symbols where the image is.
 */
static char *libraries_xml(struct mm_gdb *g, size_t *len)
{
	struct mm_machine *m = g->e->m;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	fprintf(f, "<library-list>\n");
	for (const struct mm_image *img = m->images.list; img; img = img->next) {
		uint64_t at;
		const char *path = img->engine == MM_ENGINE_EMULATED
					   ? mm_symbols_file(m, img, &at) : NULL;

		if (!path)
			continue;
		fprintf(f, "<library name=\"");
		xml_text(f, path);
		fprintf(f, "\"><segment address=\"0x%llx\"/></library>\n", (unsigned long long)at);
	}
	fprintf(f, "</library-list>\n");
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* qXfer:libraries:read::offset,length */
static void cmd_xfer_libraries(struct mm_gdb *g, const char *s)
{
	size_t xlen = 0;
	char *xml;

	if (*s != ':') {
		put(g, "E00");
		return;
	}
	g->images_told = g->e->m->images.count + 1;
	xml = libraries_xml(g, &xlen);
	xfer_reply(g, s + 1, xml, xlen);
}

/* Replies to a monitor command with text (console output then OK). */
static void monitor(struct mm_gdb *g, const char *s)
{
	char cmd[64] = "", text[256];
	size_t n = strlen(s) / 2;

	if (n >= sizeof(cmd) || !get_hex(s, (uint8_t *)cmd, n)) {
		put(g, "E01");
		return;
	}
	cmd[n] = 0;
	if (!strcmp(cmd, "entry on"))
		g->entry_every = true;
	else if (!strcmp(cmd, "entry off"))
		g->entry_every = g->entry_first = false;
	else if (!strcmp(cmd, "rsm on"))
		g->o.rsm_stop = true;
	else if (!strcmp(cmd, "rsm off"))
		g->o.rsm_stop = false;
	snprintf(text, sizeof(text),
		 "stops: SMI entry %s, RSM %s; commands: entry on|off, rsm on|off\n",
		 g->entry_every ? "every" : g->entry_first && !g->entry_done ? "first" : "off",
		 g->o.rsm_stop ? "on" : "off");
	put_hex(g, (const uint8_t *)text, strlen(text));
}

/* q packets; unknown ones get the empty reply. */
static void cmd_query(struct mm_gdb *g, const char *s)
{
	if (!strncmp(s, "qSupported", 10))
		put(g, "PacketSize=%x;qXfer:features:read+;qXfer:libraries:read+;"
		       "QStartNoAckMode+;vContSupported+", PKT_MAX);
	else if (!strncmp(s, "qXfer:features:read:", 20))
		cmd_xfer_features(g, s + 20);
	else if (!strncmp(s, "qXfer:libraries:read:", 21))
		cmd_xfer_libraries(g, s + 21);
	else if (!strcmp(s, "qAttached"))
		put(g, "1");
	else if (!strcmp(s, "qC"))
		put(g, "QC%x", g->stop_cpu + 1);
	else if (!strcmp(s, "qfThreadInfo")) {
		put(g, "m");
		for (unsigned i = 0; i < g->e->ncpus; i++)
			put(g, i ? ",%x" : "%x", i + 1);
	} else if (!strcmp(s, "qsThreadInfo"))
		put(g, "l");
	else if (!strncmp(s, "qThreadExtraInfo,", 17))
		cmd_thread_info(g, s + 17);
	else if (!strncmp(s, "qRcmd,", 6))
		monitor(g, s + 6);
	else if (!strncmp(s, "qSymbol", 7))
		put(g, "OK");
}

enum action { A_NONE, A_CONT, A_STEP, A_DETACH, A_KILL };

/* vCont;action[:thread]...: a step anywhere makes it a step. */
static enum action cmd_vcont(struct mm_gdb *g, const char *s)
{
	enum action a = A_NONE;

	if (!strcmp(s, "?")) {
		put(g, "vCont;c;C;s;S");
		return A_NONE;
	}
	while (*s == ';') {
		s++;
		if (*s == 's' || *s == 'S')
			a = A_STEP;
		else if (*s == 'c' || *s == 'C')
			a = a == A_NONE ? A_CONT : a;
		else {
			a = A_NONE;
			break;
		}
		s = strchr(s, ';');
		if (!s)
			break;
	}
	if (a == A_NONE)
		put(g, "E01");
	return a;
}

/* Handles g->in; fills g->out; returns what the target should do next. */
static enum action dispatch(struct mm_gdb *g)
{
	const char *s = g->in;
	uint64_t tid;

	g->outlen = 0;
	switch (*s) {
	case '?':
		stop_reply(g);
		return A_NONE;
	case 'g':
		if (s[1])
			put(g, "E01");
		else
			cmd_read_regs(g);
		return A_NONE;
	case 'G':
		cmd_write_regs(g, s + 1);
		return A_NONE;
	case 'p':
		cmd_read_reg(g, s + 1);
		return A_NONE;
	case 'P':
		cmd_write_reg(g, s + 1);
		return A_NONE;
	case 'm':
		cmd_read_mem(g, s + 1);
		return A_NONE;
	case 'M':
		cmd_write_mem(g, s + 1);
		return A_NONE;
	case 'Z':
	case 'z':
		cmd_point(g, s + 1, *s == 'Z');
		return A_NONE;
	case 'H':
		if (s[1])
			cmd_thread_select(g, s + 1);
		else
			put(g, "E01");
		return A_NONE;
	case 'T':
		s++;
		put(g, get_num(&s, &tid) && !*s && thread_ok(g, tid) ? "OK" : "E01");
		return A_NONE;
	case 'q':
		cmd_query(g, s);
		return A_NONE;
	case 'Q':
		if (!strcmp(s, "QStartNoAckMode")) {
			put(g, "OK");
			g->no_ack_next = true; /* after this reply's ack */
		}
		return A_NONE;
	case 'c':
	case 'C':
		return A_CONT;
	case 's':
	case 'S':
		return A_STEP;
	case 'v':
		if (!strncmp(s, "vCont", 5) && (s[5] == '?' || s[5] == ';'))
			return cmd_vcont(g, s + 5);
		if (!strcmp(s, "vMustReplyEmpty"))
			return A_NONE;
		return A_NONE;
	case 'D':
		put(g, "OK");
		return A_DETACH;
	case 'k':
		return A_KILL;
	default:
		return A_NONE; /* unknown: empty reply */
	}
}

/* Waits for gdb on the listening socket (first stop); false on failure. */
static bool accept_gdb(struct mm_gdb *g)
{
	int fd, one = 1;

	fprintf(stderr, "mmemu: waiting for gdb on 127.0.0.1:%u (target remote :%u)\n", g->port,
		g->port);
	do
		fd = accept(g->listen_fd, NULL, NULL);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return false;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	g->fd = fd;
	return true;
}

/*
 * The session at a stop: reports it when gdb waits for one, then serves
 * packets until gdb resumes, detaches or disconnects.
 */
static void serve(struct mm_gdb *g)
{
	if (g->closed)
		return;
	if (g->fd < 0 && (g->listen_fd < 0 || !accept_gdb(g))) {
		hang_up(g);
		return;
	}
	if (g->resumed) {
		g->outlen = 0;
		stop_reply(g);
		if (!send_packet(g)) {
			hang_up(g);
			update_hooks(g);
			return;
		}
		g->resumed = false;
	}
	for (;;) {
		int r = recv_packet(g);
		enum action a;

		if (r < 0)
			break;
		if (r == 0)
			continue;
		a = dispatch(g);
		if (a == A_KILL)
			break;
		if (a != A_CONT && a != A_STEP && !send_packet(g) && a != A_DETACH)
			break;
		if (g->no_ack_next)
			g->no_ack = true;
		g->no_ack_next = false;
		if (a == A_CONT || a == A_STEP) {
			g->stepping = a == A_STEP;
			g->resumed = true;
			update_hooks(g);
			return;
		}
		if (a == A_DETACH)
			break;
	}
	hang_up(g);
	update_hooks(g);
}

/* ---------------------------------------------------------------------------
 * Stop points and the named handler
 */

/* Resolves the break-handler name: address, IMAGE+OFFSET, handler type. */
static uint64_t resolve_handler(struct mm_gdb *g)
{
	const char *name = g->break_handler, *plus = strrchr(name, '+'), *p = name;
	struct mm_machine *m = g->e->m;
	uint64_t v;
	EFI_GUID guid;
	const EFI_GUID *gp = NULL;

	if (!strncmp(p, "0x", 2) && (p += 2, get_num(&p, &v)) && !*p)
		return v;
	if (plus) {
		p = plus + 1;
		if (!strncmp(p, "0x", 2))
			p += 2;
		if (!get_num(&p, &v) || *p)
			return 0;
		for (struct mm_image *img = m->images.list; img; img = img->next) {
			const char *base = strrchr(img->name ? img->name : "", '/');

			base = base ? base + 1 : img->name;
			if (base && (size_t)(plus - name) == strlen(base) &&
			    !strncasecmp(base, name, (size_t)(plus - name)) && v < img->size)
				return img->base + v;
		}
		return 0;
	}
	if (mm_guid_parse(name, strlen(name), &guid))
		gp = &guid;
	else
		gp = mm_guid_by_name(name, strlen(name));
	return gp ? mm_mmi_first_handler(m, gp) : 0;
}

/* Stop outside the engine, which holds cpu's state. */
static void stop_outside(struct mm_gdb *g, unsigned cpu, int sig, const char *extra)
{
	g->signal = sig;
	g->engine_cpu = g->stop_cpu = g->cur = cpu;
	snprintf(g->extra, sizeof(g->extra), "%s", extra);
	serve(g);
}

/*
 * A watch hit whose next instruction never came (the engine stopped at the
 * host call, say): reported at the next hook point, for the CPU that made
 * the access (its state is then its saved context).
 */
static void flush_watch(struct mm_gdb *g, unsigned cpu)
{
	if (!g->watch_kind)
		return;
	g->signal = SIG_TRAP;
	g->engine_cpu = cpu;
	take_watch(g);
	g->cur = g->stop_cpu;
	serve(g);
}

void mm_gdb_smi_entry(struct mm_emu *e, unsigned cpu)
{
	struct mm_gdb *g = e->gdb;

	if (!g || g->closed)
		return;
	flush_watch(g, cpu);
	if (g->break_handler && !g->handler) {
		g->handler = resolve_handler(g);
		if (g->handler)
			mm_log(e->m, MM_LOG_SMI, "gdb: handler %s at 0x%llx", g->break_handler,
			       (unsigned long long)g->handler);
	}
	if (e->arrived == 0 && (g->entry_every || (g->entry_first && !g->entry_done))) {
		g->entry_done = true;
		g->first_smm = false;
		stop_outside(g, cpu, SIG_TRAP, "");
		/* the first code hook is the entry instruction we stopped at */
		g->skip_once = true;
		g->skip_addr = e->cpu[cpu].smbase + MM_STUB_ENTRY;
	}
	update_hooks(g);
}

void mm_gdb_rsm(struct mm_emu *e, unsigned cpu)
{
	struct mm_gdb *g = e->gdb;

	if (!g || g->closed)
		return;
	flush_watch(g, cpu);
	if (!g->o.rsm_stop)
		return;
	stop_outside(g, cpu, SIG_TRAP, "");
	update_hooks(g);
}

/* Sends text to gdb's console (an O packet). */
static void console(struct mm_gdb *g, const char *text)
{
	if (g->fd < 0)
		return;
	g->outlen = 0;
	put(g, "O");
	put_hex(g, (const uint8_t *)text, strlen(text));
	if (!send_packet(g))
		hang_up(g);
}

void mm_gdb_stop_record(struct mm_emu *e, unsigned cpu, int event)
{
	struct mm_gdb *g = e->gdb;
	char text[MM_ERRMSG_MAX + 16];
	int sig;

	if (!g || g->closed)
		return;
	switch (event) {
	case MM_EMU_EV_EXCEPTION:
	case MM_EMU_EV_UNMAPPED:
		sig = SIG_SEGV;
		break;
	case MM_EMU_EV_INVALID:
		sig = SIG_ILL;
		break;
	case MM_EMU_EV_BUDGET: /* not SIGALRM: gdb passes that one on silently */
		sig = SIG_XCPU;
		break;
	default:
		sig = SIG_ABRT;
		break;
	}
	if (g->fd >= 0 && g->resumed) {
		snprintf(text, sizeof(text), "mmemu stop: %s\n", e->m->errmsg);
		console(g, text);
	}
	g->stepping = false;
	stop_outside(g, cpu, sig, "");
	update_hooks(g);
}

/* ---------------------------------------------------------------------------
 * Attaching and finishing
 */

static void finish(struct mm_gdb *g, int code);

/* Extension fini: ends the session and frees the stub. */
static void gdb_fini(struct mm_machine *m, void *data)
{
	struct mm_gdb *g = data;

	(void)m;
	finish(g, 0);
	if (g->listen_fd >= 0)
		close(g->listen_fd);
	free(g->break_handler);
	free(g);
}

/* Creates the stub state for m's model (sockets set by the caller). */
static enum mm_err gdb_create(struct mm_machine *m, const struct mm_gdb_options *o,
			      struct mm_gdb **out)
{
	struct mm_emu *e = mm_emu_get(m);
	struct mm_gdb *g;

	if (!MMEMU_DEBUG_FEATURES)
		return mm_fail(m, MM_ERR_UNSUPPORTED, "gdb: " MM_NO_DEBUG_FEATURES_TEXT);
	if (!e)
		return mm_fail(m, MM_ERR_STATE, "gdb: the Unicorn CPU model is not attached");
	if (e->gdb || mm_extension_get(m, "gdb"))
		return mm_fail(m, MM_ERR_STATE, "gdb: a debugger is already attached");
	g = calloc(1, sizeof(*g));
	if (!g)
		return mm_fail(m, MM_ERR_NOMEM, "gdb: out of memory");
	g->e = e;
	g->listen_fd = g->fd = -1;
	if (o)
		g->o = *o;
	if (g->o.break_handler && !(g->break_handler = strdup(g->o.break_handler))) {
		free(g);
		return mm_fail(m, MM_ERR_NOMEM, "gdb: out of memory");
	}
	g->entry_first = g->first_smm = !g->o.no_entry_stop && !g->break_handler;
	if (g->break_handler && !strncmp(g->break_handler, "0x", 2))
		g->handler = resolve_handler(g); /* a plain address: known now */
	if (mm_extension_add(m, "gdb", gdb_fini, g)) {
		free(g->break_handler);
		free(g);
		return MM_ERR_NOMEM;
	}
	/* stop at the real entry path: the fast path would skip the stub */
	e->fast_path = false;
	e->gdb = g;
	update_hooks(g);
	*out = g;
	return MM_OK;
}

enum mm_err mm_gdb_listen(struct mm_machine *m, uint16_t port, const struct mm_gdb_options *o,
			  uint16_t *bound)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	socklen_t alen = sizeof(a);
	struct mm_gdb *g = NULL;
	int fd, one = 1;
	enum mm_err err;

	if (!MMEMU_DEBUG_FEATURES)
		return mm_fail(m, MM_ERR_UNSUPPORTED, "gdb: " MM_NO_DEBUG_FEATURES_TEXT);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* loopback only */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return mm_fail(m, MM_ERR_IO, "gdb: socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1) ||
	    getsockname(fd, (struct sockaddr *)&a, &alen)) {
		err = mm_fail(m, MM_ERR_IO, "gdb: cannot listen on 127.0.0.1:%u: %s", port,
			      strerror(errno));
		close(fd);
		return err;
	}
	err = gdb_create(m, o, &g);
	if (err) {
		close(fd);
		return err;
	}
	g->listen_fd = fd;
	g->port = ntohs(a.sin_port);
	if (bound)
		*bound = ntohs(a.sin_port);
	return MM_OK;
}

enum mm_err mm_gdb_attach_fd(struct mm_machine *m, int fd, const struct mm_gdb_options *o)
{
	struct mm_gdb *g = NULL;
	enum mm_err err = gdb_create(m, o, &g);

	if (err) {
		close(fd);
		return err;
	}
	g->fd = fd;
	return MM_OK;
}

enum mm_err mm_gdb_from_env(struct mm_machine *m)
{
	const char *port = getenv("MMEMU_GDB_PORT");
	struct mm_gdb_options o = { .break_handler = getenv("MMEMU_GDB_BREAK_HANDLER") };
	char *end = NULL;
	unsigned long p;

	if (!port || !*port)
		return MM_OK;
	p = strtoul(port, &end, 10);
	if (*end || p > 65535)
		return mm_fail(m, MM_ERR_INVALID, "MMEMU_GDB_PORT=%s is not a port number", port);
	o.rsm_stop = getenv("MMEMU_GDB_RSM") != NULL;
	if (o.break_handler && !*o.break_handler)
		o.break_handler = NULL;
	return mm_gdb_listen(m, (uint16_t)p, &o, NULL);
}

/* Ends the session of g (see mm_gdb_finish). */
static void finish(struct mm_gdb *g, int code)
{
	struct mm_emu *e = g->e;

	if (g->fd >= 0 && g->resumed && !g->closed) {
		g->outlen = 0;
		put(g, "W%02x", code & 0xFF);
		send_packet(g);
	}
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
	g->closed = true;
	g->in_engine = false;
	g->stepping = false;
	g->nbp = g->nwp = 0;
	g->handler = 0;
	if (e && e->gdb == g) {
		update_hooks(g);
		e->gdb = NULL;
	}
}

void mm_gdb_finish(struct mm_machine *m, int code)
{
	struct mm_gdb *g = mm_extension_get(m, "gdb");

	if (g)
		finish(g, code);
}
