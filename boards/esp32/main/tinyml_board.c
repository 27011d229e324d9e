/* tinyml_board.c - starts JerryScript and runs the app of a tinyml image. */
#include <stdio.h>
#include <string.h>

#include "jerryscript.h"
#include "tinyml_board.h"
#include "tinyml_image.h"
#include "tinyml_jerry.h"

static const tml_board_config *g_config;
static char g_line[256];

/* Appends a JS value's string form to g_line (cut to fit). */
static void append_value(jerry_value_t value, size_t *used) {
  jerry_value_t s = jerry_value_to_string(value);
  if (jerry_value_is_string(s) && *used < sizeof g_line - 1) {
    *used += jerry_string_to_buffer(s, JERRY_ENCODING_UTF8, (jerry_char_t *)g_line + *used,
                                    (jerry_size_t)(sizeof g_line - 1 - *used));
  }
  jerry_value_free(s);
}

static void log_error(const char *what, jerry_value_t exception) {
  jerry_value_t err = jerry_exception_value(exception, true);
  jerry_value_t message = jerry_undefined();
  size_t used;
  if (jerry_value_is_object(err)) message = jerry_object_get_sz(err, "message");
  used = (size_t)snprintf(g_line, sizeof g_line, "tinyml: %s: ", what);
  if (used >= sizeof g_line) used = sizeof g_line - 1;
  append_value(jerry_value_is_string(message) ? message : err, &used);
  g_line[used] = '\0';
  g_config->log(g_line);
  jerry_value_free(message);
  jerry_value_free(err);
}

static jerry_value_t js_print(const jerry_call_info_t *info, const jerry_value_t args[],
                              const jerry_length_t count) {
  size_t used = 0;
  jerry_length_t i;
  (void)info;
  for (i = 0; i < count; i++) {
    if (i > 0 && used < sizeof g_line - 1) g_line[used++] = ' ';
    append_value(args[i], &used);
  }
  g_line[used] = '\0';
  g_config->log(g_line);
  return jerry_undefined();
}

/* __native.file(name) -> Uint8Array over flash, or null. */
static jerry_value_t js_file(const jerry_call_info_t *info, const jerry_value_t args[],
                             const jerry_length_t count) {
  char name[TML_IMAGE_NAME_BYTES];
  const uint8_t *data = NULL;
  uint32_t size = 0;
  jerry_size_t n;
  (void)info;
  if (count < 1 || !jerry_value_is_string(args[0]))
    return jerry_throw_sz(JERRY_ERROR_TYPE, "board.file: name must be a string");
  if (jerry_string_size(args[0], JERRY_ENCODING_UTF8) >= sizeof name) return jerry_null();
  n = jerry_string_to_buffer(args[0], JERRY_ENCODING_UTF8, (jerry_char_t *)name, sizeof name - 1);
  name[n] = '\0';
  if (tml_image_find(g_config->image, g_config->image_size, name, &data, &size) != TML_IMAGE_OK)
    return jerry_null();
  return tml_jerry_external_bytes(data, size);
}

/* Sets obj[key] = value, frees value; 0 on failure. */
static int set_free(jerry_value_t obj, const char *key, jerry_value_t value) {
  jerry_value_t r = jerry_object_set_sz(obj, key, value);
  int ok = !jerry_value_is_exception(r);
  jerry_value_free(r);
  jerry_value_free(value);
  return ok;
}

static jerry_value_t js_millis(const jerry_call_info_t *info, const jerry_value_t args[],
                               const jerry_length_t count) {
  (void)info;
  (void)args;
  (void)count;
  return jerry_number((double)g_config->millis());
}

/* The primitives boards/device-board.js builds the board API on: global
 * __native = { name, print, file, millis } (and print, for older apps). */
static int define_globals(void) {
  jerry_value_t realm = jerry_current_realm(), native = jerry_object();
  int ok = set_free(native, "name", jerry_string_sz(g_config->name ? g_config->name : "board")) &&
           set_free(native, "print", jerry_function_external(js_print)) &&
           set_free(native, "file", jerry_function_external(js_file)) &&
           set_free(native, "millis", jerry_function_external(js_millis)) &&
           set_free(realm, "print", jerry_function_external(js_print));
  if (ok) ok = set_free(realm, "__native", native);
  else jerry_value_free(native);
  jerry_value_free(realm);
  return ok;
}

static jerry_value_t run_app(void) {
  const uint8_t *data = NULL;
  uint32_t size = 0;
  jerry_parse_options_t opts;
  jerry_value_t script, result;
  if (tml_image_find(g_config->image, g_config->image_size, "app.snapshot", &data, &size) ==
      TML_IMAGE_OK) {
    /* In place from flash: no copy of the bytecode into RAM. */
    if (((uintptr_t)data & 3u) != 0)
      return jerry_throw_sz(JERRY_ERROR_COMMON, "app.snapshot is not 4-byte aligned");
    return jerry_exec_snapshot((const uint32_t *)(const void *)data, size, 0, 0, NULL);
  }
  if (tml_image_find(g_config->image, g_config->image_size, "app.js", &data, &size) != TML_IMAGE_OK)
    return jerry_throw_sz(JERRY_ERROR_COMMON, "the image has neither app.snapshot nor app.js");
  memset(&opts, 0, sizeof opts);
  opts.options = JERRY_PARSE_HAS_SOURCE_NAME;
  opts.source_name = jerry_string_sz("app.js");
  script = jerry_parse(data, size, &opts);
  jerry_value_free(opts.source_name);
  if (jerry_value_is_exception(script)) return script;
  result = jerry_run(script);
  jerry_value_free(script);
  return result;
}

/* Calls board.__tick() (boards/device-board.js) and sleeps for the
 * milliseconds it returns, until it returns -1 (no loop, exit, or a throw,
 * which it has reported) or is missing. */
static void run_loop(void) {
  for (;;) {
    jerry_value_t realm = jerry_current_realm();
    jerry_value_t board = jerry_object_get_sz(realm, "board");
    jerry_value_t fn = jerry_value_is_object(board) ? jerry_object_get_sz(board, "__tick") : jerry_undefined();
    double wait = -1;
    if (jerry_value_is_function(fn)) {
      jerry_value_t r = jerry_call(fn, board, NULL, 0);
      if (jerry_value_is_exception(r)) log_error("loop", r);
      else if (jerry_value_is_number(r)) wait = jerry_value_as_number(r);
      jerry_value_free(r);
      r = jerry_run_jobs();
      if (jerry_value_is_exception(r)) {
        log_error("job", r);
        wait = -1;
      }
      jerry_value_free(r);
    }
    jerry_value_free(fn);
    jerry_value_free(board);
    jerry_value_free(realm);
    if (!(wait >= 0)) return;
    if (wait > 0) g_config->sleep_ms(wait > 4294967295.0 ? 4294967295u : (uint32_t)wait);
  }
}

int tml_board_run(const tml_board_config *config) {
  jerry_value_t r;
  int code = 0;
  g_config = config;
  if (tml_image_check(config->image, config->image_size) != TML_IMAGE_OK) {
    config->log("tinyml: the flash image is missing or damaged (write it with mkimage.js)");
    return 1;
  }
  jerry_init(JERRY_INIT_EMPTY);
  if (!tml_jerry_register(config->arena_block, config->arena_bytes) || !define_globals()) {
    config->log("tinyml: cannot set up the JavaScript globals (JerryScript heap too small?)");
    jerry_cleanup();
    return 1;
  }
  r = run_app();
  if (jerry_value_is_exception(r)) {
    log_error("app", r);
    code = 1;
  } else {
    jerry_value_free(r);
    r = jerry_run_jobs();
    if (jerry_value_is_exception(r)) {
      log_error("job", r);
      code = 1;
    } else {
      jerry_value_free(r);
      run_loop();
    }
  }
  jerry_cleanup();
  return code;
}
