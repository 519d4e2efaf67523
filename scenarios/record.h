/* SPDX-License-Identifier: MIT */
/*
 * The recorder's event log (include/mmemu/record.h), shared by record.c,
 * which fills it from the run hooks, and report-html.c, which writes it.
 */
#ifndef SCENARIOS_RECORD_H
#define SCENARIOS_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mmemu/cpu.h>
#include <mmemu/record.h>
#include <mmemu/stop.h>

#define REC_REGS 18          /* RAX..R15, RIP, RFLAGS (enum mm_reg order) */
#define REC_MAX_CPUS 8       /* CPUs whose registers a step keeps */
#define REC_MAX_BUFFER 4096  /* communicate bytes kept per side */
#define REC_LOG_CAP (64u << 10) /* log bytes kept per step */
#define REC_MAX_HANDLERS 4096
#define REC_MAX_SMIS 4096
#define REC_MAX_STEPS 4096

struct rec_handler {
	char driver[64];      /* "" when no image holds it */
	char where[96];       /* image+offset, or the address */
	char sym[160];        /* function (file:line) when the image has symbols, or "" */
	bool root;
	uint8_t guid[16];     /* handler type, unless root */
	uint64_t status;
	uint64_t insns;       /* emulated instructions inside it (0: not counted, native) */
	uint64_t smi;         /* SMI number it ran in, 0: outside an SMI */
	size_t step;
};

struct rec_smi {
	uint64_t number;
	unsigned source_cpu, bsp, ncpus;
	char source[128];     /* the SMI log line that raised it, or the step's action */
	size_t step;
};

/* A declared message field, copied from the step (the scenario may go first). */
struct rec_field {
	char type[8];
	char name[48];
	size_t offset, size;
};

struct rec_step {
	char label[96];
	char action[32];
	unsigned line, cpu;
	enum mm_err err;
	char *failure;
	unsigned ncpus;
	uint64_t regs_in[REC_MAX_CPUS][REC_REGS], regs_out[REC_MAX_CPUS][REC_REGS];
	bool comm;
	uint64_t comm_addr, comm_status;
	uint8_t *before, *after;
	size_t before_len, after_len;
	struct rec_field *fields; /* the message's declared layout (malloc'd), or NULL */
	size_t nfields;
	char *log;
	size_t log_len;
	bool log_cut;
	struct mm_stop stop;  /* kind MM_STOP_NONE: none */
	bool done;
};

struct mm_recorder {
	char *name, *file;
	struct mm_machine *m;
	struct rec_step *steps;
	size_t nsteps;
	struct rec_smi *smis;
	size_t nsmis;
	struct rec_handler *handlers;
	size_t nhandlers;
	uint64_t last_smi;    /* m->smi.count seen last */
	char source[128];     /* the last SMI-raising log line */
	bool asserted;        /* SMI# asserted since: source is final */
	char *failure;        /* the run's failure */
	bool cut;             /* a table was full: events are missing */
	char *setup_log;      /* log before the first step (driver loading) */
	size_t setup_len;
};

#endif /* SCENARIOS_RECORD_H */
