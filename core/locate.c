/* SPDX-License-Identifier: MIT */
/*
 * LocateHandle and LocateProtocol with the semantics of UEFI 2.10, 7.3 over
 * one protocol database. Handles come back in creation order, so the same
 * run always sees the same answers.
 *
 * ByRegisterNotify and LocateProtocol with a Registration share one cursor
 * per registration (see struct mm_notify in handle.h): each call returns the
 * oldest install that registration has not been given yet, one at a time.
 */
#include "call.h"
#include "guid-names.h"
#include "handle.h"
#include "machine.h"

/* True when h carries guid. */
static bool handle_has(const struct mm_handle *h, const EFI_GUID *guid)
{
	for (const struct mm_interface *i = h->ifaces; i; i = i->next)
		if (mm_guid_eq(&i->proto->guid, guid))
			return true;
	return false;
}

/*
 * Counts the handles matching guid (every handle when guid is NULL) and
 * copies the first cap of them into buffer.
 */
static UINTN collect(const struct mm_protocol_db *db, const EFI_GUID *guid, EFI_HANDLE *buffer,
		     UINTN cap)
{
	UINTN n = 0;

	for (const struct mm_handle *h = db->handles; h; h = h->next) {
		if (guid && !handle_has(h, guid))
			continue;
		if (n < cap)
			buffer[n] = (EFI_HANDLE)h;
		n++;
	}
	return n;
}

/* Looks up a registration a driver passed, logging a bad one. */
static struct mm_notify *registration(struct mm_machine *m, struct mm_protocol_db *db,
				      const char *what, void *key)
{
	struct mm_notify *n = mm_notify_lookup(db, key);

	if (!n)
		mm_log(m, MM_LOG_WARN, "%s: %s passed unknown registration %p to %s", db->name,
		       mm_executing_name(m), key, what);
	return n;
}

/* ByRegisterNotify: the next handle new to registration key, one per call. */
static EFI_STATUS locate_by_notify(struct mm_machine *m, struct mm_protocol_db *db, void *key,
				   UINTN *size, EFI_HANDLE *buffer)
{
	struct mm_notify *n = registration(m, db, "LocateHandle", key);
	struct mm_handle *h = NULL;
	struct mm_interface *i;

	if (!n)
		return EFI_INVALID_PARAMETER;
	i = mm_notify_next_new(db, n, &h);
	if (!i) {
		*size = 0;
		return EFI_NOT_FOUND;
	}
	if (*size < sizeof(EFI_HANDLE)) {
		*size = sizeof(EFI_HANDLE);
		return EFI_BUFFER_TOO_SMALL;
	}
	*size = sizeof(EFI_HANDLE);
	buffer[0] = (EFI_HANDLE)h;
	n->seen_key = i->key;
	return EFI_SUCCESS;
}

EFI_STATUS mm_locate_handle(struct mm_machine *m, struct mm_protocol_db *db,
			    EFI_LOCATE_SEARCH_TYPE type, const EFI_GUID *guid, void *key,
			    UINTN *size, EFI_HANDLE *buffer)
{
	UINTN count;

	if (!size || (*size && !buffer))
		return EFI_INVALID_PARAMETER;
	switch (type) {
	case AllHandles:
		guid = NULL;
		break;
	case ByProtocol:
		if (!guid)
			return EFI_INVALID_PARAMETER;
		break;
	case ByRegisterNotify:
		return locate_by_notify(m, db, key, size, buffer);
	default:
		mm_log(m, MM_LOG_WARN, "%s: %s passed LocateHandle search type %d", db->name,
		       mm_executing_name(m), (int)type);
		return EFI_INVALID_PARAMETER;
	}
	count = collect(db, guid, NULL, 0);
	if (!count) {
		*size = 0;
		return EFI_NOT_FOUND;
	}
	if (*size < count * sizeof(EFI_HANDLE)) {
		*size = count * sizeof(EFI_HANDLE);
		return EFI_BUFFER_TOO_SMALL;
	}
	*size = collect(db, guid, buffer, count) * sizeof(EFI_HANDLE);
	return EFI_SUCCESS;
}

/* The first interface of guid in handle creation order, or NULL. */
static void *first_iface(const struct mm_protocol_db *db, const EFI_GUID *guid)
{
	for (const struct mm_handle *h = db->handles; h; h = h->next)
		for (const struct mm_interface *i = h->ifaces; i; i = i->next)
			if (mm_guid_eq(&i->proto->guid, guid))
				return i->iface;
	return NULL;
}

EFI_STATUS mm_locate_protocol(struct mm_machine *m, struct mm_protocol_db *db,
			      const EFI_GUID *guid, void *reg, void **iface)
{
	struct mm_handle *h = NULL;
	struct mm_interface *i;
	struct mm_notify *n;

	if (!guid || !iface)
		return EFI_INVALID_PARAMETER;
	*iface = NULL;
	if (!reg) {
		if (!mm_protocol_present(db, guid))
			return EFI_NOT_FOUND;
		*iface = first_iface(db, guid);
		return EFI_SUCCESS;
	}
	n = registration(m, db, "LocateProtocol", reg);
	if (!n)
		return EFI_INVALID_PARAMETER;
	if (!mm_guid_eq(&n->proto->guid, guid))
		mm_log(m, MM_LOG_WARN, "%s: %s passed LocateProtocol a registration of another"
		       " protocol", db->name, mm_executing_name(m));
	i = mm_notify_next_new(db, n, &h);
	if (!i)
		return EFI_NOT_FOUND;
	n->seen_key = i->key;
	*iface = i->iface;
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI MmLocateHandle(EFI_LOCATE_SEARCH_TYPE SearchType, EFI_GUID *Protocol,
				 VOID *SearchKey, UINTN *BufferSize, EFI_HANDLE *Buffer)
{
	struct mm_machine *m = mm_current();

	if (!m)
		return EFI_UNSUPPORTED;
	if (!BufferSize)
		return EFI_INVALID_PARAMETER;
	if (!mm_caller_ptr_ok(m, BufferSize, sizeof(*BufferSize)) ||
	    (Protocol && !mm_caller_ptr_ok(m, Protocol, sizeof(*Protocol))) ||
	    (*BufferSize && !mm_caller_ptr_ok(m, Buffer, *BufferSize))) {
		mm_log(m, MM_LOG_WARN, "MmLocateHandle: %s passed unmapped %p/%p/%p",
		       mm_executing_name(m), (void *)Protocol, (void *)BufferSize, (void *)Buffer);
		return EFI_INVALID_PARAMETER;
	}
	return mm_locate_handle(m, &m->mmdb, SearchType, Protocol, SearchKey, BufferSize, Buffer);
}

EFI_STATUS EFIAPI MmLocateProtocol(EFI_GUID *Protocol, VOID *Registration, VOID **Interface)
{
	struct mm_machine *m = mm_current();

	if (!m)
		return EFI_UNSUPPORTED;
	if (!Protocol || !Interface)
		return EFI_INVALID_PARAMETER;
	if (!mm_caller_ptr_ok(m, Protocol, sizeof(*Protocol)) ||
	    !mm_caller_ptr_ok(m, Interface, sizeof(*Interface))) {
		mm_log(m, MM_LOG_WARN, "MmLocateProtocol: %s passed unmapped %p/%p",
		       mm_executing_name(m), (void *)Protocol, (void *)Interface);
		return EFI_INVALID_PARAMETER;
	}
	return mm_locate_protocol(m, &m->mmdb, Protocol, Registration, Interface);
}
