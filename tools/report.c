/* SPDX-License-Identifier: MIT */
/* Result writers of `mmemu run`: plain lines, TAP 13, JUnit XML (report.h). */
#include <string.h>

#include "report.h"

static const char *const outcome_names[] = {
	[REPORT_PASS] = "PASS",
	[REPORT_FAIL] = "FAIL",
	[REPORT_SKIP] = "SKIP",
	[REPORT_ERROR] = "ERROR",
};

void report_count(struct report_totals *t, const struct report_case *c)
{
	switch (c->outcome) {
	case REPORT_PASS: t->passed++; break;
	case REPORT_FAIL: t->failed++; break;
	case REPORT_SKIP: t->skipped++; break;
	case REPORT_ERROR:
		t->failed++;
		t->errors++;
		break;
	}
}

/* Prints text with every line prefixed by indent; a missing final newline is added. */
static void print_indented(FILE *out, const char *indent, const char *text)
{
	bool line_start = true;

	for (const char *p = text; *p; p++) {
		if (line_start)
			fputs(indent, out);
		fputc(*p, out);
		line_start = *p == '\n';
	}
	if (!line_start)
		fputc('\n', out);
}

/* Length of the first line of s. */
static int first_line_len(const char *s)
{
	return (int)strcspn(s, "\n");
}

/*
 * A load error message usually starts with the file itself
 * ("FILE:LINE:COLUMN: ..."); then the line reads "ERROR FILE:LINE:COLUMN: ..."
 * instead of naming the file twice.
 */
static bool names_file(const char *message, const char *file)
{
	size_t n = strlen(file);

	return !strncmp(message, file, n) && message[n] == ':';
}

void report_plain_case(FILE *out, const struct report_case *c)
{
	const char *msg = c->message ? c->message : "";

	if (c->output && *c->output)
		fputs(c->output, out);
	switch (c->outcome) {
	case REPORT_PASS:
	case REPORT_FAIL:
		fprintf(out, "%s %s (%s)\n", outcome_names[c->outcome], c->name, c->file);
		if (c->outcome == REPORT_FAIL && *msg)
			print_indented(out, "    ", msg);
		break;
	case REPORT_SKIP:
		fprintf(out, "SKIP %s (%s) (%.*s)\n", c->name, c->file, first_line_len(msg), msg);
		break;
	case REPORT_ERROR:
		if (names_file(msg, c->file))
			fprintf(out, "ERROR %.*s\n", first_line_len(msg), msg);
		else
			fprintf(out, "ERROR %s: %.*s\n", c->file, first_line_len(msg), msg);
		if (msg[first_line_len(msg)])
			print_indented(out, "    ", msg + first_line_len(msg) + 1);
		break;
	}
}

void report_tap_header(FILE *out, size_t n)
{
	fprintf(out, "TAP version 13\n1..%zu\n", n);
}

void report_tap_case(FILE *out, size_t index, const struct report_case *c)
{
	const char *msg = c->message ? c->message : "";

	if (c->output && *c->output)
		print_indented(out, "# ", c->output);
	switch (c->outcome) {
	case REPORT_PASS:
		fprintf(out, "ok %zu - %s (%s)\n", index, c->name, c->file);
		return;
	case REPORT_SKIP:
		fprintf(out, "ok %zu - %s (%s) # SKIP %.*s\n", index, c->name, c->file,
			first_line_len(msg), msg);
		return;
	case REPORT_FAIL:
	case REPORT_ERROR:
		if (strcmp(c->name, c->file))
			fprintf(out, "not ok %zu - %s (%s)\n", index, c->name, c->file);
		else /* a file that did not load has no name of its own */
			fprintf(out, "not ok %zu - %s\n", index, c->file);
		fprintf(out, "  ---\n  severity: %s\n  message: |\n",
			c->outcome == REPORT_FAIL ? "fail" : "error");
		print_indented(out, "    ", *msg ? msg : "(no message)");
		fprintf(out, "  ...\n");
		return;
	}
}

void report_summary(FILE *out, const char *prefix, const struct report_totals *t,
		    double seconds)
{
	fprintf(out, "%s%u passed, %u failed", prefix, t->passed, t->failed);
	if (t->skipped)
		fprintf(out, ", %u skipped", t->skipped);
	if (seconds >= 0)
		fprintf(out, " in %.2fs", seconds);
	fputc('\n', out);
}

void report_xml_escape(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		switch (ch) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		case '\n': fputs("&#10;", out); break;
		case '\t': fputs("&#9;", out); break;
		default:
			/* XML 1.0 allows no other control characters, not even escaped. */
			fputc(ch < 0x20 || ch == 0x7f ? '?' : ch, out);
		}
	}
}

/* Writes one <testcase> element. */
static void junit_case(FILE *f, const struct report_case *c, bool timing)
{
	static const char *const element[] = {
		[REPORT_FAIL] = "failure",
		[REPORT_SKIP] = "skipped",
		[REPORT_ERROR] = "error",
	};
	const char *msg = c->message ? c->message : "";
	char first[512];

	fputs("    <testcase name=\"", f);
	report_xml_escape(f, c->name);
	fputs("\" classname=\"", f);
	report_xml_escape(f, c->file);
	fprintf(f, "\" time=\"%.3f\"", timing ? c->seconds : 0.0);
	if (c->outcome == REPORT_PASS && !(c->output && *c->output)) {
		fputs("/>\n", f);
		return;
	}
	fputs(">\n", f);
	if (c->outcome != REPORT_PASS) {
		snprintf(first, sizeof(first), "%.*s", first_line_len(msg), msg);
		fprintf(f, "      <%s message=\"", element[c->outcome]);
		report_xml_escape(f, first);
		if (c->outcome == REPORT_SKIP) {
			fputs("\"/>\n", f);
		} else {
			fprintf(f, "\" type=\"%s\">", c->outcome == REPORT_FAIL ? "scenario" : "load");
			report_xml_escape(f, msg);
			fprintf(f, "</%s>\n", element[c->outcome]);
		}
	}
	if (c->output && *c->output) {
		fputs("      <system-out>", f);
		report_xml_escape(f, c->output);
		fputs("</system-out>\n", f);
	}
	fputs("    </testcase>\n", f);
}

int report_junit_write(const char *path, const struct report_case *cases, size_t n,
		       bool timing)
{
	struct report_totals t = { 0 };
	double total = 0;
	FILE *f = fopen(path, "w");
	int rc;

	if (!f)
		return -1;
	for (size_t i = 0; i < n; i++) {
		report_count(&t, &cases[i]);
		total += cases[i].seconds;
	}
	if (!timing)
		total = 0;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites tests=\"%zu\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" "
		   "time=\"%.3f\">\n", n, t.failed - t.errors, t.errors, t.skipped, total);
	fprintf(f, "  <testsuite name=\"mmemu\" tests=\"%zu\" failures=\"%u\" errors=\"%u\" "
		   "skipped=\"%u\" time=\"%.3f\">\n", n, t.failed - t.errors, t.errors, t.skipped,
		total);
	for (size_t i = 0; i < n; i++)
		junit_case(f, &cases[i], timing);
	fprintf(f, "  </testsuite>\n</testsuites>\n");
	rc = ferror(f) ? -1 : 0;
	if (fclose(f))
		rc = -1;
	return rc;
}
