/* SPDX-License-Identifier: MIT */
/*
 * The in-memory form of a scenario (format: docs/scenarios.md): what the
 * loader (loader.c) builds from YAML and the runner (runner.c) executes.
 * Everything of one scenario lives in one arena, freed at once.
 */
#ifndef SCENARIOS_MODEL_H
#define SCENARIOS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mmemu/cpu.h>
#include <mmemu/machine.h>
#include <mmemu/record.h>
#include <mmemu/run.h>
#include <mmemu/stop.h>

/* Limits that keep loading and running bounded whatever the input. */
#define SC_MAX_FILE_SIZE (1u << 20)        /* one YAML file */
#define SC_MAX_YAML_DEPTH 64               /* nested YAML collections */
#define SC_MAX_NODES 200000                /* YAML nodes of one file */
#define SC_MAX_REPEAT_DEPTH 16             /* nested repeat blocks */
#define SC_MAX_REPEAT 10000000ull          /* a repeat count, and their product */
#define SC_MAX_PAYLOAD (16u << 20)         /* communicate payload and buffer */
#define SC_MAX_INCLUDES 16                 /* platform include chain */

/* ---- arena: every allocation of a scenario (or of a YAML tree) ---- */

struct sc_chunk;
struct sc_arena {
	struct sc_chunk *head;
};
/* Zeroed memory of size bytes owned by a, or NULL. */
void *sc_alloc(struct sc_arena *a, size_t size);
/* A NUL-terminated copy of the len bytes at s, or NULL. */
char *sc_strndup(struct sc_arena *a, const char *s, size_t len);
void sc_arena_free(struct sc_arena *a);

/* ---- YAML tree (yaml-tree.c) ---- */

enum sc_node_kind { SC_SCALAR, SC_SEQ, SC_MAP };

struct sc_node {
	enum sc_node_kind kind;
	unsigned line, col;     /* 1-based start mark */
	char *text;             /* scalar value (NUL-terminated) */
	size_t len;
	bool plain;             /* an unquoted scalar (may be null, `~`, or empty) */
	struct sc_node *first;  /* children; a mapping alternates key, value */
	struct sc_node *last;
	struct sc_node *next;
	size_t n;               /* children (a mapping: 2 * pairs) */
};

/*
 * Parses the YAML text (len bytes) of file into a tree in a. Returns the root
 * (an empty document yields a null scalar), or NULL with "FILE:L:C: message"
 * in err.
 */
struct sc_node *sc_yaml_parse(struct sc_arena *a, const char *file, const char *text,
			      size_t len, char *err, size_t errlen);

/* ---- the scenario ---- */

enum sc_action {
	SC_DISPATCH, SC_SET_REGISTERS, SC_SW_SMI, SC_COMMUNICATE, SC_WRITE_MEMORY,
	SC_READ_MEMORY, SC_WRITE_PORT, SC_READ_PORT, SC_END_OF_DXE, SC_READY_TO_LOCK,
	SC_SMRAM, SC_REPEAT, SC_POWER_CYCLE, SC_ACTION_COUNT
};

/* Bytes to compare, with an optional mask (NULL: every bit counts). */
struct sc_bytes {
	uint8_t *data;
	uint8_t *mask;
	size_t len;
	struct mm_run_field *fields; /* the layout when built from `fields`, else NULL */
	size_t nfields;
};

struct sc_regs {
	bool present;
	unsigned cpu;
	uint64_t which;                 /* bit r: register r is given */
	uint64_t value[MM_REG_COUNT];
};

enum sc_log_kind { SC_LOG_CONTAINS, SC_LOG_REGEX, SC_LOG_ABSENT };
struct sc_log_check {
	enum sc_log_kind kind;
	char *text;
	unsigned line;
};

struct sc_driver_check {
	char *name;
	int state;      /* enum mm_driver_state, or -1 */
	char *reason;   /* substring, or NULL */
	bool has_status; /* `entry-status`: the EFI_STATUS its entry point returned */
	uint64_t status;
};

struct sc_expect {
	unsigned line;                  /* of the `expect` key, or of the step */
	bool has_status;
	uint64_t status;
	struct sc_regs regs;
	bool has_message;
	struct sc_bytes message;
	bool has_message_len_exact;     /* `length` inside `message` */
	uint64_t message_len_exact;
	bool has_message_length;
	uint64_t message_length;
	bool has_handlers;
	char **handlers;
	size_t nhandlers;
	struct sc_log_check *logs;
	size_t nlogs;
	enum mm_stop_kind stop;         /* MM_STOP_NONE unless expected */
	char *stop_contains;
	int smram;                      /* enum mm_smram_state, or -1 */
	int error;                      /* enum mm_err expected (MM_OK default) */
	bool has_leaks;
	uint64_t leaks;
	struct sc_driver_check *drivers;
	size_t ndrivers;
	char **order;
	size_t norder;
	bool has_hex;                   /* read-memory */
	struct sc_bytes hex;
	bool has_value;                 /* read-port */
	uint32_t value;
};

struct sc_step {
	enum sc_action action;
	unsigned line;
	unsigned cpu;
	uint64_t address;
	uint64_t length;
	uint32_t value;     /* sw-smi value, port value */
	uint32_t data;      /* sw-smi data */
	unsigned width;
	uint16_t port;
	struct sc_regs regs;            /* set-registers */
	uint8_t guid[16];               /* communicate */
	struct sc_bytes payload;        /* communicate payload, write-memory bytes */
	bool has_buffer_size;
	uint64_t buffer_size;
	uint32_t memory_type;
	bool has_address;
	bool has_message_length;
	uint64_t message_length;
	enum mm_smram_state smram;
	uint64_t count;                 /* repeat */
	struct sc_step *steps;          /* repeat body */
	size_t nsteps;
	struct sc_expect expect;
};

struct sc_driver {
	char *path;     /* resolved */
	unsigned line;
	bool image;     /* `image:` (PE/TE/ELF on the emulated CPU), else `native:` */
	char *depex;    /* `depex:` of an image driver, NULL: none given */
	unsigned type;  /* `type:` of an image driver (enum mm_module_type), 0: from the image */
	char *debug;    /* `debug:` of an image driver: its ELF symbol file (resolved), or NULL */
	bool fv;        /* `fv:` a firmware image: its MM drivers (mm_driver_load_fv) */
	char **modules; /* `modules:` of an fv driver (UI names or file GUIDs), NULL: all */
	size_t nmodules;
};

/* A PCD value of the platform (`pcds:`), in the default token space unless has_guid. */
struct sc_pcd {
	uint64_t token;
	uint64_t size;
	uint8_t value[8];
	bool has_guid;
	uint8_t guid[16];
};

/*
 * Platform facts beyond struct mm_platform (scenarios/platform.c): PCDs, DXE
 * protocols, flash images, ECAM and PMBASE. Included platform files add
 * PCDs and protocols; the other keys of the including file win.
 */
struct sc_platform_ext {
	struct sc_pcd *pcds;
	size_t npcds;
	uint8_t (*protocols)[16];
	size_t nprotocols;
	char *flash_vars, *flash_code, *flash_save; /* resolved paths, or NULL */
	uint64_t flash_base;            /* of vars; code follows it */
	uint32_t flash_block;           /* 0: MM_FLASH_BLOCK_DEFAULT */
	bool has_ecam;
	uint64_t ecam;
	bool has_pmbase;
	uint16_t pmbase;
	uint32_t oracles;               /* enum mm_oracle_class bits (include/mmemu/oracle.h) */
};

struct mm_scenario {
	struct sc_arena arena;
	char *path;
	char *name;
	char *description;
	struct mm_platform platform;
	struct sc_platform_ext platform_ext;
	char **requires;
	size_t nrequires;
	uint32_t log_mask;
	struct sc_driver *drivers;
	size_t ndrivers;
	bool dispatch_order;
	struct sc_step *steps;
	size_t nsteps;
	bool has_end;
	struct sc_expect end;
	/*
	 * `base:`: the scenario whose platform, drivers and steps come first
	 * (owned, freed with this one), or NULL.
	 */
	struct mm_scenario *base;
};

/* Static names used by loader and runner. */
const char *sc_action_name(enum sc_action a);
const char *sc_err_name(enum mm_err e);
const char *sc_smram_name(int state);

#endif /* SCENARIOS_MODEL_H */
