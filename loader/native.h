/* SPDX-License-Identifier: MIT */
/*
 * Native drivers (ELF shared objects built against include/pi and described
 * by MMEMU_MODULE, see <mmemu/native-driver.h>): reading their .mmemu_module
 * record with libelf, dlopen, and joining the image registry and dispatcher.
 */
#ifndef LOADER_NATIVE_H
#define LOADER_NATIVE_H

#include <mmemu/native-driver.h>

struct mm_machine;

/*
 * Reads and validates the .mmemu_module record of the file at path into *out
 * without loading the object (no code of the file runs).
 * Returns MM_OK, MM_ERR_IO (unreadable) or MM_ERR_FORMAT (not an ELF64
 * x86-64 shared object, section missing, truncated or with a bad field); the
 * message in m names the file and the file offset.
 */
enum mm_err mm_native_read_module(struct mm_machine *m, const char *path,
				  struct mmemu_module *out);

#endif /* LOADER_NATIVE_H */
