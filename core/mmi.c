/* SPDX-License-Identifier: MIT */
/*
 * MMI handlers: registration per handler type, dispatch by the rules written
 * in mmi.h, deferred unregistration and bounded nesting.
 *
 *   m->mmi.entries --> [type A] --> [type B] --> [root] --> NULL
 *                         |            |            |
 *                      handler      handler      handler --> handler
 *                         |         (removed)
 *                      handler
 *
 * Entries are found by a linear scan comparing 16 bytes: a platform has a
 * handful of handler types, and the scan moves the entry it finds to the
 * front so the hot communicate path usually matches on the first compare.
 * A dispatch handle given to a driver is the address of its host-side
 * struct mm_mmi_handler and is only trusted after it was found in the lists.
 */
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "guid-names.h"
#include "machine.h"
#include "mmi.h"

struct mm_mmi_handler {
	uint64_t fn;                   /* EFI_MM_HANDLER_ENTRY_POINT address */
	struct mm_image *image;        /* owning fn, looked up once (NULL: host code) */
	struct mm_mmi_entry *entry;    /* the type it serves */
	bool removed;                  /* unregistered during a dispatch: not called */
	struct mm_mmi_handler *next;   /* registration order */
};

struct mm_mmi_entry {
	EFI_GUID type;
	bool root;                      /* registered with a NULL type */
	struct mm_mmi_handler *handlers;
	struct mm_mmi_handler *last;    /* where registration appends */
	struct mm_mmi_entry *next;
};

/* Outcome of one dispatch, folded by fold_status(). */
struct mmi_result {
	bool success;         /* some handler returned SUCCESS or SOURCE_QUIESCED */
	bool interrupt_pending;
	bool source_pending;
};

/* Returns the entry for type (NULL: root), moved to the list front, or NULL. */
static struct mm_mmi_entry *find_entry(struct mm_mmi *mmi, const EFI_GUID *type)
{
	struct mm_mmi_entry **link = &mmi->entries;

	for (struct mm_mmi_entry *e = *link; e; link = &e->next, e = e->next) {
		if (type ? e->root || memcmp(&e->type, type, sizeof(*type)) : !e->root)
			continue;
		if (link != &mmi->entries) {
			*link = e->next;
			e->next = mmi->entries;
			mmi->entries = e;
		}
		return e;
	}
	return NULL;
}

/* Returns the entry for type, creating an empty one; NULL when out of memory. */
static struct mm_mmi_entry *get_entry(struct mm_mmi *mmi, const EFI_GUID *type)
{
	struct mm_mmi_entry *e = find_entry(mmi, type);

	if (e)
		return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	if (type)
		e->type = *type;
	e->root = !type;
	e->next = mmi->entries;
	mmi->entries = e;
	return e;
}

/* Returns the live handler whose dispatch handle is h, or NULL. */
static struct mm_mmi_handler *find_handler(const struct mm_mmi *mmi, EFI_HANDLE h)
{
	for (struct mm_mmi_entry *e = mmi->entries; e; e = e->next)
		for (struct mm_mmi_handler *x = e->handlers; x; x = x->next)
			if ((EFI_HANDLE)x == h && !x->removed)
				return x;
	return NULL;
}

/* A readable name for a handler type (NULL: root), for log lines. */
static const char *guid_text(const EFI_GUID *type, char buf[37])
{
	const char *name;

	if (!type)
		return "root";
	name = mm_guid_name(type);
	if (name)
		return name;
	mm_guid_format(type, buf);
	return buf;
}

/* The name of e's handler type, for log lines. */
static const char *type_name(const struct mm_mmi_entry *e, char buf[37])
{
	return guid_text(e->root ? NULL : &e->type, buf);
}

enum mm_err mm_mmi_register(struct mm_machine *m, uint64_t handler, const EFI_GUID *type,
			    EFI_HANDLE *dispatch_handle)
{
	struct mm_mmi_handler *x;
	struct mm_mmi_entry *e;
	char buf[37];

	m->mmi.gen++;
	if (!handler || !dispatch_handle)
		return mm_fail(m, MM_ERR_INVALID, "MmiHandlerRegister: %s is NULL",
			       handler ? "DispatchHandle" : "Handler");
	x = calloc(1, sizeof(*x));
	e = x ? get_entry(&m->mmi, type) : NULL;
	if (!e) {
		free(x);
		return mm_fail(m, MM_ERR_NOMEM, "MmiHandlerRegister: out of memory");
	}
	x->fn = handler;
	x->image = mm_image_find(m, handler);
	x->entry = e;
	if (e->last)
		e->last->next = x;
	else
		e->handlers = x;
	e->last = x;
	*dispatch_handle = (EFI_HANDLE)x;
	if (m->lock.ready_to_lock)
		mm_log(m, MM_LOG_MMI, "handler %s for %s registered after ReadyToLock by %s",
		       MM_ADDR(m, handler), type_name(e, buf), mm_executing_name(m));
	else
		mm_log(m, MM_LOG_MMI, "handler %s for %s registered by %s",
		       MM_ADDR(m, handler), type_name(e, buf), mm_executing_name(m));
	return MM_OK;
}

/* Unlinks and frees every handler marked removed, and entries left empty. */
static void sweep(struct mm_mmi *mmi)
{
	struct mm_mmi_entry **elink = &mmi->entries;

	while (*elink) {
		struct mm_mmi_entry *e = *elink;
		struct mm_mmi_handler **link = &e->handlers;

		e->last = NULL;
		while (*link) {
			struct mm_mmi_handler *x = *link;

			if (x->removed) {
				*link = x->next;
				free(x);
			} else {
				e->last = x;
				link = &x->next;
			}
		}
		if (!e->handlers) {
			*elink = e->next;
			free(e);
		} else {
			elink = &e->next;
		}
	}
	mmi->pending_removal = false;
}

/* Marks x removed; frees it now unless a dispatch is running. */
static void remove_handler(struct mm_mmi *mmi, struct mm_mmi_handler *x)
{
	x->removed = true;
	mmi->pending_removal = true;
	if (!mmi->depth)
		sweep(mmi);
}

enum mm_err mm_mmi_unregister(struct mm_machine *m, EFI_HANDLE dispatch_handle)
{
	struct mm_mmi_handler *x = find_handler(&m->mmi, dispatch_handle);
	char buf[37];

	m->mmi.gen++;
	if (!x) {
		mm_log(m, MM_LOG_WARN, "MmiHandlerUnRegister: unknown dispatch handle %p from %s",
		       dispatch_handle, mm_executing_name(m));
		return mm_fail(m, MM_ERR_INVALID,
			       "MmiHandlerUnRegister: unknown dispatch handle %p", dispatch_handle);
	}
	mm_log(m, MM_LOG_MMI, "handler %s for %s unregistered%s", MM_ADDR(m, x->fn),
	       type_name(x->entry, buf), m->mmi.depth ? " (deferred: dispatch running)" : "");
	remove_handler(&m->mmi, x);
	return MM_OK;
}

unsigned mm_mmi_purge_range(struct mm_machine *m, uint64_t base, uint64_t size)
{
	unsigned count = 0;

	m->mmi.gen++;
	for (struct mm_mmi_entry *e = m->mmi.entries; e; e = e->next)
		for (struct mm_mmi_handler *x = e->handlers; x; x = x->next)
			if (!x->removed && x->fn >= base && x->fn - base < size) {
				x->removed = true;
				count++;
			}
	if (count) {
		mm_log(m, MM_LOG_MMI, "%u handler(s) in [0x%llx, +0x%llx) purged", count,
		       (unsigned long long)base, (unsigned long long)size);
		m->mmi.pending_removal = true;
		if (!m->mmi.depth)
			sweep(&m->mmi);
	}
	return count;
}

void mm_mmi_fini(struct mm_machine *m)
{
	while (m->mmi.entries) {
		struct mm_mmi_entry *e = m->mmi.entries;

		m->mmi.entries = e->next;
		while (e->handlers) {
			struct mm_mmi_handler *x = e->handlers;

			e->handlers = x->next;
			free(x);
		}
		free(e);
	}
	m->mmi.depth = 0;
	m->mmi.pending_removal = false;
}

/* Records status of one handler in r; returns true when the dispatch must end. */
static bool fold_status(struct mmi_result *r, EFI_STATUS status, bool root)
{
	switch (status) {
	case EFI_SUCCESS:
		r->success = true;
		return !root;
	case EFI_INTERRUPT_PENDING:
		r->interrupt_pending = true;
		return !root;
	case EFI_WARN_INTERRUPT_SOURCE_QUIESCED:
		r->success = true;
		return false;
	case EFI_WARN_INTERRUPT_SOURCE_PENDING:
		r->source_pending = true;
		return false;
	default:
		return false;
	}
}

/* The combined status of a dispatch (mmi.h). */
static EFI_STATUS result_status(const struct mmi_result *r, bool root)
{
	/* A GUID dispatch ended by INTERRUPT_PENDING returns it, whatever came first. */
	if (!root && r->interrupt_pending)
		return EFI_INTERRUPT_PENDING;
	if (r->success)
		return EFI_SUCCESS;
	if (r->interrupt_pending)
		return EFI_INTERRUPT_PENDING;
	if (r->source_pending)
		return EFI_WARN_INTERRUPT_SOURCE_PENDING;
	return EFI_NOT_FOUND;
}

/*
 * Calls one handler through mm_call. Returns its status, or EFI_ABORTED with
 * *stop set when the guest stopped.
 */
static EFI_STATUS call_handler(struct mm_machine *m, struct mm_mmi_handler *x,
			       const void *context, void *comm_buffer, UINTN *comm_size,
			       bool *stop)
{
	uint64_t args[4] = { (uint64_t)(uintptr_t)x, (uint64_t)(uintptr_t)context,
			     (uint64_t)(uintptr_t)comm_buffer, (uint64_t)(uintptr_t)comm_size };
	uint64_t ret = 0;
	enum mm_err err = mm_call_image(m, x->image, x->fn, 4, args, &ret);

	m->mmi.dispatch_count++;
	if (err == MM_ERR_STOPPED) {
		*stop = true;
		return EFI_ABORTED;
	}
	if (err) {
		mm_log(m, MM_LOG_WARN, "MMI handler %s not called: %s", MM_ADDR(m, x->fn),
		       mm_strerror(err));
		return mm_err_to_efi(err);
	}
	return (EFI_STATUS)ret;
}

/* Tells the handler observer (include/mmemu/observe.h) that fn of e returned s. */
static void observe(struct mm_machine *m, const struct mm_mmi_entry *e,
		    const struct mm_image *x_image, uint64_t fn, EFI_STATUS s)
{
	const struct mm_image *img = x_image;

	m->observer(m->observer_user, img ? img->name : NULL, fn,
		    e->root ? NULL : (const uint8_t *)&e->type, (uint64_t)s);
}

/*
 * Runs the handlers of e present when the dispatch starts (handlers
 * registered meanwhile wait for the next dispatch), by the rules of mmi.h.
 */
static EFI_STATUS run_entry(struct mm_machine *m, struct mm_mmi_entry *e, const void *context,
			    void *comm_buffer, UINTN *comm_size)
{
	struct mm_mmi_handler *last = e->last;
	struct mmi_result r = { 0 };
	bool stop = false;
	char buf[37];

	for (struct mm_mmi_handler *x = e->handlers; x; x = x->next) {
		if (!x->removed) {
			uint64_t insns = m->insns;
			EFI_STATUS s = call_handler(m, x, context, comm_buffer, comm_size, &stop);

			m->handler_insns = m->insns - insns;
			mm_log(m, MM_LOG_MMI, "%s: handler %s returned 0x%llx",
			       type_name(e, buf), MM_ADDR(m, x->fn), (unsigned long long)s);
			if (m->observer)
				observe(m, e, x->image, x->fn, s);
			if (stop)
				return EFI_ABORTED;
			if (fold_status(&r, s, e->root))
				break;
		}
		if (x == last)
			break;
	}
	return result_status(&r, e->root);
}

EFI_STATUS mm_mmi_manage(struct mm_machine *m, const EFI_GUID *type, const void *context,
			 void *comm_buffer, UINTN *comm_size)
{
	struct mm_mmi *mmi = &m->mmi;
	struct mm_mmi_entry *e;
	EFI_STATUS status;
	char buf[37];

	if (mmi->depth >= MM_MMI_MAX_DEPTH) {
		mm_log(m, MM_LOG_WARN, "MmiManage(%s) nested deeper than %d by %s: aborted",
		       guid_text(type, buf), MM_MMI_MAX_DEPTH, mm_executing_name(m));
		return EFI_ABORTED;
	}
	e = find_entry(mmi, type);
	if (!e) {
		mm_log(m, MM_LOG_MMI, "%s: no handler", guid_text(type, buf));
		return EFI_NOT_FOUND;
	}
	if (++mmi->depth > mmi->max_depth)
		mmi->max_depth = mmi->depth;
	status = run_entry(m, e, context, comm_buffer, comm_size);
	if (--mmi->depth == 0 && mmi->pending_removal)
		sweep(mmi);
	mm_log(m, MM_LOG_MMI, "%s: dispatch returned 0x%llx", guid_text(type, buf),
	       (unsigned long long)status);
	return status;
}

/* True when the calling driver may hand us [p, p+len) (NULL is the caller's check). */
static bool arg_ok(struct mm_machine *m, const char *service, const void *p, uint64_t len)
{
	if (!p || mm_caller_ptr_ok(m, p, len))
		return true;
	mm_log(m, MM_LOG_WARN, "%s: argument %p from %s is outside guest memory", service, p,
	       mm_executing_name(m));
	return false;
}

EFI_STATUS EFIAPI MmiManage(CONST EFI_GUID *HandlerType, CONST VOID *Context, VOID *CommBuffer,
			    UINTN *CommBufferSize)
{
	struct mm_machine *m = mm_current();

	if (!m)
		return EFI_UNSUPPORTED;
	if (!arg_ok(m, "MmiManage", HandlerType, sizeof(*HandlerType)))
		return EFI_INVALID_PARAMETER;
	return mm_mmi_manage(m, HandlerType, Context, CommBuffer, CommBufferSize);
}

EFI_STATUS EFIAPI MmiHandlerRegister(EFI_MM_HANDLER_ENTRY_POINT Handler,
				     CONST EFI_GUID *HandlerType, EFI_HANDLE *DispatchHandle)
{
	struct mm_machine *m = mm_current();

	if (!m)
		return EFI_UNSUPPORTED;
	if (!arg_ok(m, "MmiHandlerRegister", HandlerType, sizeof(*HandlerType)) ||
	    !arg_ok(m, "MmiHandlerRegister", DispatchHandle, sizeof(*DispatchHandle)))
		return EFI_INVALID_PARAMETER;
	return mm_err_to_efi(mm_mmi_register(m, (uint64_t)(uintptr_t)Handler, HandlerType,
					     DispatchHandle));
}

EFI_STATUS EFIAPI MmiHandlerUnRegister(EFI_HANDLE DispatchHandle)
{
	struct mm_machine *m = mm_current();

	if (!m)
		return EFI_UNSUPPORTED;
	return mm_err_to_efi(mm_mmi_unregister(m, DispatchHandle));
}

uint64_t mm_mmi_first_handler(const struct mm_machine *m, const EFI_GUID *type)
{
	for (const struct mm_mmi_entry *e = m->mmi.entries; e; e = e->next) {
		if (type ? e->root || !mm_guid_eq(&e->type, type) : !e->root)
			continue;
		for (const struct mm_mmi_handler *x = e->handlers; x; x = x->next)
			if (!x->removed)
				return x->fn;
	}
	return 0;
}
