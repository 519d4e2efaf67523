/* SPDX-License-Identifier: MIT */
/* Stop records: why the guest stopped, kept in the machine. */
#include <stdio.h>
#include <string.h>

#include "machine.h"
#include "oracle-hook.h"
#include "stop.h"

const char *mm_stop_kind_name(enum mm_stop_kind kind)
{
	switch (kind) {
	case MM_STOP_NONE: return "none";
	case MM_STOP_FAULT: return "fault";
	case MM_STOP_UNMAPPED: return "unmapped";
	case MM_STOP_HANG: return "hang";
	case MM_STOP_CANARY: return "canary";
	case MM_STOP_CALLOUT: return "callout";
	case MM_STOP_ORACLE: return "oracle";
	case MM_STOP_HOST: return "host";
	}
	return "?";
}

const struct mm_stop *mm_machine_stop(const struct mm_machine *m)
{
	return m->stop.kind == MM_STOP_NONE ? NULL : &m->stop;
}

void mm_machine_clear_stop(struct mm_machine *m)
{
	memset(&m->stop, 0, sizeof(m->stop));
}

struct mm_stop *mm_stop_set(struct mm_machine *m, enum mm_stop_kind kind, unsigned cpu,
			    uint64_t rip, const char *fmt, ...)
{
	struct mm_stop *s = &m->stop;
	struct mm_image *img = rip ? mm_image_find(m, rip) : NULL;
	struct mm_oracle_hooks *h;
	va_list ap;

	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->cpu = cpu;
	s->rip = rip;
	if (img)
		snprintf(s->where, sizeof(s->where), "%.63s+0x%llx", img->name,
			 (unsigned long long)(rip - img->base));
	va_start(ap, fmt);
	vsnprintf(s->message, sizeof(s->message), fmt, ap);
	va_end(ap);
	if (kind != MM_STOP_ORACLE && (h = mm_oracle_hooks(m)) && h->stopped)
		h->stopped(m, s); /* an oracle may claim it (hang, callout, canary) */
	snprintf(m->errmsg, sizeof(m->errmsg), "%s", s->message);
	mm_log(m, MM_LOG_WARN, "guest stopped (%s): %s", mm_stop_kind_name(kind), s->message);
	return s;
}
