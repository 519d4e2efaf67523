/* SPDX-License-Identifier: MIT */
/*
 * The end of MM initialization (PI 1.8 vol. 4, 1.6): EndOfDxe, ReadyToLock
 * and the SMRAM open / closed / locked state.
 *
 *   open ──close──► closed ──lock──► locked (until reset)
 *     ▲               │
 *     └─────open──────┘              open after lock: MM_ERR_DENIED
 *
 * Both signals are protocols installed in the MM database, so drivers that
 * registered a notification for them run during the install. The log keeps
 * what matters when a handler "never runs" or a request is refused at
 * runtime: when each signal came, how many handlers existed at the lock point
 * and every SMRAM transition, refused ones included.
 */
#include <pi/mm-ready-to-lock.h>

#include "machine.h"

const char *mm_smram_state_name(enum mm_smram_state state)
{
	switch (state) {
	case MM_SMRAM_OPEN: return "open";
	case MM_SMRAM_CLOSED: return "closed";
	case MM_SMRAM_LOCKED: return "locked";
	}
	return "unknown";
}

/* Installs guid with a NULL interface on a new handle of the MM database. */
static enum mm_err install_signal(struct mm_machine *m, const EFI_GUID *guid, const char *what)
{
	EFI_HANDLE handle = NULL;
	enum mm_err err = mm_protocol_install(m, &m->mmdb, &handle, guid, NULL);

	if (err)
		mm_log(m, MM_LOG_LOCK, "%s: installing the protocol failed: %s", what,
		       mm_strerror(err));
	return err;
}

enum mm_err mm_end_of_dxe(struct mm_machine *m)
{
	enum mm_err err;

	if (m->lock.end_of_dxe) {
		mm_log(m, MM_LOG_LOCK, "EndOfDxe signalled again: ignored");
		return MM_OK;
	}
	mm_log(m, MM_LOG_LOCK, "EndOfDxe: installing the MM EndOfDxe protocol (SMRAM %s)",
	       mm_smram_state_name(m->lock.smram));
	m->lock.end_of_dxe = true; /* notifies see the new phase */
	err = install_signal(m, &gEfiMmEndOfDxeProtocolGuid, "EndOfDxe");
	if (err)
		m->lock.end_of_dxe = false;
	return err;
}

/* Logs the policy state at the lock point: what was registered before it. */
static void log_lock_point(struct mm_machine *m)
{
	mm_log(m, MM_LOG_LOCK, "ReadyToLock: %u SW SMI handlers, %llu protocol installs, "
	       "SMRAM %llu of %llu pages free", m->sw.count,
	       (unsigned long long)m->mmdb.install_count, (unsigned long long)m->smram.free_pages,
	       (unsigned long long)m->smram.total_pages);
}

enum mm_err mm_ready_to_lock(struct mm_machine *m)
{
	enum mm_err err;

	if (m->lock.ready_to_lock) {
		mm_log(m, MM_LOG_LOCK, "ReadyToLock signalled again: ignored");
		return MM_OK;
	}
	if (!m->lock.end_of_dxe) {
		mm_log(m, MM_LOG_LOCK, "ReadyToLock before EndOfDxe: signalling EndOfDxe first");
		err = mm_end_of_dxe(m);
		if (err)
			return err;
	}
	mm_log(m, MM_LOG_LOCK, "ReadyToLock: installing the MM ReadyToLock protocol");
	err = install_signal(m, &gEfiMmReadyToLockProtocolGuid, "ReadyToLock");
	if (err)
		return err;
	m->lock.ready_to_lock = true;
	if (m->log.mask & MM_LOG_LOCK)
		log_lock_point(m);
	return mm_smram_set_state(m, MM_SMRAM_LOCKED);
}

enum mm_smram_state mm_smram_state(const struct mm_machine *m)
{
	return m->lock.smram;
}

enum mm_err mm_smram_set_state(struct mm_machine *m, enum mm_smram_state state)
{
	enum mm_smram_state old = m->lock.smram;

	if ((unsigned)state > MM_SMRAM_LOCKED)
		return mm_fail(m, MM_ERR_INVALID, "SMRAM state %d: no such state", (int)state);
	if (old == MM_SMRAM_LOCKED && state != MM_SMRAM_LOCKED) {
		mm_fail(m, MM_ERR_DENIED, "SMRAM %s requested after lock: refused",
			mm_smram_state_name(state));
		mm_log(m, MM_LOG_LOCK, "%s", m->errmsg);
		mm_log(m, MM_LOG_WARN, "%s", m->errmsg);
		return MM_ERR_DENIED;
	}
	if (old == state) {
		mm_log(m, MM_LOG_LOCK, "SMRAM already %s", mm_smram_state_name(state));
		return MM_OK;
	}
	m->lock.smram = state;
	mm_log(m, MM_LOG_LOCK, "SMRAM %s -> %s%s", mm_smram_state_name(old),
	       mm_smram_state_name(state),
	       old == MM_SMRAM_OPEN && state == MM_SMRAM_LOCKED ? " (closed and locked)" : "");
	if (m->lock.smram_changed)
		m->lock.smram_changed(m, m->lock.smram_user, state);
	return MM_OK;
}
