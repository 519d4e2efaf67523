/* SPDX-License-Identifier: MIT */
/*
 * The state of the ICH9/Q35-style chipset of one machine, shared by the
 * device files of this folder. It is attached to the machine as the
 * extension "chipset" (mm_extension_get(m, "chipset")); nothing is global.
 *
 *   struct mm_chipset
 *     apmc     ports 0xB2/0xB3                          devices/apmc.c
 *     pm       PMBASE+0x00..0x7F: PM1, GPE0, SMI_EN/STS devices/ich9-pm.c
 *              and the root MMI handler with the SMI source table
 *     mch      ports 0xCF8/0xCFC: config space of 0:0.0 devices/mch.c
 *              (SMRAM, ESMRAMC); 0:1f.0 goes to lpc
 *     lpc      config space of 0:1f.0: PMBASE, ACPI_CNTL, devices/lpc.c
 *              GEN_PMCON_1/3; simulated time and the
 *              periodic and SW SMI timers
 *     io_trap  the four IO traps (IOTR0-3) and their     devices/io-trap.c
 *              port ranges
 *     debugcon port 0x402                               devices/debug-port.c
 *     serial   ports 0x3F8..0x3FF (16550)               devices/serial.c
 *
 * Register offsets and bits are facts from the Intel ICH9 datasheet
 * (316972) and the Q35 MCH datasheet (316966), as QEMU's
 * include/hw/southbridge/ich9.h and include/hw/pci-host/q35.h and EDK2's
 * OvmfPkg/Include/IndustryStandard/Q35MchIch9.h name them.
 */
#ifndef DEVICES_CHIPSET_H
#define DEVICES_CHIPSET_H

#include <stdbool.h>
#include <stdint.h>

#include <mmemu/error.h>
#include <mmemu/run.h>
#include <pi/base.h>

struct mm_machine;

/* APM ports (ICH9 datasheet 13.9; Q35MchIch9.h ICH9_APM_CNT/ICH9_APM_STS). */
#define ICH9_APM_CNT 0xB2
#define ICH9_APM_STS 0xB3

/* PM I/O space: 128 ports at PMBASE (ich9.h ICH9_PMIO_SIZE). OVMF's PMBASE on Q35. */
#define ICH9_PMBASE_DEFAULT 0x600
#define ICH9_PMIO_SIZE 0x80
#define ICH9_PMIO_PM1_STS 0x00
#define ICH9_PMIO_PM1_EN 0x02
#define ICH9_PMIO_PM1_CNT 0x04
#define ICH9_PMIO_PM1_TMR 0x08
#define ICH9_PMIO_GPE0_STS 0x20
#define ICH9_PMIO_GPE0_EN 0x28
#define ICH9_PMIO_SMI_EN 0x30
#define ICH9_PMIO_SMI_STS 0x34
#define ICH9_PMIO_ALT_GPI_SMI_EN 0x38  /* 16 bits: GPI[15:0] may raise an SMI */
#define ICH9_PMIO_ALT_GPI_SMI_STS 0x3A /* 16 bits: write 1 to clear */

/* PM1_STS / PM1_EN (ICH9 datasheet 13.8.3.1-2; SLPBTN is ACPI fixed hardware, see ich9-pm.c). */
#define ICH9_PM1_PWRBTN (1u << 8)
#define ICH9_PM1_SLPBTN (1u << 9)
#define ICH9_NUM_GPIS 16 /* GPI[15:0]: ALT_GPI_SMI, GPE0_STS bits 31:16 */
#define ICH9_GPE0_GPI_SHIFT 16

/* ICH9 SLP_TYP encodings of PM1_CNT (datasheet 13.8.3.3). */
#define ICH9_SLP_TYP_S0 0
#define ICH9_SLP_TYP_S1 1
#define ICH9_SLP_TYP_S3 5
#define ICH9_SLP_TYP_S4 6
#define ICH9_SLP_TYP_S5 7

/* PM1_CNT (ICH9 datasheet 13.8.3.3). */
#define ICH9_PM1_CNT_SCI_EN (1u << 0)
#define ICH9_PM1_CNT_SLP_TYP_SHIFT 10
#define ICH9_PM1_CNT_SLP_TYP (7u << 10)
#define ICH9_PM1_CNT_SLP_EN (1u << 13)

/* SMI_EN (ICH9 datasheet 13.8.3.13). */
#define ICH9_SMI_EN_GBL_SMI_EN (1u << 0)
#define ICH9_SMI_EN_EOS (1u << 1)
#define ICH9_SMI_EN_BIOS_EN (1u << 2)
#define ICH9_SMI_EN_LEGACY_USB_EN (1u << 3)
#define ICH9_SMI_EN_SLP_SMI_EN (1u << 4)
#define ICH9_SMI_EN_APMC_EN (1u << 5)
#define ICH9_SMI_EN_SWSMI_TMR_EN (1u << 6)
#define ICH9_SMI_EN_BIOS_RLS (1u << 7)
#define ICH9_SMI_EN_MCSMI_EN (1u << 11)
#define ICH9_SMI_EN_TCO_EN (1u << 13)
#define ICH9_SMI_EN_PERIODIC_EN (1u << 14)
#define ICH9_SMI_EN_LEGACY_USB2_EN (1u << 17)
#define ICH9_SMI_EN_INTEL_USB2_EN (1u << 18)

/* SMI_STS bit numbers (ICH9 datasheet 13.8.3.14). */
enum ich9_smi_sts_bit {
	ICH9_SMI_STS_BIOS = 2,
	ICH9_SMI_STS_LEGACY_USB = 3,
	ICH9_SMI_STS_SLP_SMI = 4,
	ICH9_SMI_STS_APM = 5,
	ICH9_SMI_STS_SWSMI_TMR = 6,
	ICH9_SMI_STS_PM1 = 8,
	ICH9_SMI_STS_GPE0 = 9,
	ICH9_SMI_STS_GPI = 10,
	ICH9_SMI_STS_MCSMI = 11,
	ICH9_SMI_STS_DEVMON = 12,
	ICH9_SMI_STS_TCO = 13,
	ICH9_SMI_STS_PERIODIC = 14,
	ICH9_SMI_STS_SERIRQ = 15,
	ICH9_SMI_STS_SMBUS = 16,
	ICH9_SMI_STS_LEGACY_USB2 = 17,
	ICH9_SMI_STS_INTEL_USB2 = 18,
	ICH9_SMI_STS_PCI_EXP = 20,
	ICH9_SMI_STS_MONITOR = 21,
	ICH9_SMI_STS_SPI = 26,
};

/* PCI configuration mechanism #1 (PCI Local Bus 3.0, 3.2.2.3.2). */
#define PCI_CONFIG_ADDRESS 0xCF8
#define PCI_CONFIG_DATA 0xCFC

/* Q35 MCH, device 0:0.0 (Q35MchIch9.h, q35.h). */
#define Q35_MCH_VENDOR_ID 0x8086
#define Q35_MCH_DEVICE_ID 0x29C0
#define MCH_SMRAM 0x9D
#define MCH_SMRAM_D_OPEN (1u << 6)
#define MCH_SMRAM_D_CLS (1u << 5)
#define MCH_SMRAM_D_LCK (1u << 4)
#define MCH_SMRAM_G_SMRAME (1u << 3)
#define MCH_SMRAM_C_BASE_SEG 0x2 /* bits 2:0, hardwired to 010b */
#define MCH_ESMRAMC 0x9E
#define MCH_ESMRAMC_H_SMRAME (1u << 7)
#define MCH_ESMRAMC_SM_CACHE (1u << 5)
#define MCH_ESMRAMC_SM_L1 (1u << 4)
#define MCH_ESMRAMC_SM_L2 (1u << 3)
#define MCH_ESMRAMC_TSEG_MASK (3u << 1)
#define MCH_ESMRAMC_TSEG_8MB (2u << 1)
#define MCH_ESMRAMC_T_EN (1u << 0)

/* ICH9 LPC bridge, device 0:1f.0 (ich9.h ICH9_LPC_*, Q35MchIch9.h). */
#define ICH9_LPC_DEVFN 0xF8 /* device 31, function 0 */
#define ICH9_LPC_VENDOR_ID 0x8086
#define ICH9_LPC_DEVICE_ID 0x2918
#define ICH9_LPC_PMBASE 0x40
#define ICH9_LPC_PMBASE_MASK 0xFF80u /* bits 15:7; bit 0 hardwired 1 (I/O space) */
#define ICH9_LPC_PMBASE_RTE 0x1u
#define ICH9_LPC_ACPI_CNTL 0x44
#define ICH9_LPC_ACPI_CNTL_ACPI_EN (1u << 7)
#define ICH9_LPC_GEN_PMCON_1 0xA0
#define ICH9_GEN_PMCON_1_PER_SMI_SEL 0x3u /* 00 64 s, 01 32 s, 10 16 s, 11 8 s */
#define ICH9_LPC_GEN_PMCON_3 0xA4
#define ICH9_GEN_PMCON_3_SWSMI_RATE_SHIFT 6 /* 00 1.5 ms, 01 16 ms, 10 32 ms, 11 64 ms */
#define ICH9_GEN_PMCON_3_SWSMI_RATE_SEL (3u << 6)

/* IO traps (ICH9 datasheet 10.1.49-51: IOTRn at RCBA+0x1E80 + 8n, TRCR, TWDR). */
#define ICH9_IO_TRAPS 4
#define ICH9_IO_TRAP_MAX_LEN 256 /* ADDR_MASK covers bits 7:2 */

/* QEMU debugcon (hw/char/debugcon.c): the port OVMF's debug output uses. */
#define DEBUGCON_PORT 0x402
#define DEBUGCON_READBACK 0xE9
/* COM1, a minimal 16550. */
#define SERIAL_COM1 0x3F8

#define LINE_MAX_CHARS 200

/* Bytes written to a character port, sent to the log at each newline. */
struct line_buf {
	const char *name; /* prefix of the log lines ("debugcon") */
	char text[LINE_MAX_CHARS * 4 + 1]; /* room for \xNN escapes */
	unsigned len;
	unsigned chars; /* bytes buffered (escapes count once) */
};

struct apmc_state {
	uint8_t cnt;       /* last value written to 0xB2 */
	uint8_t sts;       /* the data byte at 0xB3 */
	unsigned cpu;      /* CPU that wrote 0xB2 last */
	uint64_t writes;   /* writes to 0xB2 */
};

struct ich9_pm_state {
	uint16_t pmbase;
	uint32_t pm1_sts, pm1_en, pm1_cnt;
	uint32_t gpe0_sts[2], gpe0_en[2];
	uint32_t smi_en, smi_sts;
	uint32_t alt_gpi_smi_en, alt_gpi_smi_sts;
	bool decoded;            /* the PM ports are claimed at pmbase (ACPI_EN) */
	uint32_t gpi_level;      /* GPI[15:0] input levels */
	unsigned slp_typ;        /* SLP_TYP of the sleep trapped by SLP_SMI, pending */
	unsigned slept_typ;      /* SLP_TYP of the last sleep that happened */
	uint64_t sleeps;         /* sleeps that happened */
	EFI_HANDLE root_handle;  /* the root MMI handler's registration */
	uint64_t root_calls;     /* root MMI handler invocations */
	uint64_t smi_asserted;   /* times the chipset asserted SMI# */
};

struct mch_state {
	uint32_t config_address; /* the 0xCF8 latch */
	uint8_t config[256];     /* configuration space of 0:0.0 */
	/* the hook that was registered before ours, called after it */
	void (*prev_hook)(struct mm_machine *m, void *user,
			  enum mm_smram_state state);
	void *prev_user;
	bool hooked;
};

struct lpc_state {
	uint8_t config[256];      /* configuration space of 0:1f.0 */
	uint64_t now_ns;          /* simulated time: moves only by mm_advance_time */
	uint64_t periodic_next;   /* ns when PERIODIC_STS latches next */
	uint64_t swsmi_deadline;  /* ns when the SW SMI timer expires; 0: stopped */
};

/* One IO trap: a port range claimed on the bus whose access raises MONITOR_STS. */
struct io_trap_slot {
	bool armed;
	uint16_t base, len;
	struct mm_chipset *cs;
};

struct io_trap_state {
	struct io_trap_slot slot[ICH9_IO_TRAPS];
	/* The last trapped cycle (TRCR/TWDR): what the parent dispatcher reports. */
	uint16_t port;
	bool write;
	uint32_t data;
	unsigned width;
	uint32_t trsr;            /* trap status: bit n = trap n fired */
};

struct serial_state {
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	struct line_buf out;
};

struct mm_chipset {
	struct apmc_state apmc;
	struct ich9_pm_state pm;
	struct mch_state mch;
	struct lpc_state lpc;
	struct io_trap_state io_trap;
	struct line_buf debugcon;
	struct serial_state serial;
};

/* Returns the chipset of m, or NULL when devices were not attached. */
struct mm_chipset *mm_chipset(const struct mm_machine *m);

/* Per-device attach: claim ports, set reset state. MM_OK or an error. */
enum mm_err apmc_attach(struct mm_machine *m, struct mm_chipset *cs);
enum mm_err ich9_pm_attach(struct mm_machine *m, struct mm_chipset *cs);
enum mm_err mch_attach(struct mm_machine *m, struct mm_chipset *cs);
enum mm_err debug_port_attach(struct mm_machine *m, struct mm_chipset *cs);
enum mm_err serial_attach(struct mm_machine *m, struct mm_chipset *cs);
enum mm_err lpc_attach(struct mm_machine *m, struct mm_chipset *cs);
enum mm_err io_trap_attach(struct mm_machine *m, struct mm_chipset *cs);
void lpc_detach(struct mm_machine *m, struct mm_chipset *cs);
void io_trap_detach(struct mm_machine *m, struct mm_chipset *cs);
/* Per-device detach: undo what attach set outside the chipset struct. */
void ich9_pm_detach(struct mm_machine *m, struct mm_chipset *cs);
void mch_detach(struct mm_machine *m, struct mm_chipset *cs);
void debug_port_detach(struct mm_machine *m, struct mm_chipset *cs);
void serial_detach(struct mm_machine *m, struct mm_chipset *cs);

/*
 * Signals the SMI source at SMI_STS bit (enum ich9_smi_sts_bit): latches the
 * status bit when the source's rules allow and asserts SMI# when the
 * chipset's gating (GBL_SMI_EN, the source's enable, EOS) lets it through.
 * cpu is the CPU whose access caused the event.
 */
void ich9_pm_smi_event(struct mm_machine *m, struct mm_chipset *cs, unsigned bit, unsigned cpu);

/*
 * Moves or disables the decode of the PM ports (LPC PMBASE and ACPI_EN).
 * Returns MM_OK or the error of claiming the new range (the old decode is
 * then gone, and logged).
 */
enum mm_err ich9_pm_decode(struct mm_machine *m, struct mm_chipset *cs, uint16_t base,
			   bool enabled);
/* The hardware events of the PM device (events.c drives them). */
void ich9_pm_button(struct mm_machine *m, struct mm_chipset *cs, uint32_t pm1_bit);
void ich9_pm_gpi_set(struct mm_machine *m, struct mm_chipset *cs, unsigned gpi, bool level);
/* Clears, then sets bits of SMI_EN (as a dispatcher programming its source), re-gating SMI#. */
void ich9_pm_set_smi_en(struct mm_machine *m, struct mm_chipset *cs, uint32_t clear,
			uint32_t set);
/* SMI_EN changed by software (or the dispatchers): starts or stops the SW SMI timer. */
void lpc_smi_en_changed(struct mm_machine *m, struct mm_chipset *cs, uint32_t old_en);
/* Advances simulated time by ns, latching timer SMIs and delivering each. */
enum mm_err lpc_advance_time(struct mm_machine *m, struct mm_chipset *cs, uint64_t ns);
/* PCI config space of 0:1f.0 through CF8/CFC (mch.c routes it): reg is the byte offset. */
uint64_t lpc_config_read(struct mm_machine *m, struct mm_chipset *cs, unsigned reg,
			 unsigned size);
void lpc_config_write(struct mm_machine *m, struct mm_chipset *cs, unsigned reg, unsigned size,
		      uint64_t value);

/* The sources of the SMI table with a child dispatcher (parent dispatchers). */
EFI_STATUS apmc_smi_dispatch(struct mm_machine *m, struct mm_chipset *cs);
EFI_STATUS ich9_pm_slp_smi_dispatch(struct mm_machine *m, struct mm_chipset *cs);
EFI_STATUS ich9_pm_pm1_dispatch(struct mm_machine *m, struct mm_chipset *cs);
EFI_STATUS ich9_pm_gpi_dispatch(struct mm_machine *m, struct mm_chipset *cs);
EFI_STATUS lpc_periodic_dispatch(struct mm_machine *m, struct mm_chipset *cs);
EFI_STATUS lpc_swsmi_tmr_dispatch(struct mm_machine *m, struct mm_chipset *cs);
EFI_STATUS io_trap_smi_dispatch(struct mm_machine *m, struct mm_chipset *cs);

/* Line buffers of the character devices (debug-port.c). */
void line_buf_init(struct line_buf *lb, const char *name);
void line_buf_put(struct mm_machine *m, struct line_buf *lb, uint8_t byte);
void line_buf_flush(struct mm_machine *m, struct line_buf *lb);

#endif /* DEVICES_CHIPSET_H */
