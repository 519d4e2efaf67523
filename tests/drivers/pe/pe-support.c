/* SPDX-License-Identifier: MIT */
/*
 * Linked into every sample driver built as a PE32+ image (the same sources
 * as the native builds): the PE entry point, which calls the entry the
 * driver named in MMEMU_MODULE (exported there as mmemu_module_entry; its
 * metadata section is simply carried along), and the string functions the
 * compiler and the drivers need without a C library.
 */
#include <string.h>

#include <mmemu/native-driver.h>

extern const MMEMU_ENTRY_POINT mmemu_module_entry;

/* The image's entry point (lld-link /entry:MmemuPeEntry). */
EFI_STATUS EFIAPI MmemuPeEntry(EFI_HANDLE ImageHandle, EFI_MM_SYSTEM_TABLE *MmSystemTable)
{
	return mmemu_module_entry(ImageHandle, MmSystemTable);
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}
