/* SPDX-License-Identifier: MIT */
/*
 * The records of the chipset's child dispatchers (see child-dispatch.h):
 * registration, deferred removal and the call of each child.
 *
 * Dispatch rules, shared by every child dispatcher built on this file:
 *   - children run in registration order;
 *   - a child registered during a dispatch may run in that same dispatch
 *     when its condition holds (it is appended to the list being walked);
 *   - an UnRegister during a dispatch (a child removing itself or another)
 *     hides the child at once and frees it when the outermost dispatch of
 *     that list returns;
 *   - results combine as for MmiManage: EFI_SUCCESS if any child returned
 *     it, else the first child's status, EFI_NOT_FOUND if none ran.
 */
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "child-dispatch.h"
#include "machine.h"

enum mm_err mm_child_list_init(struct mm_machine *m, struct mm_child_list *l, const char *name,
			       const EFI_GUID *guid, size_t comm_cap)
{
	memset(l, 0, sizeof(*l));
	l->name = name;
	l->guid = guid;
	l->comm_cap = comm_cap;
	if (!comm_cap)
		return MM_OK;
	l->comm = mm_pool_zalloc(m, EfiRuntimeServicesData, comm_cap, true);
	l->comm_size = mm_pool_zalloc(m, EfiRuntimeServicesData, sizeof(UINTN), true);
	if (!l->comm || !l->comm_size)
		return mm_fail(m, MM_ERR_NOMEM, "%s dispatch: out of SMRAM", name);
	return MM_OK;
}

void mm_child_list_fini(struct mm_machine *m, struct mm_child_list *l)
{
	(void)m; /* the SMRAM copies go with the pool */
	while (l->entries) {
		struct mm_child *c = l->entries;

		l->entries = c->next;
		free(c);
	}
	l->count = 0;
}

bool mm_child_register_args_ok(struct mm_machine *m, struct mm_child_list *l, const void *fn,
			       const void *ctx, size_t ctx_size, const void *handle)
{
	if (fn && ctx && handle && mm_caller_ptr_ok(m, ctx, ctx_size) &&
	    mm_caller_ptr_ok(m, handle, sizeof(EFI_HANDLE)))
		return true;
	mm_log(m, MM_LOG_WARN, "%s Register by %s: NULL or bad argument (function %p, "
	       "context %p, handle %p)", l->name, mm_executing_name(m), fn, ctx, handle);
	return false;
}

EFI_STATUS mm_child_add(struct mm_machine *m, struct mm_child_list *l, uint64_t fn,
			const void *ctx, size_t ctx_size, struct mm_child **out)
{
	struct mm_child *c = ctx_size <= MM_CHILD_CONTEXT_MAX ? calloc(1, sizeof(*c)) : NULL;
	struct mm_child **pp = &l->entries;

	if (c)
		c->context = mm_pool_zalloc(m, EfiRuntimeServicesData, ctx_size, true);
	if (!c || !c->context) {
		free(c);
		mm_log(m, MM_LOG_WARN, "%s Register by %s: out of memory", l->name,
		       mm_executing_name(m));
		return EFI_OUT_OF_RESOURCES;
	}
	c->fn = fn;
	memcpy(c->reg, ctx, ctx_size);
	memcpy(c->context, ctx, ctx_size);
	c->context_size = ctx_size;
	c->owner = mm_executing_name(m);
	while (*pp)
		pp = &(*pp)->next;
	*pp = c;
	l->count++;
	*out = c;
	mm_log(m, MM_LOG_MMI, "%s: handler %s registered by %s%s", l->name,
	       MM_ADDR(m, fn), c->owner, m->lock.ready_to_lock ? " after ReadyToLock" : "");
	mm_child_changed(m, l);
	return EFI_SUCCESS;
}

void mm_child_changed(struct mm_machine *m, struct mm_child_list *l)
{
	m->child_gen++; /* a snapshot restore cannot put registrations back */
	if (l->changed)
		l->changed(m, l, l->changed_user);
}

struct mm_child *mm_child_find(const struct mm_child_list *l, EFI_HANDLE h)
{
	for (struct mm_child *c = l->entries; c; c = c->next)
		if (!c->removed && (void *)c == h)
			return c;
	return NULL;
}

/* Frees the records marked while a dispatch ran. */
static void sweep(struct mm_machine *m, struct mm_child_list *l)
{
	struct mm_child **pp = &l->entries;

	while (*pp) {
		struct mm_child *c = *pp;

		if (c->removed) {
			*pp = c->next;
			mm_pool_free(m, c->context);
			free(c);
		} else {
			pp = &c->next;
		}
	}
	l->pending_removal = false;
}

EFI_STATUS mm_child_remove(struct mm_machine *m, struct mm_child_list *l, EFI_HANDLE h)
{
	struct mm_child *c = mm_child_find(l, h);

	if (!c) {
		mm_log(m, MM_LOG_WARN, "%s UnRegister by %s: unknown handle %p", l->name,
		       mm_executing_name(m), h);
		return EFI_INVALID_PARAMETER;
	}
	mm_log(m, MM_LOG_MMI, "%s: handler %s unregistered by %s", l->name,
	       MM_ADDR(m, c->fn), mm_executing_name(m));
	c->removed = true;
	l->count--;
	if (l->depth)
		l->pending_removal = true;
	else
		sweep(m, l);
	mm_child_changed(m, l);
	return EFI_SUCCESS;
}

/* Calls child c with its RegisterContext and l's CommBuffer; tells the observer. */
static EFI_STATUS call_child(struct mm_machine *m, struct mm_child_list *l, struct mm_child *c,
			     bool *stopped)
{
	uint64_t args[4], ret = 0, insns;
	EFI_STATUS status;
	enum mm_err err;

	memcpy(c->context, c->reg, c->context_size);
	if (l->comm_size)
		*l->comm_size = l->comm_cap;
	args[0] = (uint64_t)(uintptr_t)c;
	args[1] = (uint64_t)(uintptr_t)c->context;
	args[2] = (uint64_t)(uintptr_t)l->comm;
	args[3] = (uint64_t)(uintptr_t)l->comm_size;
	insns = m->insns;
	err = mm_call(m, c->fn, 4, args, &ret);
	m->handler_insns = m->insns - insns;
	*stopped = err == MM_ERR_STOPPED;
	status = err ? mm_err_to_efi(err) : (EFI_STATUS)ret;
	if (m->observer) {
		const struct mm_image *img = mm_image_find(m, c->fn);

		m->observer(m->observer_user, img ? img->name : NULL, c->fn,
			    (const uint8_t *)l->guid, (uint64_t)status);
	}
	mm_log(m, MM_LOG_SMI, "%s: handler %s returned 0x%llx", l->name,
	       MM_ADDR(m, c->fn), (unsigned long long)status);
	return status;
}

EFI_STATUS mm_child_dispatch(struct mm_machine *m, struct mm_child_list *l,
			     mm_child_visit_fn visit, void *user)
{
	EFI_STATUS result = EFI_NOT_FOUND;
	bool ran = false;

	l->depth++;
	for (struct mm_child *c = l->entries; c; c = c->next) {
		bool stopped = false;
		EFI_STATUS st;

		if (c->removed || (visit && !visit(m, l, c, user)))
			continue;
		st = call_child(m, l, c, &stopped);
		if (!ran || st == EFI_SUCCESS)
			result = st;
		ran = true;
		if (stopped)
			break; /* the guest stopped: no further child runs in this SMI */
	}
	if (--l->depth == 0 && l->pending_removal)
		sweep(m, l);
	if (!ran)
		mm_log(m, MM_LOG_SMI, "%s: no handler for this event", l->name);
	return result;
}

EFI_STATUS mm_child_register_press(struct mm_machine *m, struct mm_child_list *l, uint64_t fn,
				   const void *ctx, size_t ctx_size, unsigned phase_count,
				   EFI_HANDLE *handle)
{
	struct mm_child *c = NULL;
	uint32_t phase;
	EFI_STATUS status;

	if (!mm_child_register_args_ok(m, l, (const void *)(uintptr_t)fn, ctx, ctx_size, handle))
		return EFI_INVALID_PARAMETER;
	memcpy(&phase, ctx, sizeof(phase)); /* the context's one member, an enum */
	if (phase >= phase_count) {
		mm_log(m, MM_LOG_WARN, "%s Register by %s: phase %u out of range", l->name,
		       mm_executing_name(m), phase);
		return EFI_INVALID_PARAMETER;
	}
	if (phase != 0) {
		mm_log(m, MM_LOG_WARN, "%s Register by %s: the chipset signals no release",
		       l->name, mm_executing_name(m));
		return EFI_UNSUPPORTED;
	}
	status = mm_child_add(m, l, fn, ctx, ctx_size, &c);
	if (!status)
		*handle = c;
	return status;
}

/* Accepts the children whose context (one phase enum) equals *user. */
static bool phase_matches(struct mm_machine *m, struct mm_child_list *l, struct mm_child *c,
			  void *user)
{
	uint32_t phase;

	(void)m, (void)l;
	memcpy(&phase, c->reg, sizeof(phase));
	return phase == *(const unsigned *)user;
}

EFI_STATUS mm_child_dispatch_phase(struct mm_machine *m, struct mm_child_list *l,
				   unsigned phase)
{
	mm_log(m, MM_LOG_SMI, "%s: %s", l->name, phase ? "release" : "press");
	return mm_child_dispatch(m, l, phase_matches, &phase);
}
