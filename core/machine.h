/* SPDX-License-Identifier: MIT */
/*
 * struct mm_machine: everything of one simulated platform. There are no
 * mutable globals; every part of mmemu takes the machine first.
 */
#ifndef CORE_MACHINE_H
#define CORE_MACHINE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <mmemu/machine.h>
#include <mmemu/observe.h>
#include <mmemu/stop.h>
#include <pi/mm-system-table.h>

#include "communicate.h"
#include "config-table.h"
#include "cpu.h"
#include "dispatcher.h"
#include "dxe/dxe.h"
#include "handle.h"
#include "image.h"
#include "io.h"
#include "lock.h"
#include "log.h"
#include "memory.h"
#include "mmi.h"
#include "page.h"
#include "pool.h"
#include "smi.h"
#include "sw-dispatch.h"
#include "sx-dispatch.h"
#include "periodic-timer-dispatch.h"
#include "power-button-dispatch.h"
#include "standby-button-dispatch.h"
#include "gpi-dispatch.h"
#include "io-trap-dispatch.h"

#define MM_ERRMSG_MAX 512
#define MM_CALL_MAX_DEPTH 32

/* Hooks other folders attach to a machine (devices/, emu/, loader/). */
struct mm_oracle_hooks;
struct mm_snap_track;

struct mm_extension {
	const char *name;
	void (*fini)(struct mm_machine *m, void *data);
	void *data;
	struct mm_extension *next;
};

struct mm_machine {
	struct mm_platform platform;
	struct mm_log_state log;
	char errmsg[MM_ERRMSG_MAX];

	struct mm_memory mem;
	struct mm_page_heap smram;   /* SMRAM pages */
	struct mm_page_heap ram;     /* normal-world pages (buffers handed to MM) */
	struct mm_pool *pool;

	struct mm_protocol_db mmdb;  /* the MM protocol database */
	struct mm_protocol_db dxedb; /* the DXE one, of traditional drivers (core/dxe/) */
	struct mm_dxe dxe;           /* the UEFI world of traditional drivers (core/dxe/) */
	struct mm_mmi mmi;
	struct mm_dispatcher disp;
	struct mm_images images;
	struct mm_cpus cpus;
	struct mm_io io;
	struct mm_smi smi;
	struct mm_lock lock;
	struct mm_sw_dispatch sw;
	struct mm_sx_dispatch sx;
	struct mm_periodic_timer_dispatch periodic;
	struct mm_power_button_dispatch power_button;
	struct mm_standby_button_dispatch standby_button;
	struct mm_gpi_dispatch gpi;
	struct mm_io_trap_dispatch io_trap;
	struct mm_comm comm;         /* MM communicate (core/communicate.h) */
	struct mm_extension *extensions;

	EFI_MM_SYSTEM_TABLE *mmst;   /* in SMRAM */
	EFI_CONFIGURATION_TABLE *config; /* in SMRAM; mirrored in the MMST */
	unsigned config_count;
	unsigned config_cap;

	struct mm_stop stop;         /* why the guest last stopped (kind NONE: it did not) */
	struct mm_oracle_hooks *oracle; /* the bug oracles' hooks (core/oracle-hook.h), NULL: off */
	struct mm_snap_track *snap;     /* dirty pages of the active snapshot (core/snapshot.h), NULL: none */
	uint64_t child_gen;             /* bumps on every child/SW dispatcher (un)registration (snapshots) */

	/* Images executing, innermost last (see core/call.c). */
	struct mm_image *exec_stack[MM_CALL_MAX_DEPTH];
	unsigned exec_depth;

	/* Told after every handler call (include/mmemu/observe.h); NULL: nobody. */
	mm_handler_observer observer;
	void *observer_user;
	uint64_t insns;          /* instructions counted (mm_count_instructions) */
	uint64_t handler_insns;  /* of the handler the observer is told about */
};

/*
 * Records a failure message (printf format) in m and returns err, so that
 * callers can write `return mm_fail(m, MM_ERR_INVALID, "...", ...)`.
 */
enum mm_err mm_fail(struct mm_machine *m, enum mm_err err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Creates the core of a machine (everything but devices and the CPU model);
 * the public mm_machine_create() builds on it. Arguments as mm_machine_create.
 */
enum mm_err mm_core_create(const struct mm_platform *p, struct mm_machine **out, char *err,
			   size_t errlen);

/* Maps an internal error to the EFI_STATUS a driver should see. */
EFI_STATUS mm_err_to_efi(enum mm_err err);

/*
 * Attaches an extension (a device, the CPU model) whose fini runs, in reverse
 * order, when m is destroyed. Returns MM_OK or MM_ERR_NOMEM.
 */
enum mm_err mm_extension_add(struct mm_machine *m, const char *name,
			     void (*fini)(struct mm_machine *m, void *data), void *data);
/* Returns the data of the extension called name, or NULL. */
void *mm_extension_get(const struct mm_machine *m, const char *name);

#endif /* CORE_MACHINE_H */
