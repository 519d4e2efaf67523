/* SPDX-License-Identifier: MIT */
/* Firmware volume building blocks for tests (fv-build.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fv-build.h"
#include "loader/fv.h"

void fv_put(struct fv_buf *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	if (data)
		memcpy(b->p + b->len, data, len);
	else
		memset(b->p + b->len, 0, len);
	b->len += len;
}

void fv_pad_to(struct fv_buf *b, size_t align, uint8_t fill)
{
	while (b->len % align)
		fv_put(b, &fill, 1);
}

uint8_t fv_sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

void fv_add_section(struct fv_buf *b, uint8_t type, const void *body, size_t len, bool ext)
{
	uint8_t h[8];
	size_t size = len + (ext ? 8 : 4);

	fv_pad_to(b, 4, 0);
	if (ext) {
		h[0] = h[1] = h[2] = 0xFF;
		memcpy(h + 4, &(uint32_t){ (uint32_t)size }, 4);
	} else {
		assert_true(size < 0xFFFFFF);
		h[0] = (uint8_t)size;
		h[1] = (uint8_t)(size >> 8);
		h[2] = (uint8_t)(size >> 16);
	}
	h[3] = type;
	fv_put(b, h, ext ? 8 : 4);
	fv_put(b, body, len);
}

void fv_add_ui(struct fv_buf *b, const char *name)
{
	uint16_t w[64];
	size_t n = strlen(name);

	assert_true(n < 64);
	for (size_t i = 0; i <= n; i++)
		w[i] = (uint8_t)name[i];
	fv_add_section(b, MM_SEC_USER_INTERFACE, w, 2 * (n + 1), false);
}

size_t fv_add_file(struct fv_buf *b, const void *name, uint8_t type, uint8_t attrs,
		   const void *data, size_t len, bool large)
{
	size_t hsize = large ? 32 : 24, size = hsize + len, at;
	uint8_t h[32] = { 0 };

	assert_true(large || size < 0xFFFFFF);
	fv_pad_to(b, 8, 0xFF);
	at = b->len;
	memcpy(h, name, 16);
	h[18] = type;
	h[19] = (uint8_t)(attrs | (large ? 0x01 : 0));
	if (large) {
		memcpy(h + 24, &(uint64_t){ size }, 8);
	} else {
		h[20] = (uint8_t)size;
		h[21] = (uint8_t)(size >> 8);
		h[22] = (uint8_t)(size >> 16);
	}
	h[16] = (uint8_t)-fv_sum8(h, hsize);
	h[17] = attrs & 0x40 ? (uint8_t)-fv_sum8(data, len) : 0xAA;
	h[23] = 0xF8;
	fv_put(b, h, hsize);
	fv_put(b, data, len);
	return at;
}
