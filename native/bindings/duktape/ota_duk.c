/*
 * ota_duk.c - the Duktape face of the update store (global `__tinyml_ota`,
 * native/bindings/common/ota_glue.h). Marshalling only.
 */
#include <string.h>

#include "duktape.h"
#include "../common/ota_glue.h"
#include "ota_duk.h"

#define STASH_KEY DUK_HIDDEN_SYMBOL("tinyml_ota")

static ota_dev *device(duk_context *ctx) {
  ota_dev *d;
  duk_push_global_stash(ctx);
  duk_get_prop_string(ctx, -1, STASH_KEY);
  d = (ota_dev *)duk_get_pointer(ctx, -1);
  duk_pop_2(ctx);
  return d;
}

static void marshal(duk_context *ctx, duk_idx_t idx, ota_glue_arg *a) {
  memset(a, 0, sizeof *a);
  if (duk_is_number(ctx, idx)) {
    a->is_number = 1;
    a->number = duk_get_number(ctx, idx);
  } else if (duk_is_string(ctx, idx)) {
    a->str = duk_get_string(ctx, idx);
  } else if (duk_is_buffer_data(ctx, idx)) {
    duk_size_t n = 0;
    /* a Uint8Array (not another view: its bytes would be reinterpreted) */
    duk_get_global_string(ctx, "Uint8Array");
    if (duk_instanceof(ctx, idx, -1)) {
      a->is_bytes = 1;
      a->data = (const uint8_t *)duk_get_buffer_data(ctx, idx, &n);
      a->bytes = (size_t)n;
    }
    duk_pop(ctx);
  }
}

static duk_ret_t call(duk_context *ctx, ota_fn_id fn) {
  ota_glue_arg args[OTA_GLUE_MAX_ARGS];
  ota_glue_res res;
  duk_idx_t i;
  for (i = 0; i < OTA_GLUE_MAX_ARGS; i++) {
    if (i < (duk_idx_t)ota_glue_fns()[fn].argc) marshal(ctx, i, &args[i]);
    else memset(&args[i], 0, sizeof args[i]);
  }
  ota_glue_call(device(ctx), fn, args, &res);
  if (res.type_error) return duk_type_error(ctx, "%s", res.type_error);
  if (res.is_view) {
    if (!res.view) {
      duk_push_null(ctx);
      return 1;
    }
    /* no copy: the bytes stay in flash */
    duk_push_external_buffer(ctx);
    duk_config_buffer(ctx, -1, (void *)(uintptr_t)res.view, (duk_size_t)res.view_bytes);
    duk_push_buffer_object(ctx, -1, 0, (duk_size_t)res.view_bytes, DUK_BUFOBJ_UINT8ARRAY);
    duk_remove(ctx, -2);
    return 1;
  }
  duk_push_number(ctx, res.value);
  return 1;
}

static duk_ret_t js_begin(duk_context *ctx) { return call(ctx, OTA_FN_BEGIN); }
static duk_ret_t js_write(duk_context *ctx) { return call(ctx, OTA_FN_WRITE); }
static duk_ret_t js_finish(duk_context *ctx) { return call(ctx, OTA_FN_FINISH); }
static duk_ret_t js_confirm(duk_context *ctx) { return call(ctx, OTA_FN_CONFIRM); }
static duk_ret_t js_abort(duk_context *ctx) { return call(ctx, OTA_FN_ABORT); }
static duk_ret_t js_info(duk_context *ctx) { return call(ctx, OTA_FN_INFO); }
static duk_ret_t js_file(duk_context *ctx) { return call(ctx, OTA_FN_FILE); }

void ota_duk_register(duk_context *ctx, ota_dev *d) {
  static const duk_c_function cbs[OTA_FN_COUNT] = {js_begin, js_write, js_finish,
                                                   js_confirm, js_abort, js_info, js_file};
  int i;
  duk_push_global_stash(ctx);
  duk_push_pointer(ctx, d);
  duk_put_prop_string(ctx, -2, STASH_KEY);
  duk_pop(ctx);
  duk_push_object(ctx);
  for (i = 0; i < OTA_FN_COUNT; i++) {
    duk_push_c_function(ctx, cbs[i], (duk_idx_t)ota_glue_fns()[i].argc);
    duk_put_prop_string(ctx, -2, ota_glue_fns()[i].name);
  }
  duk_put_global_string(ctx, OTA_GLUE_GLOBAL);
}
