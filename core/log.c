/* SPDX-License-Identifier: MIT */
/* Log categories, sinks and the formatting of one log line. */
#include <stdio.h>
#include <string.h>

#include "machine.h"

static const struct {
	const char *name;
	enum mm_log_cat cat;
} cat_names[] = {
	{ "dispatch", MM_LOG_DISPATCH }, { "depex", MM_LOG_DEPEX },
	{ "mmi", MM_LOG_MMI },           { "memory", MM_LOG_MEMORY },
	{ "communicate", MM_LOG_COMMUNICATE }, { "lock", MM_LOG_LOCK },
	{ "smi", MM_LOG_SMI },           { "io", MM_LOG_IO },
	{ "protocol", MM_LOG_PROTOCOL }, { "cpu", MM_LOG_CPU },
	{ "debug", MM_LOG_DEBUG },       { "warn", MM_LOG_WARN },
};

#define NCATS (sizeof(cat_names) / sizeof(cat_names[0]))

const char *mm_log_cat_name(enum mm_log_cat cat)
{
	for (unsigned i = 0; i < NCATS; i++)
		if (cat_names[i].cat == cat)
			return cat_names[i].name;
	return "log";
}

void mm_log_set_mask(struct mm_machine *m, uint32_t mask)
{
	m->log.mask = mask;
}

uint32_t mm_log_mask(const struct mm_machine *m)
{
	return m->log.mask;
}

void mm_log_set_sink(struct mm_machine *m, mm_log_sink sink, void *user)
{
	m->log.sink = sink;
	m->log.user = user;
}

int mm_log_parse(const char *list, uint32_t *mask, char *err, unsigned errlen)
{
	uint32_t out = 0;
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ",");
		bool found = false;

		if (n == 3 && !strncmp(p, "all", 3)) {
			out = MM_LOG_ALL;
			found = true;
		}
		for (unsigned i = 0; !found && i < NCATS; i++) {
			if (strlen(cat_names[i].name) == n && !strncmp(p, cat_names[i].name, n)) {
				out |= cat_names[i].cat;
				found = true;
			}
		}
		if (!found && n) {
			if (err)
				snprintf(err, errlen,
					 "unknown log category '%.*s' (known: dispatch, depex, mmi, "
					 "memory, communicate, lock, smi, io, protocol, cpu, debug, "
					 "warn, all)",
					 (int)n, p);
			return MM_ERR_INVALID;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	*mask = out;
	return MM_OK;
}

void mm_log_emit(struct mm_machine *m, enum mm_log_cat cat, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (m->log.sink)
		m->log.sink(m->log.user, cat, line);
	else
		fprintf(stderr, "[%s] %s\n", mm_log_cat_name(cat), line);
}
