/* SPDX-License-Identifier: MIT */
/*
 * GDB remote serial protocol stub for the Unicorn CPU model (issue 8).
 *
 * The stub is synchronous: it serves the debugger from inside the model,
 * at a stop, and returns to the emulation when gdb continues or steps.
 * Stops happen
 *   - at the first SMI entry (the first CPU to arrive, before the stub's
 *     first instruction; RIP is reported as the linear address
 *     SMBASE+0x8000), or at the first instruction run in SMM when that
 *     comes first (a handler called by a communicate step);
 *   - at RSM (when enabled), before the host emulates it,
 *   - at a stop record of the model (fault, hang, ...), with the signal
 *     SIGSEGV (exception, unmapped access), SIGILL (invalid instruction),
 *     SIGXCPU (instruction budget: a hang; not SIGALRM, which gdb passes on
 *     silently) or SIGABRT (anything else),
 *   - at breakpoints, watchpoints, after a single step (SIGTRAP),
 *   - at a named MMI handler's entry (SIGTRAP).
 * Every simulated CPU is a gdb thread (thread id = CPU index + 1).
 *
 * Costs nothing when no debugger is attached (one NULL test per SMI at the
 * hook points), and the code and memory hooks exist only while breakpoints,
 * watchpoints or a step need them.
 */
#ifndef EMU_GDB_H
#define EMU_GDB_H

#include <stdbool.h>
#include <stdint.h>

#include <mmemu/error.h>

#include "emu/debug-info.h"

struct mm_machine;
struct mm_emu;

struct mm_gdb_options {
	/*
	 * Stop at the entry of an MMI handler instead of the first SMI entry:
	 * a hex address ("0x7f001234"), IMAGE+OFFSET ("Sample.efi+0x340"), or
	 * a handler type (GUID or known GUID name); NULL: none.
	 */
	const char *break_handler;
	bool no_entry_stop; /* do not stop at SMI entries */
	bool rsm_stop;      /* stop before each RSM */
};

/*
 * Listens on 127.0.0.1:port (0: any free port, returned in *bound when not
 * NULL) and attaches the stub to m's CPU model. gdb is accepted at the
 * first stop. MM_OK, MM_ERR_STATE (no Unicorn model, already attached),
 * MM_ERR_IO (socket), MM_ERR_NOMEM.
 */
enum mm_err mm_gdb_listen(struct mm_machine *m, uint16_t port, const struct mm_gdb_options *o,
			  uint16_t *bound);

/*
 * Attaches the stub with an already connected stream socket fd (tests: one
 * end of a socketpair); the stub owns fd from then on. As mm_gdb_listen.
 */
enum mm_err mm_gdb_attach_fd(struct mm_machine *m, int fd, const struct mm_gdb_options *o);

/*
 * Attaches a listening stub when the environment asks for one:
 * MMEMU_GDB_PORT (the port), MMEMU_GDB_BREAK_HANDLER (break_handler),
 * MMEMU_GDB_RSM (set: rsm_stop). Called by mm_machine_create, so that any
 * command (mmemu run --gdb, mmemu debug) can debug the machines it builds.
 * MM_OK when not asked, or as mm_gdb_listen.
 */
enum mm_err mm_gdb_from_env(struct mm_machine *m);

/*
 * Ends the session: tells a connected gdb that the program exited with
 * code (W packet), closes the sockets and removes the hooks. Idempotent;
 * also done when the machine is destroyed.
 */
void mm_gdb_finish(struct mm_machine *m, int code);

/*
 * MMEMU_DEBUG_FEATURES (CMake option, default ON) builds the debugging
 * features: gdb stub, traces and coverage. Built with 0, their hook points
 * in the model test a constant false and compile away, and enabling one of
 * them says MM_ERR_UNSUPPORTED. `mmemu bench features` compares both builds.
 */
/* True when a debugger is attached to the model e (constant false without the features). */
#define mm_gdb_attached(e) (MMEMU_DEBUG_FEATURES && (e)->gdb)

/* Hook points of the model (called only when mm_gdb_attached(e)). */
void mm_gdb_smi_entry(struct mm_emu *e, unsigned cpu); /* engine holds cpu's entry state */
void mm_gdb_rsm(struct mm_emu *e, unsigned cpu);       /* engine stopped at cpu's RSM */
void mm_gdb_stop_record(struct mm_emu *e, unsigned cpu, int event); /* enum mm_emu_event */

#endif /* EMU_GDB_H */
