/* SPDX-License-Identifier: MIT */
/*
 * The single path from the Foundation into driver code: engine selection,
 * attribution of the executing image, and the thread's current machine.
 */
#include "call.h"
#include "machine.h"
#include "snapshot.h"

/*
 * The machine whose driver code runs on this thread. Set only for the
 * duration of mm_call(), so that the context-free EFIAPI services of the MMST
 * can find their machine. Per thread, not per process: see call.h.
 */
_Thread_local struct mm_machine *mm_current_machine __attribute__((tls_model("initial-exec")));

struct mm_image *mm_executing_image(const struct mm_machine *m)
{
	return m->exec_depth ? m->exec_stack[m->exec_depth - 1] : NULL;
}

const char *mm_executing_name(const struct mm_machine *m)
{
	struct mm_image *img = mm_executing_image(m);

	return img && img->name ? img->name : "foundation";
}

typedef uint64_t(EFIAPI *fn0)(void);
typedef uint64_t(EFIAPI *fn1)(uint64_t);
typedef uint64_t(EFIAPI *fn2)(uint64_t, uint64_t);
typedef uint64_t(EFIAPI *fn3)(uint64_t, uint64_t, uint64_t);
typedef uint64_t(EFIAPI *fn4)(uint64_t, uint64_t, uint64_t, uint64_t);
typedef uint64_t(EFIAPI *fn8)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
			      uint64_t, uint64_t);

/* Calls host code with the MS x64 convention; unused arguments are passed as 0. */
static uint64_t call_native(uint64_t fn, unsigned nargs, const uint64_t *a)
{
	void *p = (void *)(uintptr_t)fn;

	switch (nargs) {
	case 0: return ((fn0)p)();
	case 1: return ((fn1)p)(a[0]);
	case 2: return ((fn2)p)(a[0], a[1]);
	case 3: return ((fn3)p)(a[0], a[1], a[2]);
	case 4: return ((fn4)p)(a[0], a[1], a[2], a[3]);
	default: {
		uint64_t v[8] = { 0 };

		for (unsigned i = 0; i < nargs; i++)
			v[i] = a[i];
		return ((fn8)p)(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
	}
	}
}

enum mm_err mm_call(struct mm_machine *m, uint64_t fn, unsigned nargs, const uint64_t *args,
		    uint64_t *ret)
{
	return mm_call_image(m, mm_image_find(m, fn), fn, nargs, args, ret);
}

enum mm_err mm_call_image(struct mm_machine *m, struct mm_image *img, uint64_t fn,
			  unsigned nargs, const uint64_t *args, uint64_t *ret)
{
	struct mm_machine *prev = mm_current_machine;
	enum mm_err err = MM_OK;
	uint64_t r = 0;

	if (fn == 0 || nargs > MM_CALL_MAX_ARGS)
		return mm_fail(m, MM_ERR_INVALID, "call of 0x%llx with %u arguments",
			       (unsigned long long)fn, nargs);
	if (m->exec_depth >= MM_CALL_MAX_DEPTH)
		return mm_fail(m, MM_ERR_STOPPED, "driver calls nested deeper than %d",
			       MM_CALL_MAX_DEPTH);
	m->exec_stack[m->exec_depth++] = img;
	mm_current_machine = m;
	if (img && img->engine == MM_ENGINE_EMULATED) {
		if (m->cpus.model && m->cpus.model->call)
			err = m->cpus.model->call(m, m->cpus.executing, fn, nargs, args, &r);
		else
			err = mm_fail(m, MM_ERR_UNSUPPORTED,
				      "call into emulated image %s: no CPU model", img->name);
	} else {
		if (m->snap && img) /* a native driver writes guest memory unseen */
			mm_snap_native_ran(m->snap);
		r = call_native(fn, nargs, args);
	}
	mm_current_machine = prev;
	m->exec_depth--;
	if (ret)
		*ret = r;
	return err;
}
