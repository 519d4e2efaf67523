/* SPDX-License-Identifier: MIT */
/*
 * The few string.h functions the sample drivers use, for their freestanding
 * PE32+ builds (no C library there; pe-support.c defines them).
 */
#ifndef MMEMU_PE_STRING_H
#define MMEMU_PE_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif /* MMEMU_PE_STRING_H */
