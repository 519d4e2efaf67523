/* SPDX-License-Identifier: MIT */
/*
 * mmemu's error codes. 0 is success, every failure is negative; the details
 * of the last failure (what, where) are kept in the machine and read with
 * mm_machine_error().
 */
#ifndef MMEMU_ERROR_H
#define MMEMU_ERROR_H

enum mm_err {
	MM_OK = 0,
	MM_ERR_NOMEM = -1,       /* host or SMRAM memory exhausted */
	MM_ERR_INVALID = -2,     /* an argument is wrong */
	MM_ERR_NOT_FOUND = -3,   /* no such object */
	MM_ERR_EXISTS = -4,      /* already there */
	MM_ERR_RANGE = -5,       /* address or length outside what is allowed */
	MM_ERR_FORMAT = -6,      /* malformed input: DEPEX, image, header, file */
	MM_ERR_IO = -7,          /* a host file could not be read or written */
	MM_ERR_MAP = -8,         /* guest memory could not be mapped */
	MM_ERR_UNSUPPORTED = -9, /* not implemented for this configuration */
	MM_ERR_DENIED = -10,     /* refused: locked, or outside the caller's rights */
	MM_ERR_STATE = -11,      /* not possible in the machine's current phase */
	MM_ERR_STOPPED = -12,    /* the guest stopped: see the stop record */
	MM_ERR_TOO_SMALL = -13,  /* a buffer is too small; the needed size was returned */
	MM_ERR_BUSY = -14,       /* the resource is in use */
};

/* Returns a static, human-readable name for err ("invalid argument", ...). */
const char *mm_strerror(enum mm_err err);

#endif /* MMEMU_ERROR_H */
