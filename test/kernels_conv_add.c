/* kernels_conv_add.c - the fused CONV_2D + ADD kernels give exactly what the
 * separate conv and add kernels give: int8 and float, both ADD slots, in
 * place over x and apart, strides, padding, batches. Prints
 * "N passed, N failed"; exit code 1 on failure. */
#include <stdio.h>
#include <string.h>

#include "tinyml.h"
#include "tinyml_kernels.h"

enum { B = 2, IH = 7, IW = 6, IC = 3, OC = 4, FH = 3, FW = 2 };
static int passed, failed;
static uint32_t seed = 7;
static uint32_t rnd(void) { seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5; return seed; }

static void check(int ok, const char *what) {
  if (ok) passed++; else { failed++; printf("FAIL %s\n", what); }
}

static void shape(tml_bcast_shape *s, int32_t n) {
  int d;
  for (d = 0; d < TML_BCAST_DIMS; d++) s->out[d] = s->in1[d] = s->in2[d] = 1;
  s->out[0] = s->in1[0] = s->in2[0] = n; /* any layout: no broadcasting */
}

static void conv_params(tml_conv_params *p, int32_t stride, int32_t pad) {
  memset(p, 0, sizeof *p);
  p->stride_w = 1; p->stride_h = stride; p->dil_w = p->dil_h = 1;
  p->pad_w = 1; p->pad_h = pad;
  p->batches = B; p->in_h = IH; p->in_w = IW; p->in_c = IC;
  p->f_h = FH; p->f_w = FW; p->f_in_c = IC; p->depth_mult = 1;
  p->out_h = (IH + 2 * pad - FH) / stride + 1;
  p->out_w = IW + 2 - FW + 1; p->out_c = OC;
}

static void test_s8(int32_t stride, int32_t pad, int32_t slot, int in_place) {
  static int8_t in[B * IH * IW * IC], f[OC * FH * FW * IC], x[B * 16 * 16 * OC],
      ref[B * 16 * 16 * OC], conv[B * 16 * 16 * OC], out[B * 16 * 16 * OC], row[16 * OC];
  int32_t bias[OC], mult[OC];
  int8_t shift[OC];
  tml_conv_params p;
  tml_addsub_q_params a;
  int32_t i, n;
  conv_params(&p, stride, pad);
  p.in_offset = 5; p.out_offset = -3; p.act_min = -128; p.act_max = 127;
  n = p.batches * p.out_h * p.out_w * p.out_c;
  for (i = 0; i < (int32_t)sizeof in; i++) in[i] = (int8_t)rnd();
  for (i = 0; i < (int32_t)sizeof f; i++) f[i] = (int8_t)rnd();
  for (i = 0; i < n; i++) x[i] = (int8_t)rnd();
  for (i = 0; i < OC; i++) { bias[i] = (int32_t)(rnd() % 2001) - 1000; mult[i] = 1200000000 + (int32_t)(rnd() % 900000000); shift[i] = (int8_t)(-7 - (int32_t)(rnd() % 3)); }
  memset(&a, 0, sizeof a);
  shape(&a.shape, n);
  a.dtype = TML_INT8; a.left_shift = 20;
  a.in1_offset = 3; a.in1_mult = 1500000000; a.in1_shift = -1;
  a.in2_offset = -7; a.in2_mult = 1100000000; a.in2_shift = 0;
  a.out_offset = -128; a.out_mult = 1300000000; a.out_shift = -19;
  a.act_min = -128; a.act_max = 100;
  tml_conv_s8(&p, mult, shift, in, f, bias, conv);
  if (slot == 0) tml_addsub_q(&a, conv, x, ref); else tml_addsub_q(&a, x, conv, ref);
  if (in_place) memcpy(out, x, (size_t)n);
  tml_conv_add_s8(&p, mult, shift, &a, slot, in, f, bias, in_place ? out : x, out, row);
  check(memcmp(out, ref, (size_t)n) == 0, "s8 fused == conv then add");
}

static void test_f32(int32_t stride, int32_t pad, int32_t slot, int in_place) {
  static float in[B * IH * IW * IC], f[OC * FH * FW * IC], x[B * 16 * 16 * OC],
      ref[B * 16 * 16 * OC], conv[B * 16 * 16 * OC], out[B * 16 * 16 * OC], row[16 * OC];
  float bias[OC], lo = -1.5f, hi = 2.0f;
  tml_conv_params p;
  tml_binary_params a;
  int32_t i, n;
  conv_params(&p, stride, pad);
  memcpy(&p.act_min, &lo, 4); memcpy(&p.act_max, &hi, 4);
  n = p.batches * p.out_h * p.out_w * p.out_c;
  for (i = 0; i < B * IH * IW * IC; i++) in[i] = (float)((int32_t)(rnd() % 2001) - 1000) / 997.0f;
  for (i = 0; i < OC * FH * FW * IC; i++) f[i] = (float)((int32_t)(rnd() % 2001) - 1000) / 1009.0f;
  for (i = 0; i < n; i++) x[i] = (float)((int32_t)(rnd() % 2001) - 1000) / 311.0f;
  for (i = 0; i < OC; i++) bias[i] = (float)((int32_t)(rnd() % 201) - 100) / 101.0f;
  memset(&a, 0, sizeof a);
  shape(&a.shape, n);
  a.dtype = TML_FLOAT32; a.op = TML_BIN_ADD;
  lo = 0.0f; hi = 6.0f;
  memcpy(&a.act_min, &lo, 4); memcpy(&a.act_max, &hi, 4);
  tml_conv_f32(&p, in, f, bias, conv);
  if (slot == 0) tml_binary(&a, conv, x, ref); else tml_binary(&a, x, conv, ref);
  if (in_place) memcpy(out, x, (size_t)n * 4);
  tml_conv_add_f32(&p, &a, slot, in, f, bias, in_place ? out : x, out, row);
  check(memcmp(out, ref, (size_t)n * 4) == 0, "f32 fused == conv then add");
}

int main(void) {
  int32_t stride, pad, slot, in_place;
  for (stride = 1; stride <= 2; stride++)
    for (pad = 0; pad <= 1; pad++)
      for (slot = 0; slot <= 1; slot++)
        for (in_place = 0; in_place <= 1; in_place++) {
          test_s8(stride, pad, slot, in_place);
          test_f32(stride, pad, slot, in_place);
        }
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
