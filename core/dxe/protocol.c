/* SPDX-License-Identifier: MIT */
/*
 * The protocol services of the boot services table (UEFI 2.10, 7.3) over the
 * DXE protocol database, a second struct mm_protocol_db served by the same
 * code as the MM one (core/handle.c, locate.c, notify.c).
 *
 * RegisterProtocolNotify takes an event rather than a function: each
 * registration is an MM-style registration in the DXE database whose
 * notification function is on_install below, plus a record tying it to the
 * event. The database calls the registrations of a GUID in registration
 * order after each install; install_round tells on_install which record's
 * turn it is (the first one of that GUID not yet told of this install).
 */
#include <stdlib.h>
#include <string.h>

#include "core/call.h"
#include "core/machine.h"

struct mm_dxe_notify {
	EFI_GUID guid;
	EFI_EVENT event;
	void *reg;            /* registration in the DXE database */
	uint64_t fired_round; /* install round that last signalled it */
	struct mm_dxe_notify *next;
};

struct mm_dxe_open {
	EFI_HANDLE handle;
	EFI_GUID guid;
	EFI_HANDLE agent;
	EFI_HANDLE controller;
	UINT32 attributes;
	struct mm_dxe_open *next;
};

struct mm_dxe_install {
	EFI_GUID guid;
	void *iface;
	const char *owner;
	struct mm_dxe_install *next;
};

/* Remembers who installed iface (for the SMRAM-interface warning). */
static void note_installer(struct mm_machine *m, const EFI_GUID *guid, void *iface)
{
	struct mm_dxe_install *r = calloc(1, sizeof(*r));

	if (!r)
		return;
	r->guid = *guid;
	r->iface = iface;
	r->owner = mm_alloc_owner(m);
	r->next = m->dxe.installs;
	m->dxe.installs = r;
}

enum mm_err mm_dxe_install(struct mm_machine *m, EFI_HANDLE *handle, const EFI_GUID *guid,
			   void *iface)
{
	uint64_t outer = m->dxe.install_round;
	enum mm_err err;

	m->dxe.install_round = ++m->dxe.install_rounds;
	err = mm_protocol_install(m, &m->dxedb, handle, guid, iface);
	m->dxe.install_round = outer;
	if (!err)
		note_installer(m, guid, iface);
	return err;
}

/* DXE database notification: signals the event whose turn it is. */
static EFI_STATUS EFIAPI on_install(CONST EFI_GUID *Protocol, VOID *Interface, EFI_HANDLE Handle)
{
	struct mm_machine *m = mm_current();

	(void)Interface, (void)Handle;
	if (!m || !Protocol)
		return EFI_UNSUPPORTED;
	for (struct mm_dxe_notify *n = m->dxe.notifies; n; n = n->next) {
		if (memcmp(&n->guid, Protocol, sizeof(EFI_GUID)) ||
		    n->fired_round == m->dxe.install_round)
			continue;
		n->fired_round = m->dxe.install_round;
		if (mm_dxe_event_valid(m, n->event))
			mm_dxe_event_signal(m, n->event);
		return EFI_SUCCESS;
	}
	return EFI_SUCCESS;
}

/* True when the caller may hand us [p, p+len); logs the refusal. */
static bool ptr_ok(struct mm_machine *m, const char *service, const void *p, uint64_t len)
{
	if (p && mm_caller_ptr_ok(m, p, len))
		return true;
	mm_log(m, MM_LOG_WARN, "gBS->%s: %s passed a bad pointer %p", service,
	       mm_executing_name(m), p);
	return false;
}

static EFI_STATUS EFIAPI DxeInstallProtocolInterface(EFI_HANDLE *Handle, EFI_GUID *Protocol,
						     EFI_INTERFACE_TYPE InterfaceType,
						     VOID *Interface)
{
	DXE_ENTER(m, "gBS->InstallProtocolInterface", DxeInstallProtocolInterface);
	if (InterfaceType != EFI_NATIVE_INTERFACE ||
	    !ptr_ok(m, "InstallProtocolInterface", Handle, sizeof(*Handle)) ||
	    !ptr_ok(m, "InstallProtocolInterface", Protocol, sizeof(*Protocol)))
		return EFI_INVALID_PARAMETER;
	return mm_err_to_efi(mm_dxe_install(m, Handle, Protocol, Interface));
}

static EFI_STATUS EFIAPI DxeUninstallProtocolInterface(EFI_HANDLE Handle, EFI_GUID *Protocol,
						       VOID *Interface)
{
	DXE_ENTER(m, "gBS->UninstallProtocolInterface", DxeUninstallProtocolInterface);
	if (!ptr_ok(m, "UninstallProtocolInterface", Protocol, sizeof(*Protocol)))
		return EFI_INVALID_PARAMETER;
	return mm_err_to_efi(mm_protocol_uninstall(m, &m->dxedb, Handle, Protocol, Interface));
}

static EFI_STATUS EFIAPI DxeReinstallProtocolInterface(EFI_HANDLE Handle, EFI_GUID *Protocol,
						       VOID *OldInterface, VOID *NewInterface)
{
	uint64_t outer;
	enum mm_err err;

	DXE_ENTER(m, "gBS->ReinstallProtocolInterface", DxeReinstallProtocolInterface);
	if (!ptr_ok(m, "ReinstallProtocolInterface", Protocol, sizeof(*Protocol)))
		return EFI_INVALID_PARAMETER;
	outer = m->dxe.install_round;
	m->dxe.install_round = ++m->dxe.install_rounds;
	err = mm_protocol_reinstall(m, &m->dxedb, Handle, Protocol, OldInterface, NewInterface);
	m->dxe.install_round = outer;
	if (!err)
		note_installer(m, Protocol, NewInterface);
	return mm_err_to_efi(err);
}

static EFI_STATUS EFIAPI DxeHandleProtocol(EFI_HANDLE Handle, EFI_GUID *Protocol,
					   VOID **Interface)
{
	enum mm_err err;

	DXE_ENTER(m, "gBS->HandleProtocol", DxeHandleProtocol);
	if (!ptr_ok(m, "HandleProtocol", Protocol, sizeof(*Protocol)) ||
	    !ptr_ok(m, "HandleProtocol", Interface, sizeof(*Interface)))
		return EFI_INVALID_PARAMETER;
	*Interface = NULL;
	err = mm_protocol_get(m, &m->dxedb, Handle, Protocol, Interface);
	return err == MM_ERR_NOT_FOUND ? EFI_UNSUPPORTED : mm_err_to_efi(err);
}

static EFI_STATUS EFIAPI DxeRegisterProtocolNotify(EFI_GUID *Protocol, EFI_EVENT Event,
						   VOID **Registration)
{
	struct mm_dxe_notify *n;
	EFI_STATUS s;

	DXE_ENTER(m, "gBS->RegisterProtocolNotify", DxeRegisterProtocolNotify);
	if (!ptr_ok(m, "RegisterProtocolNotify", Protocol, sizeof(*Protocol)) ||
	    !ptr_ok(m, "RegisterProtocolNotify", Registration, sizeof(*Registration)) ||
	    !mm_dxe_event_valid(m, Event))
		return EFI_INVALID_PARAMETER;
	n = calloc(1, sizeof(*n));
	if (!n)
		return EFI_OUT_OF_RESOURCES;
	s = mm_notify_register(m, &m->dxedb, Protocol, on_install, &n->reg);
	if (EFI_ERROR(s)) {
		free(n);
		return s;
	}
	n->guid = *Protocol;
	n->event = Event;
	n->next = NULL;
	/* Registration order, as the database calls them. */
	struct mm_dxe_notify **tail = &m->dxe.notifies;

	while (*tail)
		tail = &(*tail)->next;
	*tail = n;
	*Registration = n->reg;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI DxeLocateHandle(EFI_LOCATE_SEARCH_TYPE SearchType, EFI_GUID *Protocol,
					 VOID *SearchKey, UINTN *BufferSize, EFI_HANDLE *Buffer)
{
	DXE_ENTER(m, "gBS->LocateHandle", DxeLocateHandle);
	return mm_locate_handle(m, &m->dxedb, SearchType, Protocol, SearchKey, BufferSize, Buffer);
}

static EFI_STATUS EFIAPI DxeLocateProtocol(EFI_GUID *Protocol, VOID *Registration,
					   VOID **Interface)
{
	DXE_ENTER(m, "gBS->LocateProtocol", DxeLocateProtocol);
	return mm_locate_protocol(m, &m->dxedb, Protocol, Registration, Interface);
}

static EFI_STATUS EFIAPI DxeLocateHandleBuffer(EFI_LOCATE_SEARCH_TYPE SearchType,
					       EFI_GUID *Protocol, VOID *SearchKey,
					       UINTN *NoHandles, EFI_HANDLE **Buffer)
{
	UINTN size = 0;
	EFI_STATUS s;

	DXE_ENTER(m, "gBS->LocateHandleBuffer", DxeLocateHandleBuffer);
	if (!ptr_ok(m, "LocateHandleBuffer", NoHandles, sizeof(*NoHandles)) ||
	    !ptr_ok(m, "LocateHandleBuffer", Buffer, sizeof(*Buffer)))
		return EFI_INVALID_PARAMETER;
	*NoHandles = 0;
	*Buffer = NULL;
	s = mm_locate_handle(m, &m->dxedb, SearchType, Protocol, SearchKey, &size, NULL);
	if (s != EFI_BUFFER_TOO_SMALL)
		return s == EFI_SUCCESS ? EFI_NOT_FOUND : s;
	*Buffer = mm_dxe_pool_alloc(m, EfiBootServicesData, size);
	if (!*Buffer)
		return EFI_OUT_OF_RESOURCES;
	s = mm_locate_handle(m, &m->dxedb, SearchType, Protocol, SearchKey, &size, *Buffer);
	*NoHandles = size / sizeof(EFI_HANDLE);
	return s;
}

static EFI_STATUS EFIAPI DxeProtocolsPerHandle(EFI_HANDLE Handle, EFI_GUID ***ProtocolBuffer,
					       UINTN *ProtocolBufferCount)
{
	struct mm_handle *h = Handle;
	EFI_GUID **list;
	UINTN n = 0;

	DXE_ENTER(m, "gBS->ProtocolsPerHandle", DxeProtocolsPerHandle);
	if (!mm_handle_valid(&m->dxedb, Handle) ||
	    !ptr_ok(m, "ProtocolsPerHandle", ProtocolBuffer, sizeof(*ProtocolBuffer)) ||
	    !ptr_ok(m, "ProtocolsPerHandle", ProtocolBufferCount, sizeof(*ProtocolBufferCount)))
		return EFI_INVALID_PARAMETER;
	for (struct mm_interface *i = h->ifaces; i; i = i->next)
		n++;
	/* The GUIDs the buffer points to are copied beside it, in normal RAM. */
	list = mm_dxe_pool_alloc(m, EfiBootServicesData, n * (sizeof(EFI_GUID *) + sizeof(EFI_GUID)) + 1);
	if (!list)
		return EFI_OUT_OF_RESOURCES;
	EFI_GUID *copies = (EFI_GUID *)(list + n);
	UINTN k = 0;

	for (struct mm_interface *i = h->ifaces; i; i = i->next, k++) {
		copies[k] = i->proto->guid;
		list[k] = &copies[k];
	}
	*ProtocolBuffer = list;
	*ProtocolBufferCount = n;
	return EFI_SUCCESS;
}

/* The BY_DRIVER/EXCLUSIVE open of guid on handle, or NULL. */
static struct mm_dxe_open *find_open(struct mm_machine *m, EFI_HANDLE handle, const EFI_GUID *guid)
{
	for (struct mm_dxe_open *o = m->dxe.opens; o; o = o->next)
		if (o->handle == handle && !memcmp(&o->guid, guid, sizeof(*guid)))
			return o;
	return NULL;
}

/* Records a BY_DRIVER / EXCLUSIVE open; refuses a second driver. */
static EFI_STATUS open_exclusive(struct mm_machine *m, EFI_HANDLE handle, const EFI_GUID *guid,
				 EFI_HANDLE agent, EFI_HANDLE controller, UINT32 attributes)
{
	struct mm_dxe_open *o = find_open(m, handle, guid);

	if (o)
		return o->agent == agent ? EFI_ALREADY_STARTED : EFI_ACCESS_DENIED;
	o = calloc(1, sizeof(*o));
	if (!o)
		return EFI_OUT_OF_RESOURCES;
	*o = (struct mm_dxe_open){ handle, *guid, agent, controller, attributes, m->dxe.opens };
	m->dxe.opens = o;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI DxeOpenProtocol(EFI_HANDLE Handle, EFI_GUID *Protocol, VOID **Interface,
					 EFI_HANDLE AgentHandle, EFI_HANDLE ControllerHandle,
					 UINT32 Attributes)
{
	void *iface = NULL;
	enum mm_err err;
	EFI_STATUS s = EFI_SUCCESS;

	DXE_ENTER(m, "gBS->OpenProtocol", DxeOpenProtocol);
	if (!ptr_ok(m, "OpenProtocol", Protocol, sizeof(*Protocol)))
		return EFI_INVALID_PARAMETER;
	if (Attributes != EFI_OPEN_PROTOCOL_TEST_PROTOCOL &&
	    !ptr_ok(m, "OpenProtocol", Interface, sizeof(*Interface)))
		return EFI_INVALID_PARAMETER;
	if (!mm_handle_valid(&m->dxedb, Handle))
		return EFI_INVALID_PARAMETER;
	err = mm_protocol_get(m, &m->dxedb, Handle, Protocol, &iface);
	if (err)
		return err == MM_ERR_NOT_FOUND ? EFI_UNSUPPORTED : mm_err_to_efi(err);
	switch (Attributes) {
	case EFI_OPEN_PROTOCOL_BY_HANDLE_PROTOCOL:
	case EFI_OPEN_PROTOCOL_GET_PROTOCOL:
		break;
	case EFI_OPEN_PROTOCOL_TEST_PROTOCOL:
		return EFI_SUCCESS;
	case EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER:
	case EFI_OPEN_PROTOCOL_BY_DRIVER:
	case EFI_OPEN_PROTOCOL_EXCLUSIVE:
	case EFI_OPEN_PROTOCOL_BY_DRIVER | EFI_OPEN_PROTOCOL_EXCLUSIVE:
		if (!mm_handle_valid(&m->dxedb, AgentHandle) &&
		    !mm_handle_valid(&m->mmdb, AgentHandle))
			return EFI_INVALID_PARAMETER;
		if (Attributes != EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER)
			s = open_exclusive(m, Handle, Protocol, AgentHandle, ControllerHandle,
					   Attributes);
		break;
	default:
		return EFI_INVALID_PARAMETER;
	}
	if (s == EFI_SUCCESS || s == EFI_ALREADY_STARTED)
		*Interface = iface;
	return s;
}

static EFI_STATUS EFIAPI DxeCloseProtocol(EFI_HANDLE Handle, EFI_GUID *Protocol,
					  EFI_HANDLE AgentHandle, EFI_HANDLE ControllerHandle)
{
	DXE_ENTER(m, "gBS->CloseProtocol", DxeCloseProtocol);
	if (!ptr_ok(m, "CloseProtocol", Protocol, sizeof(*Protocol)) ||
	    !mm_handle_valid(&m->dxedb, Handle))
		return EFI_INVALID_PARAMETER;
	for (struct mm_dxe_open **p = &m->dxe.opens; *p; p = &(*p)->next) {
		struct mm_dxe_open *o = *p;

		if (o->handle != Handle || memcmp(&o->guid, Protocol, sizeof(*Protocol)) ||
		    o->agent != AgentHandle || o->controller != ControllerHandle)
			continue;
		*p = o->next;
		free(o);
		return EFI_SUCCESS;
	}
	/* GET_PROTOCOL and friends leave no record: closing them is harmless. */
	return mm_protocol_get(m, &m->dxedb, Handle, Protocol, &(void *){ NULL }) ? EFI_NOT_FOUND
										 : EFI_SUCCESS;
}

/* Installs up to 64 (GUID, interface) pairs of a NULL-terminated list. */
static EFI_STATUS EFIAPI DxeInstallMultipleProtocolInterfaces(EFI_HANDLE *Handle, ...)
{
	__builtin_ms_va_list ap;
	const EFI_GUID *guids[64];
	void *ifaces[64];
	unsigned n = 0;
	EFI_HANDLE h;
	enum mm_err err = MM_OK;

	DXE_ENTER(m, "gBS->InstallMultipleProtocolInterfaces",
		  DxeInstallMultipleProtocolInterfaces);
	if (!ptr_ok(m, "InstallMultipleProtocolInterfaces", Handle, sizeof(*Handle)))
		return EFI_INVALID_PARAMETER;
	__builtin_ms_va_start(ap, Handle);
	for (;;) {
		const EFI_GUID *g = __builtin_va_arg(ap, const EFI_GUID *);

		if (!g)
			break;
		if (n == 64) {
			__builtin_ms_va_end(ap);
			return EFI_INVALID_PARAMETER;
		}
		guids[n] = g;
		ifaces[n++] = __builtin_va_arg(ap, void *);
	}
	__builtin_ms_va_end(ap);
	h = *Handle;
	for (unsigned i = 0; i < n && !err; i++) {
		if (!ptr_ok(m, "InstallMultipleProtocolInterfaces", guids[i], sizeof(EFI_GUID)))
			err = MM_ERR_INVALID;
		else
			err = mm_dxe_install(m, &h, guids[i], ifaces[i]);
		if (err) {
			/* All or nothing: take back what went in. */
			for (unsigned j = 0; j < i; j++)
				mm_protocol_uninstall(m, &m->dxedb, h, guids[j], ifaces[j]);
			return err == MM_ERR_INVALID ? EFI_INVALID_PARAMETER : mm_err_to_efi(err);
		}
	}
	*Handle = h;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI DxeUninstallMultipleProtocolInterfaces(EFI_HANDLE Handle, ...)
{
	__builtin_ms_va_list ap;
	const EFI_GUID *guids[64];
	void *ifaces[64];
	unsigned n = 0;

	DXE_ENTER(m, "gBS->UninstallMultipleProtocolInterfaces",
		  DxeUninstallMultipleProtocolInterfaces);
	__builtin_ms_va_start(ap, Handle);
	for (;;) {
		const EFI_GUID *g = __builtin_va_arg(ap, const EFI_GUID *);

		if (!g)
			break;
		if (n == 64) {
			__builtin_ms_va_end(ap);
			return EFI_INVALID_PARAMETER;
		}
		guids[n] = g;
		ifaces[n++] = __builtin_va_arg(ap, void *);
	}
	__builtin_ms_va_end(ap);
	for (unsigned i = 0; i < n; i++) {
		if (!ptr_ok(m, "UninstallMultipleProtocolInterfaces", guids[i], sizeof(EFI_GUID)) ||
		    mm_protocol_uninstall(m, &m->dxedb, Handle, guids[i], ifaces[i])) {
			/* All or nothing: put back what went out. */
			for (unsigned j = 0; j < i; j++)
				mm_dxe_install(m, &(EFI_HANDLE){ Handle }, guids[j], ifaces[j]);
			return EFI_INVALID_PARAMETER;
		}
	}
	return EFI_SUCCESS;
}

void mm_dxe_protocol_table(EFI_BOOT_SERVICES *bs)
{
	bs->InstallProtocolInterface = DxeInstallProtocolInterface;
	bs->ReinstallProtocolInterface = DxeReinstallProtocolInterface;
	bs->UninstallProtocolInterface = DxeUninstallProtocolInterface;
	bs->HandleProtocol = DxeHandleProtocol;
	bs->RegisterProtocolNotify = DxeRegisterProtocolNotify;
	bs->LocateHandle = DxeLocateHandle;
	bs->OpenProtocol = DxeOpenProtocol;
	bs->CloseProtocol = DxeCloseProtocol;
	bs->ProtocolsPerHandle = DxeProtocolsPerHandle;
	bs->LocateHandleBuffer = DxeLocateHandleBuffer;
	bs->LocateProtocol = DxeLocateProtocol;
	bs->InstallMultipleProtocolInterfaces = DxeInstallMultipleProtocolInterfaces;
	bs->UninstallMultipleProtocolInterfaces = DxeUninstallMultipleProtocolInterfaces;
}

/* Name of whoever installed iface for guid. */
static const char *installer(struct mm_machine *m, const EFI_GUID *guid, void *iface)
{
	struct mm_image *img;

	for (struct mm_dxe_install *r = m->dxe.installs; r; r = r->next)
		if (r->iface == iface && !memcmp(&r->guid, guid, sizeof(*guid)))
			return r->owner;
	img = mm_image_find(m, (uint64_t)(uintptr_t)iface);
	return img && img->name ? img->name : "unknown";
}

void mm_dxe_check_smram_interfaces(struct mm_machine *m)
{
	char text[37];

	for (struct mm_handle *h = m->dxedb.handles; h; h = h->next)
		for (struct mm_interface *i = h->ifaces; i; i = i->next) {
			if (!i->iface ||
			    !mm_mem_overlaps_smram(m, (uint64_t)(uintptr_t)i->iface, 1))
				continue;
			mm_log(m, MM_LOG_WARN, "ReadyToLock: %s left UEFI protocol %s installed "
			       "with an interface in SMRAM (%p)",
			       installer(m, &i->proto->guid, i->iface),
			       mm_protocol_guid_text(&i->proto->guid, text), i->iface);
		}
}

void mm_dxe_protocol_fini(struct mm_machine *m)
{
	while (m->dxe.notifies) {
		struct mm_dxe_notify *n = m->dxe.notifies;

		m->dxe.notifies = n->next;
		free(n);
	}
	while (m->dxe.opens) {
		struct mm_dxe_open *o = m->dxe.opens;

		m->dxe.opens = o->next;
		free(o);
	}
	while (m->dxe.installs) {
		struct mm_dxe_install *r = m->dxe.installs;

		m->dxe.installs = r->next;
		free(r);
	}
}
