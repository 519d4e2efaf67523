/* SPDX-License-Identifier: MIT */
/*
 * The SMI report: the recorder's event log (record.h) as one HTML page.
 * Self-contained: inline CSS, no script, no external resource, so that it
 * reads offline and can be attached to a CI run. Layout:
 *
 *   header       scenario, verdict, counts, the failure
 *   timeline     one row per SMI: number, step, source, source CPU, BSP, CPUs
 *   steps        one card each: its SMIs with the handler tree, handlers
 *                outside an SMI (communicate), buffers before/after, the
 *                registers of the BSP before/after, the stop record, the log
 */
#include <inttypes.h>
#include <string.h>

#include "core/guid-names.h"
#include "names.h"
#include "record.h"

static const char css[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;"
	"background:#f4f5f7;color:#1f2328}"
	"header{background:#24292f;color:#fff;padding:18px 28px}"
	"header h1{margin:0 0 4px;font-size:22px}header .sub{color:#c9d1d9;font-size:13px}"
	"main{padding:18px 28px;max-width:1280px}"
	"h2{font-size:17px;margin:26px 0 10px;border-bottom:1px solid #d0d7de;padding-bottom:4px}"
	".card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:12px 16px;"
	"margin:0 0 14px}"
	".card h3{margin:0 0 8px;font-size:15px}"
	".badge{display:inline-block;border-radius:10px;padding:1px 9px;font-size:12px;"
	"font-weight:600;margin-left:6px;vertical-align:1px}"
	".ok{background:#dafbe1;color:#116329}.bad{background:#ffebe9;color:#a40e26}"
	".warn{background:#fff8c5;color:#7d4e00}.info{background:#ddf4ff;color:#0550ae}"
	"table{border-collapse:collapse;font-size:13px;margin:4px 0 8px}"
	"th,td{border:1px solid #d8dee4;padding:3px 8px;text-align:left;vertical-align:top}"
	"th{background:#f6f8fa}"
	"code,pre,.mono{font-family:ui-monospace,'SFMono-Regular',Menlo,Consolas,monospace;"
	"font-size:12.5px}"
	"pre{background:#f6f8fa;border:1px solid #d8dee4;border-radius:6px;padding:8px;"
	"overflow-x:auto;margin:4px 0}"
	"ul.tree{list-style:none;padding-left:0;margin:4px 0}"
	"ul.tree ul{list-style:none;padding-left:22px;border-left:2px solid #d0d7de;margin:2px 0 2px 8px}"
	"ul.tree li{margin:2px 0}"
	".drv{font-weight:600}.muted{color:#656d76}"
	".chg{background:#fff8c5}"
	".bufs{display:flex;gap:14px;flex-wrap:wrap}.bufs>div{flex:1;min-width:540px}"
	".bufs pre{font-size:11.5px}"
	".fail{background:#ffebe9;border:1px solid #ff8182;border-radius:8px;padding:10px 14px;"
	"white-space:pre-wrap;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}"
	".stop{border-left:4px solid #cf222e;padding:6px 10px;background:#fff5f5;margin:6px 0}"
	"details summary{cursor:pointer;color:#0969da}";

/* Writes s with the five HTML specials escaped. */
static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

static const char *status_name(uint64_t s)
{
	const char *n = sc_name_of(sc_status_names(), s);

	return n ? n : "(unknown status)";
}

/* "gEfiMmSwDispatch2ProtocolGuid (18A3C6DC-...)" or just the registry form. */
static void guid_html(FILE *f, const uint8_t g[16])
{
	EFI_GUID id;
	char text[MM_GUID_STRING_LEN + 1];
	const char *name;

	memcpy(&id, g, sizeof(id));
	mm_guid_format(&id, text);
	name = mm_guid_name(&id);
	if (name) {
		fputs("<code>", f);
		esc(f, name);
		fprintf(f, "</code> <span class=\"muted mono\">%s</span>", text);
	} else {
		fprintf(f, "<code>%s</code>", text);
	}
}

/* Green for success, yellow for warnings, red for errors. */
static const char *status_class(uint64_t s)
{
	if (!s)
		return "ok";
	return (s >> 63) ? "bad" : "warn";
}

static void handler_item(FILE *f, const struct rec_handler *h)
{
	if (h->driver[0]) {
		fputs("<span class=\"drv\">", f);
		esc(f, h->driver);
		fputs("</span> <code>", f);
		esc(f, h->where);
		fputs("</code> ", f);
		if (h->sym[0]) {
			fputs("<code class=\"muted\">", f);
			esc(f, h->sym);
			fputs("</code> ", f);
		}
	} else { /* host code: its address changes from run to run, leave it out */
		fputs("<span class=\"drv\">Foundation / chipset</span> ", f);
	}
	if (h->root)
		fputs("<span class=\"muted\">root handler</span>", f);
	else
		guid_html(f, h->guid);
	fprintf(f, " <span class=\"badge %s\">%s</span>", status_class(h->status),
		status_name(h->status));
	if (h->insns)
		fprintf(f, " <span class=\"muted\">%" PRIu64 " instructions</span>", h->insns);
}

/*
 * The handlers of one SMI (smi) or of a step outside SMIs (smi 0), as a
 * tree: the observer reports returns, so the children a root handler
 * dispatched return just before it; they are shown under it.
 */
static void handler_tree(FILE *f, const struct mm_recorder *rec, size_t step, uint64_t smi)
{
	size_t pending = SIZE_MAX; /* first child waiting for its root */
	bool any = false;

	fputs("<ul class=\"tree\">", f);
	for (size_t i = 0; i < rec->nhandlers; i++) {
		const struct rec_handler *h = &rec->handlers[i];

		if (h->step != step || h->smi != smi)
			continue;
		any = true;
		if (!h->root) {
			if (pending == SIZE_MAX)
				pending = i;
			continue;
		}
		fputs("<li>", f);
		handler_item(f, h);
		if (pending != SIZE_MAX) {
			fputs("<ul>", f);
			for (size_t j = pending; j < i; j++)
				if (rec->handlers[j].step == step && rec->handlers[j].smi == smi) {
					fputs("<li>", f);
					handler_item(f, &rec->handlers[j]);
					fputs("</li>", f);
				}
			fputs("</ul>", f);
			pending = SIZE_MAX;
		}
		fputs("</li>", f);
	}
	for (size_t j = pending; j != SIZE_MAX && j < rec->nhandlers; j++)
		if (rec->handlers[j].step == step && rec->handlers[j].smi == smi) {
			fputs("<li>", f);
			handler_item(f, &rec->handlers[j]);
			fputs("</li>", f);
		}
	if (!any)
		fputs("<li class=\"muted\">no handler returned</li>", f);
	fputs("</ul>", f);
}

/*
 * Classic hex dump, 16 bytes a line, with the offset and printable bytes;
 * bytes that differ from ref (when given, ref_len long) are highlighted.
 */
static void hexdump(FILE *f, const uint8_t *p, size_t n, const uint8_t *ref, size_t ref_len)
{
	fputs("<pre>", f);
	for (size_t off = 0; off < n; off += 16) {
		fprintf(f, "%04zx  ", off);
		for (size_t i = 0; i < 16; i++) {
			size_t k = off + i;

			if (k < n && ref && (k >= ref_len || ref[k] != p[k]))
				fprintf(f, "<span class=\"chg\">%02x</span> ", p[k]);
			else if (k < n)
				fprintf(f, "%02x ", p[k]);
			else
				fputs("   ", f);
			if (i == 7)
				fputc(' ', f);
		}
		fputs(" ", f);
		for (size_t i = 0; i < 16 && off + i < n; i++) {
			char c[2] = { (p[off + i] >= 0x20 && p[off + i] < 0x7F) ? (char)p[off + i] : '.',
				      0 };
			esc(f, c);
		}
		fputc('\n', f);
	}
	if (!n)
		fputs("(empty)", f);
	fputs("</pre>", f);
}

/* One side of a communicate buffer: the header decoded, then the bytes. */
static void buffer_side(FILE *f, const char *title, const uint8_t *p, size_t n,
			const uint8_t *ref, size_t ref_len)
{
	uint64_t len = 0;

	fprintf(f, "<div><b>%s</b>", title);
	if (n >= 24) {
		memcpy(&len, p + 16, 8);
		fputs("<div>HeaderGuid ", f);
		guid_html(f, p);
		fprintf(f, "<br>MessageLength %" PRIu64 "</div>", len);
	}
	hexdump(f, p, n, ref, ref_len);
	fputs("</div>", f);
}

/* The value of field fd in the message of buffer p (n bytes), as the report shows it. */
static void field_value(FILE *f, const struct rec_field *fd, const uint8_t *p, size_t n)
{
	const uint8_t *v = p ? p + 24 + fd->offset : NULL;
	uint64_t x = 0;

	if (!p || 24 + fd->offset + fd->size > n) {
		fputs("<span class=\"muted\">(beyond the buffer)</span>", f);
		return;
	}
	if (!strcmp(fd->type, "guid")) {
		guid_html(f, v);
		return;
	}
	if (!strcmp(fd->type, "char16")) {
		fputs("<code>L\"", f);
		for (size_t i = 0; i + 1 < fd->size && v[i]; i += 2) {
			char c[2] = { v[i] >= 0x20 && v[i] < 0x7F && !v[i + 1] ? (char)v[i] : '?', 0 };

			esc(f, c);
		}
		fputs("\"</code>", f);
		return;
	}
	if (fd->size > 8 || !strcmp(fd->type, "bytes")) {
		fputs("<code>", f);
		for (size_t i = 0; i < fd->size && i < 32; i++)
			fprintf(f, "%02x", v[i]);
		fputs(fd->size > 32 ? "...</code>" : "</code>", f);
		return;
	}
	memcpy(&x, v, fd->size);
	if (!strcmp(fd->type, "status"))
		fprintf(f, "<span class=\"badge %s\">%s</span>", status_class(x), status_name(x));
	else
		fprintf(f, "<code>0x%" PRIx64 "</code> <span class=\"muted\">(%" PRIu64 ")</span>",
			x, x);
}

/* The declared fields of the message, before and after, changed ones marked. */
static void fields_table(FILE *f, const struct rec_step *st)
{
	if (!st->nfields)
		return;
	fputs("<table><tr><th>field</th><th>type</th><th>offset</th><th>before</th>"
	      "<th>after</th></tr>", f);
	for (size_t i = 0; i < st->nfields; i++) {
		const struct rec_field *fd = &st->fields[i];
		size_t end = 24 + fd->offset + fd->size;
		bool changed = end <= st->before_len && end <= st->after_len &&
			       memcmp(st->before + 24 + fd->offset, st->after + 24 + fd->offset,
				      fd->size);

		fprintf(f, "<tr%s><td>", changed ? " class=\"chg\"" : "");
		if (fd->name[0])
			esc(f, fd->name);
		else
			fprintf(f, "<span class=\"muted\">#%zu</span>", i);
		fprintf(f, "</td><td><code>%s</code></td><td>0x%zx</td><td>", fd->type, fd->offset);
		field_value(f, fd, st->before, st->before_len);
		fputs("</td><td>", f);
		field_value(f, fd, st->after, st->after_len);
		fputs("</td></tr>", f);
	}
	fputs("</table>", f);
}

static void communicate(FILE *f, const struct rec_step *st)
{
	fprintf(f, "<p>MmCommunicate of the buffer at <code>0x%" PRIx64 "</code> returned "
		   "<span class=\"badge %s\">%s</span></p>",
		st->comm_addr, status_class(st->comm_status), status_name(st->comm_status));
	fields_table(f, st);
	fputs("<div class=\"bufs\">", f);
	buffer_side(f, "before", st->before, st->before_len, NULL, 0);
	buffer_side(f, "after (changed bytes marked)", st->after, st->after_len, st->before,
		    st->before_len);
	fputs("</div>", f);
}

/* BSP registers before and after the step, changed ones highlighted. */
static void registers(FILE *f, const struct rec_step *st, unsigned cpu)
{
	if (cpu >= st->ncpus)
		return;
	fprintf(f, "<details><summary>Registers of CPU %u (outside SMM) before and after"
		   "</summary><table><tr><th>register</th><th>before</th><th>after</th></tr>",
		cpu);
	for (int i = 0; i < REC_REGS; i++) {
		bool chg = st->regs_in[cpu][i] != st->regs_out[cpu][i];

		fprintf(f, "<tr%s><td>%s</td><td class=\"mono\">0x%016" PRIx64
			   "</td><td class=\"mono\">0x%016" PRIx64 "</td></tr>",
			chg ? " class=\"chg\"" : "", mm_reg_name((enum mm_reg)i),
			st->regs_in[cpu][i], st->regs_out[cpu][i]);
	}
	fputs("</table></details>", f);
}

static void stop_record(FILE *f, const struct mm_stop *s)
{
	fprintf(f, "<div class=\"stop\"><b>Stop: %s</b> on CPU %u<br>", mm_stop_kind_name(s->kind),
		s->cpu);
	fprintf(f, "<code>0x%" PRIx64 "</code> ", s->rip);
	esc(f, s->where);
	fputs(" <code>", f);
	esc(f, s->insn);
	fputs("</code><br>", f);
	esc(f, s->message);
	fputs("</div>", f);
}

/* The BSP of the last SMI of step i, else the step's CPU. */
static unsigned step_bsp(const struct mm_recorder *rec, size_t i)
{
	unsigned cpu = rec->steps[i].cpu;

	for (size_t k = 0; k < rec->nsmis; k++)
		if (rec->smis[k].step == i)
			cpu = rec->smis[k].bsp;
	return cpu;
}

static void step_card(FILE *f, const struct mm_recorder *rec, size_t i)
{
	const struct rec_step *st = &rec->steps[i];
	bool outside = false;

	fprintf(f, "<div class=\"card\" id=\"step%zu\"><h3>", i + 1);
	esc(f, st->label);
	fprintf(f, " <span class=\"muted\">line %u</span>", st->line);
	fprintf(f, " <span class=\"badge %s\">%s</span></h3>",
		st->failure ? "bad" : st->err ? "warn" : "ok",
		st->failure ? "failed" : st->err ? mm_strerror(st->err) : "ok");
	for (size_t k = 0; k < rec->nsmis; k++) {
		const struct rec_smi *s = &rec->smis[k];

		if (s->step != i)
			continue;
		fprintf(f, "<div id=\"smi%" PRIu64 "\"><b>SMI #%" PRIu64 "</b> <span class=\"muted\">",
			s->number, s->number);
		esc(f, s->source);
		fprintf(f, " &middot; BSP %u of %u CPUs</span>", s->bsp, s->ncpus);
		handler_tree(f, rec, i, s->number);
		fputs("</div>", f);
	}
	for (size_t k = 0; k < rec->nhandlers && !outside; k++)
		outside = rec->handlers[k].step == i && !rec->handlers[k].smi;
	if (outside) {
		fputs("<div><b>Handlers outside an SMI</b>", f);
		handler_tree(f, rec, i, 0);
		fputs("</div>", f);
	}
	if (st->comm)
		communicate(f, st);
	if (st->stop.kind != MM_STOP_NONE)
		stop_record(f, &st->stop);
	registers(f, st, step_bsp(rec, i));
	if (st->log_len) {
		fprintf(f, "<details%s><summary>Log of the step</summary><pre>",
			st->failure || st->stop.kind != MM_STOP_NONE ? " open" : "");
		esc(f, st->log);
		if (st->log_cut)
			fputs("(log cut)\n", f);
		fputs("</pre></details>", f);
	}
	if (st->failure) {
		fputs("<div class=\"fail\">", f);
		esc(f, st->failure);
		fputs("</div>", f);
	}
	fputs("</div>", f);
}

static void timeline(FILE *f, const struct mm_recorder *rec)
{
	fputs("<h2>Timeline of SMIs</h2>", f);
	if (!rec->nsmis) {
		fputs("<p class=\"muted\">No SMI was delivered.</p>", f);
		return;
	}
	fputs("<table><tr><th>SMI</th><th>step</th><th>source</th><th>source CPU</th>"
	      "<th>BSP</th><th>CPUs</th><th>handlers</th></tr>",
	      f);
	for (size_t k = 0; k < rec->nsmis; k++) {
		const struct rec_smi *s = &rec->smis[k];
		unsigned n = 0;

		for (size_t j = 0; j < rec->nhandlers; j++)
			n += rec->handlers[j].smi == s->number;
		fprintf(f, "<tr><td><a href=\"#smi%" PRIu64 "\">#%" PRIu64 "</a></td><td>", s->number,
			s->number);
		if (s->step < rec->nsteps) {
			fprintf(f, "<a href=\"#step%zu\">", s->step + 1);
			esc(f, rec->steps[s->step].label);
			fputs("</a>", f);
		}
		fputs("</td><td>", f);
		esc(f, s->source);
		fprintf(f, "</td><td>%u</td><td>%u</td><td>%u</td><td>%u</td></tr>", s->source_cpu,
			s->bsp, s->ncpus, n);
	}
	fputs("</table>", f);
}

static void head(FILE *f, const struct mm_recorder *rec)
{
	const char *name = rec->name ? rec->name : "scenario";

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width\"><title>SMI report: ", f);
	esc(f, name);
	fprintf(f, "</title><style>%s</style></head><body><header><h1>SMI report: ", css);
	esc(f, name);
	fprintf(f, " <span class=\"badge %s\">%s</span></h1><div class=\"sub\">",
		rec->failure ? "bad" : "ok", rec->failure ? "FAILED" : "PASSED");
	if (rec->file) {
		esc(f, rec->file);
		fputs(" &middot; ", f);
	}
	fprintf(f, "%zu steps &middot; %zu SMIs &middot; %zu handler calls</div></header><main>",
		rec->nsteps, rec->nsmis, rec->nhandlers);
}

enum mm_err mm_recorder_write_html(const struct mm_recorder *rec, FILE *f)
{
	head(f, rec);
	if (rec->failure) {
		fputs("<h2>Failure</h2><div class=\"fail\">", f);
		esc(f, rec->failure);
		fputs("</div>", f);
	}
	if (rec->cut)
		fputs("<p class=\"badge warn\">Some events were dropped: a table of the recorder "
		      "was full.</p>", f);
	timeline(f, rec);
	fputs("<h2>Steps</h2>", f);
	for (size_t i = 0; i < rec->nsteps; i++)
		step_card(f, rec, i);
	if (rec->setup_len) {
		fputs("<h2>Setup</h2><details><summary>Log before the first step (drivers)"
		      "</summary><pre>", f);
		esc(f, rec->setup_log);
		fputs("</pre></details>", f);
	}
	fputs("<p class=\"muted\">Written by mmemu.</p></main></body></html>\n", f);
	return ferror(f) ? MM_ERR_IO : MM_OK;
}
