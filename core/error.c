/* SPDX-License-Identifier: MIT */
/* Error codes, failure messages and their EFI_STATUS equivalents. */
#include <stdio.h>

#include "machine.h"

const char *mm_strerror(enum mm_err err)
{
	switch (err) {
	case MM_OK: return "success";
	case MM_ERR_NOMEM: return "out of memory";
	case MM_ERR_INVALID: return "invalid argument";
	case MM_ERR_NOT_FOUND: return "not found";
	case MM_ERR_EXISTS: return "already exists";
	case MM_ERR_RANGE: return "address out of range";
	case MM_ERR_FORMAT: return "malformed input";
	case MM_ERR_IO: return "input/output error";
	case MM_ERR_MAP: return "cannot map guest memory";
	case MM_ERR_UNSUPPORTED: return "unsupported";
	case MM_ERR_DENIED: return "access denied";
	case MM_ERR_STATE: return "wrong state";
	case MM_ERR_STOPPED: return "guest stopped";
	case MM_ERR_TOO_SMALL: return "buffer too small";
	case MM_ERR_BUSY: return "busy";
	}
	return "unknown error";
}

enum mm_err mm_fail(struct mm_machine *m, enum mm_err err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->errmsg, sizeof(m->errmsg), fmt, ap);
	va_end(ap);
	return err;
}

const char *mm_machine_error(const struct mm_machine *m)
{
	return m->errmsg;
}

EFI_STATUS mm_err_to_efi(enum mm_err err)
{
	switch (err) {
	case MM_OK: return EFI_SUCCESS;
	case MM_ERR_NOMEM: return EFI_OUT_OF_RESOURCES;
	case MM_ERR_INVALID: return EFI_INVALID_PARAMETER;
	case MM_ERR_NOT_FOUND: return EFI_NOT_FOUND;
	case MM_ERR_EXISTS: return EFI_ALREADY_STARTED;
	case MM_ERR_RANGE: return EFI_INVALID_PARAMETER;
	case MM_ERR_FORMAT: return EFI_INVALID_PARAMETER;
	case MM_ERR_IO: return EFI_DEVICE_ERROR;
	case MM_ERR_MAP: return EFI_OUT_OF_RESOURCES;
	case MM_ERR_UNSUPPORTED: return EFI_UNSUPPORTED;
	case MM_ERR_DENIED: return EFI_ACCESS_DENIED;
	case MM_ERR_STATE: return EFI_NOT_READY;
	case MM_ERR_STOPPED: return EFI_ABORTED;
	case MM_ERR_TOO_SMALL: return EFI_BUFFER_TOO_SMALL;
	case MM_ERR_BUSY: return EFI_NOT_READY;
	}
	return EFI_DEVICE_ERROR;
}
