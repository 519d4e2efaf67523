/* SPDX-License-Identifier: MIT */
/* Hex digits, for the parsers that read them (GUID strings, gdb packets, dictionaries). */
#ifndef CORE_HEX_H
#define CORE_HEX_H

/* Value of the hex digit c (either case), or -1 when c is none. */
static inline int mm_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif /* CORE_HEX_H */
