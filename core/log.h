/* SPDX-License-Identifier: MIT */
/* Internal logging: mm_log() costs one mask test when its category is off. */
#ifndef CORE_LOG_H
#define CORE_LOG_H

#include <mmemu/log.h>

struct mm_log_state {
	uint32_t mask;
	mm_log_sink sink; /* NULL: standard error */
	void *user;
};

#define mm_log(m, cat, ...)                                                                \
	do {                                                                               \
		if ((m)->log.mask & (uint32_t)(cat))                                       \
			mm_log_emit((m), (cat), __VA_ARGS__);                              \
	} while (0)

/* Formats and sends one line; call through mm_log(). */
void mm_log_emit(struct mm_machine *m, enum mm_log_cat cat, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* CORE_LOG_H */
