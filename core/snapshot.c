/* SPDX-License-Identifier: MIT */
/*
 * Machine snapshots (include/mmemu/snapshot.h; docs/architecture.md,
 * "Snapshots").
 *
 * Guest memory: every mapped region is a tracked range with a bitmap of the
 * pages written since the last restore and, per page, its content at the
 * snapshot ("orig"). SMRAM ranges keep a full copy (the baseline) from the
 * start. Two ways to learn which pages were written:
 *
 *  - write protection (MMEMU_SNAP_TRACK=protect, and the default once a
 *    native driver is loaded): tracked memory is made read-only; the
 *    first store to a page, whoever makes it (emulated code, host code,
 *    native drivers), faults; the SIGSEGV handler lists the page, copies a
 *    RAM page into the range's shadow mapping, makes the page writable and
 *    returns, so the store is retried. A restore copies listed pages back
 *    and protects them again. Pages written at SNAP_HOT consecutive
 *    restores stay writable on the watch list (compared at every restore)
 *    until they stay unchanged for SNAP_COLD restores: a compare is cheaper
 *    than a fault.
 *  - marking (MMEMU_SNAP_TRACK=hook, the default when all drivers are
 *    emulated, and the fallback when the handler cannot be set up):
 *    writers mark pages before they write (mm_snap_mark): the CPU model's
 *    write hook, the checked accessor mm_mem_ptr. RAM keeps copies of the
 *    RAM heap's allocated pages at take and of other pages when first
 *    marked. Writers that do not mark (host code writing memory it owns,
 *    native drivers) are found by comparing against the baseline: a full
 *    compare at the first restores, every SNAP_VERIFY_EVERY restores and
 *    after native code ran; pages found changed join the watch list.
 *
 * MMEMU_SNAP_VERIFY=1 compares all of tracked memory at every restore and
 * logs (MM_LOG_WARN) pages the tracking missed: a debugging aid.
 *
 *   restore: dirty list ──copy orig──► guest pages ──► rewrite hook (CPU model)
 *            watch list ──compare/copy──►
 *            (full compare when due)
 *            Foundation tables whose generation moved ──► copied back
 *            parts (CPU model, chipset) ──► their restore
 *
 * Foundation host state: the page heaps and the pool put back their own
 * copies (page.c, pool.c) when their generation moved; the machine's value
 * fields are copied back; the protocol databases and MMI handler lists are
 * not copied: a change to them (an execution that installs a protocol or
 * registers a handler) makes the restore fail with MM_ERR_UNSUPPORTED.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <mmemu/snapshot.h>

#include "core/log.h"
#include "core/machine.h"
#include "core/snapshot.h"

#define SNAP_PAGE 4096u
#define SNAP_SHIFT 12
#define SNAP_VERIFY_FIRST 2     /* restores that always compare all tracked memory */
#define SNAP_VERIFY_EVERY 1024  /* and then one restore in this many */
#define SNAP_MARK_MAX_PAGES 64  /* a larger mark asks for a full compare instead */
#define SNAP_HOT 3              /* protect mode: dirty at this many restores in a row: watched */
#define SNAP_COLD 64            /* a watched page unchanged this many restores: protected again */
#define SNAP_PROT_MAX 16        /* protected ranges, all machines of the process */
/* Guest memory is mapped RWX (core/memory.c): protection only takes the W away. */
#define SNAP_PROT_RO (PROT_READ | PROT_EXEC)
#define SNAP_PROT_RW (PROT_READ | PROT_WRITE | PROT_EXEC)

/* One page of a tracked range. */
struct snap_page {
	uint32_t range;
	uint32_t page;
};

/* A mapped region of guest memory, tracked page by page. */
struct snap_range {
	uint64_t base, pages;
	uint8_t *host;
	uint64_t *dirty;   /* bitmap: marked since the last restore */
	uint8_t **orig;    /* per page: its bytes at the snapshot, NULL while unknown */
	uint8_t *baseline; /* whole-range copy (SMRAM), orig points into it; or NULL */
	uint8_t *shadow;   /* protect mode, RAM: lazily filled copy (mmap), orig points into it */
	uint32_t *seen;    /* protect mode: per page, the restore that last found it dirty */
	uint8_t *streak;   /* protect mode: consecutive restores that found it dirty */
	uint8_t *idle;     /* protect mode: watched, restores it stayed unchanged */
};

/* Page lists grown on demand. */
struct snap_list {
	struct snap_page *v;
	uint32_t n, cap;
};

struct mm_snap_track {
	struct snap_range r[MM_MAX_REGIONS];
	unsigned n;
	struct snap_list dirty; /* marked pages, in marking order */
	struct snap_list watch; /* pages compared at every restore */
	bool verify;            /* compare all of tracked memory at the next restore */
	bool failed;            /* out of host memory while marking: compare all */
	bool protect;           /* pages are write-protected; the SIGSEGV handler lists them */
	bool verify_all;        /* MMEMU_SNAP_VERIFY: compare all at every restore */
	uint64_t missed;        /* pages a full compare found changed but not listed */
	uint32_t restores;      /* restores so far (protect mode bookkeeping) */
	uint64_t lazy_bytes;    /* orig copies made on demand */
	void (*rewrite)(void *user, uint64_t addr, uint64_t len);
	void *rewrite_user;
};

/* A registered part (CPU model, chipset), and the registry of a machine. */
struct snap_part {
	const struct mm_snapshot_part *ops;
	void *data;
	struct mm_snapshot_part plain; /* ops of a plain-struct part */
	size_t size;                   /* plain parts: bytes at data */
	struct snap_part *next;
};

struct snap_registry {
	struct snap_part *parts;
	struct mm_snapshot *active;
};

struct snap_saved_part {
	struct snap_part *part;
	void *saved;
};

struct mm_snapshot {
	struct mm_machine *m;   /* NULL once the machine is gone */
	struct mm_snap_track *track;
	struct mm_machine fields;  /* the machine's value fields at take */
	struct mm_cpu_host *cpu_host;
	struct mm_page_heap_saved *smram, *ram;
	struct mm_pool_saved *pool;
	struct snap_saved_part *parts;
	unsigned nparts;
	struct mm_snapshot_stats stats;
};

#define SNAP_EXT "snapshot"

/* ------------------------------------------------------------------ */
/* Dirty-page tracking                                                 */

/* Appends p to l; false when out of host memory. */
static bool list_push(struct snap_list *l, struct snap_page p)
{
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 64;
		struct snap_page *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return false;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = p;
	return true;
}

/* Marks page p of range ri: keeps its content if unknown, lists it. */
static void mark_page(struct mm_snap_track *t, unsigned ri, uint64_t p)
{
	struct snap_range *r = &t->r[ri];
	uint64_t bit = 1ull << (p & 63);

	if (r->dirty[p >> 6] & bit)
		return;
	if (!r->orig[p]) {
		r->orig[p] = malloc(SNAP_PAGE);
		if (!r->orig[p]) {
			t->failed = true;
			return;
		}
		memcpy(r->orig[p], r->host + (p << SNAP_SHIFT), SNAP_PAGE);
		t->lazy_bytes += SNAP_PAGE;
	}
	if (!list_push(&t->dirty, (struct snap_page){ ri, (uint32_t)p })) {
		t->failed = true;
		return;
	}
	r->dirty[p >> 6] |= bit;
}

void mm_snap_mark(struct mm_snap_track *t, uint64_t addr, uint64_t len)
{
	if (t->protect)
		return; /* the store will fault if it comes */
	if (len == 0)
		len = 1;
	for (unsigned i = 0; i < t->n; i++) {
		struct snap_range *r = &t->r[i];
		uint64_t off = addr - r->base, first, last;

		if (addr < r->base || off >= r->pages << SNAP_SHIFT)
			continue;
		first = off >> SNAP_SHIFT;
		last = (off + len - 1) >> SNAP_SHIFT;
		if (last >= r->pages || last < first)
			last = r->pages - 1;
		if (last - first >= SNAP_MARK_MAX_PAGES) {
			t->verify = true; /* too large to list: compare it all */
			return;
		}
		for (uint64_t p = first; p <= last; p++)
			mark_page(t, i, p);
		return;
	}
}

void mm_snap_native_ran(struct mm_snap_track *t)
{
	if (!t->protect) /* write protection sees native stores */
		t->verify = true;
}

void mm_snap_set_rewrite_hook(struct mm_snap_track *t,
			      void (*fn)(void *user, uint64_t addr, uint64_t len), void *user)
{
	t->rewrite = fn;
	t->rewrite_user = user;
}

/* ------------------------------------------------------------------ */
/* Write protection                                                    */

static void page_put_back(struct mm_snap_track *t, unsigned ri, uint64_t p);

/*
 * The protected ranges of every machine in the process. A signal handler
 * gets no context pointer, so this is the one mutable global of the
 * snapshot code (docs/architecture.md, "Snapshots"): a small fixed array the
 * handler can search without locks or allocation. Entries are filled before
 * their track pointer is published and cleared by clearing it first.
 */
struct snap_prot {
	uintptr_t lo, hi;           /* [lo, hi) host addresses */
	struct mm_snap_track *t;    /* NULL: free entry */
	unsigned ri;                /* range index in t */
};

static struct snap_prot snap_prot[SNAP_PROT_MAX];
static struct sigaction snap_old_segv; /* the handler before ours (ASan, libFuzzer...) */
static unsigned snap_prot_users;       /* entries in use; the handler stays while > 0 */

/* Passes a fault that is not ours to the handler that was there before. */
static void snap_chain(int sig, siginfo_t *si, void *ctx)
{
	const struct sigaction *o = &snap_old_segv;

	if ((o->sa_flags & SA_SIGINFO) && o->sa_sigaction) {
		o->sa_sigaction(sig, si, ctx);
	} else if (!(o->sa_flags & SA_SIGINFO) && o->sa_handler != SIG_DFL &&
		   o->sa_handler != SIG_IGN) {
		o->sa_handler(sig);
	} else {
		/* default action: uninstall; the retried access faults and kills */
		struct sigaction dfl;

		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		sigaction(sig, &dfl, NULL);
	}
}

/*
 * The first store to protected page p of range ri of t: lists it, keeps
 * a RAM page's content in the shadow, makes it writable. Runs in the
 * signal handler: memcpy and mprotect only, no allocation.
 */
static bool snap_fault_page(struct mm_snap_track *t, unsigned ri, uint64_t p)
{
	struct snap_range *r = &t->r[ri];
	uint64_t bit = 1ull << (p & 63);
	uint8_t *page = r->host + (p << SNAP_SHIFT);

	if (!(r->dirty[p >> 6] & bit)) {
		if (!r->orig[p] && r->shadow) {
			memcpy(r->shadow + (p << SNAP_SHIFT), page, SNAP_PAGE);
			r->orig[p] = r->shadow + (p << SNAP_SHIFT);
			t->lazy_bytes += SNAP_PAGE;
		}
		if (t->dirty.n >= t->dirty.cap)
			return false; /* cannot happen: the list holds every page */
		t->dirty.v[t->dirty.n++] = (struct snap_page){ ri, (uint32_t)p };
		r->dirty[p >> 6] |= bit;
	}
	return mprotect(page, SNAP_PAGE, SNAP_PROT_RW) == 0;
}

/* SIGSEGV: a store to a protected guest page is ours; anything else is chained. */
static void snap_segv(int sig, siginfo_t *si, void *ctx)
{
	int saved_errno = errno;
	uintptr_t a = (uintptr_t)si->si_addr;

	if (si->si_code == SEGV_ACCERR) {
		for (unsigned i = 0; i < SNAP_PROT_MAX; i++) {
			struct mm_snap_track *t = __atomic_load_n(&snap_prot[i].t, __ATOMIC_ACQUIRE);

			if (!t || a < snap_prot[i].lo || a >= snap_prot[i].hi)
				continue;
			if (snap_fault_page(t, snap_prot[i].ri,
					    (a - snap_prot[i].lo) >> SNAP_SHIFT)) {
				errno = saved_errno;
				return;
			}
			break;
		}
	}
	errno = saved_errno;
	snap_chain(sig, si, ctx);
}

/* Installs snap_segv (once for all machines); false if the process will not have it. */
static bool snap_handler_install(void)
{
	struct sigaction sa, now;

	if (snap_prot_users)
		return true;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = snap_segv;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &snap_old_segv))
		return false;
	/* a sanitizer may refuse user SIGSEGV handlers (allow_user_segv_handler=0) */
	return !sigaction(SIGSEGV, NULL, &now) && (now.sa_flags & SA_SIGINFO) &&
	       now.sa_sigaction == snap_segv;
}

/* Puts the previous SIGSEGV action back once no range is protected, if ours is still set. */
static void snap_handler_remove(void)
{
	struct sigaction now;

	if (snap_prot_users || sigaction(SIGSEGV, NULL, &now))
		return;
	if ((now.sa_flags & SA_SIGINFO) && now.sa_sigaction == snap_segv)
		sigaction(SIGSEGV, &snap_old_segv, NULL);
}

/* Forgets the protected ranges of t and makes its memory writable again. */
static void track_unprotect(struct mm_snap_track *t)
{
	if (!t->protect)
		return;
	for (unsigned i = 0; i < SNAP_PROT_MAX; i++) {
		if (snap_prot[i].t != t)
			continue;
		__atomic_store_n(&snap_prot[i].t, NULL, __ATOMIC_RELEASE);
		snap_prot_users--;
	}
	for (unsigned i = 0; i < t->n; i++)
		mprotect(t->r[i].host, t->r[i].pages << SNAP_SHIFT, SNAP_PROT_RW);
	t->protect = false;
	snap_handler_remove();
}

/* Allocates what protect mode needs for range r: bookkeeping, a RAM shadow. */
static bool range_protect_alloc(struct snap_range *r)
{
	r->seen = calloc(r->pages, sizeof(*r->seen));
	r->streak = calloc(r->pages, 1);
	r->idle = calloc(r->pages, 1);
	if (!r->seen || !r->streak || !r->idle)
		return false;
	if (r->baseline)
		return true;
	r->shadow = mmap(NULL, r->pages << SNAP_SHIFT, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r->shadow == MAP_FAILED) {
		r->shadow = NULL;
		return false;
	}
	return true;
}

/*
 * Switches t to write protection: registers its ranges, installs the
 * handler, protects the memory. False (t stays in marking mode) when the
 * registry is full, the handler cannot be set or memory runs out.
 */
static bool track_protect(struct mm_snap_track *t)
{
	uint64_t total = 0;
	unsigned free_slots = 0;

	for (unsigned i = 0; i < SNAP_PROT_MAX; i++)
		free_slots += !snap_prot[i].t;
	if (free_slots < t->n)
		return false;
	for (unsigned i = 0; i < t->n; i++) {
		if (!range_protect_alloc(&t->r[i]))
			return false;
		total += t->r[i].pages;
	}
	t->dirty.v = malloc(total * sizeof(*t->dirty.v)); /* the handler never grows it */
	if (!t->dirty.v || !snap_handler_install()) {
		snap_handler_remove();
		return false;
	}
	t->dirty.cap = (uint32_t)total;
	t->protect = true;
	for (unsigned i = 0, slot = 0; i < t->n; i++) {
		struct snap_range *r = &t->r[i];

		while (snap_prot[slot].t)
			slot++;
		snap_prot[slot].lo = (uintptr_t)r->host;
		snap_prot[slot].hi = (uintptr_t)r->host + (r->pages << SNAP_SHIFT);
		snap_prot[slot].ri = i;
		__atomic_store_n(&snap_prot[slot].t, t, __ATOMIC_RELEASE);
		snap_prot_users++;
	}
	for (unsigned i = 0; i < t->n; i++)
		if (mprotect(t->r[i].host, t->r[i].pages << SNAP_SHIFT, SNAP_PROT_RO)) {
			track_unprotect(t);
			return false;
		}
	return true;
}

bool mm_snap_protected(const struct mm_snap_track *t)
{
	return t && t->protect;
}

void mm_snap_unprotect(struct mm_snap_track *t, uint64_t addr, uint64_t len)
{
	if (!t->protect) {
		mm_snap_mark(t, addr, len);
		return;
	}
	if (len == 0)
		len = 1;
	for (unsigned i = 0; i < t->n; i++) {
		struct snap_range *r = &t->r[i];
		uint64_t off = addr - r->base, last;

		if (addr < r->base || off >= r->pages << SNAP_SHIFT)
			continue;
		last = len - 1 > (r->pages << SNAP_SHIFT) - 1 - off ? r->pages - 1
								  : (off + len - 1) >> SNAP_SHIFT;
		for (uint64_t p = off >> SNAP_SHIFT; p <= last; p++)
			snap_fault_page(t, i, p);
		return;
	}
}

/* Orders pages by range, then page, so that neighbours coalesce. */
static int page_cmp(const void *a, const void *b)
{
	const struct snap_page *x = a, *y = b;

	if (x->range != y->range)
		return x->range < y->range ? -1 : 1;
	return x->page < y->page ? -1 : x->page > y->page;
}

/* Write-protects pages [first, first+n) of range ri (protect mode). */
static void protect_run(struct mm_snap_track *t, uint32_t ri, uint64_t first, uint64_t n)
{
	mprotect(t->r[ri].host + (first << SNAP_SHIFT), n << SNAP_SHIFT, SNAP_PROT_RO);
}

/*
 * Protect mode: puts back every listed page and protects it again, in runs
 * of neighbours; a page dirty at SNAP_HOT restores in a row joins the watch
 * list and stays writable. Returns the pages put back.
 */
static uint64_t restore_protected_dirty(struct mm_snap_track *t)
{
	uint32_t n = t->dirty.n, k = ++t->restores, run_ri = 0;
	uint64_t run_first = 0, run_n = 0;

	if (n > 1)
		qsort(t->dirty.v, n, sizeof(*t->dirty.v), page_cmp);
	for (uint32_t i = 0; i < n; i++) {
		struct snap_page pg = t->dirty.v[i];
		struct snap_range *r = &t->r[pg.range];

		page_put_back(t, pg.range, pg.page);
		r->dirty[pg.page >> 6] &= ~(1ull << (pg.page & 63));
		if (r->streak[pg.page] >= SNAP_HOT)
			continue; /* watched already (mm_snap_unprotect listed it) */
		r->streak[pg.page] = r->seen[pg.page] == k - 1 ? r->streak[pg.page] + 1 : 1;
		r->seen[pg.page] = k;
		if (r->streak[pg.page] >= SNAP_HOT && list_push(&t->watch, pg)) {
			r->idle[pg.page] = 0;
			continue; /* stays writable, compared from now on */
		}
		if (run_n && run_ri == pg.range && run_first + run_n == pg.page) {
			run_n++;
			continue;
		}
		if (run_n)
			protect_run(t, run_ri, run_first, run_n);
		run_ri = pg.range;
		run_first = pg.page;
		run_n = 1;
	}
	if (run_n)
		protect_run(t, run_ri, run_first, run_n);
	t->dirty.n = 0;
	return n;
}

/* Frees the tracking of t and everything it copied; unprotects its memory. */
static void track_free(struct mm_snap_track *t)
{
	if (!t)
		return;
	track_unprotect(t);
	for (unsigned i = 0; i < t->n; i++) {
		struct snap_range *r = &t->r[i];

		if (!r->baseline && !r->shadow && r->orig)
			for (uint64_t p = 0; p < r->pages; p++)
				free(r->orig[p]);
		if (r->shadow)
			munmap(r->shadow, r->pages << SNAP_SHIFT);
		free(r->orig);
		free(r->dirty);
		free(r->baseline);
		free(r->seen);
		free(r->streak);
		free(r->idle);
	}
	free(t->dirty.v);
	free(t->watch.v);
	free(t);
}

/* Keeps copies of the RAM heap's allocated pages that lie in range ri. */
static bool keep_ram_heap_pages(struct mm_machine *m, struct mm_snap_track *t, unsigned ri)
{
	struct snap_range *r = &t->r[ri];

	for (const struct mm_page_run *run = m->ram.used; run; run = run->next)
		for (uint64_t a = run->base; a < run->base + (run->pages << SNAP_SHIFT);
		     a += SNAP_PAGE) {
			uint64_t p = (a - r->base) >> SNAP_SHIFT;

			if (a < r->base || p >= r->pages || r->orig[p])
				continue;
			r->orig[p] = malloc(SNAP_PAGE);
			if (!r->orig[p])
				return false;
			memcpy(r->orig[p], r->host + (p << SNAP_SHIFT), SNAP_PAGE);
		}
	return true;
}

/*
 * Whether m's snapshot should mark writes instead of write-protecting:
 * MMEMU_SNAP_TRACK=hook or =protect decides; by default marking when every
 * driver is emulated (the Unicorn hook costs less than faults there, see
 * docs/architecture.md), protection as soon as one native driver is loaded
 * (marking would compare all of SMRAM after each of its runs).
 */
static bool want_marking(const struct mm_machine *m)
{
	const char *v = getenv("MMEMU_SNAP_TRACK");

	if (v && !strcmp(v, "hook"))
		return true;
	if (v && !strcmp(v, "protect"))
		return false;
	for (const struct mm_image *img = m->images.list; img; img = img->next)
		if (img->engine == MM_ENGINE_NATIVE)
			return false;
	return true;
}

/*
 * Sets up tracking of every mapped region of m: SMRAM copied whole, RAM on
 * demand; write-protected unless marking is asked for or protection cannot
 * be set up.
 */
static struct mm_snap_track *track_build(struct mm_machine *m, bool marking)
{
	struct mm_snap_track *t = calloc(1, sizeof(*t));
	const char *verify = getenv("MMEMU_SNAP_VERIFY");

	if (!t)
		return NULL;
	t->verify_all = verify && *verify && strcmp(verify, "0");
	for (unsigned i = 0; i < m->mem.count; i++) {
		const struct mm_region *g = &m->mem.regions[i];
		struct snap_range *r = &t->r[t->n];

		if (!g->mapped)
			continue;
		t->n++;
		r->base = g->desc.base;
		r->pages = g->desc.size >> SNAP_SHIFT;
		r->host = g->host;
		r->dirty = calloc((r->pages + 63) / 64, sizeof(uint64_t));
		r->orig = calloc(r->pages, sizeof(uint8_t *));
		if (!r->dirty || !r->orig)
			goto fail;
		if (g->desc.kind == MM_REGION_SMRAM) {
			r->baseline = malloc(r->pages << SNAP_SHIFT);
			if (!r->baseline)
				goto fail;
			memcpy(r->baseline, r->host, r->pages << SNAP_SHIFT);
			for (uint64_t p = 0; p < r->pages; p++)
				r->orig[p] = r->baseline + (p << SNAP_SHIFT);
		} else if (marking && !keep_ram_heap_pages(m, t, t->n - 1)) {
			goto fail;
		}
	}
	if (!marking && !track_protect(t)) {
		mm_log(m, MM_LOG_WARN, "snapshot: write protection unavailable, marking writes");
		track_free(t);
		return track_build(m, true);
	}
	return t;
fail:
	track_free(t);
	return NULL;
}

/* The tracking of a new snapshot of m, in the mode the environment asks for. */
static struct mm_snap_track *track_new(struct mm_machine *m)
{
	return track_build(m, want_marking(m));
}

/* Copies page p of range ri back from its orig; tells the rewrite hook. */
static void page_put_back(struct mm_snap_track *t, unsigned ri, uint64_t p)
{
	struct snap_range *r = &t->r[ri];

	memcpy(r->host + (p << SNAP_SHIFT), r->orig[p], SNAP_PAGE);
	if (t->rewrite)
		t->rewrite(t->rewrite_user, r->base + (p << SNAP_SHIFT), SNAP_PAGE);
}

/* Puts back every listed dirty page; returns how many. */
static uint64_t restore_dirty(struct mm_snap_track *t)
{
	uint32_t n = t->dirty.n;

	for (uint32_t i = 0; i < n; i++) {
		struct snap_page pg = t->dirty.v[i];
		struct snap_range *r = &t->r[pg.range];

		page_put_back(t, pg.range, pg.page);
		r->dirty[pg.page >> 6] &= ~(1ull << (pg.page & 63));
	}
	t->dirty.n = 0;
	return n;
}

/*
 * Protect mode: watched page i stayed unchanged once more; after SNAP_COLD
 * times it is protected again and leaves the list. True if it left.
 */
static bool watch_cool(struct mm_snap_track *t, uint32_t i)
{
	struct snap_page pg = t->watch.v[i];
	struct snap_range *r = &t->r[pg.range];

	if (++r->idle[pg.page] < SNAP_COLD)
		return false;
	r->streak[pg.page] = 0;
	protect_run(t, pg.range, pg.page, 1);
	t->watch.v[i] = t->watch.v[--t->watch.n];
	return true;
}

/* Compares the watched pages with their orig and puts back those that differ. */
static uint64_t restore_watched(struct mm_snap_track *t)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < t->watch.n; i++) {
		struct snap_page pg = t->watch.v[i];
		struct snap_range *r = &t->r[pg.range];

		if (memcmp(r->host + ((uint64_t)pg.page << SNAP_SHIFT), r->orig[pg.page],
			   SNAP_PAGE)) {
			page_put_back(t, pg.range, pg.page);
			if (t->protect)
				r->idle[pg.page] = 0;
			n++;
		} else if (t->protect && watch_cool(t, i)) {
			i--; /* another page moved into slot i */
		}
	}
	return n;
}

/*
 * Compares every page with a known orig against it: pages changed behind
 * the tracking's back are put back and watched from now on. Returns the
 * pages put back.
 */
static uint64_t restore_verify(struct mm_snap_track *t)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < t->n; i++) {
		struct snap_range *r = &t->r[i];

		for (uint64_t p = 0; p < r->pages; p++) {
			if (!r->orig[p] ||
			    !memcmp(r->host + (p << SNAP_SHIFT), r->orig[p], SNAP_PAGE))
				continue;
			page_put_back(t, i, p);
			if (!t->protect)
				list_push(&t->watch, (struct snap_page){ i, (uint32_t)p });
			t->missed++;
			n++;
		}
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Parts registered by other folders                                   */

/*
 * Ends the tie of s to its machine: parts drop their copies (and their
 * tracking), dirty-page tracking stops. s stays, empty, for mm_snapshot_free.
 */
static void snapshot_detach(struct mm_snapshot *s, struct snap_registry *g)
{
	struct mm_machine *m = s->m;

	for (unsigned i = 0; i < s->nparts; i++)
		s->parts[i].part->ops->drop(m, s->parts[i].part->data, s->parts[i].saved);
	s->nparts = 0;
	m->snap = NULL;
	if (g->active == s)
		g->active = NULL;
	track_free(s->track);
	s->track = NULL;
	s->m = NULL;
}

/* Frees the registry when the machine goes; an active snapshot is orphaned. */
static void registry_fini(struct mm_machine *m, void *data)
{
	struct snap_registry *g = data;

	(void)m;
	if (g->active)
		snapshot_detach(g->active, g);
	while (g->parts) {
		struct snap_part *p = g->parts;

		g->parts = p->next;
		free(p);
	}
	free(g);
}

/* The registry of m, made on first use; NULL when out of memory. */
static struct snap_registry *registry(struct mm_machine *m)
{
	struct snap_registry *g = mm_extension_get(m, SNAP_EXT);

	if (g)
		return g;
	g = calloc(1, sizeof(*g));
	if (!g || mm_extension_add(m, SNAP_EXT, registry_fini, g)) {
		free(g);
		return NULL;
	}
	return g;
}

enum mm_err mm_snapshot_part_add(struct mm_machine *m, const struct mm_snapshot_part *ops,
				 void *data)
{
	struct snap_registry *g = registry(m);
	struct snap_part *p = g ? calloc(1, sizeof(*p)) : NULL;

	if (!p)
		return mm_fail(m, MM_ERR_NOMEM, "snapshot: out of memory for part %s", ops->name);
	p->ops = ops;
	p->data = data;
	p->next = g->parts;
	g->parts = p;
	return MM_OK;
}

/* A plain part: data is the struct, the copy holds its bytes. */
struct plain_saved {
	size_t size;
	unsigned char bytes[];
};

static void *plain_take(struct mm_machine *m, void *data)
{
	struct snap_registry *g = mm_extension_get(m, SNAP_EXT);

	for (struct snap_part *p = g ? g->parts : NULL; p; p = p->next) {
		struct plain_saved *s;

		if (p->data != data || !p->size)
			continue;
		s = malloc(sizeof(*s) + p->size);
		if (s) {
			s->size = p->size;
			memcpy(s->bytes, data, p->size);
		}
		return s;
	}
	return NULL;
}

static enum mm_err plain_restore(struct mm_machine *m, void *data, void *saved)
{
	struct plain_saved *s = saved;

	(void)m;
	memcpy(data, s->bytes, s->size);
	return MM_OK;
}

static void plain_drop(struct mm_machine *m, void *data, void *saved)
{
	(void)m;
	(void)data;
	free(saved);
}

static size_t plain_bytes(const void *saved)
{
	return sizeof(struct plain_saved) + ((const struct plain_saved *)saved)->size;
}

enum mm_err mm_snapshot_part_add_plain(struct mm_machine *m, const char *name, void *p,
				       size_t size)
{
	struct snap_registry *g;
	enum mm_err err;

	err = mm_snapshot_part_add(m, NULL, p);
	if (err)
		return err;
	g = mm_extension_get(m, SNAP_EXT);
	g->parts->plain = (struct mm_snapshot_part){ name, plain_take, plain_restore, plain_drop,
						     plain_bytes };
	g->parts->ops = &g->parts->plain;
	g->parts->size = size;
	return MM_OK;
}

/* Copies every registered part into s. */
static enum mm_err parts_take(struct mm_machine *m, struct snap_registry *g,
			      struct mm_snapshot *s)
{
	unsigned n = 0;

	for (struct snap_part *p = g->parts; p; p = p->next)
		n++;
	s->parts = calloc(n ? n : 1, sizeof(*s->parts));
	if (!s->parts)
		return MM_ERR_NOMEM;
	for (struct snap_part *p = g->parts; p; p = p->next) {
		void *saved = p->ops->take(m, p->data);

		if (!saved)
			return mm_fail(m, MM_ERR_NOMEM, "snapshot: cannot copy %s", p->ops->name);
		s->parts[s->nparts++] = (struct snap_saved_part){ p, saved };
	}
	return MM_OK;
}

/* ------------------------------------------------------------------ */
/* The Foundation's host state                                         */

/*
 * Copies back the machine's value fields: the stop record, lock, SMI and
 * CPU bookkeeping, MMI dispatch counters, configuration table and call
 * stack. Pointers to host structures stay as they are.
 */
static void fields_restore(struct mm_machine *m, const struct mm_snapshot *s)
{
	const struct mm_machine *f = &s->fields;
	uint64_t mmi_gen = m->mmi.gen;
	struct mm_mmi_entry *entries = m->mmi.entries;

	m->stop = f->stop;
	m->lock = f->lock;
	m->smi = f->smi;
	m->cpus.executing = f->cpus.executing;
	m->cpus.bsp = f->cpus.bsp;
	m->cpus.in_smm = f->cpus.in_smm;
	memcpy(m->cpus.host, s->cpu_host, m->cpus.count * sizeof(*m->cpus.host));
	m->mmi = f->mmi;
	m->mmi.entries = entries;
	m->mmi.gen = mmi_gen;
	m->config = f->config;
	m->config_count = f->config_count;
	m->config_cap = f->config_cap;
	m->exec_depth = f->exec_depth;
	m->mem.comm_hint = f->mem.comm_hint;
}

/*
 * Puts back the page heaps and the pool if they changed. Returns MM_OK,
 * MM_ERR_NOMEM, or MM_ERR_UNSUPPORTED when a table the snapshot does not
 * copy changed (protocol databases, MMI handlers, child dispatcher and SW
 * dispatch registrations: m->child_gen).
 */
static enum mm_err host_restore(struct mm_machine *m, struct mm_snapshot *s)
{
	const struct mm_machine *f = &s->fields;
	bool changed = m->smram.gen != f->smram.gen || m->ram.gen != f->ram.gen;
	enum mm_err err;

	err = mm_page_heap_restore(&m->smram, s->smram);
	if (!err)
		err = mm_page_heap_restore(&m->ram, s->ram);
	if (!err && s->pool) {
		changed |= mm_pool_changed(m, s->pool);
		err = mm_pool_restore(m, s->pool);
	}
	if (err)
		return mm_fail(m, err, "snapshot: out of host memory restoring the heaps");
	if (changed)
		s->stats.host_restores++;
	if (m->mmi.gen != f->mmi.gen || m->child_gen != f->child_gen ||
	    m->mmdb.key != f->mmdb.key || m->dxedb.key != f->dxedb.key)
		return mm_fail(m, MM_ERR_UNSUPPORTED,
			       "snapshot: the last execution (un)registered MMI or child dispatcher "
			       "handlers or changed a protocol database; snapshots do not put those "
			       "back");
	return MM_OK;
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */

void mm_snapshot_free(struct mm_snapshot *s)
{
	if (!s)
		return;
	if (s->m)
		snapshot_detach(s, mm_extension_get(s->m, SNAP_EXT));
	track_free(s->track);
	free(s->parts);
	free(s->cpu_host);
	mm_page_heap_saved_free(s->smram);
	mm_page_heap_saved_free(s->ram);
	mm_pool_saved_free(s->pool);
	free(s);
}

/* Copies the Foundation's state of m into s. */
static enum mm_err host_take(struct mm_machine *m, struct mm_snapshot *s)
{
	s->fields = *m;
	s->cpu_host = malloc((m->cpus.count ? m->cpus.count : 1) * sizeof(*s->cpu_host));
	s->smram = mm_page_heap_save(&m->smram);
	s->ram = mm_page_heap_save(&m->ram);
	s->pool = m->pool ? mm_pool_save(m) : NULL;
	if (!s->cpu_host || !s->smram || !s->ram || (m->pool && !s->pool))
		return mm_fail(m, MM_ERR_NOMEM, "snapshot: out of host memory");
	if (m->cpus.count)
		memcpy(s->cpu_host, m->cpus.host, m->cpus.count * sizeof(*s->cpu_host));
	return MM_OK;
}

enum mm_err mm_snapshot_take(struct mm_machine *m, struct mm_snapshot **out)
{
	struct snap_registry *g;
	struct mm_snapshot *s;
	enum mm_err err;

	*out = NULL;
	if (m->cpus.in_smm || m->exec_depth)
		return mm_fail(m, MM_ERR_STATE, "snapshot: cannot take one while MM code runs");
	g = registry(m);
	if (!g)
		return mm_fail(m, MM_ERR_NOMEM, "snapshot: out of host memory");
	if (g->active)
		return mm_fail(m, MM_ERR_STATE, "snapshot: the machine already has one");
	s = calloc(1, sizeof(*s));
	if (!s)
		return mm_fail(m, MM_ERR_NOMEM, "snapshot: out of host memory");
	s->m = m;
	err = host_take(m, s);
	if (!err && !(s->track = track_new(m)))
		err = mm_fail(m, MM_ERR_NOMEM, "snapshot: out of host memory for guest memory");
	if (!err) {
		m->snap = s->track;
		g->active = s;
		err = parts_take(m, g, s);
	}
	if (err) {
		mm_snapshot_free(s);
		return err;
	}
	s->stats.bytes = sizeof(*s);
	*out = s;
	return MM_OK;
}

/* Puts back guest memory; returns the pages copied. */
static uint64_t memory_restore(struct mm_snapshot *s)
{
	struct mm_snap_track *t = s->track;
	uint64_t n, missed = t->missed;

	if (t->protect) {
		n = restore_watched(t) + restore_protected_dirty(t);
		if (t->verify_all) {
			n += restore_verify(t);
			if (t->missed != missed && s->m)
				mm_log(s->m, MM_LOG_WARN, "snapshot: write protection missed %llu "
				       "pages", (unsigned long long)(t->missed - missed));
		}
		return n;
	}
	n = restore_dirty(t) + restore_watched(t);
	if (t->verify_all)
		t->verify = true;

	if (t->verify || t->failed || s->stats.restores < SNAP_VERIFY_FIRST ||
	    s->stats.restores % SNAP_VERIFY_EVERY == 0) {
		n += restore_verify(t);
		t->verify = t->failed = false;
	}
	return n;
}

enum mm_err mm_snapshot_restore(struct mm_machine *m, struct mm_snapshot *s)
{
	enum mm_err err = MM_OK, e;

	if (!s || s->m != m)
		return mm_fail(m, MM_ERR_INVALID, "snapshot: not a snapshot of this machine");
	if (m->cpus.in_smm || m->exec_depth)
		return mm_fail(m, MM_ERR_STATE, "snapshot: cannot restore while MM code runs");
	s->stats.pages_restored += memory_restore(s);
	s->stats.restores++;
	fields_restore(m, s);
	for (unsigned i = 0; i < s->nparts; i++) {
		struct snap_part *p = s->parts[i].part;

		e = p->ops->restore(m, p->data, s->parts[i].saved);
		if (e && !err)
			err = e;
	}
	e = host_restore(m, s);
	return err ? err : e;
}

void mm_snapshot_stats(const struct mm_snapshot *s, struct mm_snapshot_stats *out)
{
	size_t bytes = sizeof(*s);

	memset(out, 0, sizeof(*out));
	if (!s)
		return;
	*out = s->stats;
	if (s->track) {
		bytes += s->track->lazy_bytes + s->track->watch.cap * sizeof(struct snap_page);
		for (unsigned i = 0; i < s->track->n; i++) {
			const struct snap_range *r = &s->track->r[i];

			bytes += r->pages * sizeof(uint8_t *) + (r->pages + 63) / 64 * 8;
			if (r->baseline)
				bytes += r->pages << SNAP_SHIFT;
		}
	}
	bytes += s->smram ? mm_page_heap_saved_bytes(s->smram) : 0;
	bytes += s->ram ? mm_page_heap_saved_bytes(s->ram) : 0;
	bytes += s->pool ? mm_pool_saved_bytes(s->pool) : 0;
	for (unsigned i = 0; i < s->nparts; i++)
		if (s->parts[i].part->ops->bytes)
			bytes += s->parts[i].part->ops->bytes(s->parts[i].saved);
	out->bytes = bytes;
}
