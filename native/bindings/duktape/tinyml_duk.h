/*
 * tinyml_duk.h - the Duktape face of tinyml.h.
 *
 * tml_duk_register() defines the global object `__tinyml_native` with the
 * five functions every engine exposes to the TypeScript runtime:
 *   arena(size) -> ArrayBuffer, load(arena, model, program) -> status,
 *   invoke(arena) -> status, reset(arena) -> status, info(arena, key) -> int.
 *
 * block == NULL (host): each arena is a zeroed Duktape fixed buffer.
 * block != NULL (firmware): arenas are carved, 16-byte aligned, from that
 * memory (typically a static array outside the JS heap) and never returned,
 * so a board creates its arenas once at start.
 */
#ifndef TINYML_DUK_H
#define TINYML_DUK_H

#include <stdint.h>

#include "duktape.h"

#ifdef __cplusplus
extern "C" {
#endif

void tml_duk_register(duk_context *ctx, uint8_t *block, uint32_t block_size);

#ifdef __cplusplus
}
#endif

#endif /* TINYML_DUK_H */
