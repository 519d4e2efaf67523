/* SPDX-License-Identifier: MIT */
/*
 * The status of a `mmemu fuzz` run. On a terminal one line is redrawn in
 * place (\r) twice a second; into a file or a pipe (CI logs) a plain line is
 * written every few seconds instead, so logs stay short and readable:
 *
 *   #1.2M  81.3k/s  edges 345  corpus 23  findings 2 (smram-write 1, crash 1)  new edge 3s ago  0:15
 */
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mmemu/oracle.h>

#include "fuzz-status.h"
#include "fuzz-target.h"

#define TTY_SECONDS 0.5
#define LOG_SECONDS 5.0

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Formats a count with a k/M/G suffix ("81.3k"). */
static const char *count(char buf[16], double v)
{
	if (v >= 1e9)
		snprintf(buf, 16, "%.1fG", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, 16, "%.1fM", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, 16, "%.1fk", v / 1e3);
	else
		snprintf(buf, 16, "%.0f", v);
	return buf;
}

/* Formats a duration as "42s", "3m04s" or "2h05m". */
static const char *duration(char buf[32], double s)
{
	unsigned long t = s > 0 ? (unsigned long)s : 0;

	if (t < 60)
		snprintf(buf, 32, "%lus", t);
	else if (t < 3600)
		snprintf(buf, 32, "%lum%02lus", t / 60, t % 60);
	else
		snprintf(buf, 32, "%luh%02lum", t / 3600, t / 60 % 60);
	return buf;
}

/* Appends " (class n, ...)" for the classes with findings to buf. */
static void by_class(char *buf, size_t len, const struct mm_fuzz_stats *s)
{
	size_t at = strlen(buf);
	bool first = true;

	for (unsigned i = 0; i < CLI_FUZZ_CLASSES && at < len; i++) {
		if (!s->findings_by_class[i])
			continue;
		at += (size_t)snprintf(buf + at, len - at, "%s%s %u", first ? " (" : ", ",
				       cli_fuzz_class_name(i), s->findings_by_class[i]);
		first = false;
	}
	if (!first && at < len)
		snprintf(buf + at, len - at, ")");
}

/* Formats the status line of s at rate executions per second. */
static void status_line(char *buf, size_t len, const struct mm_fuzz_stats *s, double rate)
{
	char a[16], b[16], c[32], d[32];

	snprintf(buf, len, "#%s  %s/s  edges %u  corpus %u  findings %u", count(a, (double)s->execs),
		 count(b, rate), s->edges, s->corpus, s->findings);
	by_class(buf, len, s);
	snprintf(buf + strlen(buf), len - strlen(buf), "  new edge %s ago  %s",
		 duration(c, s->since_new_edge), duration(d, s->seconds));
}

void cli_fuzz_status_init(struct cli_fuzz_status *st, FILE *out, const struct mm_fuzz_config *cfg,
		      unsigned jobs)
{
	memset(st, 0, sizeof(*st));
	st->out = out;
	st->tty = isatty(fileno(out));
	st->jobs = jobs;
	st->cfg = cfg;
}

/* Prints the header line: what is fuzzed, how. */
static void header(const struct cli_fuzz_status *st)
{
	const struct mm_fuzz_config *cfg = st->cfg;
	const struct mm_fuzz_target *t = &cfg->target;
	const uint8_t *g = t->guid;
	FILE *out = st->out;

	fprintf(out, "mmemu fuzz: %s, ", cfg->scenario);
	if (t->kind == MM_FUZZ_COMMUNICATE)
		fprintf(out, "communicate %02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-"
			     "%02X%02X%02X%02X%02X%02X",
			g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11],
			g[12], g[13], g[14], g[15]);
	else if (t->sw_value >= 0)
		fprintf(out, "SW SMI 0x%02X on CPU %u", t->sw_value, t->cpu);
	else
		fprintf(out, "SW SMI (any value) on CPU %u", t->cpu);
	fprintf(out, ", oracles ");
	if (!cfg->oracles)
		fprintf(out, "none");
	else if (cfg->oracles == MM_ORACLE_ALL)
		fprintf(out, "all");
	for (unsigned i = 0; cfg->oracles != MM_ORACLE_ALL && i < 8; i++)
		if (cfg->oracles & (1u << i))
			fprintf(out, "%s%s", cfg->oracles & ((1u << i) - 1) ? "," : "",
				mm_oracle_name(1u << i));
	fprintf(out, ", seed %llu, %u worker%s\n", (unsigned long long)cfg->seed, st->jobs,
		st->jobs == 1 ? "" : "s");
	fflush(out);
}

void cli_fuzz_status_start(struct cli_fuzz_status *st)
{
	header(st);
	st->t0 = st->last_print = now_seconds();
	st->last_execs = 0;
}

void cli_fuzz_status_update(struct cli_fuzz_status *st, const struct mm_fuzz_stats *s)
{
	double t = now_seconds(), dt = t - st->last_print;
	char line[512];

	if (dt < (st->tty ? TTY_SECONDS : LOG_SECONDS))
		return;
	status_line(line, sizeof(line), s, (double)(s->execs - st->last_execs) / dt);
	st->last_print = t;
	st->last_execs = s->execs;
	if (st->tty) {
		/* \033[K clears what a longer previous line left behind. */
		fprintf(st->out, "\r%s\033[K", line);
		st->line_open = true;
	} else {
		fprintf(st->out, "%s\n", line);
	}
	fflush(st->out);
}

void cli_fuzz_status_final(struct cli_fuzz_status *st, const struct mm_fuzz_stats *s)
{
	double t = now_seconds() - st->t0;
	char a[16], line[512];

	if (st->line_open)
		fprintf(st->out, "\n");
	snprintf(line, sizeof(line), "done: %llu execs in %.1f s (%s/s), edges %u, corpus %u, "
				     "findings %u",
		 (unsigned long long)s->execs, t, count(a, t > 0 ? (double)s->execs / t : 0),
		 s->edges, s->corpus, s->findings);
	by_class(line, sizeof(line), s);
	fprintf(st->out, "%s\n", line);
	fflush(st->out);
}
