/* SPDX-License-Identifier: MIT */
/*
 * The MM driver dispatcher (PI 1.8 vol. 4, "MM Driver Execution"; ordering
 * rules of the DXE dispatcher, vol. 2 chapter 10).
 *
 *   mm_dispatch
 *     repeat a pass until it dispatches nothing and installs nothing:
 *       for each PENDING driver in load order, not BEFORE/AFTER:
 *         DEPEX true (no DEPEX: true) ->
 *           BEFORE drivers of it, it, AFTER drivers of it (recursively)
 *     drivers still PENDING -> NOT_DISPATCHED, with the first absent GUID
 *
 *   one driver: image handle with EFI_LOADED_IMAGE_PROTOCOL, entry point
 *   through mm_call; an error status unloads the image (its MMI handlers
 *   and protocols purged, the image removed).
 *
 *   entry-point convention by module type (PI 1.8 vol. 4, 1.7):
 *     MM standalone   (ImageHandle, MMST), once
 *     MM traditional  (ImageHandle, EFI_SYSTEM_TABLE), once, in the MM phase
 *                     (EFI_MM_BASE_PROTOCOL.InMm says TRUE; GetMmstLocation
 *                     gives the MMST)
 *     combined MM/DXE (ImageHandle, EFI_SYSTEM_TABLE) twice: the DXE phase
 *                     (InMm FALSE) then the MM phase (InMm TRUE); a failed
 *                     DXE phase is logged and the MM phase still runs, as
 *                     the two are separate loads on a real platform
 *   Traditional and combined drivers need the DXE world (core/dxe/): in
 *   the standalone initialization model they stay behind, with the reason,
 *   until the DXE side hands its system table over (mm_dxe_handover). Their
 *   DEPEX consults the MM database first, then the DXE one.
 *
 * SOR drivers stay UNREQUESTED until mm_driver_schedule(). A BEFORE/AFTER
 * driver whose target is never dispatched in the same run stays behind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pi/loaded-image.h>

#include "call.h"
#include "guid-names.h"
#include "machine.h"

/* BEFORE/AFTER drivers may chain; deeper chains than this stay pending. */
#define ORDER_MAX_NEST 32

/* Text "gEfiFooGuid (XXXXXXXX-...)" or just the registry form, into buf. */
static const char *guid_label(const EFI_GUID *g, char *buf, size_t len)
{
	char text[MM_GUID_STRING_LEN + 1];
	const char *name = mm_guid_name(g);

	mm_guid_format(g, text);
	if (name)
		snprintf(buf, len, "%s (%s)", name, text);
	else
		snprintf(buf, len, "%s", text);
	return buf;
}

/* Frees a driver record and its copies (the image is the registry's). */
static void free_driver(struct mm_driver *d)
{
	free(d->name);
	free(d->depex);
	free(d);
}

/* Copies the strings and DEPEX of desc into d; false when out of memory. */
static bool copy_desc(struct mm_driver *d, const struct mm_driver_desc *desc)
{
	d->name = strdup(desc->name ? desc->name : "(unnamed)");
	if (!d->name)
		return false;
	if (!desc->depex)
		return true;
	d->has_depex = true;
	d->depex_len = desc->depex_len;
	d->depex = malloc(desc->depex_len ? desc->depex_len : 1);
	if (!d->depex)
		return false;
	if (desc->depex_len)
		memcpy(d->depex, desc->depex, desc->depex_len);
	return true;
}

/* Sets the initial state of d from its DEPEX (validated here). */
static void classify(struct mm_machine *m, struct mm_driver *d)
{
	char err[128];

	d->state = MM_DRIVER_PENDING;
	if (!d->has_depex)
		return;
	if (mm_depex_validate(d->depex, d->depex_len, &d->shape, err, sizeof(err))) {
		d->state = MM_DRIVER_BAD_DEPEX;
		snprintf(d->reason, sizeof(d->reason), "malformed DEPEX: %s", err);
		mm_log(m, MM_LOG_WARN, "driver %s: %s", d->name, d->reason);
		return;
	}
	if (d->shape.sor)
		d->state = MM_DRIVER_UNREQUESTED;
}

enum mm_err mm_driver_add(struct mm_machine *m, const struct mm_driver_desc *desc,
			  struct mm_driver **out)
{
	struct mm_dispatcher *disp = &m->disp;
	struct mm_driver *d = calloc(1, sizeof(*d));

	if (out)
		*out = NULL;
	if (!d || !copy_desc(d, desc)) {
		if (d)
			free_driver(d);
		return mm_fail(m, MM_ERR_NOMEM, "driver %s: out of memory",
			       desc->name ? desc->name : "(unnamed)");
	}
	d->guid = desc->guid;
	d->type = desc->type;
	d->entry = desc->entry;
	d->image = desc->image;
	if (d->image) {
		d->image_base = d->image->base;
		d->image_size = d->image->size;
	}
	classify(m, d);
	if (!disp->tail)
		disp->tail = &disp->drivers;
	*disp->tail = d;
	disp->tail = &d->next;
	disp->count++;
	mm_log(m, MM_LOG_DISPATCH, "driver %u loaded: %s (0x%llx bytes), entry %s%s",
	       disp->count - 1, d->name, (unsigned long long)d->image_size, MM_ADDR(m, d->entry),
	       d->state == MM_DRIVER_UNREQUESTED ? ", schedule on request" : "");
	if (out)
		*out = d;
	return MM_OK;
}

void mm_dispatcher_fini(struct mm_machine *m)
{
	struct mm_dispatcher *disp = &m->disp;

	while (disp->drivers) {
		struct mm_driver *d = disp->drivers;

		disp->drivers = d->next;
		free_driver(d);
	}
	disp->tail = &disp->drivers;
	disp->count = 0;
	disp->dispatched = 0;
}

struct mm_driver *mm_driver_at(const struct mm_machine *m, unsigned index)
{
	struct mm_driver *d = m->disp.drivers;

	while (d && index--)
		d = d->next;
	return d;
}

/* DEPEX presence callback: is the protocol in the MM database? */
static bool present_in_mmdb(void *user, const EFI_GUID *guid)
{
	struct mm_machine *m = user;

	return mm_protocol_present(&m->mmdb, guid);
}

/* DEPEX presence for traditional drivers: the MM database, then the DXE one. */
static bool present_in_mm_or_dxe(void *user, const EFI_GUID *guid)
{
	struct mm_machine *m = user;

	return mm_protocol_present(&m->mmdb, guid) ||
	       (mm_dxe_st(m) && mm_protocol_present(&m->dxedb, guid));
}

/* True for the module types whose entry point takes the UEFI system table. */
static bool needs_dxe(const struct mm_driver *d)
{
	return d->type == MM_MODULE_TRADITIONAL || d->type == MM_MODULE_COMBINED;
}

/* True when d cannot run yet: it needs a DXE world the model has not got. */
static bool refused_by_model(struct mm_machine *m, const struct mm_driver *d)
{
	return needs_dxe(d) && !m->dxe.created && m->platform.init_model != MM_INIT_DXE;
}

/*
 * Evaluates the DEPEX of d against the MM protocol database. When false, the
 * first absent GUID is stored for the not-dispatched reason.
 */
static bool depex_true(struct mm_machine *m, struct mm_driver *d, EFI_GUID *absent,
		       bool *has_absent)
{
	const uint8_t *b = d->depex;
	size_t len = d->depex_len;
	bool result = false;
	char text[256];

	*has_absent = false;
	if (!d->has_depex) {
		mm_log(m, MM_LOG_DEPEX, "%s: no DEPEX, treated as TRUE", d->name);
		return true;
	}
	mm_depex_eval(b, len, needs_dxe(d) ? present_in_mm_or_dxe : present_in_mmdb, m, &result,
		      absent, has_absent);
	if (m->log.mask & MM_LOG_DEPEX) {
		mm_depex_format(b, len, text, sizeof(text));
		mm_log(m, MM_LOG_DEPEX, "%s: %s = %s", d->name, text, result ? "TRUE" : "FALSE");
	}
	return result;
}

/* Creates d's image handle carrying EFI_LOADED_IMAGE_PROTOCOL (in SMRAM). */
static enum mm_err create_image_handle(struct mm_machine *m, struct mm_driver *d)
{
	EFI_LOADED_IMAGE_PROTOCOL *li;
	EFI_HANDLE h = NULL;
	enum mm_err err;

	li = mm_pool_zalloc(m, EfiRuntimeServicesData, sizeof(*li), true);
	if (!li)
		return mm_fail(m, MM_ERR_NOMEM, "driver %s: no SMRAM for its loaded image",
			       d->name);
	li->Revision = EFI_LOADED_IMAGE_PROTOCOL_REVISION;
	li->SystemTable = NULL;
	li->ImageBase = (VOID *)(uintptr_t)d->image_base;
	li->ImageSize = d->image_size;
	li->ImageCodeType = EfiRuntimeServicesCode;
	li->ImageDataType = EfiRuntimeServicesData;
	err = mm_protocol_install(m, &m->mmdb, &h, &gEfiLoadedImageProtocolGuid, li);
	if (err) {
		mm_pool_free(m, li);
		return err;
	}
	d->image_handle = h;
	d->loaded_image = li;
	return MM_OK;
}

/* Takes a failed driver out: its handlers, protocols, image handle and image. */
static void unload(struct mm_machine *m, struct mm_driver *d)
{
	unsigned mmi = 0, protocols = 0;

	if (d->image) {
		mmi = mm_mmi_purge_range(m, d->image_base, d->image_size);
		protocols = mm_protocol_purge_range(m, &m->mmdb, d->image_base, d->image_size);
	}
	if (d->image_handle)
		mm_protocol_uninstall(m, &m->mmdb, d->image_handle, &gEfiLoadedImageProtocolGuid,
				      d->loaded_image);
	if (d->loaded_image)
		mm_pool_free(m, d->loaded_image);
	d->image_handle = NULL;
	d->loaded_image = NULL;
	if (d->image)
		mm_image_remove(m, d->image);
	d->image = NULL;
	mm_log(m, MM_LOG_DISPATCH, "%s unloaded (%u MMI handler(s), %u protocol(s) purged)",
	       d->name, mmi, protocols);
}

/* Records a failed entry point (status, reason) and unloads d. */
static void entry_failed(struct mm_machine *m, struct mm_driver *d, const char *why)
{
	d->state = MM_DRIVER_FAILED;
	snprintf(d->reason, sizeof(d->reason), "%s", why);
	mm_log(m, MM_LOG_DISPATCH, "%s failed: %s", d->name, why);
	unload(m, d);
}

/*
 * Calls d's entry point with its second argument (MMST or system table) in
 * the given phase (mm: InMm TRUE), with the image handle made before.
 */
static enum mm_err call_entry(struct mm_machine *m, struct mm_driver *d, uint64_t table, bool mm,
			      uint64_t *status)
{
	uint64_t args[2] = { (uint64_t)(uintptr_t)d->image_handle, table };
	bool outer = m->dxe.in_mm_entry;
	enum mm_err err;

	mm_log(m, MM_LOG_DISPATCH, "%s: entry %s (order %u, %s phase, %s)", d->name,
	       MM_ADDR(m, d->entry), d->order, mm ? "MM" : "DXE",
	       needs_dxe(d) ? "system table" : "MMST");
	m->dxe.in_mm_entry = mm;
	err = mm_call(m, d->entry, 2, args, status);
	m->dxe.in_mm_entry = outer;
	return err;
}

/* Runs the DXE phase of a combined driver; its failure is only logged. */
static enum mm_err run_dxe_phase(struct mm_machine *m, struct mm_driver *d, uint64_t st)
{
	uint64_t status = 0;
	enum mm_err err = call_entry(m, d, st, false, &status);

	if (err == MM_ERR_STOPPED)
		return err;
	if (err || EFI_ERROR(status))
		mm_log(m, MM_LOG_WARN, "%s: DXE phase of the combined driver failed (0x%llx%s%s); "
		       "the MM phase runs anyway", d->name, (unsigned long long)status,
		       err ? ", " : "", err ? m->errmsg : "");
	return MM_OK;
}

/* Calls the entry point of d. Returns MM_OK or MM_ERR_STOPPED. */
static enum mm_err run_driver(struct mm_machine *m, struct mm_driver *d)
{
	uint64_t table = (uint64_t)(uintptr_t)m->mmst, status = 0;
	char why[160];
	enum mm_err err;

	d->order = ++m->disp.dispatched;
	if (needs_dxe(d)) {
		EFI_SYSTEM_TABLE *st = mm_dxe_st(m);

		if (!st) {
			d->entry_status = EFI_OUT_OF_RESOURCES;
			entry_failed(m, d, "no UEFI system table could be made for it");
			return MM_OK;
		}
		table = (uint64_t)(uintptr_t)st;
	}
	err = create_image_handle(m, d);
	if (err) {
		d->entry_status = mm_err_to_efi(err);
		entry_failed(m, d, m->errmsg);
		return MM_OK;
	}
	if (d->type == MM_MODULE_COMBINED)
		err = run_dxe_phase(m, d, table);
	if (!err)
		err = call_entry(m, d, table, true, &status);
	if (err == MM_ERR_STOPPED) {
		d->state = MM_DRIVER_FAILED;
		d->entry_status = EFI_ABORTED;
		snprintf(d->reason, sizeof(d->reason), "guest stopped in the entry point");
		mm_log(m, MM_LOG_DISPATCH, "%s: guest stopped in the entry point", d->name);
		return MM_ERR_STOPPED;
	}
	if (err) {
		d->entry_status = mm_err_to_efi(err);
		snprintf(why, sizeof(why), "entry point not called: %.120s", m->errmsg);
		entry_failed(m, d, why);
		return MM_OK;
	}
	d->entry_status = status;
	mm_log(m, MM_LOG_DISPATCH, "%s: entry returned 0x%llx", d->name,
	       (unsigned long long)status);
	if (EFI_ERROR(status)) {
		snprintf(why, sizeof(why), "entry point returned 0x%llx",
			 (unsigned long long)status);
		entry_failed(m, d, why);
		return MM_OK;
	}
	d->state = MM_DRIVER_DISPATCHED;
	return MM_OK;
}

static enum mm_err run_ordered(struct mm_machine *m, struct mm_driver *d, unsigned nest);

/* Runs the pending drivers that asked to go BEFORE (or AFTER) target. */
static enum mm_err run_neighbours(struct mm_machine *m, struct mm_driver *target, bool before,
				  unsigned nest)
{
	for (struct mm_driver *x = m->disp.drivers; x; x = x->next) {
		enum mm_err err;

		if (x->state != MM_DRIVER_PENDING || x->scheduled || refused_by_model(m, x) ||
		    !(before ? x->shape.before : x->shape.after) ||
		    memcmp(&x->shape.target, &target->guid, sizeof(EFI_GUID)))
			continue;
		if (nest >= ORDER_MAX_NEST) {
			mm_log(m, MM_LOG_WARN,
			       "%s: BEFORE/AFTER chain deeper than %d, left pending", x->name,
			       ORDER_MAX_NEST);
			continue;
		}
		mm_log(m, MM_LOG_DEPEX, "%s: %s %s", x->name, before ? "BEFORE" : "AFTER",
		       target->name);
		err = run_ordered(m, x, nest + 1);
		if (err)
			return err;
	}
	return MM_OK;
}

/* Dispatches d with the drivers ordered before and after it. */
static enum mm_err run_ordered(struct mm_machine *m, struct mm_driver *d, unsigned nest)
{
	enum mm_err err;

	d->scheduled = true;
	err = run_neighbours(m, d, true, nest);
	if (!err)
		err = run_driver(m, d);
	if (!err)
		err = run_neighbours(m, d, false, nest);
	return err;
}

/* One pass over the drivers in load order; *progress tells whether one ran. */
static enum mm_err dispatch_pass(struct mm_machine *m, bool *progress)
{
	*progress = false;
	for (struct mm_driver *d = m->disp.drivers; d; d = d->next) {
		EFI_GUID absent;
		bool has_absent;
		enum mm_err err;

		if (d->state != MM_DRIVER_PENDING || d->scheduled || d->shape.before ||
		    d->shape.after || refused_by_model(m, d))
			continue;
		if (!depex_true(m, d, &absent, &has_absent))
			continue;
		*progress = true;
		err = run_ordered(m, d, 0);
		if (err)
			return err;
	}
	return MM_OK;
}

/* Why the BEFORE/AFTER target with file GUID g did not take its neighbour along. */
static const char *target_fate(const struct mm_machine *m, const EFI_GUID *g)
{
	for (const struct mm_driver *t = m->disp.drivers; t; t = t->next) {
		if (memcmp(&t->guid, g, sizeof(*g)))
			continue;
		if (t->order)
			return "which was dispatched by an earlier run";
		return "which was not dispatched";
	}
	return "which is not loaded";
}

/* Writes why pending driver d could not be dispatched into d->reason. */
static void explain(struct mm_machine *m, struct mm_driver *d)
{
	char label[96], text[128];
	EFI_GUID absent;
	bool has_absent;

	if (refused_by_model(m, d)) {
		snprintf(d->reason, sizeof(d->reason),
			 "refused: a %s driver takes the UEFI system table, and standalone MM "
			 "initialised in PEI has none until the DXE side hands it over",
			 d->type == MM_MODULE_COMBINED ? "combined MM/DXE" : "traditional MM");
		return;
	}
	if (d->shape.before || d->shape.after) {
		snprintf(d->reason, sizeof(d->reason), "%s driver %s, %s",
			 d->shape.before ? "BEFORE" : "AFTER",
			 guid_label(&d->shape.target, label, sizeof(label)),
			 target_fate(m, &d->shape.target));
		return;
	}
	if (!depex_true(m, d, &absent, &has_absent) && has_absent) {
		snprintf(d->reason, sizeof(d->reason), "waits for %s",
			 guid_label(&absent, label, sizeof(label)));
		return;
	}
	mm_depex_format(d->depex, d->depex_len, text, sizeof(text));
	snprintf(d->reason, sizeof(d->reason), "DEPEX is FALSE: %s", text);
}

/* Marks every driver left pending as not dispatched, with its reason. */
static void mark_leftovers(struct mm_machine *m)
{
	for (struct mm_driver *d = m->disp.drivers; d; d = d->next) {
		if (d->state != MM_DRIVER_PENDING)
			continue;
		d->state = MM_DRIVER_NOT_DISPATCHED;
		explain(m, d);
		mm_log(m, MM_LOG_DISPATCH, "%s not dispatched: %s", d->name, d->reason);
	}
}

/* Gives drivers left behind by an earlier run another chance. */
static void reset_leftovers(struct mm_machine *m)
{
	for (struct mm_driver *d = m->disp.drivers; d; d = d->next) {
		d->scheduled = false;
		if (d->state == MM_DRIVER_NOT_DISPATCHED) {
			d->state = MM_DRIVER_PENDING;
			d->reason[0] = 0;
		}
	}
}

enum mm_err mm_dispatch(struct mm_machine *m)
{
	struct mm_dispatcher *disp = &m->disp;
	enum mm_err err = MM_OK;
	bool progress = true;

	if (disp->running)
		return mm_fail(m, MM_ERR_STATE, "mm_dispatch: the dispatcher is already running");
	disp->running = true;
	reset_leftovers(m);
	mm_log(m, MM_LOG_DISPATCH, "dispatch: %u driver(s)", disp->count);
	while (progress) {
		uint64_t installs = m->mmdb.install_count;

		err = dispatch_pass(m, &progress);
		if (err)
			break;
		if (m->mmdb.install_count != installs)
			progress = true;
	}
	if (!err)
		mark_leftovers(m);
	disp->running = false;
	mm_log(m, MM_LOG_DISPATCH, "dispatch done: %u driver(s) dispatched so far",
	       disp->dispatched);
	return err;
}

unsigned mm_driver_count(const struct mm_machine *m)
{
	return m->disp.count;
}

enum mm_err mm_driver_get_info(const struct mm_machine *m, unsigned index,
			       struct mm_driver_info *out)
{
	const struct mm_driver *d = mm_driver_at(m, index);

	if (!d)
		return MM_ERR_NOT_FOUND;
	memset(out, 0, sizeof(*out));
	out->name = d->name;
	memcpy(out->file_guid, &d->guid, sizeof(out->file_guid));
	out->type = d->type;
	out->state = d->state;
	out->entry_status = d->entry_status;
	out->reason = d->reason[0] ? d->reason : NULL;
	out->dispatch_order = d->order;
	out->image_base = d->image_base;
	out->image_size = d->image_size;
	return MM_OK;
}

enum mm_err mm_driver_schedule(struct mm_machine *m, const uint8_t file_guid[16])
{
	bool found = false;

	for (struct mm_driver *d = m->disp.drivers; d; d = d->next) {
		if (memcmp(&d->guid, file_guid, sizeof(d->guid)))
			continue;
		found = true;
		if (d->state != MM_DRIVER_UNREQUESTED)
			continue;
		d->state = MM_DRIVER_PENDING;
		mm_log(m, MM_LOG_DISPATCH, "%s: scheduled on request", d->name);
		return MM_OK;
	}
	if (found)
		return mm_fail(m, MM_ERR_STATE,
			       "mm_driver_schedule: driver is not waiting for a request");
	return mm_fail(m, MM_ERR_NOT_FOUND, "mm_driver_schedule: no driver with that file GUID");
}

const char *mm_driver_state_name(enum mm_driver_state state)
{
	switch (state) {
	case MM_DRIVER_PENDING: return "pending";
	case MM_DRIVER_UNREQUESTED: return "unrequested";
	case MM_DRIVER_DISPATCHED: return "dispatched";
	case MM_DRIVER_FAILED: return "failed";
	case MM_DRIVER_NOT_DISPATCHED: return "not-dispatched";
	case MM_DRIVER_BAD_DEPEX: return "bad-depex";
	}
	return "unknown";
}
