/* SPDX-License-Identifier: MIT */
/*
 * The protocol database: handles, the protocol interfaces installed on them,
 * and the notifications registered for protocols (handle.c, locate.c,
 * notify.c). The machine has one for MM and, for traditional drivers during
 * initialization, one for the DXE world (issue 5): every function takes the
 * database it works on.
 *
 * EFI_HANDLE values given to drivers are pointers to host-side struct
 * mm_handle objects; every handle a driver passes in is looked up before use,
 * never dereferenced blindly.
 */
#ifndef CORE_HANDLE_H
#define CORE_HANDLE_H

#include <stdbool.h>
#include <stdint.h>

#include <pi/mm-system-table.h>

struct mm_machine;
struct mm_handle;
struct mm_protocol;
struct mm_notify;

struct mm_protocol_db {
	const char *name;              /* "mm" or "dxe", for messages */
	struct mm_handle *handles;     /* in creation order */
	struct mm_handle *retired;     /* handles whose last protocol went: kept, never
					* reused, so a stale EFI_HANDLE never validates */
	struct mm_protocol *protocols; /* one entry per protocol GUID ever seen */
	uint64_t install_count;        /* bumps on every install: dispatcher re-evaluates */
	uint64_t key;                  /* monotonically increasing key (handles, installs,
					* registrations) */
	unsigned notify_depth;         /* notification walks in progress (nesting) */
	bool notify_dead;              /* cancelled registrations wait for the walks to end */
};

/*
 * The records behind the database, shared by handle.c, locate.c and notify.c
 * only; everything else goes through the functions below.
 *
 *   db->handles ─► mm_handle ─► mm_handle ─► ...        (creation order)
 *                     └─ ifaces ─► mm_interface ─► ...   (one per protocol on it)
 *                                     └─ proto ─► mm_protocol (db->protocols)
 *                                                    └─ notifies ─► mm_notify ─► ...
 *
 * Every install or reinstall stamps its interface with a fresh key; a
 * registration remembers the key of the last interface LocateHandle
 * (ByRegisterNotify) or LocateProtocol returned to it, so "new since last
 * time" is "key greater than that".
 */
struct mm_protocol {
	EFI_GUID guid;
	unsigned count;             /* interfaces of this protocol installed now */
	struct mm_notify *notifies; /* registration order */
	struct mm_protocol *next;
};

struct mm_interface {
	struct mm_protocol *proto;
	void *iface;
	uint64_t key; /* of the install or reinstall that put iface here */
	struct mm_interface *next;
};

struct mm_handle {
	uint64_t key;                /* creation order */
	struct mm_interface *ifaces; /* installation order */
	struct mm_handle *next;
};

struct mm_notify {
	struct mm_protocol *proto;
	EFI_MM_NOTIFY_FN fn;
	uint64_t key;      /* registration order: a walk skips later registrations */
	uint64_t seen_key; /* interfaces with keys up to this were returned already */
	bool dead;         /* cancelled during a walk; freed when the walk ends */
	struct mm_notify *next;
};

/* Internal helpers shared by handle.c, locate.c and notify.c. */
/* The entry of guid, or NULL (create false) / a new entry (create true; NULL: no memory). */
struct mm_protocol *mm_protocol_entry(struct mm_protocol_db *db, const EFI_GUID *guid,
				      bool create);
/* The live registration reg of db, or NULL. */
struct mm_notify *mm_notify_lookup(const struct mm_protocol_db *db, const void *reg);
/* Cancels registration n (deferred while a notification walk runs). */
void mm_notify_cancel(struct mm_protocol_db *db, struct mm_notify *n);
/* Frees the registrations of proto (database teardown). */
void mm_notify_free_all(struct mm_protocol *proto);
/* The handle carrying the oldest interface of n's protocol newer than n->seen_key, or NULL. */
struct mm_interface *mm_notify_next_new(const struct mm_protocol_db *db, const struct mm_notify *n,
					struct mm_handle **handle);
/*
 * True when the driver calling an EFIAPI service may hand the Foundation
 * [p, p+len): always for native code (it shares our address space and
 * could crash us anyway), only mapped guest memory for emulated code.
 */
bool mm_caller_ptr_ok(struct mm_machine *m, const void *p, uint64_t len);
/* Text for guid in messages: its well-known name, else its registry format. */
const char *mm_protocol_guid_text(const EFI_GUID *guid, char buf[37]);

void mm_protocol_db_fini(struct mm_protocol_db *db);

/* handle.c */
/*
 * Installs iface for guid on *handle (a new handle when *handle is NULL), then
 * runs the notifications registered for guid.
 * Returns MM_OK, MM_ERR_INVALID (NULL guid/handle pointer, bad handle,
 * guid already on that handle), MM_ERR_NOMEM.
 */
enum mm_err mm_protocol_install(struct mm_machine *m, struct mm_protocol_db *db,
				EFI_HANDLE *handle, const EFI_GUID *guid, void *iface);
/* Removes guid/iface from handle (the handle goes with its last protocol).
 * MM_OK, MM_ERR_INVALID (bad handle), MM_ERR_NOT_FOUND (not installed). */
enum mm_err mm_protocol_uninstall(struct mm_machine *m, struct mm_protocol_db *db,
				  EFI_HANDLE handle, const EFI_GUID *guid, void *iface);
/* Replaces old_iface with new_iface for guid on handle; notifications run. */
enum mm_err mm_protocol_reinstall(struct mm_machine *m, struct mm_protocol_db *db,
				  EFI_HANDLE handle, const EFI_GUID *guid, void *old_iface,
				  void *new_iface);
/* Looks up guid on handle. MM_OK, MM_ERR_INVALID (bad handle), MM_ERR_NOT_FOUND. */
enum mm_err mm_protocol_get(struct mm_machine *m, struct mm_protocol_db *db, EFI_HANDLE handle,
			    const EFI_GUID *guid, void **iface);
/* True when handle is a live handle of db. */
bool mm_handle_valid(const struct mm_protocol_db *db, EFI_HANDLE handle);
/* True when any handle of db carries guid (for the DEPEX evaluator). */
bool mm_protocol_present(const struct mm_protocol_db *db, const EFI_GUID *guid);
/*
 * Removes every protocol interface and notification whose address lies in
 * [base, base+size): used when a driver image is unloaded. Returns the count.
 */
unsigned mm_protocol_purge_range(struct mm_machine *m, struct mm_protocol_db *db, uint64_t base,
				 uint64_t size);

/* locate.c: LocateHandle and LocateProtocol semantics of UEFI 2.10, 7.3. */
EFI_STATUS mm_locate_handle(struct mm_machine *m, struct mm_protocol_db *db,
			    EFI_LOCATE_SEARCH_TYPE type, const EFI_GUID *guid, void *key,
			    UINTN *size, EFI_HANDLE *buffer);
EFI_STATUS mm_locate_protocol(struct mm_machine *m, struct mm_protocol_db *db,
			      const EFI_GUID *guid, void *registration, void **iface);

/* notify.c */
/*
 * Registers fn for installs of guid and returns the registration key in *reg
 * (also usable with LocateHandle ByRegisterNotify and LocateProtocol). A NULL
 * fn with *reg set cancels that registration (PI 1.8 vol. 4,
 * MmRegisterProtocolNotify). Notifications run synchronously, in
 * registration order, after each install/reinstall of guid.
 */
EFI_STATUS mm_notify_register(struct mm_machine *m, struct mm_protocol_db *db,
			      const EFI_GUID *guid, EFI_MM_NOTIFY_FN fn, void **reg);
/* Called by handle.c after guid/iface was installed on handle. */
void mm_notify_fire(struct mm_machine *m, struct mm_protocol_db *db, const EFI_GUID *guid,
		    void *iface, EFI_HANDLE handle);

/* MM System Table services over the MM database (handle.c, locate.c, notify.c). */
EFI_STATUS EFIAPI MmInstallProtocolInterface(EFI_HANDLE *Handle, EFI_GUID *Protocol,
					     EFI_INTERFACE_TYPE InterfaceType, VOID *Interface);
EFI_STATUS EFIAPI MmUninstallProtocolInterface(EFI_HANDLE Handle, EFI_GUID *Protocol,
					       VOID *Interface);
EFI_STATUS EFIAPI MmHandleProtocol(EFI_HANDLE Handle, EFI_GUID *Protocol, VOID **Interface);
EFI_STATUS EFIAPI MmLocateHandle(EFI_LOCATE_SEARCH_TYPE SearchType, EFI_GUID *Protocol,
				 VOID *SearchKey, UINTN *BufferSize, EFI_HANDLE *Buffer);
EFI_STATUS EFIAPI MmLocateProtocol(EFI_GUID *Protocol, VOID *Registration, VOID **Interface);
EFI_STATUS EFIAPI MmRegisterProtocolNotify(CONST EFI_GUID *Protocol, EFI_MM_NOTIFY_FN Function,
					   VOID **Registration);

#endif /* CORE_HANDLE_H */
