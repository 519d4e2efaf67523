/* SPDX-License-Identifier: MIT */
/*
 * The benchmark driver's interface, shared by tests/drivers/bench-driver.c and
 * the benchmarks of tools/cmd-bench.c. GUIDs generated for mmemu.
 */
#ifndef TESTS_DRIVERS_BENCH_H
#define TESTS_DRIVERS_BENCH_H

/* An MMI handler that does nothing and returns EFI_SUCCESS. */
#define BENCH_EMPTY_HANDLER_GUID_BYTES                                                      \
	{ 0x5c, 0x1e, 0x7a, 0x3d, 0x92, 0x4b, 0x1f, 0x46, 0xa0, 0x8e, 0x27, 0xc4, 0x51, 0x9d, 0x03, 0xb6 }
/* An MMI handler that runs N MmAllocatePool(64)/MmFreePool pairs; N is a UINT32 message. */
#define BENCH_POOL_HANDLER_GUID_BYTES                                                       \
	{ 0xe1, 0x44, 0x08, 0x9a, 0x6d, 0x3c, 0x52, 0x4e, 0x8b, 0x19, 0xf4, 0x70, 0x2a, 0xc6, 0x5e, 0x81 }

#define BENCH_POOL_BLOCK_SIZE 64

#endif /* TESTS_DRIVERS_BENCH_H */
