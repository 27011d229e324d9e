/*
 * runner.c - tinyml-jerry, a host program that runs a tinyml bundle on
 * JerryScript 3.0, from source or from a snapshot, as the ESP32 board does.
 *
 *   tinyml-jerry <bundle.js|bundle.snapshot> <model.tflite> <input.bin|-> <output.bin> <frames> <arenaSize>
 *   tinyml-jerry --snapshot <bundle.js> <bundle.snapshot>
 *
 * The first form evaluates the bundle (an ES5 script defining the global
 * `tinyml`; a file ending in ".snapshot" is executed as JerryScript bytecode
 * in place, without copying), then calls
 * tinyml.runFrames(model, input, frames, arenaSize) with the model and input
 * as Uint8Arrays over static memory outside the JS heap (as a board's flash
 * would be) and writes the Uint8Array it returns to output.bin. Input "-"
 * reads standard input. The second form compiles a bundle into a snapshot
 * for this exact JerryScript build.
 *
 * Exit codes: 0 ok, 1 a JavaScript error (one line "tinyml: <message>" on
 * stderr), 2 usage or file error.
 *
 * Environment:
 *   TINYML_JERRY_BLOCK=<bytes>  arenas are regions of a static block (as on a
 *                               board) instead of JerryScript heap buffers
 *   TINYML_JERRY_STATS=1        after the engine is torn down, one line of
 *                               counters on stderr: arena regions and heap
 *                               buffers allocated and freed, bad frees, peak
 *                               JerryScript heap use
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jerryscript.h"
#include "tinyml_jerry.h"

#define POOL_BYTES (32u * 1024u * 1024u)
#define BLOCK_MAX (64u * 1024u * 1024u)

/* Files live here, 16-byte aligned, outside the JS heap; bss, so untouched
 * pages cost nothing. uint32_t: snapshots are executed in place. */
static uint32_t g_pool[POOL_BYTES / 4];
static uint32_t g_pool_used;
static uint8_t g_block[BLOCK_MAX];

typedef struct {
  const uint8_t *data;
  uint32_t size;
} file_bytes;

static char g_msg[512];

/* Reads `path` ("-" = stdin) into the pool. 0 and g_msg set on failure. */
static int read_file(const char *path, file_bytes *out) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  uint8_t *start = (uint8_t *)g_pool + g_pool_used;
  size_t room = POOL_BYTES - g_pool_used, len = 0;
  int ok;
  if (f == NULL) {
    snprintf(g_msg, sizeof g_msg, "cannot open %s", path);
    return 0;
  }
  for (;;) {
    size_t got = fread(start + len, 1, room - len, f);
    len += got;
    if (got == 0 || len == room) break;
  }
  ok = !ferror(f) && (len < room || feof(f) || fgetc(f) == EOF);
  if (f != stdin) fclose(f);
  if (!ok) {
    snprintf(g_msg, sizeof g_msg, "cannot read %s (files are limited to %u bytes in all)", path,
             POOL_BYTES);
    return 0;
  }
  out->data = start;
  out->size = (uint32_t)len;
  g_pool_used += (uint32_t)((len + 15u) & ~(size_t)15u);
  if (g_pool_used > POOL_BYTES) g_pool_used = POOL_BYTES;
  return 1;
}

static int write_file(const char *path, const uint8_t *data, size_t len) {
  FILE *f = fopen(path, "wb");
  int ok = f != NULL && (len == 0 || fwrite(data, 1, len, f) == len);
  if (f != NULL && fclose(f) != 0) ok = 0;
  if (!ok) snprintf(g_msg, sizeof g_msg, "cannot write %s", path);
  return ok;
}

/* Copies a string value's UTF-8 into g_msg (cut to fit). */
static void string_to_msg(jerry_value_t str) {
  jerry_size_t n = jerry_string_to_buffer(str, JERRY_ENCODING_UTF8, (jerry_char_t *)g_msg,
                                          sizeof g_msg - 1);
  g_msg[n] = '\0';
}

/* g_msg = the thrown value's message, or its string form. Frees `value`. */
static void exception_to_msg(jerry_value_t value) {
  jerry_value_t err = jerry_exception_value(value, true);
  jerry_value_t text = jerry_undefined();
  if (jerry_value_is_object(err)) {
    text = jerry_object_get_sz(err, "message");
    if (!jerry_value_is_string(text)) {
      jerry_value_free(text);
      text = jerry_undefined();
    }
  }
  if (jerry_value_is_undefined(text)) text = jerry_value_to_string(err);
  if (jerry_value_is_string(text)) string_to_msg(text);
  else snprintf(g_msg, sizeof g_msg, "(an exception that cannot be printed)");
  jerry_value_free(text);
  jerry_value_free(err);
}

/* Prints "tinyml: <text>" as exactly one line on stderr. */
static void report(const char *text) {
  fputs("tinyml: ", stderr);
  for (; *text; text++) fputc(*text == '\n' || *text == '\r' ? ' ' : *text, stderr);
  fputc('\n', stderr);
}

static jerry_value_t js_print(const jerry_call_info_t *info, const jerry_value_t args[],
                              const jerry_length_t count) {
  jerry_length_t i;
  (void)info;
  for (i = 0; i < count; i++) {
    jerry_value_t s = jerry_value_to_string(args[i]);
    if (i > 0) fputc(' ', stdout);
    if (jerry_value_is_string(s)) {
      string_to_msg(s);
      fputs(g_msg, stdout);
    }
    jerry_value_free(s);
  }
  fputc('\n', stdout);
  return jerry_undefined();
}

static int ends_with(const char *s, const char *tail) {
  size_t a = strlen(s), b = strlen(tail);
  return a >= b && strcmp(s + a - b, tail) == 0;
}

static int parse_number(const char *s, double *out) {
  char *end;
  if (*s == '\0') return 0;
  *out = strtod(s, &end);
  return *end == '\0';
}

/* Evaluates the bundle: source text, or a snapshot executed in place. */
static jerry_value_t eval_bundle(const char *path, const file_bytes *f) {
  if (ends_with(path, ".snapshot")) {
    if (((uintptr_t)f->data & 3u) != 0) return jerry_throw_sz(JERRY_ERROR_COMMON, "snapshot misaligned");
    return jerry_exec_snapshot((const uint32_t *)(const void *)f->data, f->size, 0, 0, NULL);
  } else {
    jerry_parse_options_t opts;
    jerry_value_t script, result;
    memset(&opts, 0, sizeof opts);
    opts.options = JERRY_PARSE_HAS_SOURCE_NAME;
    opts.source_name = jerry_string_sz(path);
    script = jerry_parse(f->data, f->size, &opts);
    jerry_value_free(opts.source_name);
    if (jerry_value_is_exception(script)) return script;
    result = jerry_run(script);
    jerry_value_free(script);
    return result;
  }
}

/* Everything that touches JS. Returns 0 ok, 1 JS error, 2 file error;
 * g_msg holds the one-line message. */
static int run(char **argv, double frames, double arena_size) {
  file_bytes bundle, model, input;
  jerry_value_t r, global, tinyml = jerry_undefined(), fn = jerry_undefined(), args[4],
      out = jerry_undefined();
  int code = 1, i;

  for (i = 0; i < 4; i++) args[i] = jerry_undefined();

  if (!read_file(argv[1], &bundle) || !read_file(argv[2], &model) ||
      !read_file(argv[3], &input))
    return 2;
  r = eval_bundle(argv[1], &bundle);
  if (jerry_value_is_exception(r)) {
    exception_to_msg(r);
    return 1;
  }
  jerry_value_free(r);

  global = jerry_current_realm();
  tinyml = jerry_object_get_sz(global, "tinyml");
  jerry_value_free(global);
  if (!jerry_value_is_object(tinyml)) {
    snprintf(g_msg, sizeof g_msg, "bundle did not define the global tinyml");
    goto done;
  }
  fn = jerry_object_get_sz(tinyml, "runFrames");
  if (!jerry_value_is_function(fn)) {
    snprintf(g_msg, sizeof g_msg, "bundle has no tinyml.runFrames function");
    goto done;
  }
  args[0] = tml_jerry_external_bytes(model.data, model.size);
  args[1] = tml_jerry_external_bytes(input.data, input.size);
  args[2] = jerry_number(frames);
  args[3] = jerry_number(arena_size);
  for (i = 0; i < 2; i++) {
    if (jerry_value_is_exception(args[i])) {
      snprintf(g_msg, sizeof g_msg, "cannot wrap the model or input bytes");
      goto done;
    }
  }
  out = jerry_call(fn, tinyml, args, 4);
  if (jerry_value_is_exception(out)) {
    exception_to_msg(out);
    out = jerry_undefined();
    goto done;
  }
  if (!jerry_value_is_typedarray(out) || jerry_typedarray_type(out) != JERRY_TYPEDARRAY_UINT8) {
    snprintf(g_msg, sizeof g_msg, "runFrames did not return a Uint8Array");
    goto done;
  }
  {
    jerry_size_t offset = 0, length = 0;
    jerry_value_t ab = jerry_typedarray_buffer(out, &offset, &length);
    const uint8_t *data = jerry_arraybuffer_data(ab);
    code = write_file(argv[4], data ? data + offset : NULL, data ? length : 0) ? 0 : 2;
    jerry_value_free(ab);
  }
done:
  for (i = 0; i < 4; i++) jerry_value_free(args[i]);
  jerry_value_free(out);
  jerry_value_free(fn);
  jerry_value_free(tinyml);
  return code;
}

/* --snapshot: compile the bundle into a snapshot file. */
static int make_snapshot(const char *src_path, const char *out_path) {
  file_bytes src;
  jerry_parse_options_t opts;
  jerry_value_t script, r;
  uint32_t *buf;
  size_t room;
  int code = 0;

  if (!read_file(src_path, &src)) {
    report(g_msg);
    return 2;
  }
  buf = g_pool + g_pool_used / 4;
  room = POOL_BYTES - g_pool_used;
  jerry_init(JERRY_INIT_EMPTY);
  memset(&opts, 0, sizeof opts);
  opts.options = JERRY_PARSE_HAS_SOURCE_NAME;
  opts.source_name = jerry_string_sz(src_path);
  script = jerry_parse(src.data, src.size, &opts);
  jerry_value_free(opts.source_name);
  if (jerry_value_is_exception(script)) {
    exception_to_msg(script);
    report(g_msg);
    code = 1;
  } else {
    r = jerry_generate_snapshot(script, 0, buf, room);
    if (jerry_value_is_exception(r)) {
      exception_to_msg(r);
      report(g_msg);
      code = 1;
    } else {
      size_t n = (size_t)jerry_value_as_number(r);
      jerry_value_free(r);
      if (!write_file(out_path, (const uint8_t *)buf, n)) {
        report(g_msg);
        code = 2;
      }
    }
    jerry_value_free(script);
  }
  jerry_cleanup();
  return code;
}

/* ---- --script mode (as tinyml-duk --script) -------------------------
 *   tinyml-jerry --script <file.js> [args...]
 * Runs a plain script with the native module, `print` and `__host`:
 *   __host.args, __host.readFile(path) (a Uint8Array over static memory, or
 *   null), __host.writeFile(path, bytes) (false on failure), __host.exit(code).
 * `tinyml emulate --board jerryscript` runs apps this way. */

static int g_exit_code = -1;

static jerry_value_t host_read_file(const jerry_call_info_t *info, const jerry_value_t args[],
                                    const jerry_length_t count) {
  char path[1024];
  jerry_size_t n;
  file_bytes f;
  (void)info;
  if (count < 1 || !jerry_value_is_string(args[0])) return jerry_throw_sz(JERRY_ERROR_TYPE, "readFile: path");
  n = jerry_string_to_buffer(args[0], JERRY_ENCODING_UTF8, (jerry_char_t *)path, sizeof path - 1);
  path[n] = '\0';
  if (!read_file(path, &f)) return jerry_null();
  return tml_jerry_external_bytes(f.data, f.size);
}

static jerry_value_t host_write_file(const jerry_call_info_t *info, const jerry_value_t args[],
                                     const jerry_length_t count) {
  char path[1024];
  jerry_size_t n, off = 0, len = 0;
  jerry_value_t ab;
  uint8_t *data;
  int ok;
  (void)info;
  if (count < 2 || !jerry_value_is_string(args[0]) || !jerry_value_is_typedarray(args[1]))
    return jerry_throw_sz(JERRY_ERROR_TYPE, "writeFile: path, typed array");
  n = jerry_string_to_buffer(args[0], JERRY_ENCODING_UTF8, (jerry_char_t *)path, sizeof path - 1);
  path[n] = '\0';
  ab = jerry_typedarray_buffer(args[1], &off, &len);
  data = jerry_arraybuffer_data(ab);
  ok = data != NULL && write_file(path, data + off, len);
  jerry_value_free(ab);
  return jerry_boolean(ok);
}

static jerry_value_t host_exit(const jerry_call_info_t *info, const jerry_value_t args[],
                               const jerry_length_t count) {
  (void)info;
  g_exit_code = count > 0 && jerry_value_is_number(args[0]) ? (int)jerry_value_as_number(args[0]) : 0;
  return jerry_throw_sz(JERRY_ERROR_COMMON, "__tinyml_exit__");
}

static void set_fn(jerry_value_t obj, const char *name, jerry_external_handler_t fn) {
  jerry_value_t f = jerry_function_external(fn);
  jerry_value_free(jerry_object_set_sz(obj, name, f));
  jerry_value_free(f);
}

/* Returns the exit code; g_msg holds the message of a code 1 or 2. */
static int run_script(const char *file, int argc, char **argv) {
  jerry_value_t host = jerry_object(), list = jerry_array((jerry_length_t)argc), global, r;
  file_bytes f;
  int i;
  for (i = 0; i < argc; i++) {
    jerry_value_t a = jerry_string_sz(argv[i]);
    jerry_value_free(jerry_object_set_index(list, (uint32_t)i, a));
    jerry_value_free(a);
  }
  jerry_value_free(jerry_object_set_sz(host, "args", list));
  jerry_value_free(list);
  set_fn(host, "readFile", host_read_file);
  set_fn(host, "writeFile", host_write_file);
  set_fn(host, "exit", host_exit);
  global = jerry_current_realm();
  jerry_value_free(jerry_object_set_sz(global, "__host", host));
  jerry_value_free(global);
  jerry_value_free(host);
  if (!read_file(file, &f)) return 2;
  r = eval_bundle(file, &f);
  if (jerry_value_is_exception(r)) {
    if (g_exit_code >= 0) {
      jerry_value_free(r);
      return g_exit_code;
    }
    exception_to_msg(r);
    return 1;
  }
  jerry_value_free(r);
  return 0;
}

int main(int argc, char **argv) {
  double frames, arena_size, block_bytes = 0;
  const char *env_block = getenv("TINYML_JERRY_BLOCK");
  const char *env_stats = getenv("TINYML_JERRY_STATS");
  jerry_value_t print_fn, global, r;
  jerry_heap_stats_t heap;
  int code;

  if (argc == 4 && strcmp(argv[1], "--snapshot") == 0) return make_snapshot(argv[2], argv[3]);
  if (argc >= 3 && strcmp(argv[1], "--script") == 0) {
    jerry_init(JERRY_INIT_EMPTY);
    if (!tml_jerry_register(NULL, 0)) {
      report("cannot register the tinyml module");
      jerry_cleanup();
      return 1;
    }
    global = jerry_current_realm();
    print_fn = jerry_function_external(js_print);
    jerry_value_free(jerry_object_set_sz(global, "print", print_fn));
    jerry_value_free(print_fn);
    jerry_value_free(global);
    code = run_script(argv[2], argc - 3, argv + 3);
    if (g_exit_code < 0 && code != 0) report(g_msg);
    fflush(stdout);
    jerry_cleanup();
    return code;
  }
  if (argc != 7 || !parse_number(argv[5], &frames) || !parse_number(argv[6], &arena_size)) {
    fprintf(stderr,
            "tinyml: usage: tinyml-jerry <bundle.js|bundle.snapshot> <model.tflite> "
            "<input.bin|-> <output.bin> <frames> <arenaSize>, or tinyml-jerry --snapshot "
            "<bundle.js> <bundle.snapshot>\n");
    return 2;
  }
  if (env_block != NULL && *env_block != '\0' &&
      (!parse_number(env_block, &block_bytes) || block_bytes < 0 || block_bytes > BLOCK_MAX)) {
    fprintf(stderr, "tinyml: TINYML_JERRY_BLOCK must be 0..%u\n", BLOCK_MAX);
    return 2;
  }

  jerry_init(JERRY_INIT_EMPTY);
  if (!tml_jerry_register(block_bytes > 0 ? g_block : NULL, (uint32_t)block_bytes)) {
    report("cannot register the tinyml module");
    jerry_cleanup();
    return 1;
  }
  global = jerry_current_realm();
  print_fn = jerry_function_external(js_print);
  r = jerry_object_set_sz(global, "print", print_fn);
  jerry_value_free(r);
  jerry_value_free(print_fn);
  jerry_value_free(global);

  code = run(argv, frames, arena_size);
  if (code != 0) report(g_msg);

  memset(&heap, 0, sizeof heap);
  (void)jerry_heap_stats(&heap); /* all zero unless built with mem-stats */
  jerry_cleanup();
  if (env_stats != NULL && *env_stats != '\0') {
    tml_jerry_stats st;
    tml_jerry_get_stats(&st);
    fprintf(stderr,
            "tinyml-jerry: heap buffers %u allocated %u freed; arena regions %u allocated %u "
            "freed %u live; bad frees %u; block high water %u; JS heap peak %lu of %lu\n",
            st.heap_allocs, st.heap_frees, st.region_allocs, st.region_frees, st.live_regions,
            st.bad_frees, st.block_high_water, (unsigned long)heap.peak_allocated_bytes,
            (unsigned long)heap.size);
  }
  return code;
}
