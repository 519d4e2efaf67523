/* SPDX-License-Identifier: MIT */
/*
 * The DXE Services Table (include/pi/dxe-services.h), published in the DXE
 * configuration table under gEfiDxeServicesTableGuid. Of its members mmemu
 * provides the memory space map queries: EDK2's SmmMemLib, which most
 * traditional MM drivers link, reads the GCD memory space map in its
 * EndOfDxe notify to learn which memory is untested. The other members
 * change the GCD or run the DXE dispatcher; they return EFI_UNSUPPORTED and
 * say who asked, under "warn".
 *
 * The GCD map is derived from the platform's regions, from address 0 up to
 * 4 GiB (or the end of the highest region): RAM is system memory, SMRAM and
 * RAM of type EfiReservedMemoryType are reserved, the gaps do not exist.
 * Every present range is reported tested, so none counts as untested.
 */
#include <string.h>

#include <pi/dxe-services.h>

#include "core/call.h"
#include "core/dxe/dxe.h"
#include "core/machine.h"

#define FOUR_GIB (1ull << 32)
#define GCD_CAPS (EFI_MEMORY_UC | EFI_MEMORY_WC | EFI_MEMORY_WT | EFI_MEMORY_WB)
#define GCD_PRESENT (EFI_MEMORY_PRESENT | EFI_MEMORY_INITIALIZED | EFI_MEMORY_TESTED)

/* Collects the descriptors into out (NULL: count only). */
struct gcd_builder {
	EFI_GCD_MEMORY_SPACE_DESCRIPTOR *out;
	uint64_t count;
};

static void gcd_emit(struct gcd_builder *b, EFI_GCD_MEMORY_TYPE type, uint64_t base,
		     uint64_t len)
{
	EFI_GCD_MEMORY_SPACE_DESCRIPTOR *d;

	if (!len)
		return;
	if (b->out) {
		d = &b->out[b->count];
		memset(d, 0, sizeof(*d));
		d->BaseAddress = base;
		d->Length = len;
		d->GcdMemoryType = type;
		if (type != EfiGcdMemoryTypeNonExistent) {
			d->Capabilities = GCD_CAPS | GCD_PRESENT;
			d->Attributes = EFI_MEMORY_WB;
		}
	}
	b->count++;
}

/* The GCD type of a platform region. */
static EFI_GCD_MEMORY_TYPE region_gcd_type(const struct mm_region_desc *d)
{
	if (d->kind == MM_REGION_SMRAM || d->efi_type == EfiReservedMemoryType)
		return EfiGcdMemoryTypeReserved;
	return EfiGcdMemoryTypeSystemMemory;
}

/* Walks the regions in address order, filling the gaps with non-existent ranges. */
static void gcd_build(const struct mm_machine *m, struct gcd_builder *b)
{
	uint64_t at = 0;

	for (;;) {
		const struct mm_region_desc *next = mm_dxe_next_region(m, at);

		if (!next)
			break;
		gcd_emit(b, EfiGcdMemoryTypeNonExistent, at, next->base - at);
		gcd_emit(b, region_gcd_type(next), next->base, next->size);
		at = next->base + next->size;
	}
	if (at < FOUR_GIB)
		gcd_emit(b, EfiGcdMemoryTypeNonExistent, at, FOUR_GIB - at);
}

static EFI_STATUS EFIAPI DxeGetMemorySpaceMap(UINTN *NumberOfDescriptors,
					      EFI_GCD_MEMORY_SPACE_DESCRIPTOR **MemorySpaceMap)
{
	struct gcd_builder b = { 0 };

	DXE_ENTER(m, "gDS->GetMemorySpaceMap", DxeGetMemorySpaceMap);
	if (!NumberOfDescriptors || !MemorySpaceMap ||
	    !mm_caller_ptr_ok(m, NumberOfDescriptors, sizeof(*NumberOfDescriptors)) ||
	    !mm_caller_ptr_ok(m, MemorySpaceMap, sizeof(*MemorySpaceMap)))
		return EFI_INVALID_PARAMETER;
	gcd_build(m, &b);
	b.out = mm_dxe_pool_alloc(m, EfiBootServicesData, b.count * sizeof(*b.out));
	if (!b.out)
		return EFI_OUT_OF_RESOURCES;
	b.count = 0;
	gcd_build(m, &b);
	*NumberOfDescriptors = b.count;
	*MemorySpaceMap = b.out;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI DxeGetMemorySpaceDescriptor(EFI_PHYSICAL_ADDRESS BaseAddress,
						     EFI_GCD_MEMORY_SPACE_DESCRIPTOR *Descriptor)
{
	EFI_GCD_MEMORY_SPACE_DESCRIPTOR all[2 * MM_MAX_REGIONS + 2];
	struct gcd_builder b = { all, 0 };

	DXE_ENTER(m, "gDS->GetMemorySpaceDescriptor", DxeGetMemorySpaceDescriptor);
	if (!Descriptor || !mm_caller_ptr_ok(m, Descriptor, sizeof(*Descriptor)))
		return EFI_INVALID_PARAMETER;
	gcd_build(m, &b);
	for (uint64_t i = 0; i < b.count; i++)
		if (BaseAddress >= all[i].BaseAddress &&
		    BaseAddress - all[i].BaseAddress < all[i].Length) {
			*Descriptor = all[i];
			return EFI_SUCCESS;
		}
	return EFI_NOT_FOUND;
}

/* The members we do not provide: EFI_UNSUPPORTED, with who asked. */
static EFI_STATUS gds_unsupported(struct mm_machine *m, const char *service)
{
	mm_log(m, MM_LOG_WARN, "%s called by %s: not provided by mmemu's DXE world, "
	       "EFI_UNSUPPORTED", service, mm_executing_name(m));
	return EFI_UNSUPPORTED;
}

#define GDS_UNSUPPORTED(fn, name)                                                          \
	static EFI_STATUS EFIAPI fn(VOID)                                                  \
	{                                                                                  \
		DXE_ENTER(m, name, fn);                                                    \
		return gds_unsupported(m, name);                                           \
	}

GDS_UNSUPPORTED(DxeAddMemorySpace, "gDS->AddMemorySpace")
GDS_UNSUPPORTED(DxeAllocateMemorySpace, "gDS->AllocateMemorySpace")
GDS_UNSUPPORTED(DxeFreeMemorySpace, "gDS->FreeMemorySpace")
GDS_UNSUPPORTED(DxeRemoveMemorySpace, "gDS->RemoveMemorySpace")
GDS_UNSUPPORTED(DxeSetMemorySpaceAttributes, "gDS->SetMemorySpaceAttributes")
GDS_UNSUPPORTED(DxeAddIoSpace, "gDS->AddIoSpace")
GDS_UNSUPPORTED(DxeAllocateIoSpace, "gDS->AllocateIoSpace")
GDS_UNSUPPORTED(DxeFreeIoSpace, "gDS->FreeIoSpace")
GDS_UNSUPPORTED(DxeRemoveIoSpace, "gDS->RemoveIoSpace")
GDS_UNSUPPORTED(DxeGetIoSpaceDescriptor, "gDS->GetIoSpaceDescriptor")
GDS_UNSUPPORTED(DxeGetIoSpaceMap, "gDS->GetIoSpaceMap")
GDS_UNSUPPORTED(DxeDispatch, "gDS->Dispatch")
GDS_UNSUPPORTED(DxeSchedule, "gDS->Schedule")
GDS_UNSUPPORTED(DxeTrust, "gDS->Trust")
GDS_UNSUPPORTED(DxeProcessFirmwareVolume, "gDS->ProcessFirmwareVolume")
GDS_UNSUPPORTED(DxeSetMemorySpaceCapabilities, "gDS->SetMemorySpaceCapabilities")

enum mm_err mm_dxe_services_install(struct mm_machine *m)
{
	EFI_DXE_SERVICES *ds = mm_dxe_ram_zalloc(m, sizeof(*ds));

	if (!ds)
		return mm_fail(m, MM_ERR_NOMEM, "DXE world: no RAM for the DXE services table");
	ds->Hdr = (EFI_TABLE_HEADER){ DXE_SERVICES_SIGNATURE, DXE_SERVICES_REVISION,
				      sizeof(*ds), 0, 0 };
	ds->AddMemorySpace = DxeAddMemorySpace;
	ds->AllocateMemorySpace = DxeAllocateMemorySpace;
	ds->FreeMemorySpace = DxeFreeMemorySpace;
	ds->RemoveMemorySpace = DxeRemoveMemorySpace;
	ds->GetMemorySpaceDescriptor = DxeGetMemorySpaceDescriptor;
	ds->SetMemorySpaceAttributes = DxeSetMemorySpaceAttributes;
	ds->GetMemorySpaceMap = DxeGetMemorySpaceMap;
	ds->AddIoSpace = DxeAddIoSpace;
	ds->AllocateIoSpace = DxeAllocateIoSpace;
	ds->FreeIoSpace = DxeFreeIoSpace;
	ds->RemoveIoSpace = DxeRemoveIoSpace;
	ds->GetIoSpaceDescriptor = DxeGetIoSpaceDescriptor;
	ds->GetIoSpaceMap = DxeGetIoSpaceMap;
	ds->Dispatch = DxeDispatch;
	ds->Schedule = DxeSchedule;
	ds->Trust = DxeTrust;
	ds->ProcessFirmwareVolume = DxeProcessFirmwareVolume;
	ds->SetMemorySpaceCapabilities = DxeSetMemorySpaceCapabilities;
	mm_dxe_table_crc(&ds->Hdr);
	m->dxe.ds = ds;
	return mm_dxe_config_set(m, &gEfiDxeServicesTableGuid, ds);
}
