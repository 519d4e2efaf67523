/* SPDX-License-Identifier: MIT */
/*
 * The platform keys that describe devices and firmware facts rather than
 * memory and CPUs (docs/scenarios.md, "platform"):
 *
 *   pcds:          [{token: 0x13, size: 2, value: 0x29C0, guid: ...}, ...]
 *   dxe-protocols: [GUID or gName, ...]   dummy interfaces in the DXE database
 *   flash:         {vars: FILE, code: FILE, base: 0xFFC00000, block-size: 4096,
 *                   save: OUT}            vars at base, code right after it
 *   ecam:          0xB0000000             the PCI express config window
 *   pmbase:        0x600                  the ICH9 PM ports
 *   init-model:    dxe | standalone
 *
 * Paths of vars and code are relative to the file that names them; save is
 * taken as given (relative to the working directory). An included platform
 * contributes its PCDs and protocols; every other key of the including file
 * replaces the included one's (inside flash, key by key).
 */
#include <stdio.h>
#include <string.h>

#include <mmemu/dxe.h>
#include <mmemu/flash.h>
#include <mmemu/machine.h>
#include <mmemu/oracle.h>
#include <mmemu/pci.h>

#include "platform.h"
#include "runner.h"

#define SC_MAX_PCDS 1024
#define SC_MAX_PROTOCOLS 256

/* Grows an arena array of n elements of size bytes by more; NULL when out of memory. */
static void *grow(struct ld *l, void *old, size_t n, size_t more, size_t size)
{
	void *p = sc_alloc(&l->s->arena, (n + more) * size);

	if (p && n)
		memcpy(p, old, n * size);
	return p;
}

/* One `pcds` entry. */
static bool load_pcd(struct ld *l, const struct sc_node *n, struct sc_pcd *pcd)
{
	static const char *const keys[] = { "token", "size", "value", "guid", NULL };
	const struct sc_node *v;
	uint64_t size = 0, value = 0;

	if (!ld_map(l, n, "pcd") || !ld_keys(l, n, keys))
		return false;
	if (!ld_get(n, "token") || !ld_get(n, "size") || !ld_get(n, "value"))
		return ld_fail(l, n, "pcd: 'token', 'size' and 'value' are required");
	if (!ld_u64(l, ld_get(n, "token"), UINT32_MAX, "token", &pcd->token) ||
	    !ld_u64(l, ld_get(n, "size"), 8, "size", &size))
		return false;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return ld_fail(l, ld_get(n, "size"), "size: expected 1, 2, 4 or 8");
	if (!ld_u64(l, ld_get(n, "value"), size == 8 ? UINT64_MAX : (1ull << (8 * size)) - 1,
		    "value", &value))
		return false;
	pcd->size = size;
	for (unsigned i = 0; i < size; i++)
		pcd->value[i] = (uint8_t)(value >> (8 * i));
	if ((v = ld_get(n, "guid"))) {
		if (!ld_guid(l, v, pcd->guid))
			return false;
		pcd->has_guid = true;
	}
	return true;
}

static bool load_pcds(struct ld *l, const struct sc_node *n, struct sc_platform_ext *x)
{
	struct sc_pcd *p;

	if (!ld_seq(l, n, "pcds"))
		return false;
	if (x->npcds + n->n > SC_MAX_PCDS)
		return ld_fail(l, n, "pcds: more than %d", SC_MAX_PCDS);
	p = grow(l, x->pcds, x->npcds, n->n, sizeof(*p));
	if (!p)
		return ld_fail(l, n, "out of memory");
	x->pcds = p;
	for (const struct sc_node *c = n->first; c; c = c->next)
		if (!load_pcd(l, c, &x->pcds[x->npcds++]))
			return false;
	return true;
}

static bool load_protocols(struct ld *l, const struct sc_node *n, struct sc_platform_ext *x)
{
	uint8_t (*p)[16];

	if (!ld_seq(l, n, "dxe-protocols"))
		return false;
	if (x->nprotocols + n->n > SC_MAX_PROTOCOLS)
		return ld_fail(l, n, "dxe-protocols: more than %d", SC_MAX_PROTOCOLS);
	p = grow(l, x->protocols, x->nprotocols, n->n, sizeof(*p));
	if (!p)
		return ld_fail(l, n, "out of memory");
	x->protocols = p;
	for (const struct sc_node *c = n->first; c; c = c->next)
		if (!ld_guid(l, c, x->protocols[x->nprotocols++]))
			return false;
	return true;
}

/* A flash image path: resolved against the current file, and it must exist. */
static bool load_image_path(struct ld *l, const struct sc_node *n, const char *what, char **out)
{
	if (!ld_scalar(l, n, what))
		return false;
	*out = ld_resolve(l, n, n->text);
	return *out != NULL;
}

static bool load_flash(struct ld *l, const struct sc_node *n, struct sc_platform_ext *x)
{
	static const char *const keys[] = { "vars", "code", "base", "block-size", "save", NULL };
	const struct sc_node *v;
	uint64_t b;

	if (!ld_map(l, n, "flash") || !ld_keys(l, n, keys))
		return false;
	if ((v = ld_get(n, "vars")) && !load_image_path(l, v, "vars", &x->flash_vars))
		return false;
	if ((v = ld_get(n, "code")) && !load_image_path(l, v, "code", &x->flash_code))
		return false;
	if ((v = ld_get(n, "save")) && !ld_str(l, v, "save", &x->flash_save))
		return false;
	if ((v = ld_get(n, "base")) && !ld_u64(l, v, UINT32_MAX, "base", &x->flash_base))
		return false;
	if ((v = ld_get(n, "block-size"))) {
		if (!ld_u64(l, v, 1u << 24, "block-size", &b))
			return false;
		if (b < 256 || (b & (b - 1)))
			return ld_fail(l, v, "block-size: expected a power of two >= 256");
		x->flash_block = (uint32_t)b;
	}
	if (!x->flash_vars && !x->flash_code)
		return ld_fail(l, n, "flash: 'vars' or 'code' is required");
	if (!x->flash_base)
		return ld_fail(l, n, "flash: 'base' is required");
	return true;
}

/* `oracles: [smram-write, pool, ...]` (or `all`): the bug oracles to turn on. */
static bool load_oracles(struct ld *l, const struct sc_node *n, struct sc_platform_ext *x)
{
	uint32_t bit;

	if (!ld_seq(l, n, "oracles"))
		return false;
	x->oracles = 0;
	for (const struct sc_node *c = n->first; c; c = c->next) {
		if (!ld_scalar(l, c, "oracles"))
			return false;
		bit = mm_oracle_parse(c->text);
		if (!bit)
			return ld_fail(l, c, "oracles: unknown oracle '%.40s' (expected smram-write, "
				       "callout, comm-oob, double-fetch, pool, stack, disclosure, "
				       "hang or all)", c->text);
		x->oracles |= bit;
	}
	return true;
}

bool sc_platform_ext_load(struct ld *l, const struct sc_node *n, struct mm_platform *p)
{
	struct sc_platform_ext *x = &l->s->platform_ext;
	const struct sc_node *v;
	uint64_t u;
	bool ok = true;

	if ((v = ld_get(n, "pcds")))
		ok = load_pcds(l, v, x);
	if (ok && (v = ld_get(n, "dxe-protocols")))
		ok = load_protocols(l, v, x);
	if (ok && (v = ld_get(n, "flash")))
		ok = load_flash(l, v, x);
	if (ok && (v = ld_get(n, "ecam"))) {
		ok = ld_u64(l, v, UINT32_MAX, "ecam", &x->ecam);
		if (ok && (x->ecam & (MM_PCI_ECAM_SIZE - 1)))
			ok = ld_fail(l, v, "ecam: 0x%llx is not 256 MiB aligned",
				     (unsigned long long)x->ecam);
		x->has_ecam = ok;
	}
	if (ok && (v = ld_get(n, "pmbase"))) {
		ok = ld_u64(l, v, 0xFF80, "pmbase", &u);
		if (ok && (!u || (u & 0x7F)))
			ok = ld_fail(l, v, "pmbase: 0x%llx is not a nonzero multiple of 0x80",
				     (unsigned long long)u);
		x->pmbase = (uint16_t)u;
		x->has_pmbase = ok;
	}
	if (ok && (v = ld_get(n, "oracles")))
		ok = load_oracles(l, v, x);
	if (ok && (v = ld_get(n, "init-model"))) {
		ok = ld_scalar(l, v, "init-model");
		if (ok && !strcmp(v->text, "dxe"))
			p->init_model = MM_INIT_DXE;
		else if (ok && !strcmp(v->text, "standalone"))
			p->init_model = MM_INIT_STANDALONE_PEI;
		else if (ok)
			ok = ld_fail(l, v, "init-model: expected dxe or standalone, got '%.40s'",
				     v->text);
	}
	return ok;
}

/* Maps the flash images: vars at the base, code right after it. */
static enum mm_err apply_flash(struct sc_run *r, const struct sc_platform_ext *x)
{
	uint64_t base = x->flash_base;
	enum mm_err err = MM_OK;
	FILE *f;

	if (x->flash_vars) {
		err = mm_flash_map(r->m, x->flash_vars, base, x->flash_block, false);
		if (err)
			return err;
		f = fopen(x->flash_vars, "rb");
		if (f && !fseek(f, 0, SEEK_END))
			base += (uint64_t)ftell(f);
		if (f)
			fclose(f);
	}
	if (x->flash_code)
		err = mm_flash_map(r->m, x->flash_code, base, x->flash_block, true);
	return err;
}

/* Sets the PCDs, then installs the DXE protocols. */
static enum mm_err apply_dxe(struct sc_run *r, const struct sc_platform_ext *x)
{
	enum mm_err err = MM_OK;

	for (size_t i = 0; !err && i < x->npcds; i++) {
		const struct sc_pcd *p = &x->pcds[i];

		err = p->has_guid ? mm_pcd_set_ex(r->m, p->guid, p->token, p->size, p->value)
				  : mm_pcd_set(r->m, p->token, p->size, p->value);
	}
	for (size_t i = 0; !err && i < x->nprotocols; i++)
		err = mm_dxe_install_protocol(r->m, x->protocols[i], 0);
	return err;
}

enum mm_err sc_platform_ext_apply(struct sc_run *r)
{
	const struct sc_platform_ext *x = &r->s->platform_ext;
	enum mm_err err = MM_OK;

	if (x->has_pmbase)
		err = mm_pci_set_pmbase(r->m, x->pmbase);
	if (!err && x->has_ecam)
		err = mm_pci_set_ecam(r->m, x->ecam);
	if (!err && (x->flash_vars || x->flash_code))
		err = apply_flash(r, x);
	if (!err)
		err = apply_dxe(r, x);
	if (!err && x->oracles)
		err = mm_oracle_enable(r->m, x->oracles);
	if (err)
		sc_failf(r, "platform: %s: %s", sc_err_name(err), mm_machine_error(r->m));
	return err;
}

enum mm_err sc_platform_ext_finish(struct sc_run *r)
{
	const struct sc_platform_ext *x = &r->s->platform_ext;
	enum mm_err err;

	if (!x->flash_save)
		return MM_OK;
	err = mm_flash_save(r->m, x->flash_save);
	if (err && !r->message)
		sc_failf(r, "platform: flash save: %s: %s", sc_err_name(err),
			 mm_machine_error(r->m));
	return err;
}
