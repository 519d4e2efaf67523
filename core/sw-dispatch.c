/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_SW_DISPATCH_PROTOCOL (PI 1.8 vol. 4; EDK2's SmmSwDispatch2) and the
 * SW child dispatcher the chipset's root MMI handler calls with the APM
 * control value.
 *
 * One child per value 0..MaximumSwiValue. A driver asking for (UINTN)-1 gets
 * the lowest free value from 1 up (0 is left alone: many platforms treat it
 * as "no command"), so a given registration order always yields the same
 * values. Records are host-side; the DispatchHandle a driver sees is the
 * address of one and is looked up before use. The RegisterContext and
 * EFI_MM_SW_CONTEXT handed to a child are copies in SMRAM, as EDK2 does, so
 * emulated children can read them and a child cannot reach our records.
 * An UnRegister while children run marks the record; it goes when the
 * outermost dispatch returns.
 */
#include <stdlib.h>

#include "call.h"
#include "handle.h"
#include "machine.h"

/* AUTO is the SwMmiInputValue that asks the parent to choose (PI 1.8 vol. 4). */
#define SW_VALUE_AUTO ((UINTN)-1)

struct mm_sw_entry {
	uint64_t fn;                          /* EFI_MM_HANDLER_ENTRY_POINT */
	UINTN value;
	EFI_MM_SW_REGISTER_CONTEXT *register_context; /* in SMRAM */
	const char *owner;                    /* driver that registered it */
	bool removed;
	struct mm_sw_entry *next;
};

/* The live record for value, or NULL. */
static struct mm_sw_entry *find_value(const struct mm_sw_dispatch *sw, UINTN value)
{
	for (struct mm_sw_entry *e = sw->entries; e; e = e->next)
		if (!e->removed && e->value == value)
			return e;
	return NULL;
}

/* The live record whose handle is h, or NULL: handles are never dereferenced blindly. */
static struct mm_sw_entry *find_handle(const struct mm_sw_dispatch *sw, EFI_HANDLE h)
{
	for (struct mm_sw_entry *e = sw->entries; e; e = e->next)
		if (!e->removed && (void *)e == h)
			return e;
	return NULL;
}

/* The lowest free value above 0, or SW_VALUE_AUTO when every value is taken. */
static UINTN pick_value(const struct mm_sw_dispatch *sw)
{
	for (UINTN v = 1; v <= MM_SW_MAX_VALUE; v++)
		if (!find_value(sw, v))
			return v;
	return SW_VALUE_AUTO;
}

static void free_entry(struct mm_machine *m, struct mm_sw_entry *e)
{
	mm_pool_free(m, e->register_context);
	free(e);
}

/* Frees the records marked during a dispatch. */
static void sweep(struct mm_machine *m)
{
	struct mm_sw_entry **pp = &m->sw.entries;

	while (*pp) {
		struct mm_sw_entry *e = *pp;

		if (e->removed) {
			*pp = e->next;
			free_entry(m, e);
		} else {
			pp = &e->next;
		}
	}
	m->sw.pending_removal = false;
}

/* Appends a record for fn on value. MM_OK or MM_ERR_NOMEM. */
static enum mm_err add_entry(struct mm_machine *m, uint64_t fn, UINTN value,
			     struct mm_sw_entry **out)
{
	struct mm_sw_entry *e = calloc(1, sizeof(*e)), **pp = &m->sw.entries;

	if (e)
		e->register_context = mm_pool_zalloc(m, EfiRuntimeServicesData,
						     sizeof(*e->register_context), true);
	if (!e || !e->register_context) {
		free(e);
		return mm_fail(m, MM_ERR_NOMEM, "SW SMI 0x%llx: out of memory",
			       (unsigned long long)value);
	}
	e->fn = fn;
	e->value = value;
	e->register_context->SwMmiInputValue = value;
	e->owner = mm_executing_name(m);
	while (*pp)
		pp = &(*pp)->next;
	*pp = e;
	m->sw.count++;
	m->child_gen++; /* a snapshot restore cannot put registrations back */
	*out = e;
	return MM_OK;
}

/* Chooses the value for a request: AUTO picks, else it must be free and in range. */
static EFI_STATUS choose_value(struct mm_machine *m, UINTN requested, UINTN *value)
{
	if (requested == SW_VALUE_AUTO) {
		*value = pick_value(&m->sw);
		if (*value == SW_VALUE_AUTO) {
			mm_log(m, MM_LOG_WARN, "SW Register by %s: every SW SMI value is taken",
			       mm_executing_name(m));
			return EFI_OUT_OF_RESOURCES;
		}
		return EFI_SUCCESS;
	}
	if (requested > MM_SW_MAX_VALUE || find_value(&m->sw, requested)) {
		mm_log(m, MM_LOG_WARN, "SW Register by %s: value 0x%llx %s", mm_executing_name(m),
		       (unsigned long long)requested,
		       requested > MM_SW_MAX_VALUE ? "above MaximumSwiValue" : "already taken");
		return EFI_INVALID_PARAMETER;
	}
	*value = requested;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI SwRegister(CONST EFI_MM_SW_DISPATCH_PROTOCOL *This,
				    EFI_MM_HANDLER_ENTRY_POINT DispatchFunction,
				    EFI_MM_SW_REGISTER_CONTEXT *RegisterContext,
				    EFI_HANDLE *DispatchHandle)
{
	struct mm_machine *m = mm_current();
	struct mm_sw_entry *e = NULL;
	EFI_STATUS status;
	UINTN value = 0;

	(void)This;
	if (!m)
		return EFI_UNSUPPORTED;
	if (!DispatchFunction || !RegisterContext || !DispatchHandle ||
	    !mm_caller_ptr_ok(m, RegisterContext, sizeof(*RegisterContext)) ||
	    !mm_caller_ptr_ok(m, DispatchHandle, sizeof(*DispatchHandle))) {
		mm_log(m, MM_LOG_WARN, "SW Register by %s: NULL or bad argument",
		       mm_executing_name(m));
		return EFI_INVALID_PARAMETER;
	}
	status = choose_value(m, RegisterContext->SwMmiInputValue, &value);
	if (status)
		return status;
	status = mm_err_to_efi(add_entry(m, (uint64_t)(uintptr_t)DispatchFunction, value, &e));
	if (status)
		return status;
	RegisterContext->SwMmiInputValue = value;
	*DispatchHandle = e;
	mm_log(m, MM_LOG_MMI, "SW SMI 0x%02llx: handler %s registered by %s%s",
	       (unsigned long long)value, MM_ADDR(m, e->fn), e->owner,
	       m->lock.ready_to_lock ? " after ReadyToLock" : "");
	if (m->lock.ready_to_lock)
		mm_log(m, MM_LOG_LOCK, "SW SMI 0x%02llx registered by %s after ReadyToLock",
		       (unsigned long long)value, e->owner);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI SwUnRegister(CONST EFI_MM_SW_DISPATCH_PROTOCOL *This,
				      EFI_HANDLE DispatchHandle)
{
	struct mm_machine *m = mm_current();
	struct mm_sw_entry *e = NULL;

	(void)This;
	if (!m)
		return EFI_UNSUPPORTED;
	e = find_handle(&m->sw, DispatchHandle);
	if (!e) {
		mm_log(m, MM_LOG_WARN, "SW UnRegister by %s: unknown handle %p",
		       mm_executing_name(m), DispatchHandle);
		return EFI_INVALID_PARAMETER;
	}
	mm_log(m, MM_LOG_MMI, "SW SMI 0x%02llx: handler %s unregistered by %s",
	       (unsigned long long)e->value, MM_ADDR(m, e->fn), mm_executing_name(m));
	e->removed = true;
	m->sw.count--;
	m->child_gen++;
	if (m->sw.depth) {
		m->sw.pending_removal = true;
		return EFI_SUCCESS;
	}
	sweep(m);
	return EFI_SUCCESS;
}

enum mm_err mm_sw_dispatch_init(struct mm_machine *m)
{
	EFI_HANDLE handle = NULL;
	struct mm_sw_dispatch *sw = &m->sw;

	sw->protocol = mm_pool_zalloc(m, EfiRuntimeServicesData, sizeof(*sw->protocol), true);
	sw->context = mm_pool_zalloc(m, EfiRuntimeServicesData, sizeof(*sw->context), true);
	sw->context_size = mm_pool_zalloc(m, EfiRuntimeServicesData, sizeof(UINTN), true);
	if (!sw->protocol || !sw->context || !sw->context_size)
		return mm_fail(m, MM_ERR_NOMEM, "EFI_MM_SW_DISPATCH_PROTOCOL: out of SMRAM");
	sw->protocol->Register = SwRegister;
	sw->protocol->UnRegister = SwUnRegister;
	sw->protocol->MaximumSwiValue = MM_SW_MAX_VALUE;
	return mm_protocol_install(m, &m->mmdb, &handle, &gEfiMmSwDispatchProtocolGuid,
				   sw->protocol);
}

void mm_sw_dispatch_fini(struct mm_machine *m)
{
	/* The SMRAM copies go with the pool. */
	while (m->sw.entries) {
		struct mm_sw_entry *e = m->sw.entries;

		m->sw.entries = e->next;
		free(e);
	}
	m->sw.count = 0;
}

/* Calls the child of e with a fresh EFI_MM_SW_CONTEXT. */
static EFI_STATUS call_child(struct mm_machine *m, struct mm_sw_entry *e, uint8_t value,
			     uint8_t data, unsigned cpu)
{
	struct mm_sw_dispatch *sw = &m->sw;
	uint64_t args[4], ret = 0;
	enum mm_err err;

	sw->context->SwMmiCpuIndex = cpu;
	sw->context->CommandPort = value;
	sw->context->DataPort = data;
	*sw->context_size = sizeof(*sw->context);
	e->register_context->SwMmiInputValue = e->value; /* a child may have scribbled on it */
	args[0] = (uint64_t)(uintptr_t)e;
	args[1] = (uint64_t)(uintptr_t)e->register_context;
	args[2] = (uint64_t)(uintptr_t)sw->context;
	args[3] = (uint64_t)(uintptr_t)sw->context_size;
	err = mm_call(m, e->fn, 4, args, &ret);
	return err ? mm_err_to_efi(err) : (EFI_STATUS)ret;
}

EFI_STATUS mm_sw_dispatch_run(struct mm_machine *m, uint8_t value, uint8_t data, unsigned cpu)
{
	struct mm_sw_dispatch *sw = &m->sw;
	struct mm_sw_entry *e = find_value(sw, value);
	EFI_STATUS status;
	uint64_t fn, insns = m->insns;

	if (!e) {
		mm_log(m, MM_LOG_SMI, "SW SMI 0x%02x (data 0x%02x, CPU %u): no handler", value,
		       data, cpu);
		return EFI_NOT_FOUND;
	}
	fn = e->fn;
	sw->depth++;
	status = call_child(m, e, value, data, cpu);
	m->handler_insns = m->insns - insns;
	if (m->observer) {
		const struct mm_image *img = mm_image_find(m, fn);

		m->observer(m->observer_user, img ? img->name : NULL, fn,
			    (const uint8_t *)&gEfiMmSwDispatchProtocolGuid, (uint64_t)status);
	}
	if (--sw->depth == 0 && sw->pending_removal)
		sweep(m); /* e may be gone from here on */
	mm_log(m, MM_LOG_SMI, "SW SMI 0x%02x (data 0x%02x, CPU %u): handler %s returned 0x%llx",
	       value, data, cpu, MM_ADDR(m, fn), (unsigned long long)status);
	return status;
}
