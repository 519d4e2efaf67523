/* SPDX-License-Identifier: MIT */
/*
 * SMM bug oracles on the emulated CPU (issue 7). Each oracle watches one
 * class of SMM bug while MMIs run and, when it fires, ends the MMI with a
 * stop record (include/mmemu/stop.h) of kind MM_STOP_ORACLE whose `oracle`
 * field is the class name below and whose message starts with
 * "oracle <class>: ". All oracles are off until mm_oracle_enable turns
 * them on; with every oracle off the hot paths are unchanged.
 *
 *   smram-write   SMRAM written through a pointer taken from the CommBuffer
 *                 or from the interrupted context's registers (save state)
 *   callout       SMM code fetched outside SMRAM, a service called after lock
 *   comm-oob      CommBuffer accessed outside [message, message + length)
 *   double-fetch  the same CommBuffer bytes read twice in one MMI
 *   pool          SMRAM pool overflow (red zones) and use after free
 *   stack         SMM stack overflow (guard below the stack, canary)
 *   disclosure    SMRAM contents (poisoned allocations, the planted secret)
 *                 found in the CommBuffer after the MMI
 *   hang          instruction budget of an SMI exhausted
 */
#ifndef MMEMU_ORACLE_H
#define MMEMU_ORACLE_H

#include <stddef.h>
#include <stdint.h>

#include <mmemu/error.h>

struct mm_machine;

enum mm_oracle_class {
	MM_ORACLE_SMRAM_WRITE = 1u << 0,
	MM_ORACLE_CALLOUT = 1u << 1,
	MM_ORACLE_COMM_OOB = 1u << 2,
	MM_ORACLE_DOUBLE_FETCH = 1u << 3,
	MM_ORACLE_POOL = 1u << 4,
	MM_ORACLE_STACK = 1u << 5,
	MM_ORACLE_DISCLOSURE = 1u << 6,
	MM_ORACLE_HANG = 1u << 7,
	MM_ORACLE_ALL = (1u << 8) - 1,
};

/* Bytes of the MMI's input kept with a finding. */
#define MM_ORACLE_INPUT_MAX 256

/* The details of the last finding, beyond the stop record. */
struct mm_oracle_finding {
	uint32_t oracle;            /* one enum mm_oracle_class bit; 0: no finding */
	uint64_t rip, address;      /* the instruction, the data address */
	uint64_t first_rip;         /* double-fetch: the first read's instruction */
	uint64_t source;            /* smram-write: the untrusted pointer value */
	char backtrace[160];        /* drivers executing, innermost first */
	uint64_t comm_buffer;       /* the MMI's CommBuffer (0: a SW SMI) */
	uint64_t input_len;         /* bytes of the message (input holds the first ones) */
	uint8_t input[MM_ORACLE_INPUT_MAX];
};

/*
 * Turns on exactly the oracles in mask (enum mm_oracle_class bits; 0 turns
 * every oracle off). Needs the emulated CPU for every class but disclosure,
 * pool (at free), hang and callout. Returns MM_OK, MM_ERR_INVALID (unknown
 * bits), MM_ERR_STATE (no CPU model attached), MM_ERR_NOMEM.
 */
enum mm_err mm_oracle_enable(struct mm_machine *m, uint32_t mask);
/* The oracles turned on in m. */
uint32_t mm_oracle_enabled(const struct mm_machine *m);
/* The name of one class bit ("smram-write"), or NULL. */
const char *mm_oracle_name(uint32_t oracle);
/* The class bit of a name, or 0 when the name is unknown ("all": MM_ORACLE_ALL). */
uint32_t mm_oracle_parse(const char *name);
/*
 * Copies the last finding of m to *out. Returns MM_OK, or MM_ERR_NOT_FOUND
 * when no oracle fired since the oracles were enabled.
 */
enum mm_err mm_oracle_finding(const struct mm_machine *m, struct mm_oracle_finding *out);

#endif /* MMEMU_ORACLE_H */
