/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL (PI 1.8 vol. 4, 7.4).
 *
 * The chipset offers a few MMI tick intervals (ICH9: the periodic SMI of
 * 64/32/16/8 s and the software SMI timer of 64/32/16/1.5 ms; see
 * devices/lpc.c). GetNextShorterInterval walks them, longest first, through
 * an array in SMRAM so emulated drivers can read the values.
 *
 * Register: Period must be non-zero; MmiTickInterval must be 0 or one of the
 * supported ticks (EFI_INVALID_PARAMETER otherwise). With 0 the dispatcher
 * picks the longest tick not above Period, or the shortest when Period is
 * shorter than every tick. The timer runs at the shortest tick any child
 * uses and stops when none is left.
 *
 * At each tick a child whose Period has elapsed since its last call (its
 * registration for the first) is called with CommBuffer an
 * EFI_MM_PERIODIC_TIMER_CONTEXT whose ElapsedTime is that time, exactly, in
 * 100 ns units: simulated time is deterministic, so it is never 0.
 */
#include <string.h>

#include "call.h"
#include "machine.h"

/* Index of the supported tick equal to t, or -1. */
static int interval_index(const struct mm_periodic_timer_dispatch *pt, uint64_t t)
{
	for (unsigned i = 0; i < pt->count; i++)
		if (pt->intervals[i] == t)
			return (int)i;
	return -1;
}

/* The tick for a Period when the child left the choice to us. */
static uint64_t pick_tick(const struct mm_periodic_timer_dispatch *pt, uint64_t period)
{
	for (unsigned i = 0; i < pt->count; i++)
		if (pt->intervals[i] <= period)
			return pt->intervals[i];
	return pt->intervals[pt->count - 1];
}

static uint64_t now(struct mm_machine *m)
{
	struct mm_periodic_timer_dispatch *pt = &m->periodic;

	return pt->hw.now ? pt->hw.now(m, pt->hw.user) : 0;
}

/* Programs the shortest tick any live child uses (0: none) when it changed. */
static void reprogram(struct mm_machine *m, struct mm_child_list *l, void *user)
{
	struct mm_periodic_timer_dispatch *pt = &m->periodic;
	uint64_t tick = 0;

	(void)user;
	for (struct mm_child *c = l->entries; c; c = c->next)
		if (!c->removed && (!tick || c->tick < tick))
			tick = c->tick;
	if (tick == pt->tick)
		return;
	mm_log(m, MM_LOG_SMI, "periodic timer: tick %llu -> %llu (100 ns)",
	       (unsigned long long)pt->tick, (unsigned long long)tick);
	pt->tick = tick;
	if (pt->hw.set_tick)
		pt->hw.set_tick(m, pt->hw.user, tick);
}

/* Checks Period and MmiTickInterval, stores the tick to use in *tick. */
static EFI_STATUS check_context(struct mm_machine *m,
				const EFI_MM_PERIODIC_TIMER_REGISTER_CONTEXT *rc, uint64_t *tick)
{
	struct mm_periodic_timer_dispatch *pt = &m->periodic;

	if (!pt->count) {
		mm_log(m, MM_LOG_WARN, "periodic timer Register by %s: no chipset timer",
		       mm_executing_name(m));
		return EFI_DEVICE_ERROR;
	}
	if (!rc->Period || (rc->MmiTickInterval && interval_index(pt, rc->MmiTickInterval) < 0)) {
		mm_log(m, MM_LOG_WARN, "periodic timer Register by %s: Period %llu, "
		       "MmiTickInterval %llu not supported", mm_executing_name(m),
		       (unsigned long long)rc->Period, (unsigned long long)rc->MmiTickInterval);
		return EFI_INVALID_PARAMETER;
	}
	*tick = rc->MmiTickInterval ? rc->MmiTickInterval : pick_tick(pt, rc->Period);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI PeriodicRegister(
	CONST EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL *This,
	EFI_MM_HANDLER_ENTRY_POINT DispatchFunction,
	CONST EFI_MM_PERIODIC_TIMER_REGISTER_CONTEXT *RegisterContext, EFI_HANDLE *DispatchHandle)
{
	struct mm_machine *m = mm_current();
	struct mm_child *c = NULL;
	EFI_STATUS status;
	uint64_t tick = 0;

	(void)This;
	if (!m)
		return EFI_UNSUPPORTED;
	if (!mm_child_register_args_ok(m, &m->periodic.list, (const void *)DispatchFunction,
				       RegisterContext, sizeof(*RegisterContext), DispatchHandle))
		return EFI_INVALID_PARAMETER;
	status = check_context(m, RegisterContext, &tick);
	if (status)
		return status;
	/* The record must know its tick before mm_child_add tells reprogram. */
	m->periodic.list.changed = NULL;
	status = mm_child_add(m, &m->periodic.list, (uint64_t)(uintptr_t)DispatchFunction,
			      RegisterContext, sizeof(*RegisterContext), &c);
	m->periodic.list.changed = reprogram;
	if (status)
		return status;
	c->tick = tick;
	c->last = now(m);
	reprogram(m, &m->periodic.list, NULL);
	*DispatchHandle = c;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI PeriodicUnRegister(CONST EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL *This,
					    EFI_HANDLE DispatchHandle)
{
	struct mm_machine *m = mm_current();

	(void)This;
	return m ? mm_child_remove(m, &m->periodic.list, DispatchHandle) : EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI PeriodicGetNextShorterInterval(
	CONST EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL *This, UINT64 **MmiTickInterval)
{
	struct mm_machine *m = mm_current();
	struct mm_periodic_timer_dispatch *pt = m ? &m->periodic : NULL;
	UINT64 *cur;
	size_t i;

	(void)This;
	if (!m)
		return EFI_UNSUPPORTED;
	if (!MmiTickInterval || !mm_caller_ptr_ok(m, MmiTickInterval, sizeof(*MmiTickInterval)))
		return EFI_INVALID_PARAMETER;
	cur = *MmiTickInterval;
	if (!cur) {
		*MmiTickInterval = pt->count ? &pt->intervals[0] : NULL;
		return EFI_SUCCESS;
	}
	i = (size_t)(cur - pt->intervals);
	if (cur < pt->intervals || i >= pt->count) {
		mm_log(m, MM_LOG_WARN, "GetNextShorterInterval by %s: %p is not one of ours",
		       mm_executing_name(m), (void *)cur);
		return EFI_INVALID_PARAMETER;
	}
	*MmiTickInterval = i + 1 < pt->count ? &pt->intervals[i + 1] : NULL;
	return EFI_SUCCESS;
}

enum mm_err mm_periodic_timer_dispatch_init(struct mm_machine *m)
{
	struct mm_periodic_timer_dispatch *pt = &m->periodic;
	EFI_HANDLE handle = NULL;
	enum mm_err err = mm_child_list_init(m, &pt->list, "periodic timer",
					     &gEfiMmPeriodicTimerDispatchProtocolGuid,
					     sizeof(EFI_MM_PERIODIC_TIMER_CONTEXT));

	if (err)
		return err;
	pt->list.changed = reprogram;
	pt->protocol = mm_pool_zalloc(m, EfiRuntimeServicesData, sizeof(*pt->protocol), true);
	pt->intervals = mm_pool_zalloc(m, EfiRuntimeServicesData,
				       MM_PERIODIC_MAX_INTERVALS * sizeof(UINT64), true);
	if (!pt->protocol || !pt->intervals)
		return mm_fail(m, MM_ERR_NOMEM,
			       "EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL: out of SMRAM");
	pt->protocol->Register = PeriodicRegister;
	pt->protocol->UnRegister = PeriodicUnRegister;
	pt->protocol->GetNextShorterInterval = PeriodicGetNextShorterInterval;
	return mm_protocol_install(m, &m->mmdb, &handle, &gEfiMmPeriodicTimerDispatchProtocolGuid,
				   pt->protocol);
}

void mm_periodic_timer_dispatch_fini(struct mm_machine *m)
{
	m->periodic.list.changed = NULL;
	mm_child_list_fini(m, &m->periodic.list);
	memset(&m->periodic.hw, 0, sizeof(m->periodic.hw));
}

enum mm_err mm_periodic_timer_attach_hw(struct mm_machine *m,
					const struct mm_periodic_timer_hw *hw)
{
	struct mm_periodic_timer_dispatch *pt = &m->periodic;

	if (!pt->intervals)
		return mm_fail(m, MM_ERR_STATE, "periodic timer: dispatcher not initialised");
	if (!hw || !hw->count || hw->count > MM_PERIODIC_MAX_INTERVALS || !hw->set_tick ||
	    !hw->now)
		return mm_fail(m, MM_ERR_INVALID, "periodic timer: bad chipset description");
	for (unsigned i = 0; i < hw->count; i++)
		if (!hw->intervals[i] || (i && hw->intervals[i] >= hw->intervals[i - 1]))
			return mm_fail(m, MM_ERR_INVALID,
				       "periodic timer: interval %u (%llu) zero or not shorter "
				       "than the one before", i,
				       (unsigned long long)hw->intervals[i]);
	memcpy(pt->intervals, hw->intervals, hw->count * sizeof(UINT64));
	pt->count = hw->count;
	pt->hw = *hw;
	return MM_OK;
}

void mm_periodic_timer_detach_hw(struct mm_machine *m)
{
	memset(&m->periodic.hw, 0, sizeof(m->periodic.hw));
	m->periodic.count = 0;
}

/* Visits the children whose Period elapsed and fills in their ElapsedTime. */
static bool period_elapsed(struct mm_machine *m, struct mm_child_list *l, struct mm_child *c,
			   void *user)
{
	const EFI_MM_PERIODIC_TIMER_REGISTER_CONTEXT *rc = (const void *)c->reg;
	uint64_t t = *(const uint64_t *)user;

	(void)m;
	if (t - c->last < rc->Period)
		return false;
	((EFI_MM_PERIODIC_TIMER_CONTEXT *)l->comm)->ElapsedTime = t - c->last;
	c->last = t;
	return true;
}

EFI_STATUS mm_periodic_timer_dispatch_run(struct mm_machine *m)
{
	uint64_t t = now(m);

	mm_log(m, MM_LOG_SMI, "periodic timer: tick at %llu (100 ns)", (unsigned long long)t);
	return mm_child_dispatch(m, &m->periodic.list, period_elapsed, &t);
}
