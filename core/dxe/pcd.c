/* SPDX-License-Identifier: MIT */
/*
 * Platform Configuration Database as DXE drivers see it: EDK2's
 * PCD_PROTOCOL and the PI EFI_PCD_PROTOCOL (include/pi/pcd.h) over a
 * per-machine token table that the platform fills with mm_pcd_set() (the
 * platform file, issue 6). Tokens are (token space, number) pairs; the
 * default token space (non-Ex calls) is the all-zero GUID here.
 *
 * Values are kept host-side; a pointer PCD is copied to a buffer in normal
 * RAM when a driver asks for its address (GetPtr) or a callback needs it.
 * A Get of a token the platform never set returns 0 and warns (EDK2 would
 * ASSERT). A Set of a number must keep its size (EFI_INVALID_PARAMETER).
 */
#include <stdlib.h>
#include <string.h>

#include <mmemu/dxe.h>

#include "core/call.h"
#include "core/machine.h"

#define PCD_MAX_SIZE 0x10000

struct mm_pcd_token {
	EFI_GUID space;
	uint64_t number;
	uint64_t size;
	uint8_t *value;      /* host copy, size bytes */
	uint8_t *guest;      /* normal-RAM copy for GetPtr / callbacks, or NULL */
	uint64_t guest_cap;
	EFI_GUID *guest_space; /* normal-RAM copy of space (GetNextTokenSpace) */
	struct mm_pcd_token *next;
};

struct mm_pcd_callback {
	EFI_GUID space;
	uint64_t number;
	uint64_t fn;
	struct mm_pcd_callback *next;
};

static const EFI_GUID default_space;

static struct mm_pcd_token *find(struct mm_machine *m, const EFI_GUID *space, uint64_t number)
{
	for (struct mm_pcd_token *t = m->dxe.pcd; t; t = t->next)
		if (t->number == number && !memcmp(&t->space, space, sizeof(*space)))
			return t;
	return NULL;
}

/* Stores size bytes of value in token (space, number), creating it. */
static enum mm_err store(struct mm_machine *m, const EFI_GUID *space, uint64_t number,
			 uint64_t size, const void *value)
{
	struct mm_pcd_token *t = find(m, space, number);
	uint8_t *v;

	if (!size || size > PCD_MAX_SIZE || !value)
		return mm_fail(m, MM_ERR_INVALID, "PCD token 0x%llx: size %llu (1..%u allowed)",
			       (unsigned long long)number, (unsigned long long)size, PCD_MAX_SIZE);
	v = malloc(size);
	if (!v)
		return mm_fail(m, MM_ERR_NOMEM, "PCD token 0x%llx: out of memory",
			       (unsigned long long)number);
	memcpy(v, value, size);
	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t) {
			free(v);
			return mm_fail(m, MM_ERR_NOMEM, "PCD: out of memory");
		}
		t->space = *space;
		t->number = number;
		t->next = m->dxe.pcd;
		m->dxe.pcd = t;
	}
	free(t->value);
	t->value = v;
	t->size = size;
	if (t->guest && t->guest_cap >= size)
		memcpy(t->guest, v, size);
	else
		t->guest = NULL; /* a new buffer on next GetPtr */
	return MM_OK;
}

/* The normal-RAM copy of t's value, or NULL. */
static void *guest_value(struct mm_machine *m, struct mm_pcd_token *t)
{
	if (!t->guest) {
		uint64_t cap = t->size < 16 ? 16 : t->size;

		t->guest = mm_dxe_ram_zalloc(m, cap);
		if (!t->guest)
			return NULL;
		t->guest_cap = EFI_PAGES_TO_SIZE(EFI_SIZE_TO_PAGES(cap));
	}
	memcpy(t->guest, t->value, t->size);
	return t->guest;
}

enum mm_err mm_pcd_set(struct mm_machine *m, uint64_t token, uint64_t size, const void *value)
{
	return store(m, &default_space, token, size, value);
}

enum mm_err mm_pcd_set_ex(struct mm_machine *m, const uint8_t guid[16], uint64_t token,
			  uint64_t size, const void *value)
{
	EFI_GUID g;

	if (!guid)
		return mm_fail(m, MM_ERR_INVALID, "mm_pcd_set_ex: NULL token space");
	memcpy(&g, guid, sizeof(g));
	return store(m, &g, token, size, value);
}

enum mm_err mm_pcd_get(struct mm_machine *m, uint64_t token, void *buf, uint64_t *size)
{
	struct mm_pcd_token *t = find(m, &default_space, token);
	uint64_t room = *size;

	if (!t)
		return MM_ERR_NOT_FOUND;
	*size = t->size;
	if (room < t->size || !buf)
		return MM_ERR_RANGE;
	memcpy(buf, t->value, t->size);
	return MM_OK;
}

/* Reads a number of width bytes; unknown tokens warn and read 0. */
static uint64_t get_num(const EFI_GUID *space, UINTN number, unsigned width, const char *what)
{
	struct mm_machine *m = mm_current();
	struct mm_pcd_token *t;
	uint64_t v = 0;

	if (!m || mm_dxe_callout(m, what, NULL))
		return 0;
	if (!space || !mm_caller_ptr_ok(m, space, sizeof(*space)))
		space = &default_space;
	t = find(m, space, number);
	if (!t) {
		mm_log(m, MM_LOG_WARN, "%s: %s reads PCD token 0x%llx the platform never set: 0",
		       what, mm_executing_name(m), (unsigned long long)number);
		return 0;
	}
	memcpy(&v, t->value, t->size < width ? t->size : width);
	return v;
}

static UINT8 EFIAPI PcdGet8(UINTN T) { return (UINT8)get_num(NULL, T, 1, "PCD.Get8"); }
static UINT16 EFIAPI PcdGet16(UINTN T) { return (UINT16)get_num(NULL, T, 2, "PCD.Get16"); }
static UINT32 EFIAPI PcdGet32(UINTN T) { return (UINT32)get_num(NULL, T, 4, "PCD.Get32"); }
static UINT64 EFIAPI PcdGet64(UINTN T) { return get_num(NULL, T, 8, "PCD.Get64"); }
static BOOLEAN EFIAPI PcdGetBool(UINTN T) { return get_num(NULL, T, 1, "PCD.GetBool") != 0; }
static UINT8 EFIAPI PcdGet8Ex(CONST EFI_GUID *G, UINTN T) { return (UINT8)get_num(G, T, 1, "PCD.Get8Ex"); }
static UINT16 EFIAPI PcdGet16Ex(CONST EFI_GUID *G, UINTN T) { return (UINT16)get_num(G, T, 2, "PCD.Get16Ex"); }
static UINT32 EFIAPI PcdGet32Ex(CONST EFI_GUID *G, UINTN T) { return (UINT32)get_num(G, T, 4, "PCD.Get32Ex"); }
static UINT64 EFIAPI PcdGet64Ex(CONST EFI_GUID *G, UINTN T) { return get_num(G, T, 8, "PCD.Get64Ex"); }
static BOOLEAN EFIAPI PcdGetBoolEx(CONST EFI_GUID *G, UINTN T) { return get_num(G, T, 1, "PCD.GetBoolEx") != 0; }

/* The token a pointer/size query names, or NULL (callout or unknown). */
static struct mm_pcd_token *lookup(struct mm_machine *m, const EFI_GUID *space, UINTN number,
				   const char *what)
{
	struct mm_pcd_token *t;

	if (!m || mm_dxe_callout(m, what, NULL))
		return NULL;
	if (!space || !mm_caller_ptr_ok(m, space, sizeof(*space)))
		space = &default_space;
	t = find(m, space, number);
	if (!t)
		mm_log(m, MM_LOG_WARN, "%s: %s asks for PCD token 0x%llx the platform never set",
		       what, mm_executing_name(m), (unsigned long long)number);
	return t;
}

static VOID *EFIAPI PcdGetPtrEx(CONST EFI_GUID *G, UINTN T)
{
	struct mm_machine *m = mm_current();
	struct mm_pcd_token *t = lookup(m, G, T, "PCD.GetPtr");

	return t ? guest_value(m, t) : NULL;
}

static VOID *EFIAPI PcdGetPtr(UINTN T) { return PcdGetPtrEx(NULL, T); }

static UINTN EFIAPI PcdGetSizeEx(CONST EFI_GUID *G, UINTN T)
{
	struct mm_pcd_token *t = lookup(mm_current(), G, T, "PCD.GetSize");

	return t ? t->size : 0;
}

static UINTN EFIAPI PcdGetSize(UINTN T) { return PcdGetSizeEx(NULL, T); }

/* Runs the callbacks registered for t (after a set). */
static void run_callbacks(struct mm_machine *m, struct mm_pcd_token *t)
{
	for (struct mm_pcd_callback *c = m->dxe.pcd_callbacks; c; c = c->next) {
		bool dflt = !memcmp(&t->space, &default_space, sizeof(t->space));
		uint64_t args[4] = { dflt ? 0 : (uint64_t)(uintptr_t)t->guest_space, t->number,
				     (uint64_t)(uintptr_t)guest_value(m, t), t->size };

		if (c->number == t->number && !memcmp(&c->space, &t->space, sizeof(c->space)))
			mm_call(m, c->fn, 4, args, NULL);
	}
}

/* A driver's Set: the token must exist; numbers keep their size. */
static EFI_STATUS set_value(const EFI_GUID *space, UINTN number, const void *v, uint64_t size,
			    bool number_kind, const char *what)
{
	struct mm_machine *m = mm_current();
	struct mm_pcd_token *t = lookup(m, space, number, what);

	if (!t)
		return m && m->stop.kind == MM_STOP_CALLOUT ? EFI_ACCESS_DENIED : EFI_NOT_FOUND;
	if (number_kind && t->size != size)
		return EFI_INVALID_PARAMETER;
	if (store(m, &t->space, number, size, v))
		return EFI_INVALID_PARAMETER;
	run_callbacks(m, t);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI PcdSet8Ex(CONST EFI_GUID *G, UINTN T, UINT8 V) { return set_value(G, T, &V, 1, true, "PCD.Set8"); }
static EFI_STATUS EFIAPI PcdSet16Ex(CONST EFI_GUID *G, UINTN T, UINT16 V) { return set_value(G, T, &V, 2, true, "PCD.Set16"); }
static EFI_STATUS EFIAPI PcdSet32Ex(CONST EFI_GUID *G, UINTN T, UINT32 V) { return set_value(G, T, &V, 4, true, "PCD.Set32"); }
static EFI_STATUS EFIAPI PcdSet64Ex(CONST EFI_GUID *G, UINTN T, UINT64 V) { return set_value(G, T, &V, 8, true, "PCD.Set64"); }
static EFI_STATUS EFIAPI PcdSetBoolEx(CONST EFI_GUID *G, UINTN T, BOOLEAN V) { return set_value(G, T, &V, 1, true, "PCD.SetBool"); }
static EFI_STATUS EFIAPI PcdSet8(UINTN T, UINT8 V) { return PcdSet8Ex(NULL, T, V); }
static EFI_STATUS EFIAPI PcdSet16(UINTN T, UINT16 V) { return PcdSet16Ex(NULL, T, V); }
static EFI_STATUS EFIAPI PcdSet32(UINTN T, UINT32 V) { return PcdSet32Ex(NULL, T, V); }
static EFI_STATUS EFIAPI PcdSet64(UINTN T, UINT64 V) { return PcdSet64Ex(NULL, T, V); }
static EFI_STATUS EFIAPI PcdSetBool(UINTN T, BOOLEAN V) { return PcdSetBoolEx(NULL, T, V); }

static EFI_STATUS EFIAPI PcdSetPtrEx(CONST EFI_GUID *G, UINTN T, UINTN *SizeOfBuffer, VOID *Buffer)
{
	struct mm_machine *m = mm_current();

	if (!m)
		return EFI_UNSUPPORTED;
	if (!SizeOfBuffer || !mm_caller_ptr_ok(m, SizeOfBuffer, sizeof(*SizeOfBuffer)) ||
	    *SizeOfBuffer > PCD_MAX_SIZE || !Buffer || !mm_caller_ptr_ok(m, Buffer, *SizeOfBuffer))
		return EFI_INVALID_PARAMETER;
	return set_value(G, T, Buffer, *SizeOfBuffer, false, "PCD.SetPtr");
}

static EFI_STATUS EFIAPI PcdSetPtr(UINTN T, UINTN *S, VOID *B) { return PcdSetPtrEx(NULL, T, S, B); }

static VOID EFIAPI PcdSetSku(UINTN SkuId)
{
	struct mm_machine *m = mm_current();

	if (!m || mm_dxe_callout(m, "PCD.SetSku", NULL))
		return;
	m->dxe.sku = SkuId;
	mm_log(m, MM_LOG_PROTOCOL, "PCD.SetSku(%llu) by %s: one SKU only here",
	       (unsigned long long)SkuId, mm_executing_name(m));
}

static EFI_STATUS EFIAPI PcdCallbackOnSet(CONST EFI_GUID *G, UINTN T, PCD_PROTOCOL_CALLBACK Fn)
{
	struct mm_pcd_callback *c;

	DXE_ENTER(m, "PCD.CallbackOnSet", PcdCallbackOnSet);
	if (!Fn)
		return EFI_INVALID_PARAMETER;
	c = calloc(1, sizeof(*c));
	if (!c)
		return EFI_OUT_OF_RESOURCES;
	c->space = G && mm_caller_ptr_ok(m, G, sizeof(*G)) ? *G : default_space;
	c->number = T;
	c->fn = (uint64_t)(uintptr_t)Fn;
	c->next = m->dxe.pcd_callbacks;
	m->dxe.pcd_callbacks = c;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI PcdCancelCallback(CONST EFI_GUID *G, UINTN T, PCD_PROTOCOL_CALLBACK Fn)
{
	const EFI_GUID *space;

	DXE_ENTER(m, "PCD.CancelCallback", PcdCancelCallback);
	space = G && mm_caller_ptr_ok(m, G, sizeof(*G)) ? G : &default_space;
	for (struct mm_pcd_callback **p = &m->dxe.pcd_callbacks; *p; p = &(*p)->next) {
		struct mm_pcd_callback *c = *p;

		if (c->number != T || c->fn != (uint64_t)(uintptr_t)Fn ||
		    memcmp(&c->space, space, sizeof(*space)))
			continue;
		*p = c->next;
		free(c);
		return EFI_SUCCESS;
	}
	return EFI_INVALID_PARAMETER;
}

/* The next token number of space after *TokenNumber (0: the first); 0 and NOT_FOUND at the end. */
static EFI_STATUS EFIAPI PcdGetNextToken(CONST EFI_GUID *G, UINTN *TokenNumber)
{
	const EFI_GUID *space;
	uint64_t best = 0;
	bool found = false;

	DXE_ENTER(m, "PCD.GetNextToken", PcdGetNextToken);
	if (!TokenNumber || !mm_caller_ptr_ok(m, TokenNumber, sizeof(*TokenNumber)))
		return EFI_INVALID_PARAMETER;
	space = G && mm_caller_ptr_ok(m, G, sizeof(*G)) ? G : &default_space;
	for (struct mm_pcd_token *t = m->dxe.pcd; t; t = t->next)
		if (!memcmp(&t->space, space, sizeof(*space)) && t->number > *TokenNumber &&
		    (!found || t->number < best)) {
			best = t->number;
			found = true;
		}
	*TokenNumber = found ? best : 0;
	return found ? EFI_SUCCESS : EFI_NOT_FOUND;
}

/* Token spaces other than the default one, in the order their tokens were set. */
static EFI_STATUS EFIAPI PcdGetNextTokenSpace(CONST EFI_GUID **Guid)
{
	bool after = false;

	DXE_ENTER(m, "PCD.GetNextTokenSpace", PcdGetNextTokenSpace);
	if (!Guid || !mm_caller_ptr_ok(m, Guid, sizeof(*Guid)))
		return EFI_INVALID_PARAMETER;
	after = *Guid == NULL;
	for (struct mm_pcd_token *t = m->dxe.pcd; t; t = t->next) {
		if (!memcmp(&t->space, &default_space, sizeof(t->space)))
			continue;
		if (!t->guest_space) {
			t->guest_space = mm_dxe_ram_zalloc(m, sizeof(EFI_GUID));
			if (!t->guest_space)
				return EFI_OUT_OF_RESOURCES;
			*t->guest_space = t->space;
		}
		if (after) {
			*Guid = t->guest_space;
			return EFI_SUCCESS;
		}
		if (*Guid && mm_caller_ptr_ok(m, *Guid, sizeof(EFI_GUID)) &&
		    !memcmp(*Guid, &t->space, sizeof(EFI_GUID)))
			after = true;
	}
	*Guid = NULL;
	return EFI_NOT_FOUND;
}

enum mm_err mm_dxe_pcd_install(struct mm_machine *m)
{
	struct mm_dxe_ipl *p = &m->dxe.ipl;
	EFI_HANDLE h = NULL;
	enum mm_err err;

	p->pcd = mm_dxe_ram_zalloc(m, sizeof(*p->pcd) + sizeof(*p->pi_pcd));
	if (!p->pcd)
		return mm_fail(m, MM_ERR_NOMEM, "DXE world: no RAM for the PCD protocols");
	p->pi_pcd = (EFI_PCD_PROTOCOL *)(p->pcd + 1);
	*p->pcd = (PCD_PROTOCOL){
		PcdSetSku, PcdGet8, PcdGet16, PcdGet32, PcdGet64, PcdGetPtr, PcdGetBool,
		PcdGetSize, PcdGet8Ex, PcdGet16Ex, PcdGet32Ex, PcdGet64Ex, PcdGetPtrEx,
		PcdGetBoolEx, PcdGetSizeEx, PcdSet8, PcdSet16, PcdSet32, PcdSet64, PcdSetPtr,
		PcdSetBool, PcdSet8Ex, PcdSet16Ex, PcdSet32Ex, PcdSet64Ex, PcdSetPtrEx,
		PcdSetBoolEx, PcdCallbackOnSet, PcdCancelCallback, PcdGetNextToken,
		PcdGetNextTokenSpace,
	};
	*p->pi_pcd = (EFI_PCD_PROTOCOL){
		PcdSetSku, PcdGet8Ex, PcdGet16Ex, PcdGet32Ex, PcdGet64Ex, PcdGetPtrEx,
		PcdGetBoolEx, PcdGetSizeEx, PcdSet8Ex, PcdSet16Ex, PcdSet32Ex, PcdSet64Ex,
		PcdSetPtrEx, PcdSetBoolEx, PcdCallbackOnSet, PcdCancelCallback,
		PcdGetNextToken, PcdGetNextTokenSpace,
	};
	err = mm_dxe_install(m, &h, &gPcdProtocolGuid, p->pcd);
	if (!err)
		err = mm_dxe_install(m, &h, &gEfiPcdProtocolGuid, p->pi_pcd);
	return err;
}

void mm_dxe_pcd_fini(struct mm_machine *m)
{
	while (m->dxe.pcd) {
		struct mm_pcd_token *t = m->dxe.pcd;

		m->dxe.pcd = t->next;
		free(t->value);
		free(t);
	}
	while (m->dxe.pcd_callbacks) {
		struct mm_pcd_callback *c = m->dxe.pcd_callbacks;

		m->dxe.pcd_callbacks = c->next;
		free(c);
	}
}
