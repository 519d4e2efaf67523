/* SPDX-License-Identifier: MIT */
/* Dispatches the consumer driver and checks its handler through libmmemu. */
#include <stdio.h>

#include <mmemu/mmemu.h>

int main(int argc, char **argv)
{
	static const uint8_t guid[16] = { 0x2a, 0x8f, 0x0e, 0x3c, 0xd4, 0x51, 0x6e, 0x4b,
					  0x8a, 0x77, 0x19, 0x2e, 0x5d, 0xc4, 0x0b, 0x93 };
	struct mm_machine *m;
	struct mm_driver_info info;
	uint8_t msg = 0x0F, reply = 0;
	uint64_t len = 1, status = 1;
	char err[256];

	if (argc != 2 || mm_machine_create(NULL, &m, err, sizeof(err)))
		return 2;
	if (mm_driver_load_native(m, argv[1], NULL) || mm_dispatch(m) ||
	    mm_driver_get_info(m, 0, &info) || info.state != MM_DRIVER_DISPATCHED) {
		fprintf(stderr, "consumer: dispatch failed: %s\n", mm_machine_error(m));
		return 1;
	}
	if (mm_communicate_msg(m, guid, &msg, 1, 0, &reply, &len, &status) || status ||
	    reply != 0xF0) {
		fprintf(stderr, "consumer: handler answered 0x%02x\n", reply);
		return 1;
	}
	mm_machine_destroy(m);
	printf("consumer: ok\n");
	return 0;
}
