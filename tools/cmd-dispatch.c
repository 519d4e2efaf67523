/* SPDX-License-Identifier: MIT */
/* mmemu dispatch: load native drivers, run the dispatcher, report per driver. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *type_name(enum mm_module_type t)
{
	switch (t) {
	case MM_MODULE_TRADITIONAL: return "mm";
	case MM_MODULE_COMBINED: return "combined";
	case MM_MODULE_STANDALONE: return "standalone";
	}
	return "?";
}

void cli_print_drivers(FILE *out, struct mm_machine *m)
{
	unsigned n = mm_driver_count(m);

	fprintf(out, "%-5s %-24s %-10s %-16s %-24s %s\n", "order", "driver", "type", "state",
		"entry status", "reason");
	for (unsigned i = 0; i < n; i++) {
		struct mm_driver_info d;
		char order[16] = "-", buf[32];

		if (mm_driver_get_info(m, i, &d))
			continue;
		if (d.dispatch_order)
			snprintf(order, sizeof(order), "%u", d.dispatch_order);
		fprintf(out, "%-5s %-24s %-10s %-16s %-24s %s\n", order, d.name, type_name(d.type),
			mm_driver_state_name(d.state),
			d.state == MM_DRIVER_DISPATCHED || d.state == MM_DRIVER_FAILED
				? cli_status_name(d.entry_status, buf)
				: "-",
			d.reason ? d.reason : "");
	}
}

static void dispatch_usage(FILE *out)
{
	fprintf(out, "usage: mmemu dispatch [--log CATEGORY,...] [--cpus N] DRIVER.so...\n"
		     "Loads the native drivers on the default platform, runs the MM dispatcher\n"
		     "and prints, per driver, its dispatch order, state, entry status and the\n"
		     "reason it was not dispatched. Exit status 1 when a driver was not\n"
		     "dispatched or its entry point failed.\n");
}

int cli_machine_opts(int argc, char **argv, uint32_t *log_mask,
			      struct mm_platform *p)
{
	static const struct option opts[] = {
		{ "log", required_argument, NULL, 'l' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	mm_platform_default(p);
	*log_mask = MM_LOG_WARN;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hl:c:", opts, NULL)) != -1) {
		char err[256];
		char *end;

		switch (c) {
		case 'l':
			if (mm_log_parse(optarg, log_mask, err, sizeof(err))) {
				fprintf(stderr, "mmemu: --log: %s\n", err);
				return -1;
			}
			*log_mask |= MM_LOG_WARN;
			break;
		case 'c':
			p->cpus = (unsigned)strtoul(optarg, &end, 0);
			if (*end || p->cpus == 0 || p->cpus > MM_MAX_CPUS) {
				fprintf(stderr, "mmemu: --cpus: '%s' is not 1..%d\n", optarg,
					MM_MAX_CPUS);
				return -1;
			}
			break;
		case 'h':
			return 1;
		default:
			return -1;
		}
	}
	return 0;
}

int cmd_dispatch(int argc, char **argv)
{
	struct mm_platform p;
	struct mm_machine *m;
	uint32_t mask;
	char err[512];
	int rc = cli_machine_opts(argc, argv, &mask, &p);

	if (rc || optind >= argc) {
		dispatch_usage(rc > 0 ? stdout : stderr);
		return rc > 0 ? CLI_OK : CLI_USAGE;
	}
	if (mm_machine_create(&p, &m, err, sizeof(err))) {
		fprintf(stderr, "mmemu: cannot create the machine: %s\n", err);
		return CLI_USAGE;
	}
	mm_log_set_mask(m, mask);
	for (int i = optind; i < argc; i++) {
		if (mm_driver_load_native(m, argv[i], NULL)) {
			fprintf(stderr, "mmemu: %s\n", mm_machine_error(m));
			mm_machine_destroy(m);
			return CLI_USAGE;
		}
	}
	if (mm_dispatch(m))
		fprintf(stderr, "mmemu: dispatch stopped: %s\n", mm_machine_error(m));
	cli_print_drivers(stdout, m);
	rc = CLI_OK;
	for (unsigned i = 0; i < mm_driver_count(m); i++) {
		struct mm_driver_info d;

		if (!mm_driver_get_info(m, i, &d) && d.state != MM_DRIVER_DISPATCHED)
			rc = CLI_FAIL;
	}
	mm_machine_destroy(m);
	return rc;
}
