/* SPDX-License-Identifier: MIT */
/*
 * The SMM base HOB (EDK2 UefiCpuPkg Include/Guid/SmmBaseHob.h): a GUID HOB
 * a PEI module leaves after relocating SMBASE itself, telling the SMM CPU
 * driver each processor's new SMBASE. One HOB covers processors
 * ProcessorIndex .. ProcessorIndex + NumberOfProcessors - 1; several may
 * exist, in any order. Per processor (and per our entry-stub layout):
 *
 *   SmBase + 0x8000   SMI entry point
 *   SmBase + 0xFB00   processor-specific extra context
 *   SmBase + 0xFC00   save-state map (to SmBase + 0xFFFF)
 *
 * SMM_BASE_HOB_DATA (EDK2 declares it packed; the natural layout is the same):
 *   0x00 ProcessorIndex      UINT32
 *   0x04 NumberOfProcessors  UINT32
 *   0x08 SmBase[]            UINT64 each     sizeof = 0x08
 */
#ifndef PI_SMM_BASE_HOB_H
#define PI_SMM_BASE_HOB_H

#include "base.h"

#define SMM_BASE_HOB_DATA_GUID                                                             \
	{ 0xc2217ba7, 0x03bb, 0x4f63, { 0xa6, 0x47, 0x7c, 0x25, 0xc5, 0xfc, 0x9d, 0x73 } }

typedef struct {
	UINT32 ProcessorIndex;     /* first processor this HOB describes */
	UINT32 NumberOfProcessors; /* entries in SmBase */
	UINT64 SmBase[];
} SMM_BASE_HOB_DATA;

extern EFI_GUID gSmmBaseHobGuid;

#endif /* PI_SMM_BASE_HOB_H */
