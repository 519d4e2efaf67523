/* SPDX-License-Identifier: MIT */
/*
 * Handles and the protocol interfaces installed on them (UEFI 2.10, 7.3;
 * PI 1.8 vol. 4, MmInstallProtocolInterface and friends). All records are
 * host-side; the EFI_HANDLE a driver sees is the address of a struct
 * mm_handle and is looked up in the handle list before every use.
 */
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "guid-names.h"
#include "handle.h"
#include "machine.h"

const char *mm_protocol_guid_text(const EFI_GUID *guid, char buf[37])
{
	const char *name = mm_guid_name(guid);

	if (name)
		return name;
	mm_guid_format(guid, buf);
	return buf;
}

bool mm_caller_ptr_ok(struct mm_machine *m, const void *p, uint64_t len)
{
	struct mm_image *img = mm_executing_image(m);

	if (!img || img->engine != MM_ENGINE_EMULATED)
		return true;
	return mm_mem_ptr(m, (uint64_t)(uintptr_t)p, len) != NULL;
}

struct mm_protocol *mm_protocol_entry(struct mm_protocol_db *db, const EFI_GUID *guid,
				      bool create)
{
	struct mm_protocol **pp = &db->protocols;

	for (; *pp; pp = &(*pp)->next)
		if (mm_guid_eq(&(*pp)->guid, guid))
			return *pp;
	if (!create)
		return NULL;
	*pp = calloc(1, sizeof(**pp));
	if (*pp)
		(*pp)->guid = *guid;
	return *pp;
}

bool mm_handle_valid(const struct mm_protocol_db *db, EFI_HANDLE handle)
{
	if (!handle)
		return false;
	for (const struct mm_handle *h = db->handles; h; h = h->next)
		if (h == handle)
			return true;
	return false;
}

bool mm_protocol_present(const struct mm_protocol_db *db, const EFI_GUID *guid)
{
	for (const struct mm_protocol *p = db->protocols; p; p = p->next)
		if (mm_guid_eq(&p->guid, guid))
			return p->count > 0;
	return false;
}

/* The interface of guid on h (and the link pointing to it, for removal), or NULL. */
static struct mm_interface **find_iface(struct mm_handle *h, const EFI_GUID *guid)
{
	for (struct mm_interface **pp = &h->ifaces; *pp; pp = &(*pp)->next)
		if (mm_guid_eq(&(*pp)->proto->guid, guid))
			return pp;
	return NULL;
}

/* Appends a new, empty handle to db (creation order). NULL when out of memory. */
static struct mm_handle *handle_new(struct mm_protocol_db *db)
{
	struct mm_handle *h = calloc(1, sizeof(*h));
	struct mm_handle **pp = &db->handles;

	if (!h)
		return NULL;
	h->key = ++db->key;
	while (*pp)
		pp = &(*pp)->next;
	*pp = h;
	return h;
}

/* Unlinks h, which carries no interface any more, and retires it (see retired). */
static void handle_free(struct mm_protocol_db *db, struct mm_handle *h)
{
	for (struct mm_handle **pp = &db->handles; *pp; pp = &(*pp)->next) {
		if (*pp == h) {
			*pp = h->next;
			h->next = db->retired;
			db->retired = h;
			return;
		}
	}
}

/* Removes the interface *link points to from h, and h when it was the last. */
static void iface_remove(struct mm_protocol_db *db, struct mm_handle *h,
			 struct mm_interface **link)
{
	struct mm_interface *i = *link;

	*link = i->next;
	i->proto->count--;
	free(i);
	if (!h->ifaces)
		handle_free(db, h);
}

/* Logs the misuse of a handle that is not one of db's. */
static enum mm_err bad_handle(struct mm_machine *m, struct mm_protocol_db *db, const char *what,
			      EFI_HANDLE handle)
{
	mm_log(m, MM_LOG_WARN, "%s: %s passed unknown handle %p to %s", db->name,
	       mm_executing_name(m), handle, what);
	return mm_fail(m, MM_ERR_INVALID, "%s: unknown handle %p", what, handle);
}

/* Checks the handle an install targets: NULL (new) or a live handle. */
static enum mm_err install_check(struct mm_machine *m, struct mm_protocol_db *db,
				 EFI_HANDLE *handle, const EFI_GUID *guid)
{
	char buf[37];

	if (!handle || !guid)
		return mm_fail(m, MM_ERR_INVALID, "protocol install: NULL %s",
			       handle ? "protocol" : "handle pointer");
	if (!*handle)
		return MM_OK;
	if (!mm_handle_valid(db, *handle))
		return bad_handle(m, db, "InstallProtocolInterface", *handle);
	if (find_iface(*handle, guid))
		return mm_fail(m, MM_ERR_INVALID, "protocol %s already on handle %p",
			       mm_protocol_guid_text(guid, buf), *handle);
	return MM_OK;
}

enum mm_err mm_protocol_install(struct mm_machine *m, struct mm_protocol_db *db,
				EFI_HANDLE *handle, const EFI_GUID *guid, void *iface)
{
	struct mm_protocol *proto;
	struct mm_interface *i;
	struct mm_handle *h;
	enum mm_err err = install_check(m, db, handle, guid);
	char buf[37];

	if (err)
		return err;
	proto = mm_protocol_entry(db, guid, true);
	i = calloc(1, sizeof(*i));
	h = *handle ? (struct mm_handle *)*handle : handle_new(db);
	if (!proto || !i || !h) {
		free(i);
		if (h && !h->ifaces)
			handle_free(db, h);
		return mm_fail(m, MM_ERR_NOMEM, "protocol install: out of host memory");
	}
	i->proto = proto;
	i->iface = iface;
	i->key = ++db->key;
	i->next = h->ifaces;
	h->ifaces = i;
	proto->count++;
	db->install_count++;
	*handle = h;
	mm_log(m, MM_LOG_PROTOCOL, "%s: install %s interface %s on handle #%llu by %s",
	       db->name, mm_protocol_guid_text(guid, buf), MM_ADDR(m, iface),
	       (unsigned long long)h->key, mm_executing_name(m));
	mm_notify_fire(m, db, guid, iface, h);
	return MM_OK;
}

enum mm_err mm_protocol_uninstall(struct mm_machine *m, struct mm_protocol_db *db,
				  EFI_HANDLE handle, const EFI_GUID *guid, void *iface)
{
	struct mm_interface **link;
	char buf[37];

	if (!guid)
		return mm_fail(m, MM_ERR_INVALID, "protocol uninstall: NULL protocol");
	if (!mm_handle_valid(db, handle))
		return bad_handle(m, db, "UninstallProtocolInterface", handle);
	link = find_iface(handle, guid);
	if (!link || (*link)->iface != iface)
		return mm_fail(m, MM_ERR_NOT_FOUND, "protocol %s interface %p not on handle %p",
			       mm_protocol_guid_text(guid, buf), iface, handle);
	mm_log(m, MM_LOG_PROTOCOL, "%s: uninstall %s interface %s from handle #%llu by %s",
	       db->name, mm_protocol_guid_text(guid, buf), MM_ADDR(m, iface),
	       (unsigned long long)((struct mm_handle *)handle)->key, mm_executing_name(m));
	iface_remove(db, handle, link);
	return MM_OK;
}

enum mm_err mm_protocol_reinstall(struct mm_machine *m, struct mm_protocol_db *db,
				  EFI_HANDLE handle, const EFI_GUID *guid, void *old_iface,
				  void *new_iface)
{
	struct mm_interface **link;
	char buf[37];

	if (!guid)
		return mm_fail(m, MM_ERR_INVALID, "protocol reinstall: NULL protocol");
	if (!mm_handle_valid(db, handle))
		return bad_handle(m, db, "ReinstallProtocolInterface", handle);
	link = find_iface(handle, guid);
	if (!link || (*link)->iface != old_iface)
		return mm_fail(m, MM_ERR_NOT_FOUND, "protocol %s interface %p not on handle %p",
			       mm_protocol_guid_text(guid, buf), old_iface, handle);
	(*link)->iface = new_iface;
	(*link)->key = ++db->key;
	db->install_count++;
	mm_log(m, MM_LOG_PROTOCOL, "%s: reinstall %s interface %s -> %s on handle #%llu by %s",
	       db->name, mm_protocol_guid_text(guid, buf), MM_ADDR(m, old_iface),
	       MM_ADDR(m, new_iface), (unsigned long long)((struct mm_handle *)handle)->key,
	       mm_executing_name(m));
	mm_notify_fire(m, db, guid, new_iface, handle);
	return MM_OK;
}

enum mm_err mm_protocol_get(struct mm_machine *m, struct mm_protocol_db *db, EFI_HANDLE handle,
			    const EFI_GUID *guid, void **iface)
{
	struct mm_interface **link;

	if (!guid || !iface)
		return mm_fail(m, MM_ERR_INVALID, "HandleProtocol: NULL %s",
			       guid ? "interface pointer" : "protocol");
	*iface = NULL;
	if (!mm_handle_valid(db, handle))
		return bad_handle(m, db, "HandleProtocol", handle);
	link = find_iface(handle, guid);
	if (!link)
		return MM_ERR_NOT_FOUND;
	*iface = (*link)->iface;
	return MM_OK;
}

/* Removes the interfaces of h lying in [base, base+size); returns how many. */
static unsigned purge_handle(struct mm_machine *m, struct mm_protocol_db *db,
			     struct mm_handle *h, uint64_t base, uint64_t size)
{
	struct mm_interface **pp = &h->ifaces;
	unsigned n = 0;
	char buf[37];

	while (*pp) {
		uint64_t a = (uint64_t)(uintptr_t)(*pp)->iface;

		if (a < base || a - base >= size) {
			pp = &(*pp)->next;
			continue;
		}
		mm_log(m, MM_LOG_PROTOCOL, "%s: purge %s interface %s from handle #%llu", db->name,
		       mm_protocol_guid_text(&(*pp)->proto->guid, buf), MM_ADDR(m, (*pp)->iface),
		       (unsigned long long)h->key);
		if (!(*pp)->next && pp == &h->ifaces) {
			iface_remove(db, h, pp); /* frees h */
			return n + 1;
		}
		iface_remove(db, h, pp);
		n++;
	}
	return n;
}

/* Cancels the registrations of proto whose function lies in [base, base+size). */
static unsigned purge_notifies(struct mm_machine *m, struct mm_protocol_db *db,
			       struct mm_protocol *proto, uint64_t base, uint64_t size)
{
	unsigned n = 0;
	char buf[37];

	for (struct mm_notify *r = proto->notifies, *next; r; r = next) {
		uint64_t a = (uint64_t)(uintptr_t)r->fn;

		next = r->next;
		if (r->dead || a < base || a - base >= size)
			continue;
		mm_log(m, MM_LOG_PROTOCOL, "%s: purge %s notification %p", db->name,
		       mm_protocol_guid_text(&proto->guid, buf), (void *)r);
		mm_notify_cancel(db, r);
		n++;
	}
	return n;
}

unsigned mm_protocol_purge_range(struct mm_machine *m, struct mm_protocol_db *db, uint64_t base,
				 uint64_t size)
{
	unsigned n = 0;

	for (struct mm_handle *h = db->handles, *next; h; h = next) {
		next = h->next;
		n += purge_handle(m, db, h, base, size);
	}
	for (struct mm_protocol *p = db->protocols; p; p = p->next)
		n += purge_notifies(m, db, p, base, size);
	return n;
}

void mm_protocol_db_fini(struct mm_protocol_db *db)
{
	while (db->retired) {
		struct mm_handle *h = db->retired;

		db->retired = h->next;
		free(h);
	}
	while (db->handles) {
		struct mm_handle *h = db->handles;

		db->handles = h->next;
		while (h->ifaces) {
			struct mm_interface *i = h->ifaces;

			h->ifaces = i->next;
			free(i);
		}
		free(h);
	}
	while (db->protocols) {
		struct mm_protocol *p = db->protocols;

		db->protocols = p->next;
		mm_notify_free_all(p);
		free(p);
	}
	db->install_count = 0;
	db->key = 0;
	db->notify_depth = 0;
	db->notify_dead = false;
}

EFI_STATUS EFIAPI MmInstallProtocolInterface(EFI_HANDLE *Handle, EFI_GUID *Protocol,
					     EFI_INTERFACE_TYPE InterfaceType, VOID *Interface)
{
	struct mm_machine *m = mm_current();

	if (!m)
		return EFI_UNSUPPORTED;
	if (!Handle || !Protocol || InterfaceType != EFI_NATIVE_INTERFACE)
		return EFI_INVALID_PARAMETER;
	if (!mm_caller_ptr_ok(m, Handle, sizeof(*Handle)) ||
	    !mm_caller_ptr_ok(m, Protocol, sizeof(*Protocol))) {
		mm_log(m, MM_LOG_WARN, "MmInstallProtocolInterface: %s passed unmapped %p/%p",
		       mm_executing_name(m), (void *)Handle, (void *)Protocol);
		return EFI_INVALID_PARAMETER;
	}
	return mm_err_to_efi(mm_protocol_install(m, &m->mmdb, Handle, Protocol, Interface));
}

EFI_STATUS EFIAPI MmUninstallProtocolInterface(EFI_HANDLE Handle, EFI_GUID *Protocol,
					       VOID *Interface)
{
	struct mm_machine *m = mm_current();

	if (!m)
		return EFI_UNSUPPORTED;
	if (!Handle || !Protocol)
		return EFI_INVALID_PARAMETER;
	if (!mm_caller_ptr_ok(m, Protocol, sizeof(*Protocol))) {
		mm_log(m, MM_LOG_WARN, "MmUninstallProtocolInterface: %s passed unmapped GUID %p",
		       mm_executing_name(m), (void *)Protocol);
		return EFI_INVALID_PARAMETER;
	}
	return mm_err_to_efi(mm_protocol_uninstall(m, &m->mmdb, Handle, Protocol, Interface));
}

EFI_STATUS EFIAPI MmHandleProtocol(EFI_HANDLE Handle, EFI_GUID *Protocol, VOID **Interface)
{
	struct mm_machine *m = mm_current();
	enum mm_err err;

	if (!m)
		return EFI_UNSUPPORTED;
	if (!Protocol || !Interface)
		return EFI_INVALID_PARAMETER;
	if (!mm_caller_ptr_ok(m, Protocol, sizeof(*Protocol)) ||
	    !mm_caller_ptr_ok(m, Interface, sizeof(*Interface))) {
		mm_log(m, MM_LOG_WARN, "MmHandleProtocol: %s passed unmapped %p/%p",
		       mm_executing_name(m), (void *)Protocol, (void *)Interface);
		return EFI_INVALID_PARAMETER;
	}
	err = mm_protocol_get(m, &m->mmdb, Handle, Protocol, Interface);
	/* UEFI 2.10, 7.3 HandleProtocol: a handle without the protocol is "unsupported". */
	return err == MM_ERR_NOT_FOUND ? EFI_UNSUPPORTED : mm_err_to_efi(err);
}
