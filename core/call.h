/* SPDX-License-Identifier: MIT */
/*
 * The one path by which the Foundation calls driver code (entry points, MMI
 * handlers, notifications, AP procedures): it picks the engine from the image
 * owning the address, records which driver is executing (for attribution)
 * and makes the machine current for the EFIAPI services the driver calls.
 *
 * The EFIAPI services of the MM System Table take no context argument; they
 * find their machine with mm_current(), a thread-local pointer that is set
 * only while mm_call() runs driver code. One thread drives one machine at a
 * time; different threads may drive different machines.
 */
#ifndef CORE_CALL_H
#define CORE_CALL_H

#include <stdint.h>

#include <mmemu/error.h>

struct mm_machine;
struct mm_image;

#define MM_CALL_MAX_ARGS 8

/*
 * Calls the function at fn with nargs (<= MM_CALL_MAX_ARGS) 64-bit arguments
 * with the MS x64 calling convention and stores its 64-bit result in *ret
 * (may be NULL). Returns MM_OK, MM_ERR_INVALID (too many args, fn 0),
 * MM_ERR_UNSUPPORTED (emulated code and no CPU model), MM_ERR_STOPPED (the
 * guest stopped).
 */
enum mm_err mm_call(struct mm_machine *m, uint64_t fn, unsigned nargs, const uint64_t *args,
		    uint64_t *ret);

/*
 * mm_call() for a caller that already knows the image owning fn (NULL: host
 * code outside every registered image), e.g. because it looked it up when
 * the function was registered. Purging an image removes every registration
 * pointing into it, so such a cached image is never stale.
 */
enum mm_err mm_call_image(struct mm_machine *m, struct mm_image *img, uint64_t fn,
			  unsigned nargs, const uint64_t *args, uint64_t *ret);

/*
 * The machine whose driver code runs on this thread; set only by mm_call().
 * Initial-exec TLS: reading it is one load, with no call, so the EFIAPI fast
 * paths (pool, MMI) need not save the registers the MS ABI preserves.
 */
extern _Thread_local struct mm_machine *mm_current_machine
	__attribute__((tls_model("initial-exec")));

/* The machine whose driver code is running on this thread, or NULL. */
static inline struct mm_machine *mm_current(void)
{
	return mm_current_machine;
}

/* The image whose code is running on m (innermost), or NULL for the Foundation. */
struct mm_image *mm_executing_image(const struct mm_machine *m);
/* Name of the executing driver, or "foundation". */
const char *mm_executing_name(const struct mm_machine *m);

#endif /* CORE_CALL_H */
