/*
 * runner.c - tinyml-duk, a host program that runs a tinyml bundle on Duktape.
 *
 *   tinyml-duk <bundle.js> <model.tflite> <input.bin|-> <output.bin> <frames> <arenaSize>
 *
 * Evaluates the bundle (an ES5 script defining the global `tinyml`), then
 * calls tinyml.runFrames(model, input, frames, arenaSize) with the model and
 * input as Uint8Arrays and writes the Uint8Array it returns to output.bin.
 * Input "-" reads standard input. Exit codes: 0 ok, 1 a JavaScript error
 * (one line "tinyml: <message>" on stderr), 2 usage or file error.
 *
 *   tinyml-duk --script <file.js> [args...]
 *
 * Runs a plain script (e.g. a bundle with an app after it) with the native
 * module registered, `print`, and the host's files through a global `__host`:
 *   __host.args                  the args after the file name
 *   __host.readFile(path)        a Uint8Array of the file, or null
 *   __host.writeFile(path, data) writes a typed array's bytes; false on failure
 *   __host.exit(code)            ends the run with that exit code
 * Boards build their `board` object (docs/board-api.md) on top of this.
 *
 * TINYML_DUK_BLOCK=<bytes> in the environment makes arena() carve from a
 * static block as a board does (at most BOARD_BLOCK_MAX bytes); by default
 * arenas are Duktape buffers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duktape.h"
#include "tinyml_duk.h"

#define BOARD_BLOCK_MAX (4u * 1024u * 1024u)

/* Room for a board-style block; bss, so untouched pages cost nothing. */
static uint8_t board_block[BOARD_BLOCK_MAX];

typedef struct {
  const char *bundle, *model, *input, *output;
  double frames, arena_size;
  const char *file_error; /* set by read/write helpers: the one-line message */
  char msg[512];
} run_args;

/* Duktape's fatal handler must not return; a host program may just leave. */
static void on_fatal(void *udata, const char *msg) {
  (void)udata;
  fprintf(stderr, "tinyml: fatal: %s\n", msg ? msg : "(no message)");
  fflush(stderr);
  exit(1);
}

static duk_ret_t js_print(duk_context *ctx) {
  duk_idx_t i, n = duk_get_top(ctx);
  for (i = 0; i < n; i++) {
    if (i > 0) fputc(' ', stdout);
    fputs(duk_safe_to_string(ctx, i), stdout);
  }
  fputc('\n', stdout);
  return 0;
}

static void file_fail(run_args *a, const char *what, const char *path) {
  snprintf(a->msg, sizeof a->msg, "cannot %s %s", what, path);
  a->file_error = a->msg;
}

/* Pushes the whole content of `path` ("-" = stdin) as a fixed buffer (so its
 * data never moves: the C core keeps a pointer to the model). Returns 0 and
 * pushes nothing on failure. */
static int push_file(duk_context *ctx, run_args *a, const char *path) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  size_t len = 0, cap = 65536;
  uint8_t *data;
  int ok;
  if (f == NULL) {
    file_fail(a, "open", path);
    return 0;
  }
  /* Read into a growing dynamic buffer, then copy into a fixed one. */
  data = (uint8_t *)duk_push_dynamic_buffer(ctx, cap);
  for (;;) {
    size_t got = fread(data + len, 1, cap - len, f);
    len += got;
    if (got == 0) break;
    if (len == cap) {
      cap *= 2;
      data = (uint8_t *)duk_resize_buffer(ctx, -1, cap);
    }
  }
  ok = !ferror(f);
  if (f != stdin) fclose(f);
  if (!ok) {
    duk_pop(ctx);
    file_fail(a, "read", path);
    return 0;
  }
  {
    void *fixed = duk_push_fixed_buffer(ctx, len);
    if (len > 0) memcpy(fixed, data, len);
  }
  duk_remove(ctx, -2);
  return 1;
}

/* ---- --script mode --------------------------------------------------- */

static int exit_requested = -1;

static duk_ret_t host_read_file(duk_context *ctx) {
  run_args a;
  memset(&a, 0, sizeof a);
  if (!push_file(ctx, &a, duk_require_string(ctx, 0))) {
    duk_push_null(ctx);
    return 1;
  }
  {
    duk_size_t len = 0;
    (void)duk_get_buffer(ctx, -1, &len);
    duk_push_buffer_object(ctx, -1, 0, len, DUK_BUFOBJ_UINT8ARRAY);
  }
  return 1;
}

static duk_ret_t host_write_file(duk_context *ctx) {
  const char *path = duk_require_string(ctx, 0);
  duk_size_t len = 0;
  const void *p = duk_require_buffer_data(ctx, 1, &len);
  FILE *f = fopen(path, "wb");
  int ok = f != NULL && (len == 0 || fwrite(p, 1, len, f) == len);
  if (f != NULL && fclose(f) != 0) ok = 0;
  duk_push_boolean(ctx, ok);
  return 1;
}

/* Ends the script: an error no script can catch is not on offer, so exit()
 * throws a marker the runner recognizes and stops on. */
static duk_ret_t host_exit(duk_context *ctx) {
  exit_requested = duk_get_int_default(ctx, 0, 0);
  return duk_error(ctx, DUK_ERR_ERROR, "__tinyml_exit__");
}

typedef struct {
  const char *file;
  int argc;
  char **argv;
  run_args io;
} script_args;

static duk_ret_t run_script(duk_context *ctx, void *udata) {
  script_args *s = (script_args *)udata;
  duk_size_t len = 0;
  const char *src;
  int i;
  duk_push_object(ctx);
  duk_push_array(ctx);
  for (i = 0; i < s->argc; i++) {
    duk_push_string(ctx, s->argv[i]);
    duk_put_prop_index(ctx, -2, (duk_uarridx_t)i);
  }
  duk_put_prop_string(ctx, -2, "args");
  duk_push_c_function(ctx, host_read_file, 1);
  duk_put_prop_string(ctx, -2, "readFile");
  duk_push_c_function(ctx, host_write_file, 2);
  duk_put_prop_string(ctx, -2, "writeFile");
  duk_push_c_function(ctx, host_exit, 1);
  duk_put_prop_string(ctx, -2, "exit");
  duk_put_global_string(ctx, "__host");
  if (!push_file(ctx, &s->io, s->file)) return 0;
  src = (const char *)duk_get_buffer(ctx, -1, &len);
  duk_push_string(ctx, s->file);
  duk_compile_lstring_filename(ctx, 0, src, len);
  duk_call(ctx, 0);
  return 0;
}

/* Turns the plain buffer on top into a Uint8Array over the same bytes. */
static void to_uint8array(duk_context *ctx) {
  duk_size_t len = 0;
  (void)duk_get_buffer(ctx, -1, &len);
  duk_push_buffer_object(ctx, -1, 0, len, DUK_BUFOBJ_UINT8ARRAY);
  duk_remove(ctx, -2);
}

/* Everything that touches JS, under duk_safe_call so any error is caught.
 * Returns 1 with the result bytes on the stack, or 0 after a file error. */
static duk_ret_t run(duk_context *ctx, void *udata) {
  run_args *a = (run_args *)udata;
  duk_size_t len = 0;
  const char *src;

  if (!push_file(ctx, a, a->bundle)) return 0;
  src = (const char *)duk_get_buffer(ctx, -1, &len);
  duk_push_string(ctx, a->bundle);
  /* Compiles with the file name for messages; throws on a syntax error. */
  duk_compile_lstring_filename(ctx, 0, src, len);
  duk_call(ctx, 0);
  duk_pop_2(ctx); /* result, source */

  duk_get_global_string(ctx, "tinyml");
  if (!duk_is_object(ctx, -1))
    return duk_type_error(ctx, "bundle did not define the global tinyml");
  duk_get_prop_string(ctx, -1, "runFrames");
  if (!duk_is_function(ctx, -1))
    return duk_type_error(ctx, "bundle has no tinyml.runFrames function");
  duk_dup(ctx, -2); /* this = tinyml */
  if (!push_file(ctx, a, a->model)) return 0;
  to_uint8array(ctx);
  if (!push_file(ctx, a, a->input)) return 0;
  to_uint8array(ctx);
  duk_push_number(ctx, a->frames);
  duk_push_number(ctx, a->arena_size);
  duk_call_method(ctx, 4);
  if (!duk_is_buffer_data(ctx, -1))
    return duk_type_error(ctx, "runFrames did not return a Uint8Array");
  return 1;
}

static int parse_number(const char *s, double *out) {
  char *end;
  if (*s == '\0') return 0;
  *out = strtod(s, &end);
  return *end == '\0';
}

/* One line from the error on top: its message, or its string form. */
static const char *error_line(duk_context *ctx) {
  if (duk_is_object(ctx, -1)) {
    duk_get_prop_string(ctx, -1, "message");
    if (duk_is_string(ctx, -1)) return duk_get_string(ctx, -1);
    duk_pop(ctx);
  }
  return duk_safe_to_string(ctx, -1);
}

/* Prints "tinyml: <text>" as exactly one line on stderr. */
static void report(const char *text) {
  fputs("tinyml: ", stderr);
  for (; *text; text++) fputc(*text == '\n' || *text == '\r' ? ' ' : *text, stderr);
  fputc('\n', stderr);
}

int main(int argc, char **argv) {
  run_args a;
  duk_context *ctx;
  const char *env_block;
  uint8_t *block = NULL;
  uint32_t block_size = 0;
  int code = 0;

  memset(&a, 0, sizeof a);
  if (argc >= 3 && strcmp(argv[1], "--script") == 0) {
    script_args s;
    memset(&s, 0, sizeof s);
    s.file = argv[2];
    s.argc = argc - 3;
    s.argv = argv + 3;
    ctx = duk_create_heap(NULL, NULL, NULL, NULL, on_fatal);
    if (ctx == NULL) {
      fprintf(stderr, "tinyml: cannot create the Duktape heap\n");
      return 1;
    }
    duk_push_c_function(ctx, js_print, DUK_VARARGS);
    duk_put_global_string(ctx, "print");
    tml_duk_register(ctx, NULL, 0);
    if (duk_safe_call(ctx, run_script, &s, 0, 1) != DUK_EXEC_SUCCESS) {
      if (exit_requested >= 0) {
        code = exit_requested;
      } else {
        report(error_line(ctx));
        code = 1;
      }
    } else if (s.io.file_error != NULL) {
      report(s.io.file_error);
      code = 2;
    }
    fflush(stdout);
    duk_destroy_heap(ctx);
    return code;
  }
  if (argc != 7 || !parse_number(argv[5], &a.frames) ||
      !parse_number(argv[6], &a.arena_size)) {
    fprintf(stderr,
            "tinyml: usage: tinyml-duk <bundle.js> <model.tflite> <input.bin|-> "
            "<output.bin> <frames> <arenaSize> | tinyml-duk --script <file.js> [args...]\n");
    return 2;
  }
  a.bundle = argv[1];
  a.model = argv[2];
  a.input = argv[3];
  a.output = argv[4];

  env_block = getenv("TINYML_DUK_BLOCK");
  if (env_block != NULL && *env_block != '\0') {
    double n;
    if (!parse_number(env_block, &n) || n < 0 || n > BOARD_BLOCK_MAX) {
      fprintf(stderr, "tinyml: TINYML_DUK_BLOCK must be 0..%u\n", BOARD_BLOCK_MAX);
      return 2;
    }
    block = board_block;
    block_size = (uint32_t)n;
  }

  ctx = duk_create_heap(NULL, NULL, NULL, NULL, on_fatal);
  if (ctx == NULL) {
    fprintf(stderr, "tinyml: cannot create the Duktape heap\n");
    return 1;
  }
  duk_push_c_function(ctx, js_print, DUK_VARARGS);
  duk_put_global_string(ctx, "print");
  tml_duk_register(ctx, block, block_size);

  if (duk_safe_call(ctx, run, &a, 0, 1) != DUK_EXEC_SUCCESS) {
    report(error_line(ctx));
    code = 1;
  } else if (a.file_error != NULL) {
    report(a.file_error);
    code = 2;
  } else {
    duk_size_t len = 0;
    const void *out = duk_get_buffer_data(ctx, -1, &len);
    FILE *f = fopen(a.output, "wb");
    if (f == NULL || (len > 0 && fwrite(out, 1, len, f) != len)) {
      fprintf(stderr, "tinyml: cannot write %s\n", a.output);
      code = 2;
    }
    if (f != NULL && fclose(f) != 0 && code == 0) {
      fprintf(stderr, "tinyml: cannot write %s\n", a.output);
      code = 2;
    }
  }
  duk_destroy_heap(ctx);
  return code;
}
