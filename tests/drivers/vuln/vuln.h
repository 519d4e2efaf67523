/* SPDX-License-Identifier: MIT */
/*
 * Sample vulnerable MM drivers (issue 7), one per bug-oracle class, each
 * built twice: as is (the bug) and with -DVULN_FIXED (the fixed twin, named
 * "<Name>Fixed"). Every driver registers one GUID MMI handler; the GUIDs
 * below were generated for mmemu. The scenarios in scenarios/oracles/ send
 * the messages and expect the oracle to fire on the bug and stay silent on
 * the twin.
 */
#ifndef TESTS_DRIVERS_VULN_H
#define TESTS_DRIVERS_VULN_H

#include <mmemu/native-driver.h>
#include <pi/mm-system-table.h>

#ifdef VULN_FIXED
#define VULN_NAME(n) n "Fixed"
#else
#define VULN_NAME(n) n
#endif

/* The MMST, kept by the entry point. */
static EFI_MM_SYSTEM_TABLE *vuln_st;

/* An entry point that registers handler for the GUID initializer guid. */
#define VULN_ENTRY(entry, handler, guid)                                                   \
	static EFI_STATUS EFIAPI entry(EFI_HANDLE ImageHandle, EFI_MM_SYSTEM_TABLE *St)     \
	{                                                                                  \
		static EFI_GUID g = guid;                                                  \
		EFI_HANDLE dispatch;                                                       \
                                                                                           \
		(void)ImageHandle;                                                         \
		vuln_st = St;                                                              \
		return St->MmiHandlerRegister(handler, &g, &dispatch);                     \
	}

/* smram-write (handler E8AD3D03-576A-40AD-85EF-457314172D08) */
#define VULN_SMRAM_WRITE_HANDLER_GUID { 0xe8ad3d03, 0x576a, 0x40ad, { 0x85, 0xef, 0x45, 0x73, 0x14, 0x17, 0x2d, 0x08 } }
#define VULN_SMRAM_WRITE_FILE_GUID { 0xf0fcd248, 0x8394, 0x4b83, { 0x98, 0x0f, 0x55, 0x4d, 0xe1, 0x87, 0x65, 0x86 } }
/* comm-oob (handler 3D703415-BD9C-42FD-BD81-AEAD01522555) */
#define VULN_COMM_OOB_HANDLER_GUID { 0x3d703415, 0xbd9c, 0x42fd, { 0xbd, 0x81, 0xae, 0xad, 0x01, 0x52, 0x25, 0x55 } }
#define VULN_COMM_OOB_FILE_GUID { 0xbc70a128, 0x2172, 0x420e, { 0xb6, 0x28, 0x0f, 0x82, 0xb7, 0xb2, 0xc2, 0x9e } }
/* double-fetch (handler D6D04C65-E723-4F02-906D-554B78665205) */
#define VULN_DOUBLE_FETCH_HANDLER_GUID { 0xd6d04c65, 0xe723, 0x4f02, { 0x90, 0x6d, 0x55, 0x4b, 0x78, 0x66, 0x52, 0x05 } }
#define VULN_DOUBLE_FETCH_FILE_GUID { 0x740b6f88, 0x8def, 0x48e1, { 0xae, 0x87, 0x92, 0xc6, 0x2f, 0x81, 0x8e, 0xb5 } }
/* pool (handler 8CD92CC2-F67D-48BB-9659-3B276156F269) */
#define VULN_POOL_HANDLER_GUID { 0x8cd92cc2, 0xf67d, 0x48bb, { 0x96, 0x59, 0x3b, 0x27, 0x61, 0x56, 0xf2, 0x69 } }
#define VULN_POOL_FILE_GUID { 0xdfed89a8, 0x67bd, 0x4a7d, { 0x89, 0x00, 0x99, 0x5d, 0x56, 0x23, 0x04, 0x18 } }
/* stack (handler 7D665485-B67D-42EF-8756-875FE6AC4594) */
#define VULN_STACK_HANDLER_GUID { 0x7d665485, 0xb67d, 0x42ef, { 0x87, 0x56, 0x87, 0x5f, 0xe6, 0xac, 0x45, 0x94 } }
#define VULN_STACK_FILE_GUID { 0xf40aac9e, 0x9393, 0x4bc5, { 0xb1, 0xdb, 0x2a, 0x20, 0x81, 0xac, 0xef, 0x05 } }
/* disclosure (handler 5728283C-D316-401C-AAE4-DA78DBDE001D) */
#define VULN_DISCLOSURE_HANDLER_GUID { 0x5728283c, 0xd316, 0x401c, { 0xaa, 0xe4, 0xda, 0x78, 0xdb, 0xde, 0x00, 0x1d } }
#define VULN_DISCLOSURE_FILE_GUID { 0xd47b9b9e, 0xf5bd, 0x4ca3, { 0x8c, 0x97, 0x35, 0x77, 0x4d, 0x6a, 0xe5, 0xc1 } }
/* callout (handler 0C2A52AD-6FCC-4D47-AE2C-8CFC61EB7882) */
#define VULN_CALLOUT_HANDLER_GUID { 0x0c2a52ad, 0x6fcc, 0x4d47, { 0xae, 0x2c, 0x8c, 0xfc, 0x61, 0xeb, 0x78, 0x82 } }
#define VULN_CALLOUT_FILE_GUID { 0x77e36345, 0xf6dc, 0x4247, { 0x93, 0x9b, 0x31, 0x4b, 0xbc, 0x05, 0x1a, 0xce } }
/* hang (handler 6CFD1358-CC79-41C6-91FD-5FA2259DDD56) */
#define VULN_HANG_HANDLER_GUID { 0x6cfd1358, 0xcc79, 0x41c6, { 0x91, 0xfd, 0x5f, 0xa2, 0x25, 0x9d, 0xdd, 0x56 } }
#define VULN_HANG_FILE_GUID { 0x26bc36ff, 0xf5fa, 0x477f, { 0xbc, 0x97, 0xd0, 0xe9, 0x1c, 0x47, 0xa4, 0xf4 } }
/* sw-smram-write (a SW SMI handler, value VULN_SW_SMI_VALUE) */
#define VULN_SW_SMRAM_WRITE_FILE_GUID { 0xd1e592c9, 0x9d5c, 0x419a, { 0xa8, 0xc6, 0xce, 0xda, 0x3b, 0x2c, 0xcf, 0x54 } }
#define VULN_SW_SMI_VALUE 0x5B

#endif /* TESTS_DRIVERS_VULN_H */
