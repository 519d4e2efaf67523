/* SPDX-License-Identifier: MIT */
/*
 * Protocol notifications (PI 1.8 vol. 4, MmRegisterProtocolNotify): a
 * driver's function is called synchronously, in registration order, after
 * every install or reinstall of the protocol it registered for.
 *
 * Walk rules: a notification may install protocols (the walk nests), cancel
 * any registration, itself included, or register new ones. Cancelling during
 * a walk only marks the record dead; the records are unlinked and freed when
 * the outermost walk ends, so no walk ever follows a freed link. A
 * registration made during a walk is not called for the install that walk
 * announces: it did not exist when the install happened.
 */
#include <stdlib.h>

#include "call.h"
#include "guid-names.h"
#include "handle.h"
#include "machine.h"

struct mm_notify *mm_notify_lookup(const struct mm_protocol_db *db, const void *reg)
{
	if (!reg)
		return NULL;
	for (const struct mm_protocol *p = db->protocols; p; p = p->next)
		for (struct mm_notify *n = p->notifies; n; n = n->next)
			if (n == reg)
				return n->dead ? NULL : n;
	return NULL;
}

/* Unlinks and frees the dead registrations of proto. */
static void sweep(struct mm_protocol *proto)
{
	struct mm_notify **pp = &proto->notifies;

	while (*pp) {
		struct mm_notify *n = *pp;

		if (n->dead) {
			*pp = n->next;
			free(n);
		} else {
			pp = &n->next;
		}
	}
}

void mm_notify_cancel(struct mm_protocol_db *db, struct mm_notify *n)
{
	n->dead = true;
	n->fn = NULL;
	if (db->notify_depth)
		db->notify_dead = true;
	else
		sweep(n->proto);
}

void mm_notify_free_all(struct mm_protocol *proto)
{
	while (proto->notifies) {
		struct mm_notify *n = proto->notifies;

		proto->notifies = n->next;
		free(n);
	}
}

struct mm_interface *mm_notify_next_new(const struct mm_protocol_db *db, const struct mm_notify *n,
					struct mm_handle **handle)
{
	struct mm_interface *best = NULL;

	for (struct mm_handle *h = db->handles; h; h = h->next) {
		for (struct mm_interface *i = h->ifaces; i; i = i->next) {
			if (i->proto != n->proto || i->key <= n->seen_key)
				continue;
			if (!best || i->key < best->key) {
				best = i;
				*handle = h;
			}
		}
	}
	return best;
}

/* Cancels registration *reg of guid: EFI_SUCCESS, or EFI_NOT_FOUND (logged). */
static EFI_STATUS cancel(struct mm_machine *m, struct mm_protocol_db *db, const EFI_GUID *guid,
			 void *reg)
{
	struct mm_notify *n = mm_notify_lookup(db, reg);
	char buf[37];

	if (!n || !mm_guid_eq(&n->proto->guid, guid)) {
		mm_log(m, MM_LOG_WARN, "%s: %s cancelled unknown %s registration %p", db->name,
		       mm_executing_name(m), mm_protocol_guid_text(guid, buf), reg);
		return EFI_NOT_FOUND;
	}
	mm_log(m, MM_LOG_PROTOCOL, "%s: %s cancels %s notification %p", db->name,
	       mm_executing_name(m), mm_protocol_guid_text(guid, buf), reg);
	mm_notify_cancel(db, n);
	return EFI_SUCCESS;
}

EFI_STATUS mm_notify_register(struct mm_machine *m, struct mm_protocol_db *db,
			      const EFI_GUID *guid, EFI_MM_NOTIFY_FN fn, void **reg)
{
	struct mm_protocol *proto;
	struct mm_notify *n, **pp;
	char buf[37];

	if (!guid || !reg)
		return EFI_INVALID_PARAMETER;
	if (!fn)
		return cancel(m, db, guid, *reg);
	proto = mm_protocol_entry(db, guid, true);
	n = calloc(1, sizeof(*n));
	if (!proto || !n) {
		free(n);
		mm_fail(m, MM_ERR_NOMEM, "protocol notify: out of host memory");
		return EFI_OUT_OF_RESOURCES;
	}
	n->proto = proto;
	n->fn = fn;
	n->key = ++db->key;
	n->seen_key = n->key; /* only installs from now on are new to it */
	for (pp = &proto->notifies; *pp; pp = &(*pp)->next)
		;
	*pp = n;
	*reg = n;
	mm_log(m, MM_LOG_PROTOCOL, "%s: %s registers %s for %s", db->name,
	       mm_executing_name(m), MM_ADDR(m, fn), mm_protocol_guid_text(guid, buf));
	return EFI_SUCCESS;
}

/* Frees the registrations cancelled during the walk that just ended. */
static void sweep_all(struct mm_protocol_db *db)
{
	for (struct mm_protocol *p = db->protocols; p; p = p->next)
		sweep(p);
	db->notify_dead = false;
}

/* Calls one notification; false when the guest stopped and the walk must end. */
static bool call_one(struct mm_machine *m, struct mm_protocol_db *db, struct mm_notify *n,
		     const EFI_GUID *guid, void *iface, EFI_HANDLE handle)
{
	uint64_t args[3] = { (uint64_t)(uintptr_t)guid, (uint64_t)(uintptr_t)iface,
			     (uint64_t)(uintptr_t)handle };
	uint64_t ret = 0;
	enum mm_err err;

	mm_log(m, MM_LOG_PROTOCOL, "%s: notify %s", db->name, MM_ADDR(m, n->fn));
	err = mm_call(m, (uint64_t)(uintptr_t)n->fn, 3, args, &ret);
	if (err) {
		mm_log(m, MM_LOG_PROTOCOL, "%s: notify %p failed: %s", db->name,
		       (void *)(uintptr_t)n->fn, mm_strerror(err));
		return err != MM_ERR_STOPPED;
	}
	if (EFI_ERROR(ret))
		mm_log(m, MM_LOG_PROTOCOL, "%s: notify %p returned 0x%llx", db->name,
		       (void *)(uintptr_t)n->fn, (unsigned long long)ret);
	return true;
}

void mm_notify_fire(struct mm_machine *m, struct mm_protocol_db *db, const EFI_GUID *guid,
		    void *iface, EFI_HANDLE handle)
{
	struct mm_protocol *proto = mm_protocol_entry(db, guid, false);
	uint64_t limit = db->key;

	if (!proto)
		return;
	db->notify_depth++;
	for (struct mm_notify *n = proto->notifies; n; n = n->next) {
		if (n->dead || n->key > limit)
			continue;
		if (!call_one(m, db, n, guid, iface, handle))
			break;
	}
	if (--db->notify_depth == 0 && db->notify_dead)
		sweep_all(db);
}

EFI_STATUS EFIAPI MmRegisterProtocolNotify(CONST EFI_GUID *Protocol, EFI_MM_NOTIFY_FN Function,
					   VOID **Registration)
{
	struct mm_machine *m = mm_current();

	if (!m)
		return EFI_UNSUPPORTED;
	if (!Protocol || !Registration)
		return EFI_INVALID_PARAMETER;
	if (!mm_caller_ptr_ok(m, Protocol, sizeof(*Protocol)) ||
	    !mm_caller_ptr_ok(m, Registration, sizeof(*Registration))) {
		mm_log(m, MM_LOG_WARN, "MmRegisterProtocolNotify: %s passed unmapped %p/%p",
		       mm_executing_name(m), (void *)Protocol, (void *)Registration);
		return EFI_INVALID_PARAMETER;
	}
	return mm_notify_register(m, &m->mmdb, Protocol, Function, Registration);
}
