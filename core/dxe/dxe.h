/* SPDX-License-Identifier: MIT */
/*
 * The DXE world of traditional and combined MM drivers (issue 5): state kept
 * by the machine, shared by the files of core/dxe/ (one concept each):
 *
 *   world.c        creation (system table, boot/runtime service tables, DXE
 *                  configuration table), EndOfDxe / ReadyToLock, the
 *                  callout rule, the public API of include/mmemu/dxe.h
 *   protocol.c     the protocol services over the DXE database
 *   event.c        events, event groups, protocol-notify events, TPL
 *   memory.c       pool and pages over normal RAM, GetMemoryMap
 *   misc.c         CRC32, CopyMem/SetMem, Stall, counters, config table,
 *                  the members we do not provide (EFI_UNSUPPORTED, logged)
 *   runtime.c      runtime services
 *   mm-ipl.c       the MM IPL's protocols: MM Base, Access, Control,
 *                  Communication (v1 and v2)
 *   hob.c          the HOB list
 *   pcd.c          PCD_PROTOCOL / EFI_PCD_PROTOCOL over the token table
 *
 * Every table and protocol structure a driver sees lives in normal RAM
 * (pages of m->ram, internal), never in SMRAM; the members are plain
 * EFIAPI host functions. Host-side records (events, pool blocks, opens,
 * PCD tokens) stay out of band, as the MM pool's do.
 *
 * The callout rule (item 4): after ReadyToLock, a boot or runtime service or
 * a DXE protocol member called while MM driver code executes (an image is
 * on the call stack) or while a CPU is in SMM records an MM_STOP_CALLOUT
 * stop and returns EFI_ACCESS_DENIED. Host code (the "DXE side", tests)
 * calling outside SMM is not MM code and keeps using the world.
 */
#ifndef CORE_DXE_DXE_H
#define CORE_DXE_DXE_H

#include <stdbool.h>
#include <stdint.h>

#include <pi/dxe-services.h>
#include <pi/hob.h>
#include <pi/mm-access.h>
#include <pi/mm-base.h>
#include <pi/mm-communication.h>
#include <pi/mm-control.h>
#include <pi/pcd.h>
#include <pi/uefi-system-table.h>

struct mm_machine;
struct mm_dxe_event;
struct mm_dxe_notify;
struct mm_dxe_block;
struct mm_dxe_open;
struct mm_dxe_install;
struct mm_pcd_token;
struct mm_pcd_callback;

/* The MM IPL's protocol instances (normal RAM). */
struct mm_dxe_ipl {
	EFI_MM_BASE_PROTOCOL *base;
	EFI_MM_ACCESS_PROTOCOL *access;
	EFI_MM_CONTROL_PROTOCOL *control;
	EFI_MM_COMMUNICATION_PROTOCOL *comm;
	EFI_MM_COMMUNICATION2_PROTOCOL *comm2;
	PCD_PROTOCOL *pcd;
	EFI_PCD_PROTOCOL *pi_pcd;
};

struct mm_dxe {
	bool created;            /* the world exists (tables below are valid) */
	bool in_mm_entry;        /* the dispatcher runs an MM-phase entry point */
	bool callouts_expected;  /* scenario: callouts are logged, not stopped */
	EFI_SYSTEM_TABLE *st;
	EFI_BOOT_SERVICES *bs;
	EFI_RUNTIME_SERVICES *rt;
	EFI_CONFIGURATION_TABLE *config; /* normal RAM; st->ConfigurationTable */
	EFI_DXE_SERVICES *ds;    /* dxe-services.c; in the configuration table */
	unsigned config_cap;
	void *hob_list;
	uint64_t hob_size;
	struct mm_dxe_ipl ipl;
	EFI_TPL tpl;
	uint64_t monotonic;
	uint64_t map_key;        /* bumps with every change of the memory map */
	uint64_t install_round;  /* see protocol.c: which notify event is next */
	uint64_t install_rounds;
	uint64_t sku;
	struct mm_dxe_event *events;
	struct mm_dxe_notify *notifies;
	struct mm_dxe_block *blocks;   /* pool blocks */
	struct mm_dxe_open *opens;     /* OpenProtocol BY_DRIVER/EXCLUSIVE records */
	struct mm_dxe_install *installs; /* who installed what (warnings) */
	struct mm_pcd_token *pcd;
	struct mm_pcd_callback *pcd_callbacks;
	void *mm_regs[2];        /* MM notifies on EndOfDxe / ReadyToLock */
};

/* world.c */
/* Creates the world (idempotent). MM_OK, MM_ERR_STATE, MM_ERR_NOMEM. */
enum mm_err mm_dxe_create(struct mm_machine *m);
/* Releases the host-side records (machine teardown). */
void mm_dxe_fini(struct mm_machine *m);
/* The system table, or NULL when the world does not exist (standalone model). */
EFI_SYSTEM_TABLE *mm_dxe_st(struct mm_machine *m);
/*
 * The callout rule: true (stop recorded, the caller returns
 * EFI_ACCESS_DENIED) when service, the host function fn, is called by MM
 * code after ReadyToLock.
 */
bool mm_dxe_callout(struct mm_machine *m, const char *service, const void *fn);
/* Zeroed pages of normal RAM for the world's own tables; NULL when exhausted. */
void *mm_dxe_ram_zalloc(struct mm_machine *m, uint64_t size);
/* Recomputes the CRC32 of a table header (HeaderSize bytes). */
void mm_dxe_table_crc(EFI_TABLE_HEADER *hdr);

/*
 * The common head of every EFIAPI service of the DXE world: finds the
 * machine, applies the callout rule. For services returning EFI_STATUS.
 */
#define DXE_ENTER(m, name, fn)                                                            \
	struct mm_machine *m = mm_current();                                               \
	if (!m)                                                                            \
		return EFI_UNSUPPORTED;                                                    \
	if (mm_dxe_callout(m, name, (const void *)(fn)))                                   \
		return EFI_ACCESS_DENIED

/* protocol.c */
/* Installs on the DXE database, recording the installer; runs notify events. */
enum mm_err mm_dxe_install(struct mm_machine *m, EFI_HANDLE *handle, const EFI_GUID *guid,
			   void *iface);
/* Warns about DXE interfaces pointing into SMRAM (ReadyToLock). */
void mm_dxe_check_smram_interfaces(struct mm_machine *m);
void mm_dxe_protocol_fini(struct mm_machine *m);
/* Fills the protocol members of bs. */
void mm_dxe_protocol_table(EFI_BOOT_SERVICES *bs);

/* event.c */
void mm_dxe_event_table(EFI_BOOT_SERVICES *bs);
/* Signals every event of group (EndOfDxe ...). */
void mm_dxe_signal_group(struct mm_machine *m, const EFI_GUID *group);
/* Signals the event recorded for registration reg (RegisterProtocolNotify). */
bool mm_dxe_event_valid(struct mm_machine *m, EFI_EVENT ev);
void mm_dxe_event_signal(struct mm_machine *m, EFI_EVENT ev);
/* Warns about events created by drivers and never closed (ReadyToLock). */
void mm_dxe_check_events(struct mm_machine *m);
void mm_dxe_event_fini(struct mm_machine *m);

/* memory.c */
void mm_dxe_memory_table(EFI_BOOT_SERVICES *bs);
/* Pool block of normal RAM (boot services); NULL when exhausted. */
void *mm_dxe_pool_alloc(struct mm_machine *m, uint32_t type, uint64_t size);
void mm_dxe_memory_fini(struct mm_machine *m);
/*
 * The region of m that starts lowest at or above at, or NULL: walking the
 * regions in address order (memory map, GCD memory space map).
 */
const struct mm_region_desc *mm_dxe_next_region(const struct mm_machine *m, uint64_t at);

/* misc.c */
void mm_dxe_misc_table(EFI_BOOT_SERVICES *bs);
/* CRC32 (IEEE 802.3, reflected, as CalculateCrc32). */
uint32_t mm_crc32(const void *data, uint64_t len);
/* Sets, updates or deletes an entry of the DXE configuration table. */
enum mm_err mm_dxe_config_set(struct mm_machine *m, const EFI_GUID *guid, void *table);
void *mm_dxe_config_get(struct mm_machine *m, const EFI_GUID *guid);

/* runtime.c */
void mm_dxe_runtime_table(EFI_RUNTIME_SERVICES *rt);

/* mm-ipl.c */
enum mm_err mm_dxe_ipl_install(struct mm_machine *m);
/* Refreshes LockState/OpenState of the Access protocol. */
void mm_dxe_access_refresh(struct mm_machine *m);

/* dxe-services.c */
/* Builds the DXE services table and publishes it (gEfiDxeServicesTableGuid). */
enum mm_err mm_dxe_services_install(struct mm_machine *m);

/* hob.c */
enum mm_err mm_dxe_hob_build(struct mm_machine *m);

/* pcd.c */
enum mm_err mm_dxe_pcd_install(struct mm_machine *m);
void mm_dxe_pcd_fini(struct mm_machine *m);

#endif /* CORE_DXE_DXE_H */
