/*
 * fuzz_packed.c - libFuzzer target for packed models (tml_load_packed; format
 * in tinyml.h), built like fuzz_load.c by scripts/build-native-tests.js.
 *
 * Input layout (little-endian):
 *   byte 0     flags: bit 0 the section travels apart from the model, bit 1
 *              leave the section hash as it is (else it is recomputed, so
 *              the mutations reach the program checks), bit 2 re-sign the
 *              model (model size and hash words set to the model's), bits
 *              4..7 misalignment of the arena block
 *   bytes 1-4  apart: the model's length (the section is what follows it)
 *   ...        a packed file, or the model then the section
 * Seeds are packed files of the shared models, written by fuzz/run.js at
 * run time (fuzz/out/corpus-packed-seeds, not committed).
 *
 * Each input: tml_load_packed; on success fill the planned section, invoke
 * twice, reset, info; on failure invoke must say E_NOT_LOADED. Every status
 * must be known; the sanitizers catch the rest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define HDR 5
#define MAX_ARENA (4u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static void check_known(tml_status s) {
  if (strcmp(tml_status_name(s), "E_UNKNOWN") == 0) __builtin_trap();
}

/* Model size/hash (flag 2) and section hash (unless flag 1) made to match. */
static void sign(uint8_t *sec, uint32_t sec_size, const uint8_t *model, uint32_t model_len, uint8_t flags) {
  if (sec_size < 4u * (TML_PACK_HEADER_WORDS + TML_PACK_FOOTER_WORDS) || sec_size % 4u != 0) return;
  if (flags & 4) {
    wr32(sec + 4 * TML_PACK_W_MODEL_BYTES, model_len);
    wr32(sec + 4 * TML_PACK_W_MODEL_HASH, tml_pack_hash(model, model_len, -1));
  }
  if (!(flags & 2)) wr32(sec + 4 * TML_PACK_W_HASH, tml_pack_hash(sec, sec_size, TML_PACK_W_HASH));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t flags, *file, *section = NULL, *mem, *block;
  uint32_t n, model_len, section_size = 0, block_size, mis, arena;
  tml_status st;
  if (size < HDR || size - HDR > 0x7FFFFFFFu) return 0;
  flags = data[0];
  n = (uint32_t)(size - HDR);
  /* Exact-size copies: ASan's redzones sit right after the last byte. */
  file = (uint8_t *)malloc(n ? n : 1);
  memcpy(file, data + HDR, n);
  if (flags & 1) {
    model_len = rd32(data + 1) % (n + 1);
    section_size = n - model_len;
    section = (uint8_t *)malloc(section_size ? section_size : 1);
    memcpy(section, file + model_len, section_size);
    sign(section, section_size, file, model_len, flags);
  } else {
    /* A packed file: sign the section its footer names, if it lies inside. */
    uint32_t at = n >= 8 ? rd32(file + n - 8) : 1;
    if (at % 16u == 0 && at <= n - 8) {
      uint32_t m = at;
      if (n - at >= 4u * TML_PACK_HEADER_WORDS) {
        uint32_t w = rd32(file + at + 4 * TML_PACK_W_MODEL_BYTES);
        if (w <= at && at - w < 16u) m = w; /* the model proper, before its pad */
      }
      sign(file + at, n - at, file, m, flags);
    }
    model_len = n;
  }
  /* The arena the header asks for (within reason), else a small one. */
  arena = 4096;
  if (section_size >= 4u * TML_PACK_HEADER_WORDS) {
    uint32_t a = rd32(section + 4 * TML_PACK_W_ARENA);
    if (a > 0 && a <= MAX_ARENA) arena = a;
  } else if (!(flags & 1) && n >= 8) {
    uint32_t at = rd32(file + n - 8);
    if (at % 16u == 0 && (uint64_t)at + 4u * TML_PACK_HEADER_WORDS <= n) {
      uint32_t a = rd32(file + at + 4 * TML_PACK_W_ARENA);
      if (a > 0 && a <= MAX_ARENA) arena = a;
    }
  }
  mis = flags >> 4;
  block_size = arena;
  mem = (uint8_t *)malloc((size_t)mis + block_size);
  block = mem + mis;
  memset(block, 0xEE, block_size);
  st = (flags & 1) ? tml_load_packed(block, block_size, file, model_len, section, section_size)
                   : tml_load_packed(block, block_size, file, n, NULL, 0);
  check_known(st);
  {
    int32_t k;
    for (k = -1; k <= 8; k++) (void)tml_info(block, block_size, k);
  }
  if (st == TML_OK) {
    int32_t off = tml_info(block, block_size, TML_INFO_PLANNED_OFFSET);
    int32_t pb = tml_info(block, block_size, TML_INFO_PLANNED_BYTES);
    tml_status s;
    if (off < 0 || pb < 0 || (uint32_t)off + (uint32_t)pb > block_size) __builtin_trap();
    memset(block + off, 0x5A, (size_t)pb);
    s = tml_invoke(block, block_size);
    if (s != TML_OK && s != TML_E_BAD_DATA) __builtin_trap();
    s = tml_invoke(block, block_size);
    if (s != TML_OK && s != TML_E_BAD_DATA) __builtin_trap();
    if (tml_reset(block, block_size) != TML_OK) __builtin_trap();
  } else if (tml_invoke(block, block_size) != TML_E_NOT_LOADED) {
    __builtin_trap(); /* a failed load leaves nothing loaded */
  }
  free(mem);
  free(section);
  free(file);
  return 0;
}
