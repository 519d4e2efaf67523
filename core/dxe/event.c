/* SPDX-License-Identifier: MIT */
/*
 * Events of the boot services (UEFI 2.10, 7.1), minimal and synchronous:
 * there is no timer tick and no TPL-ordered queue. Signalling an
 * EVT_NOTIFY_SIGNAL event calls its notify function at once (through
 * mm_call, so an emulated driver's function runs on its engine); other
 * events just become signalled, for CheckEvent / WaitForEvent. An event
 * created with an EventGroup is signalled with every event of its group.
 * Timers are accepted and never fire (time does not pass here: DESIGN 8).
 *
 * EFI_EVENT values are pointers to host-side records, looked up before use.
 * Every record remembers the driver that created it: an event a driver
 * leaves open when ReadyToLock comes is reported (Driver Writer's Guide
 * 8.10.2.2: events created during initialization must be closed).
 */
#include <stdlib.h>
#include <string.h>

#include "core/call.h"
#include "core/machine.h"

struct mm_dxe_event {
	UINT32 type;
	EFI_TPL tpl;
	uint64_t notify;
	uint64_t context;
	EFI_GUID group;
	bool has_group;
	bool signalled;
	const char *owner;   /* driver name, or "foundation" */
	bool by_driver;      /* created while a driver image executed */
	struct mm_dxe_event *next;
};

bool mm_dxe_event_valid(struct mm_machine *m, EFI_EVENT ev)
{
	for (struct mm_dxe_event *e = m->dxe.events; e; e = e->next)
		if (e == ev)
			return true;
	return false;
}

/* Runs e's notify function, or marks it signalled. */
static void fire(struct mm_machine *m, struct mm_dxe_event *e)
{
	uint64_t args[2] = { (uint64_t)(uintptr_t)e, e->context };

	if (!(e->type & EVT_NOTIFY_SIGNAL) || !e->notify) {
		e->signalled = true;
		return;
	}
	mm_log(m, MM_LOG_PROTOCOL, "dxe: event %p of %s: notify 0x%llx", (void *)e, e->owner,
	       (unsigned long long)e->notify);
	mm_call(m, e->notify, 2, args, NULL);
}

/*
 * Fires the events matching group (or just ev when group is NULL). The
 * matches are collected first and each is checked again before it fires,
 * since a notify function may close events.
 */
static void fire_set(struct mm_machine *m, struct mm_dxe_event *ev, const EFI_GUID *group)
{
	struct mm_dxe_event *set[256];
	unsigned n = 0;

	for (struct mm_dxe_event *e = m->dxe.events; e && n < 256; e = e->next)
		if (group ? e->has_group && !memcmp(&e->group, group, sizeof(*group)) : e == ev)
			set[n++] = e;
	for (unsigned i = 0; i < n; i++)
		if (mm_dxe_event_valid(m, set[i]))
			fire(m, set[i]);
}

void mm_dxe_event_signal(struct mm_machine *m, EFI_EVENT ev)
{
	struct mm_dxe_event *e = ev;

	if (e->has_group) {
		EFI_GUID g = e->group;

		fire_set(m, NULL, &g);
	} else {
		fire_set(m, e, NULL);
	}
}

void mm_dxe_signal_group(struct mm_machine *m, const EFI_GUID *group)
{
	fire_set(m, NULL, group);
}

static EFI_STATUS EFIAPI DxeCreateEventEx(UINT32 Type, EFI_TPL NotifyTpl,
					  EFI_EVENT_NOTIFY NotifyFunction,
					  CONST VOID *NotifyContext, CONST EFI_GUID *EventGroup,
					  EFI_EVENT *Event)
{
	struct mm_dxe_event *e;

	DXE_ENTER(m, "gBS->CreateEventEx", DxeCreateEventEx);
	if (!Event || !mm_caller_ptr_ok(m, Event, sizeof(*Event)) ||
	    (EventGroup && !mm_caller_ptr_ok(m, EventGroup, sizeof(*EventGroup))))
		return EFI_INVALID_PARAMETER;
	if ((Type & (EVT_NOTIFY_SIGNAL | EVT_NOTIFY_WAIT)) &&
	    (!NotifyFunction || NotifyTpl <= TPL_APPLICATION || NotifyTpl > TPL_HIGH_LEVEL))
		return EFI_INVALID_PARAMETER;
	e = calloc(1, sizeof(*e));
	if (!e)
		return EFI_OUT_OF_RESOURCES;
	e->type = Type;
	e->tpl = NotifyTpl;
	e->notify = (uint64_t)(uintptr_t)NotifyFunction;
	e->context = (uint64_t)(uintptr_t)NotifyContext;
	if (EventGroup) {
		e->group = *EventGroup;
		e->has_group = true;
	}
	e->owner = mm_alloc_owner(m);
	e->by_driver = mm_executing_image(m) != NULL;
	e->next = m->dxe.events;
	m->dxe.events = e;
	*Event = e;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI DxeCreateEvent(UINT32 Type, EFI_TPL NotifyTpl,
					EFI_EVENT_NOTIFY NotifyFunction, VOID *NotifyContext,
					EFI_EVENT *Event)
{
	DXE_ENTER(m, "gBS->CreateEvent", DxeCreateEvent);
	return DxeCreateEventEx(Type, NotifyTpl, NotifyFunction, NotifyContext, NULL, Event);
}

static EFI_STATUS EFIAPI DxeCloseEvent(EFI_EVENT Event)
{
	DXE_ENTER(m, "gBS->CloseEvent", DxeCloseEvent);
	for (struct mm_dxe_event **p = &m->dxe.events; *p; p = &(*p)->next) {
		if (*p != Event)
			continue;
		*p = ((struct mm_dxe_event *)Event)->next;
		free(Event);
		return EFI_SUCCESS;
	}
	mm_log(m, MM_LOG_WARN, "gBS->CloseEvent: %s closed unknown event %p",
	       mm_executing_name(m), Event);
	return EFI_INVALID_PARAMETER;
}

static EFI_STATUS EFIAPI DxeSignalEvent(EFI_EVENT Event)
{
	DXE_ENTER(m, "gBS->SignalEvent", DxeSignalEvent);
	if (!mm_dxe_event_valid(m, Event))
		return EFI_INVALID_PARAMETER;
	mm_dxe_event_signal(m, Event);
	return EFI_SUCCESS;
}

/* CheckEvent's rules: a wait event's notify runs first; signalled state clears. */
static EFI_STATUS check(struct mm_machine *m, struct mm_dxe_event *e)
{
	uint64_t args[2] = { (uint64_t)(uintptr_t)e, e->context };

	if (e->type & EVT_NOTIFY_SIGNAL)
		return EFI_INVALID_PARAMETER;
	if (!e->signalled && (e->type & EVT_NOTIFY_WAIT) && e->notify) {
		mm_call(m, e->notify, 2, args, NULL);
		if (!mm_dxe_event_valid(m, e))
			return EFI_NOT_READY;
	}
	if (!e->signalled)
		return EFI_NOT_READY;
	e->signalled = false;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI DxeCheckEvent(EFI_EVENT Event)
{
	DXE_ENTER(m, "gBS->CheckEvent", DxeCheckEvent);
	if (!mm_dxe_event_valid(m, Event))
		return EFI_INVALID_PARAMETER;
	return check(m, Event);
}

/* Nothing else runs while we wait: an unsignalled set would wait forever. */
static EFI_STATUS EFIAPI DxeWaitForEvent(UINTN NumberOfEvents, EFI_EVENT *Event, UINTN *Index)
{
	DXE_ENTER(m, "gBS->WaitForEvent", DxeWaitForEvent);
	if (!NumberOfEvents || NumberOfEvents > 4096 || !Index ||
	    !mm_caller_ptr_ok(m, Index, sizeof(*Index)) ||
	    !mm_caller_ptr_ok(m, Event, NumberOfEvents * sizeof(*Event)))
		return EFI_INVALID_PARAMETER;
	for (UINTN i = 0; i < NumberOfEvents; i++) {
		EFI_STATUS s;

		if (!mm_dxe_event_valid(m, Event[i])) {
			*Index = i;
			return EFI_INVALID_PARAMETER;
		}
		s = check(m, Event[i]);
		if (s != EFI_NOT_READY) {
			*Index = i;
			return s;
		}
	}
	mm_log(m, MM_LOG_WARN, "gBS->WaitForEvent: %s waits for %llu event(s) none of which "
	       "is signalled: it would wait forever; EFI_NOT_READY", mm_executing_name(m),
	       (unsigned long long)NumberOfEvents);
	return EFI_NOT_READY;
}

static EFI_STATUS EFIAPI DxeSetTimer(EFI_EVENT Event, EFI_TIMER_DELAY Type, UINT64 TriggerTime)
{
	DXE_ENTER(m, "gBS->SetTimer", DxeSetTimer);
	if (!mm_dxe_event_valid(m, Event) || !(((struct mm_dxe_event *)Event)->type & EVT_TIMER) ||
	    (unsigned)Type > TimerRelative)
		return EFI_INVALID_PARAMETER;
	mm_log(m, MM_LOG_PROTOCOL, "gBS->SetTimer: %s, type %d, %llu00 ns: no time passes here, "
	       "the timer never fires", mm_executing_name(m), (int)Type,
	       (unsigned long long)TriggerTime);
	return EFI_SUCCESS;
}

static EFI_TPL EFIAPI DxeRaiseTPL(EFI_TPL NewTpl)
{
	struct mm_machine *m = mm_current();
	EFI_TPL old;

	if (!m)
		return TPL_APPLICATION;
	if (mm_dxe_callout(m, "gBS->RaiseTPL", (const void *)DxeRaiseTPL))
		return m->dxe.tpl;
	old = m->dxe.tpl;
	if (NewTpl < old)
		mm_log(m, MM_LOG_WARN, "gBS->RaiseTPL: %s lowers TPL %llu to %llu",
		       mm_executing_name(m), (unsigned long long)old, (unsigned long long)NewTpl);
	m->dxe.tpl = NewTpl;
	return old;
}

static VOID EFIAPI DxeRestoreTPL(EFI_TPL OldTpl)
{
	struct mm_machine *m = mm_current();

	if (!m || mm_dxe_callout(m, "gBS->RestoreTPL", (const void *)DxeRestoreTPL))
		return;
	m->dxe.tpl = OldTpl;
}

void mm_dxe_event_table(EFI_BOOT_SERVICES *bs)
{
	bs->RaiseTPL = DxeRaiseTPL;
	bs->RestoreTPL = DxeRestoreTPL;
	bs->CreateEvent = DxeCreateEvent;
	bs->SetTimer = DxeSetTimer;
	bs->WaitForEvent = DxeWaitForEvent;
	bs->SignalEvent = DxeSignalEvent;
	bs->CloseEvent = DxeCloseEvent;
	bs->CheckEvent = DxeCheckEvent;
	bs->CreateEventEx = DxeCreateEventEx;
}

void mm_dxe_check_events(struct mm_machine *m)
{
	for (struct mm_dxe_event *e = m->dxe.events; e; e = e->next) {
		if (!e->by_driver)
			continue;
		mm_log(m, MM_LOG_WARN, "ReadyToLock: event %p created by %s during initialization "
		       "was never closed", (void *)e, e->owner);
	}
}

void mm_dxe_event_fini(struct mm_machine *m)
{
	while (m->dxe.events) {
		struct mm_dxe_event *e = m->dxe.events;

		m->dxe.events = e->next;
		free(e);
	}
}
