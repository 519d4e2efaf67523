/* SPDX-License-Identifier: MIT */
/*
 * Tests of emu/gdb.c: a protocol-level gdb client (written here) drives the
 * stub over a socketpair while the machine takes an SMI on a second thread.
 * Packets, acks, the target description, registers at SMI entry, memory,
 * breakpoints, single step, threads, RSM and stop-record stops, malformed
 * input and disconnects.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "emu-support.h"
#include "emu/gdb.h"
#include "emu/model.h"
#include "loader/image.h"
#include <mmemu/debug.h>

#define DW_EFI MMEMU_TEST_DRIVER_DIR "/pe/pe-dwarf-sw-handler.efi"
#define DW_DEBUG MMEMU_TEST_DRIVER_DIR "/pe/SampleSwHandlerDw.debug"

#define REG_RIP 0x10
#define REG_CS 0x12
#define REG_CS_BASE 0x40
#define REG_SMBASE 0x41

struct client {
	int fd;
	char reply[0x2000];
	struct mm_machine *m;
	pthread_t thread;
	enum mm_err smi_result;
};

static void nothing(struct mm_machine *m, unsigned bsp, void *user)
{
	(void)m, (void)bsp, (void)user;
}

/* The machine thread: one SMI from CPU 0. */
static void *smi_thread(void *arg)
{
	struct client *c = arg;

	c->smi_result = mm_emu_smi(c->m, 0);
	return NULL;
}

/* Reads one byte; -1 at end of stream. */
static int rd(struct client *c)
{
	unsigned char b;

	return read(c->fd, &b, 1) == 1 ? b : -1;
}

static void send_raw(struct client *c, const char *s)
{
	assert_int_equal(write(c->fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* Sends data as a packet and checks the '+' ack. */
static void send_pkt(struct client *c, const char *data)
{
	char frame[0x1100];
	unsigned sum = 0;

	for (const char *p = data; *p; p++)
		sum += (unsigned char)*p;
	snprintf(frame, sizeof(frame), "$%s#%02x", data, sum & 0xFF);
	send_raw(c, frame);
	assert_int_equal(rd(c), '+');
}

/* Receives one packet (acked), skipping console O packets; returns its data. */
static const char *recv_pkt(struct client *c)
{
	for (;;) {
		size_t n = 0;
		int ch;

		while ((ch = rd(c)) != '$')
			assert_true(ch >= 0);
		while ((ch = rd(c)) != '#') {
			assert_true(ch >= 0);
			assert_true(n < sizeof(c->reply) - 1);
			c->reply[n++] = (char)ch;
		}
		c->reply[n] = 0;
		assert_true(rd(c) >= 0);
		assert_true(rd(c) >= 0);
		send_raw(c, "+");
		if (c->reply[0] != 'O' || c->reply[1] == 'K' || !c->reply[1])
			return c->reply;
	}
}

static const char *xfer(struct client *c, const char *data)
{
	send_pkt(c, data);
	return recv_pkt(c);
}

/* Decodes a little-endian hex register value. */
static uint64_t le_hex(const char *s)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8 && s[2 * i] && s[2 * i + 1]; i++) {
		unsigned b;

		sscanf(s + 2 * i, "%2x", &b);
		v |= (uint64_t)b << (8 * i);
	}
	return v;
}

static uint64_t reg(struct client *c, unsigned n)
{
	char q[16];

	snprintf(q, sizeof(q), "p%x", n);
	return le_hex(xfer(c, q));
}

/* Attaches the stub to c->m on a socketpair and starts an SMI. */
static void run(struct client *c, const struct mm_gdb_options *o)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(mm_gdb_attach_fd(c->m, sv[0], o), MM_OK);
	c->fd = sv[1];
	assert_int_equal(pthread_create(&c->thread, NULL, smi_thread, c), 0);
}

/* Machine with 2 CPUs, the stub attached on a socketpair, an SMI running. */
static void start(struct client *c, const struct mm_gdb_options *o)
{
	memset(c, 0, sizeof(*c));
	c->m = emu_machine_layout(2, MM_SAVE_STATE_INTEL64);
	assert_int_equal(mm_emu_set_entry(c->m, nothing, NULL), MM_OK);
	run(c, o);
}

/* Detaches (or just hangs up) and checks the SMI ran to completion. */
static void finish(struct client *c, bool detach, enum mm_err expect)
{
	if (detach)
		assert_string_equal(xfer(c, "D"), "OK");
	close(c->fd);
	pthread_join(c->thread, NULL);
	assert_int_equal(c->smi_result, expect);
	mm_machine_destroy(c->m);
}

static uint64_t smbase0(struct client *c)
{
	uint64_t smbase = 0;

	assert_int_equal(mm_emu_smbase(c->m, 0, &smbase), MM_OK);
	return smbase;
}

static void test_mm_gdb_qsupported_and_target_xml(void **state)
{
	struct client c;
	char xml[0x4000] = "", q[64];
	size_t off = 0;

	(void)state;
	start(&c, NULL);
	assert_non_null(strstr(xfer(&c, "qSupported:multiprocess+;xmlRegisters=i386"),
			       "PacketSize=1000"));
	assert_non_null(strstr(c.reply, "qXfer:features:read+"));
	for (;;) {
		const char *r;

		snprintf(q, sizeof(q), "qXfer:features:read:target.xml:%zx,200", off);
		r = xfer(&c, q);
		assert_true(r[0] == 'm' || r[0] == 'l');
		assert_true(off + strlen(r + 1) < sizeof(xml));
		strcat(xml, r + 1);
		off += strlen(r + 1);
		if (r[0] == 'l')
			break;
	}
	assert_non_null(strstr(xml, "<architecture>i386:x86-64</architecture>"));
	assert_non_null(strstr(xml, "org.gnu.gdb.i386.core"));
	assert_non_null(strstr(xml, "org.mmemu.sys"));
	assert_non_null(strstr(xml, "name=\"efer\""));
	assert_non_null(strstr(xml, "name=\"fs_base\""));
	assert_string_equal(xfer(&c, "qXfer:features:read:other.xml:0,100"), "E00");
	finish(&c, true, MM_OK);
}

/*
 * The library list names the .debug file found beside a PE image (by its
 * CodeView name) with the guest address of its first segment: the file's
 * segments are at ImageBase + RVA, the first .text at RVA 0x1000.
 */
static void test_mm_gdb_qxfer_libraries_lists_debug_files(void **state)
{
	struct client c;
	struct mm_loaded_image li;
	char want[512];
	const char *r;

	(void)state;
	if (access(DW_EFI, R_OK) || access(DW_DEBUG, R_OK))
		skip(); /* no clang/lld-link or no GNU objcopy */
	memset(&c, 0, sizeof(c));
	c.m = emu_machine_layout(2, MM_SAVE_STATE_INTEL64);
	if (mm_symbols_add(c.m, "probe", DW_DEBUG) == MM_ERR_UNSUPPORTED) {
		mm_machine_destroy(c.m);
		skip(); /* no libdw */
	}
	assert_int_equal(mm_emu_set_entry(c.m, nothing, NULL), MM_OK);
	assert_int_equal(mm_image_load_file(c.m, DW_EFI, &li), MM_OK);
	run(&c, NULL);
	assert_non_null(strstr(xfer(&c, "qSupported:multiprocess+"), "qXfer:libraries:read+"));
	r = xfer(&c, "qXfer:libraries:read::0,fff");
	assert_int_equal(r[0], 'l');
	assert_non_null(strstr(r, "<library-list>"));
	snprintf(want, sizeof(want), "<library name=\"%s\"><segment address=\"0x%llx\"/></library>",
		 DW_DEBUG, (unsigned long long)li.base + 0x1000);
	assert_non_null(strstr(r, want));
	r = xfer(&c, "qXfer:libraries:read::10,8"); /* a part, not the end */
	assert_int_equal(r[0], 'm');
	assert_int_equal(strlen(r + 1), 8);
	assert_string_equal(xfer(&c, "qXfer:libraries:read:x:0,10"), "E00");
	finish(&c, true, MM_OK);
}

static void test_mm_gdb_smi_entry_registers_and_memory(void **state)
{
	struct client c;
	uint64_t smbase;
	char q[64];
	const uint8_t *stub;

	(void)state;
	start(&c, NULL);
	assert_string_equal(xfer(&c, "?"), "T05thread:1;");
	smbase = smbase0(&c);
	assert_int_equal(reg(&c, REG_RIP), smbase + 0x8000);
	assert_int_equal(reg(&c, REG_CS_BASE), smbase);
	assert_int_equal(reg(&c, REG_SMBASE), smbase);
	assert_int_equal(reg(&c, REG_CS), (smbase >> 4) & 0xFFFF);
	/* g: every register, rip at offset 16*8 */
	assert_int_equal(le_hex(xfer(&c, "g") + 16 * 16), smbase + 0x8000);
	/* memory: the stub's first bytes */
	stub = (const uint8_t *)(uintptr_t)(smbase + 0x8000);
	snprintf(q, sizeof(q), "m%llx,8", (unsigned long long)(smbase + 0x8000));
	xfer(&c, q);
	for (unsigned i = 0; i < 8; i++) {
		unsigned b;

		sscanf(c.reply + 2 * i, "%2x", &b);
		assert_int_equal(b, stub[i]);
	}
	assert_string_equal(xfer(&c, "qC"), "QC1");
	finish(&c, true, MM_OK);
}

static void test_mm_gdb_breakpoint_at_long_mode_entry(void **state)
{
	struct client c;
	uint64_t lm64;
	char q[64];

	(void)state;
	start(&c, NULL);
	assert_string_equal(xfer(&c, "?"), "T05thread:1;");
	lm64 = smbase0(&c) + 0x8000 + mm_emu_get(c.m)->info->lm64;
	snprintf(q, sizeof(q), "Z0,%llx,1", (unsigned long long)lm64);
	assert_string_equal(xfer(&c, q), "OK");
	assert_string_equal(xfer(&c, "c"), "T05thread:1;");
	assert_int_equal(reg(&c, REG_RIP), lm64);
	assert_int_equal(reg(&c, REG_CS), MM_SEL_CODE64);
	snprintf(q, sizeof(q), "z0,%llx,1", (unsigned long long)lm64);
	assert_string_equal(xfer(&c, q), "OK");
	/* a hardware breakpoint on the next CPU's entry: CPU 1 arrives there */
	snprintf(q, sizeof(q), "Z1,%llx,1",
		 (unsigned long long)(mm_emu_get(c.m)->cpu[1].smbase + 0x8000 +
				      mm_emu_get(c.m)->info->lm64));
	assert_string_equal(xfer(&c, q), "OK");
	assert_string_equal(xfer(&c, "vCont;c"), "T05thread:2;");
	finish(&c, true, MM_OK);
}

static void test_mm_gdb_step_one_instruction(void **state)
{
	struct client c;
	uint64_t entry, rip;

	(void)state;
	start(&c, NULL);
	assert_string_equal(xfer(&c, "?"), "T05thread:1;");
	entry = reg(&c, REG_RIP);
	assert_string_equal(xfer(&c, "s"), "T05thread:1;");
	rip = reg(&c, REG_RIP);
	assert_true(rip > entry && rip - entry <= 15);
	assert_string_equal(xfer(&c, "vCont;s:1"), "T05thread:1;");
	assert_true(reg(&c, REG_RIP) != rip);
	finish(&c, true, MM_OK);
}

static void test_mm_gdb_threads_are_cpus(void **state)
{
	struct client c;

	(void)state;
	start(&c, NULL);
	assert_string_equal(xfer(&c, "qfThreadInfo"), "m1,2");
	assert_string_equal(xfer(&c, "qsThreadInfo"), "l");
	assert_string_equal(xfer(&c, "T2"), "OK");
	assert_string_equal(xfer(&c, "T3"), "E01");
	assert_string_equal(xfer(&c, "Hg2"), "OK");
	/* CPU 1 has not arrived: its state outside SMM (64-bit OS) */
	assert_int_equal(reg(&c, REG_CS), 0x38);
	assert_string_equal(xfer(&c, "Hg9"), "E01");
	assert_string_equal(xfer(&c, "Hg1"), "OK");
	assert_int_equal(reg(&c, REG_CS_BASE), smbase0(&c));
	assert_string_equal(xfer(&c, "vCont?"), "vCont;c;C;s;S");
	finish(&c, true, MM_OK);
}

static void test_mm_gdb_malformed_packets(void **state)
{
	struct client c;

	(void)state;
	start(&c, NULL);
	assert_string_equal(xfer(&c, "mzz"), "E01");
	assert_string_equal(xfer(&c, "m10000,ffffffffff"), "E01");
	assert_string_equal(xfer(&c, "mffffffffffffffff,10"), "E01");
	assert_string_equal(xfer(&c, "m1ffffffffffffffff,1"), "E01");
	assert_string_equal(xfer(&c, "mdead00000000,4"), "E01"); /* unmapped */
	assert_string_equal(xfer(&c, "M10000,2:zz"), "E01");
	assert_string_equal(xfer(&c, "p999"), "E01");
	assert_string_equal(xfer(&c, "P10=12"), "E01");
	assert_string_equal(xfer(&c, "Z0,zz"), "E01");
	assert_string_equal(xfer(&c, "G00"), "E01");
	assert_string_equal(xfer(&c, "vCont;x"), "E01");
	assert_string_equal(xfer(&c, "Xfoo"), ""); /* unsupported: empty */
	/* a bad checksum is refused with '-' and the stub goes on */
	send_raw(&c, "$?#00");
	assert_int_equal(rd(&c), '-');
	assert_string_equal(xfer(&c, "?"), "T05thread:1;");
	finish(&c, true, MM_OK);
}

static void test_mm_gdb_disconnect_mid_step(void **state)
{
	struct client c;

	(void)state;
	start(&c, NULL);
	assert_string_equal(xfer(&c, "?"), "T05thread:1;");
	send_pkt(&c, "s"); /* gone before the stop reply */
	finish(&c, false, MM_OK);
}

static void test_mm_gdb_stop_at_rsm(void **state)
{
	struct mm_gdb_options o = { .rsm_stop = true };
	struct client c;
	char q[64];

	(void)state;
	start(&c, &o);
	assert_string_equal(xfer(&c, "c"), "T05thread:1;");
	snprintf(q, sizeof(q), "m%llx,2", (unsigned long long)reg(&c, REG_RIP));
	assert_string_equal(xfer(&c, q), "0faa");
	finish(&c, true, MM_OK);
}

static void test_mm_gdb_stop_record_is_sigsegv(void **state)
{
	struct client c;

	(void)state;
	start(&c, NULL);
	assert_string_equal(xfer(&c, "?"), "T05thread:1;");
	assert_int_equal(mm_emu_test_host_entry(c.m, 0, 0xdead00000000ull), MM_OK);
	assert_string_equal(xfer(&c, "c"), "T0bthread:1;");
	finish(&c, true, MM_ERR_STOPPED);
}

static void test_mm_gdb_write_watchpoint(void **state)
{
	struct client c;
	uint64_t lm64, top, size;
	char q[64];

	(void)state;
	start(&c, NULL);
	assert_string_equal(xfer(&c, "?"), "T05thread:1;");
	lm64 = smbase0(&c) + 0x8000 + mm_emu_get(c.m)->info->lm64;
	snprintf(q, sizeof(q), "Z0,%llx,1", (unsigned long long)lm64);
	assert_string_equal(xfer(&c, q), "OK");
	assert_string_equal(xfer(&c, "c"), "T05thread:1;");
	snprintf(q, sizeof(q), "z0,%llx,1", (unsigned long long)lm64);
	assert_string_equal(xfer(&c, q), "OK");
	/* the stub calls the host entry: the return address goes on the stack */
	assert_int_equal(mm_emu_stack(c.m, 0, &top, &size), MM_OK);
	snprintf(q, sizeof(q), "Z2,%llx,%llx", (unsigned long long)(top - size),
		 (unsigned long long)size);
	assert_string_equal(xfer(&c, q), "OK");
	xfer(&c, "c");
	assert_non_null(strstr(c.reply, "T05thread:1;watch:"));
	finish(&c, true, MM_OK);
}

static void test_mm_gdb_break_handler_address(void **state)
{
	struct mm_gdb_options o = { 0 };
	struct client c;
	char name[32];
	uint64_t lm64;

	(void)state;
	/* the first machine of this test gets the same SMBASE as every other */
	start(&c, NULL);
	lm64 = smbase0(&c) + 0x8000 + mm_emu_get(c.m)->info->lm64;
	finish(&c, true, MM_OK);
	snprintf(name, sizeof(name), "0x%llx", (unsigned long long)lm64);
	o.break_handler = name;
	start(&c, &o);
	/* no stop at the SMI entry: the first stop is the named address */
	assert_string_equal(xfer(&c, "?"), "T05thread:1;");
	assert_int_equal(reg(&c, REG_RIP), lm64);
	finish(&c, true, MM_OK);
}

/* Connects to 127.0.0.1:port and hangs up. */
static void unblock(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0) {
		(void)!connect(fd, (struct sockaddr *)&a, sizeof(a));
		close(fd);
	}
}

/* Path of gdb when installed, else NULL. */
static const char *find_gdb(void)
{
	static const char *const paths[] = { "/usr/bin/gdb", "/usr/local/bin/gdb" };

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

/* A real gdb session over loopback TCP (skipped without gdb). */
static void test_mm_gdb_listen_scripted_gdb_session(void **state)
{
	const char *gdb = find_gdb();
	struct client c;
	uint16_t port = 0;
	uint64_t smbase, lm64;
	char cmd[1024], out[16384] = "", want[128];
	size_t n = 0;
	FILE *p;

	(void)state;
	if (!gdb)
		skip();
	memset(&c, 0, sizeof(c));
	c.m = emu_machine_layout(2, MM_SAVE_STATE_INTEL64);
	assert_int_equal(mm_emu_set_entry(c.m, nothing, NULL), MM_OK);
	assert_int_equal(mm_gdb_listen(c.m, 0, NULL, &port), MM_OK);
	assert_int_not_equal(port, 0);
	assert_int_equal(mm_emu_smbase(c.m, 0, &smbase), MM_OK);
	lm64 = smbase + 0x8000 + mm_emu_get(c.m)->info->lm64;
	assert_int_equal(pthread_create(&c.thread, NULL, smi_thread, &c), 0);
	snprintf(cmd, sizeof(cmd),
		 "%s -nx -batch -ex 'set remotetimeout 30' -ex 'target remote 127.0.0.1:%u' "
		 "-ex 'p/x $pc' -ex 'p/x $cs_base' -ex 'x/2xb $pc' -ex 'break *0x%llx' "
		 "-ex 'continue' -ex 'p/x $pc' -ex 'info threads' -ex 'stepi' -ex 'detach' "
		 "</dev/null 2>&1",
		 gdb, port, (unsigned long long)lm64);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (n < sizeof(out) - 1 && fgets(out + n, (int)(sizeof(out) - n), p))
		n += strlen(out + n);
	pclose(p);
	unblock(port); /* in case gdb never connected: the stub then runs on */
	pthread_join(c.thread, NULL);
	assert_int_equal(c.smi_result, MM_OK);
	snprintf(want, sizeof(want), "$1 = 0x%llx", (unsigned long long)(smbase + 0x8000));
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want), "$2 = 0x%llx", (unsigned long long)smbase);
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want), "Breakpoint 1, 0x%016llx", (unsigned long long)lm64);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "(CPU 1, SMBASE"));
	assert_non_null(strstr(out, "detached"));
	mm_machine_destroy(c.m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_gdb_qsupported_and_target_xml),
		cmocka_unit_test(test_mm_gdb_qxfer_libraries_lists_debug_files),
		cmocka_unit_test(test_mm_gdb_smi_entry_registers_and_memory),
		cmocka_unit_test(test_mm_gdb_breakpoint_at_long_mode_entry),
		cmocka_unit_test(test_mm_gdb_step_one_instruction),
		cmocka_unit_test(test_mm_gdb_threads_are_cpus),
		cmocka_unit_test(test_mm_gdb_malformed_packets),
		cmocka_unit_test(test_mm_gdb_disconnect_mid_step),
		cmocka_unit_test(test_mm_gdb_stop_at_rsm),
		cmocka_unit_test(test_mm_gdb_stop_record_is_sigsegv),
		cmocka_unit_test(test_mm_gdb_write_watchpoint),
		cmocka_unit_test(test_mm_gdb_break_handler_address),
		cmocka_unit_test(test_mm_gdb_listen_scripted_gdb_session),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
