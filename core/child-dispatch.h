/* SPDX-License-Identifier: MIT */
/*
 * What every child dispatcher of the chipset keeps (PI 1.8 vol. 4, chapter
 * 7: Sx, periodic timer, power and standby buttons, GPI, IO trap): the list
 * of registered children, their RegisterContext copies in SMRAM, the
 * CommBuffer handed to them, deferred UnRegister, and the call of one child
 * through mm_call(). The SW dispatcher (sw-dispatch.c) predates it and keeps
 * its own records.
 *
 * A child's DispatchHandle is the address of its host record; it is looked
 * up in the list before any use, never dereferenced blindly. The
 * RegisterContext a child receives is a copy in SMRAM, rewritten from the
 * host copy before every call, so a child that scribbles on it changes
 * nothing the dispatcher relies on.
 */
#ifndef CORE_CHILD_DISPATCH_H
#define CORE_CHILD_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pi/base.h>

struct mm_machine;

#define MM_CHILD_CONTEXT_MAX 16 /* the largest RegisterContext (periodic timer) */

struct mm_child {
	uint64_t fn;                         /* EFI_MM_HANDLER_ENTRY_POINT */
	uint8_t reg[MM_CHILD_CONTEXT_MAX];   /* host copy of the RegisterContext */
	void *context;                       /* SMRAM copy handed to the child */
	size_t context_size;
	uint64_t last;                       /* periodic timer: time of the last call, 100 ns */
	uint64_t tick;                       /* periodic timer: the MMI tick it runs on */
	unsigned slot;                       /* IO trap: the trap register it uses */
	const char *owner;                   /* driver that registered it */
	bool removed;
	struct mm_child *next;
};

struct mm_child_list {
	const char *name;          /* for logs: "Sx", "GPI"... */
	const EFI_GUID *guid;      /* the protocol, told to the handler observer */
	struct mm_child *entries;  /* registration order */
	void *comm;                /* SMRAM CommBuffer for children, NULL if they get none */
	UINTN *comm_size;          /* SMRAM: the children's CommBufferSize */
	size_t comm_cap;           /* bytes at comm */
	unsigned count;            /* live registrations */
	unsigned depth;            /* dispatches in progress */
	bool pending_removal;      /* an UnRegister during dispatch waits */
	/*
	 * Told after every Register and UnRegister, so that the chipset can
	 * enable exactly the sources children wait for (as EDK2's PCH
	 * dispatchers do); set by devices/, NULL without a chipset.
	 */
	void (*changed)(struct mm_machine *m, struct mm_child_list *l, void *user);
	void *changed_user;
};

/*
 * Decides whether child c runs in this dispatch, and may fill l->comm for
 * it. user is the dispatcher's.
 */
typedef bool (*mm_child_visit_fn)(struct mm_machine *m, struct mm_child_list *l,
				  struct mm_child *c, void *user);

/*
 * Prepares l for a dispatcher: name and guid (kept by reference), and an
 * SMRAM CommBuffer of comm_cap bytes (0: children get CommBuffer NULL).
 * Returns MM_OK or MM_ERR_NOMEM.
 */
enum mm_err mm_child_list_init(struct mm_machine *m, struct mm_child_list *l, const char *name,
			       const EFI_GUID *guid, size_t comm_cap);
/* Frees every record (SMRAM copies go with the pool). */
void mm_child_list_fini(struct mm_machine *m, struct mm_child_list *l);

/*
 * The common argument checks of a Register call: DispatchFunction,
 * RegisterContext (ctx_size bytes) and DispatchHandle present and reachable.
 * Logs the misuse under MM_LOG_WARN and returns false when they are not.
 */
bool mm_child_register_args_ok(struct mm_machine *m, struct mm_child_list *l, const void *fn,
			       const void *ctx, size_t ctx_size, const void *handle);
/*
 * Appends a child for fn with a copy of the ctx_size (<= MM_CHILD_CONTEXT_MAX)
 * bytes at ctx. Returns EFI_SUCCESS with *out set, or EFI_OUT_OF_RESOURCES.
 */
EFI_STATUS mm_child_add(struct mm_machine *m, struct mm_child_list *l, uint64_t fn,
			const void *ctx, size_t ctx_size, struct mm_child **out);
/* Tells l->changed (if set) that the set of children changed. */
void mm_child_changed(struct mm_machine *m, struct mm_child_list *l);
/* The live child whose DispatchHandle is h, or NULL. */
struct mm_child *mm_child_find(const struct mm_child_list *l, EFI_HANDLE h);
/*
 * UnRegister: removes the child h (at once, or when the outermost dispatch
 * returns). EFI_SUCCESS, or EFI_INVALID_PARAMETER for an unknown handle.
 */
EFI_STATUS mm_child_remove(struct mm_machine *m, struct mm_child_list *l, EFI_HANDLE h);
/*
 * Calls, in registration order, every live child that visit accepts (all
 * when visit is NULL), with its RegisterContext and l's CommBuffer.
 * Returns EFI_NOT_FOUND when no child ran, else EFI_SUCCESS when one returned
 * it, else the first child's status.
 */
EFI_STATUS mm_child_dispatch(struct mm_machine *m, struct mm_child_list *l,
			     mm_child_visit_fn visit, void *user);

/*
 * Register of the button protocols (power and standby button, PI 1.8 vol. 4,
 * 7.7 and 7.8, which share their shape: a RegisterContext that is one phase
 * enum). After the common checks the phase must be below phase_count, and be
 * the entry phase (0): the chipset signals presses only, so an exit handler
 * would never run and is refused with EFI_UNSUPPORTED. Returns as
 * mm_child_add, with *handle set on success.
 */
EFI_STATUS mm_child_register_press(struct mm_machine *m, struct mm_child_list *l, uint64_t fn,
				   const void *ctx, size_t ctx_size, unsigned phase_count,
				   EFI_HANDLE *handle);
/* Calls the children of a button list registered for phase. */
EFI_STATUS mm_child_dispatch_phase(struct mm_machine *m, struct mm_child_list *l,
				   unsigned phase);

#endif /* CORE_CHILD_DISPATCH_H */
