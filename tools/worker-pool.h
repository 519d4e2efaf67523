/* SPDX-License-Identifier: MIT */
/* A pool of forked workers that run jobs by index (see worker-pool.c). */
#ifndef TOOLS_WORKER_POOL_H
#define TOOLS_WORKER_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define POOL_MAX_WORKERS 256

/* Runs job index in a worker and sends its record with pool_send_record(out, ...). */
typedef void (*pool_work_fn)(void *ctx, size_t index, int out);

struct pool_worker {
	pid_t pid;     /* 0: none */
	int to, from;  /* job indexes to it, records from it */
	ssize_t job;   /* the job it runs, -1 when idle */
	char *buf;     /* partial record */
	size_t len, cap;
};

struct pool {
	struct pool_worker *w;
	unsigned n;
	pool_work_fn work;
	void *ctx;
};

/* What pool_wait() hands back for one job. */
struct pool_result {
	size_t index;
	char *record;  /* malloc'd, NUL-terminated after len bytes; NULL when died */
	size_t len;
	bool died;     /* the worker died running it; status says how */
	int status;    /* wait status of the dead worker */
};

/*
 * Forks n (<= POOL_MAX_WORKERS) workers that will call work(ctx, index, fd).
 * The workers see the caller's memory as it is now. Returns 0 or -1.
 */
int pool_start(struct pool *p, unsigned n, pool_work_fn work, void *ctx);
/* Hands job index to an idle worker; false when none is idle (or it is gone). */
bool pool_submit(struct pool *p, size_t index);
/*
 * Waits for a job to end and fills *res. Returns 1 with a result, 0 when no job
 * is running, -1 on a host error. A dead worker is replaced by a new one.
 */
int pool_wait(struct pool *p, struct pool_result *res);
/* Ends every worker (killing those still busy when kill_them). */
void pool_stop(struct pool *p, bool kill_them);
/* Worker side: sends one framed record. False when the parent is gone. */
bool pool_send_record(int fd, const void *record, size_t len);

#endif /* TOOLS_WORKER_POOL_H */
