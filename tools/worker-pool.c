/* SPDX-License-Identifier: MIT */
/*
 * A pool of forked worker processes that run jobs by index and send back one
 * framed record per job.
 *
 * Each worker is forked once and then runs job after job, so a run of
 * thousands of scenarios pays for a fork (and the copy-on-write faults that
 * follow it) once per worker, not once per scenario: on the virtual machines
 * this project runs on, that fork cost was three quarters of a small
 * scenario's time. A worker still holds one machine at a time, and a driver
 * that kills its process loses only the job it was running: the pool reports
 * the death and starts a fresh worker in its place.
 *
 * Frames on a worker's result pipe: a 32-bit length, then that many bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "worker-pool.h"

/* Writes all of buf to fd; false when the other end is gone. */
static bool write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		len -= (size_t)w;
	}
	return true;
}

/* Reads exactly len bytes; false at end of file or on an error. */
static bool read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t r = read(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		p += r;
		len -= (size_t)r;
	}
	return true;
}

bool pool_send_record(int fd, const void *record, size_t len)
{
	uint32_t n = (uint32_t)len;

	return len <= UINT32_MAX && write_all(fd, &n, sizeof(n)) && write_all(fd, record, len);
}

/* The worker's loop: job indexes in, records out, until the pipe closes. */
static void worker_main(const struct pool *p, int in, int out)
{
	uint64_t index;

	while (read_all(in, &index, sizeof(index)))
		p->work(p->ctx, (size_t)index, out);
	_exit(0);
}

/* Forks worker w; returns 0 or -1. */
static int spawn(struct pool *p, struct pool_worker *w)
{
	int to[2], from[2];

	if (pipe(to))
		return -1;
	if (pipe(from)) {
		close(to[0]);
		close(to[1]);
		return -1;
	}
	fflush(NULL);
	w->pid = fork();
	if (w->pid < 0) {
		close(to[0]);
		close(to[1]);
		close(from[0]);
		close(from[1]);
		return -1;
	}
	if (w->pid == 0) {
		/* Only this worker's own ends stay open in it. */
		for (unsigned i = 0; i < p->n; i++) {
			if (&p->w[i] != w && p->w[i].pid > 0) {
				close(p->w[i].to);
				close(p->w[i].from);
			}
		}
		close(to[1]);
		close(from[0]);
		worker_main(p, to[0], from[1]);
	}
	close(to[0]);
	close(from[1]);
	fcntl(to[1], F_SETFD, FD_CLOEXEC);
	fcntl(from[0], F_SETFD, FD_CLOEXEC);
	w->to = to[1];
	w->from = from[0];
	w->job = -1;
	w->len = 0;
	return 0;
}

int pool_start(struct pool *p, unsigned n, pool_work_fn work, void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->w = calloc(n, sizeof(*p->w));
	if (!p->w)
		return -1;
	p->work = work;
	p->ctx = ctx;
	/* A worker that dies must not take the parent with it through SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	for (p->n = 0; p->n < n; p->n++)
		if (spawn(p, &p->w[p->n]))
			return -1;
	return 0;
}

bool pool_submit(struct pool *p, size_t index)
{
	for (unsigned i = 0; i < p->n; i++) {
		struct pool_worker *w = &p->w[i];
		uint64_t v = index;

		if (w->pid <= 0 || w->job >= 0)
			continue;
		if (!write_all(w->to, &v, sizeof(v)))
			return false;
		w->job = (ssize_t)index;
		return true;
	}
	return false;
}

/* Ends worker w: closes its pipes and reaps it; returns its wait status. */
static int reap(struct pool_worker *w, bool kill_it)
{
	int status = 0;

	close(w->to);
	close(w->from);
	if (kill_it)
		kill(w->pid, SIGKILL);
	while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
		;
	w->pid = 0;
	return status;
}

/*
 * Appends what worker w has to say; stores a finished record in *res.
 * Returns 1 with a result, 0 without, -1 on a host error.
 */
static int drain(struct pool *p, struct pool_worker *w, struct pool_result *res)
{
	uint32_t need;
	ssize_t r;

	if (w->cap - w->len < 4096) {
		size_t cap = w->cap ? w->cap * 2 : 8192;
		char *b = realloc(w->buf, cap);

		if (!b)
			return -1;
		w->buf = b;
		w->cap = cap;
	}
	r = read(w->from, w->buf + w->len, w->cap - w->len);
	if (r < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (r == 0) { /* the worker died in the middle of its job */
		*res = (struct pool_result){ .index = (size_t)w->job, .died = true };
		res->status = reap(w, false);
		if (spawn(p, w))
			return -1;
		return 1;
	}
	w->len += (size_t)r;
	if (w->len < sizeof(need))
		return 0;
	memcpy(&need, w->buf, sizeof(need));
	if (w->len < sizeof(need) + need)
		return 0;
	*res = (struct pool_result){ .index = (size_t)w->job, .len = need };
	res->record = malloc(need + 1);
	if (!res->record)
		return -1;
	memcpy(res->record, w->buf + sizeof(need), need);
	res->record[need] = 0;
	memmove(w->buf, w->buf + sizeof(need) + need, w->len - sizeof(need) - need);
	w->len -= sizeof(need) + need;
	w->job = -1;
	return 1;
}

int pool_wait(struct pool *p, struct pool_result *res)
{
	struct pollfd fds[POOL_MAX_WORKERS];
	unsigned idx[POOL_MAX_WORKERS];
	nfds_t n = 0;

	for (unsigned i = 0; i < p->n && n < POOL_MAX_WORKERS; i++)
		if (p->w[i].pid > 0 && p->w[i].job >= 0) {
			fds[n] = (struct pollfd){ .fd = p->w[i].from, .events = POLLIN };
			idx[n++] = i;
		}
	if (!n)
		return 0;
	for (;;) {
		if (poll(fds, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (nfds_t k = 0; k < n; k++) {
			int r;

			if (!fds[k].revents)
				continue;
			r = drain(p, &p->w[idx[k]], res);
			if (r)
				return r;
		}
	}
}

void pool_stop(struct pool *p, bool kill_them)
{
	for (unsigned i = 0; i < p->n; i++) {
		if (p->w[i].pid > 0)
			reap(&p->w[i], kill_them);
		free(p->w[i].buf);
	}
	free(p->w);
	memset(p, 0, sizeof(*p));
}
