/* SPDX-License-Identifier: MIT */
/* What the traditional and combined sample drivers and their test share. */
#ifndef TESTS_DRIVERS_TRADITIONAL_H
#define TESTS_DRIVERS_TRADITIONAL_H

#include <pi/base.h>

/* MMI handler GUID of traditional-sample; the message is a TRADITIONAL_REPORT. */
#define TRADITIONAL_HANDLER_GUID                                                           \
	{ 0x5f0d2c61, 0x1b7e, 0x4a93, { 0x8e, 0x14, 0x2a, 0x90, 0x6c, 0x33, 0xd1, 0x07 } }
/* MMI handler GUID of traditional-combined. */
#define COMBINED_HANDLER_GUID                                                              \
	{ 0x5f0d2c62, 0x1b7e, 0x4a93, { 0x8e, 0x14, 0x2a, 0x90, 0x6c, 0x33, 0xd1, 0x07 } }
/* DXE protocol the combined driver installs in its DXE phase. */
#define COMBINED_DXE_PROTOCOL_GUID                                                         \
	{ 0x5f0d2c63, 0x1b7e, 0x4a93, { 0x8e, 0x14, 0x2a, 0x90, 0x6c, 0x33, 0xd1, 0x07 } }
/* MM protocol the combined driver installs in its MM phase. */
#define COMBINED_MM_PROTOCOL_GUID                                                          \
	{ 0x5f0d2c64, 0x1b7e, 0x4a93, { 0x8e, 0x14, 0x2a, 0x90, 0x6c, 0x33, 0xd1, 0x07 } }

#define TRADITIONAL_CMD_REPORT 1   /* fill the report */
#define TRADITIONAL_CMD_CALLOUT 2  /* (badly) call gBS->AllocatePool at runtime */

typedef struct {
	UINT32 Command;
	UINT32 EntryInMm;      /* InMm as the entry point saw it */
	UINT32 EndOfDxeSeen;   /* the EndOfDxe event group notify ran */
	UINT32 DxePhaseCalls;  /* combined: entries with InMm FALSE */
	UINT32 MmPhaseCalls;   /* combined: entries with InMm TRUE */
	UINT32 Reserved;
	UINT64 BootPool;       /* address AllocatePool gave at entry */
	UINT64 Status;         /* status of the command */
} TRADITIONAL_REPORT;

#endif /* TESTS_DRIVERS_TRADITIONAL_H */
