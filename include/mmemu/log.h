/* SPDX-License-Identifier: MIT */
/*
 * Log categories. Every category but MM_LOG_WARN is off by default; a
 * disabled category costs one test of a bit mask at each log site.
 */
#ifndef MMEMU_LOG_H
#define MMEMU_LOG_H

#include <stdint.h>

struct mm_machine;

enum mm_log_cat {
	MM_LOG_DISPATCH = 1u << 0,    /* driver load, entry and status */
	MM_LOG_DEPEX = 1u << 1,       /* DEPEX evaluation */
	MM_LOG_MMI = 1u << 2,         /* handler registration and MMI dispatch */
	MM_LOG_MEMORY = 1u << 3,      /* page and pool allocation */
	MM_LOG_COMMUNICATE = 1u << 4, /* MM communicate buffers and validation */
	MM_LOG_LOCK = 1u << 5,        /* EndOfDxe, ReadyToLock, SMRAM open/close/lock */
	MM_LOG_SMI = 1u << 6,         /* SMI sources, entry, RSM */
	MM_LOG_IO = 1u << 7,          /* port and MMIO accesses */
	MM_LOG_PROTOCOL = 1u << 8,    /* protocol database */
	MM_LOG_CPU = 1u << 9,         /* CPU model */
	MM_LOG_DEBUG = 1u << 10,      /* bytes a driver writes to the debug/serial port */
	MM_LOG_WARN = 1u << 31,       /* misuse and suspicious driver behaviour (on by default) */
};

#define MM_LOG_ALL 0xffffffffu

/*
 * Receives every enabled log line. line has no trailing newline and is only
 * valid during the call.
 */
typedef void (*mm_log_sink)(void *user, enum mm_log_cat cat, const char *line);

/* Sets the enabled categories (a mask of enum mm_log_cat) of machine m. */
void mm_log_set_mask(struct mm_machine *m, uint32_t mask);
/* Returns the enabled categories of machine m. */
uint32_t mm_log_mask(const struct mm_machine *m);
/* Sends log lines of m to sink (NULL: standard error) with user passed back. */
void mm_log_set_sink(struct mm_machine *m, mm_log_sink sink, void *user);
/*
 * Parses a comma-separated list of category names ("dispatch,mmi", "all")
 * into *mask. Returns MM_OK, or MM_ERR_INVALID naming the unknown category in
 * the machine-less message buffer err (size errlen, may be NULL).
 */
int mm_log_parse(const char *list, uint32_t *mask, char *err, unsigned errlen);
/* Returns the name of one category ("dispatch"). */
const char *mm_log_cat_name(enum mm_log_cat cat);

#endif /* MMEMU_LOG_H */
