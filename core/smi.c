/* SPDX-License-Identifier: MIT */
/*
 * SMI delivery and MmEntryPoint (PI 1.8 vol. 4, 2.5).
 *
 * SMI# is a latch: mm_smi_raise() sets it, mm_smi_service() delivers it.
 * An SMI raised while the CPUs are in SMM stays latched and is delivered
 * right after the current one ends, as on hardware where SMI# is sampled
 * again after RSM; a source that keeps re-raising it is cut off after
 * MM_SMI_MAX_REENTRY deliveries in a row (logged as a storm).
 *
 * Host path (no CPU model): the CPU that caused the SMI is the BSP, it
 * becomes the executing CPU, and MmEntryPoint runs directly on the host.
 */
#include "call.h"
#include "machine.h"
#include "oracle-hook.h"

#define APM_CNT_PORT 0xB2 /* APM control: writing it raises the software SMI */
#define APM_STS_PORT 0xB3 /* APM status: a data byte for the SMI handler */

void mm_smi_raise(struct mm_machine *m, unsigned source_cpu)
{
	const char *note = m->smi.pending ? " (already latched)"
			   : m->cpus.in_smm ? " while in SMM: latched"
					    : "";

	mm_log(m, MM_LOG_SMI, "SMI# asserted by CPU %u%s", source_cpu, note);
	if (m->smi.pending)
		return;
	m->smi.pending = true;
	m->smi.source_cpu = source_cpu;
}

/* The host path: source_cpu takes the SMI alone and runs MmEntryPoint. */
static enum mm_err deliver_host(struct mm_machine *m, unsigned source_cpu)
{
	unsigned prev = m->cpus.executing;

	m->cpus.in_smm = true;
	m->cpus.bsp = source_cpu;
	m->cpus.executing = source_cpu;
	mm_mm_entry(m, source_cpu);
	m->cpus.in_smm = false;
	m->cpus.executing = prev;
	mm_log(m, MM_LOG_SMI, "SMI #%llu: RSM on every CPU", (unsigned long long)m->smi.count);
	return MM_OK;
}

/* Delivers the latched SMI once: the CPU model's path or the host path. */
static enum mm_err deliver(struct mm_machine *m)
{
	unsigned source = m->smi.source_cpu;

	m->smi.pending = false;
	m->smi.count++;
	if (source >= m->cpus.count)
		source = 0; /* a device raised it with no CPU in particular */
	if (m->cpus.model && m->cpus.model->smi) {
		enum mm_err err = m->cpus.model->smi(m, source);

		if (err == MM_ERR_STOPPED && m->smi.aborted)
			m->smi.aborted(m, m->smi.aborted_user);
		return err;
	}
	return deliver_host(m, source);
}

enum mm_err mm_smi_service(struct mm_machine *m)
{
	enum mm_err err = MM_OK;
	unsigned rounds = 0;

	if (m->cpus.in_smm)
		return MM_OK; /* the SMI in progress delivers it when it ends */
	while (m->smi.pending && !err) {
		if (rounds++ > MM_SMI_MAX_REENTRY) {
			m->smi.pending = false;
			mm_log(m, MM_LOG_WARN, "SMI storm: SMI# re-raised during %u SMIs in a row, "
			       "latest by CPU %u; dropped", MM_SMI_MAX_REENTRY + 1,
			       m->smi.source_cpu);
			break;
		}
		err = deliver(m);
	}
	return err;
}

EFI_STATUS mm_mm_entry(struct mm_machine *m, unsigned bsp)
{
	EFI_MM_SYSTEM_TABLE *st = m->mmst;
	struct mm_oracle_hooks *oh = mm_oracle_hooks(m);
	EFI_STATUS status;

	m->cpus.bsp = bsp;
	m->cpus.executing = bsp;
	if (st) {
		st->CurrentlyExecutingCpu = bsp;
		st->NumberOfCpus = m->cpus.count;
		st->CpuSaveStateSize = m->cpus.save_state_size;
		st->CpuSaveState = m->cpus.save_state_ptr;
	}
	mm_log(m, MM_LOG_SMI, "SMI #%llu: MmEntryPoint on BSP %u, source CPU %u, %u CPUs",
	       (unsigned long long)m->smi.count, bsp, m->smi.source_cpu, m->cpus.count);
	mm_comm_entry(m); /* a buffer the MM IPL placed before it raised this SMI */
	if (oh)
		oh->mmi_begin(m, 0, 0, 0, 0);
	status = mm_mmi_manage(m, NULL, NULL, NULL, NULL);
	if (oh)
		oh->mmi_end(m);
	mm_log(m, MM_LOG_SMI, "SMI #%llu: root MMI handlers returned 0x%llx",
	       (unsigned long long)m->smi.count, (unsigned long long)status);
	return status;
}

/* Records on the host store that cpu's OUT of value to the APM control port caused the SMI. */
static void record_apm_out(struct mm_machine *m, unsigned cpu, uint8_t value)
{
	struct mm_cpu_host *h = &m->cpus.host[cpu];

	h->io = (EFI_MM_SAVE_STATE_IO_INFO){
		.IoData = value,
		.IoPort = APM_CNT_PORT,
		.IoWidth = EFI_MM_SAVE_STATE_IO_WIDTH_UINT8,
		.IoType = EFI_MM_SAVE_STATE_IO_TYPE_OUTPUT,
	};
	h->io_valid = true;
}

enum mm_err mm_sw_smi(struct mm_machine *m, unsigned cpu, uint8_t value, uint8_t data)
{
	unsigned prev;
	enum mm_err err;

	if (cpu >= m->cpus.count)
		return mm_fail(m, MM_ERR_INVALID, "software SMI on CPU %u: the machine has %u", cpu,
			       m->cpus.count);
	mm_log(m, MM_LOG_SMI, "software SMI 0x%02x, data 0x%02x, from CPU %u", value, data, cpu);
	if (m->cpus.model && m->cpus.model->sw_smi)
		return m->cpus.model->sw_smi(m, cpu, value, data); /* real OUTs on the CPU */
	record_apm_out(m, cpu, value);
	prev = m->cpus.executing;
	m->cpus.executing = cpu; /* the port writes are cpu's: devices see who raised SMI# */
	mm_io_write(m, MM_IO_PORT, APM_STS_PORT, 1, data);
	mm_io_write(m, MM_IO_PORT, APM_CNT_PORT, 1, value);
	err = mm_smi_service(m);
	m->cpus.executing = prev;
	if (!m->cpus.in_smm)
		m->cpus.host[cpu].io_valid = false; /* the next SMI has its own cause */
	return err;
}
