/* SPDX-License-Identifier: MIT */
/* Recording stop records (include/mmemu/stop.h) from inside mmemu. */
#ifndef CORE_STOP_H
#define CORE_STOP_H

#include <mmemu/error.h>
#include <mmemu/stop.h>

struct mm_machine;

/*
 * Fills m's stop record (kind, cpu, rip; message from fmt) — other fields may be
 * set on the returned record by the caller — copies the message into the
 * machine's error message, and returns the record. Attributes rip to an image
 * ("Name+0xoff") when one owns it.
 */
struct mm_stop *mm_stop_set(struct mm_machine *m, enum mm_stop_kind kind, unsigned cpu,
			    uint64_t rip, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif /* CORE_STOP_H */
