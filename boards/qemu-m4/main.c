/*
 * main.c - firmware for the qemu-m4 board: Duktape + the tinyml native module
 * + the ES5 device bundle + one model, all but the RAM parts in flash.
 *
 * Command line (semihosting SYS_GET_CMDLINE; each argument %-encoded by the
 * host so spaces survive):
 *   fw <run|bench|dump> <input> <output> <frames> <arenaSize|0> <blockBytes> <heapCap|0>
 * run:   the `tinyml run` file conventions: input = every input tensor's bytes
 *        per frame, frames back to back; output likewise. Frames go straight
 *        from the host file into the input views on the arena (no JS copy).
 * bench: one frame; a warm-up invoke, then (state reset) a measured one; prints one line
 *        "TMLBENCH {json}" with instruction counts and memory figures.
 * dump:  compiles the (source) bundle and writes its Duktape bytecode to
 *        <output>; the build links that into the board's firmware instead of
 *        the source (no compiler peak in RAM, a smaller stack).
 * Exit codes as the host runner: 0 ok, 1 a JavaScript error (one line
 * "tinyml: <message>" on stderr), 2 usage or file error, 3 crash.
 *
 * RAM (256 KB): .data/.bss, then [JS heap pool | arena block] filling the
 * space up to the stack, then the stack (__stack_size, at the top).
 * heapCap > 0 caps the pool (to see how a model fares with less RAM).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "duktape.h"
#include "pool.h"
#include "tinyml.h"
#include "tinyml_duk.h"

/* ---- semihosting ------------------------------------------------------- */

#define SH_OPEN 0x01
#define SH_CLOSE 0x02
#define SH_WRITE 0x05
#define SH_READ 0x06
#define SH_SEEK 0x0A
#define SH_FLEN 0x0C
#define SH_GET_CMDLINE 0x15
#define SH_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

static int32_t semihost(int32_t op, void *arg) {
  register int32_t r0 __asm__("r0") = op;
  register void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

static int32_t sh_open(const char *path, int32_t mode) {
  uint32_t a[3];
  a[0] = (uint32_t)(uintptr_t)path;
  a[1] = (uint32_t)mode;
  a[2] = (uint32_t)strlen(path);
  return semihost(SH_OPEN, a);
}

static void sh_close(int32_t fd) {
  uint32_t a[1];
  a[0] = (uint32_t)fd;
  (void)semihost(SH_CLOSE, a);
}

/* Returns the bytes NOT written (0 on success). */
static int32_t sh_write(int32_t fd, const void *p, uint32_t n) {
  uint32_t a[3];
  a[0] = (uint32_t)fd;
  a[1] = (uint32_t)(uintptr_t)p;
  a[2] = n;
  return semihost(SH_WRITE, a);
}

/* Returns the bytes NOT read. */
static int32_t sh_read(int32_t fd, void *p, uint32_t n) {
  uint32_t a[3];
  a[0] = (uint32_t)fd;
  a[1] = (uint32_t)(uintptr_t)p;
  a[2] = n;
  return semihost(SH_READ, a);
}

static int32_t sh_seek(int32_t fd, uint32_t pos) {
  uint32_t a[2];
  a[0] = (uint32_t)fd;
  a[1] = pos;
  return semihost(SH_SEEK, a);
}

static int32_t sh_flen(int32_t fd) {
  uint32_t a[1];
  a[0] = (uint32_t)fd;
  return semihost(SH_FLEN, a);
}

static void sh_exit(int code) {
  uint32_t a[2];
  a[0] = ADP_STOPPED_APPLICATION_EXIT;
  a[1] = (uint32_t)code;
  for (;;) (void)semihost(SH_EXIT_EXTENDED, a);
}

/* ":tt" opened for writing is the console: mode 4 stdout, mode 8 stderr. */
static int32_t out_fd = -1, err_fd = -1;

static void put_str(int32_t fd, const char *s) {
  if (fd >= 0) (void)sh_write(fd, s, (uint32_t)strlen(s));
}

/* Writes text with line breaks turned into spaces, in small pieces (no big
 * buffer: this also runs from fault handlers, maybe on a full stack). */
static void put_line_part(const char *text) {
  char piece[64];
  size_t n = 0;
  for (; *text; text++) {
    piece[n++] = (*text == '\n' || *text == '\r') ? ' ' : *text;
    if (n == sizeof piece) {
      (void)sh_write(err_fd, piece, (uint32_t)n);
      n = 0;
    }
  }
  if (n > 0) (void)sh_write(err_fd, piece, (uint32_t)n);
}

/* "tinyml: <text><more>" as one line on stderr. */
static void report2(const char *text, const char *more) {
  if (err_fd < 0) return;
  put_line_part("tinyml: ");
  put_line_part(text);
  put_line_part(more);
  (void)sh_write(err_fd, "\n", 1);
}

static void report(const char *text) { report2(text, ""); }

static void die(int code, const char *text) {
  report(text);
  sh_exit(code);
}

/* ---- instruction counting (SysTick) ------------------------------------ */

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SCB_ICSR (*(volatile uint32_t *)0xE000ED04u)
#define ICSR_PENDSTSET (1u << 26)
/* Under -icount shift=0 one SysTick tick is exactly 40 instructions. */
#define INSTR_PER_TICK 40u

static volatile uint32_t systick_wraps;

/* picolibc's vector table calls this on every 2^24-tick wrap. */
void arm_systick_isr(void) { systick_wraps++; }

static void ticks_start(void) {
  SYST_RVR = 0xFFFFFFu;
  SYST_CVR = 0;
  SYST_CSR = 7u; /* enable, interrupt on wrap, processor clock */
}

/* Ticks since ticks_start(). A wrap whose interrupt is still pending is
 * counted here, and the counter re-read after it. */
static uint64_t ticks_now(void) {
  uint32_t v, w;
  __asm__ volatile("cpsid i" ::: "memory");
  v = SYST_CVR;
  w = systick_wraps;
  if (SCB_ICSR & ICSR_PENDSTSET) {
    v = SYST_CVR;
    w++;
  }
  __asm__ volatile("cpsie i" ::: "memory");
  return ((uint64_t)w << 24) + (0xFFFFFFu - v);
}

static uint64_t instr_since(uint64_t t0) {
  return (ticks_now() - t0) * INSTR_PER_TICK;
}

/* Kernel instructions: the linker routes the binding's tml_invoke calls
 * here (-Wl,--wrap=tml_invoke), so nothing in native/ knows about counting. */
tml_status __real_tml_invoke(uint8_t *block, uint32_t block_size);
static void app_after_invoke(void); /* app mode: the profile line */
static uint64_t kernel_instr;

tml_status __wrap_tml_invoke(uint8_t *block, uint32_t block_size) {
  uint64_t t0 = ticks_now();
  tml_status s = __real_tml_invoke(block, block_size);
  kernel_instr += instr_since(t0);
  app_after_invoke();
  return s;
}

/* Native load instructions (checking the packed section and the program),
 * counted the same way (-Wl,--wrap=tml_load_packed). */
tml_status __real_tml_load_packed(uint8_t *block, uint32_t block_size, const uint8_t *model,
                                  uint32_t model_size, const uint8_t *section,
                                  uint32_t section_size);
static uint64_t native_load_instr;

tml_status __wrap_tml_load_packed(uint8_t *block, uint32_t block_size, const uint8_t *model,
                                  uint32_t model_size, const uint8_t *section,
                                  uint32_t section_size) {
  uint64_t t0 = ticks_now();
  tml_status s =
      __real_tml_load_packed(block, block_size, model, model_size, section, section_size);
  native_load_instr += instr_since(t0);
  return s;
}

/* ---- stack painting ----------------------------------------------------- */

extern uint8_t __heap_start[], __heap_end[], __stack[];
#define PAINT 0xA5C3A5C3u
#define STACK_MARGIN 1024u

static uint32_t *stack_bottom(void) { return (uint32_t *)(void *)__heap_end; }

static void paint_stack(void) {
  uint32_t *p = stack_bottom();
  uint32_t *sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  while (p < sp - 16) *p++ = PAINT;
}

static uint32_t stack_max; /* over every phase measured so far */

/* Stack peak of one phase: paint_stack() before it, stack_peak() after. */
static uint32_t stack_peak(void) {
  uint32_t *p = stack_bottom();
  uint32_t n;
  while (p < (uint32_t *)(void *)__stack && *p == PAINT) p++;
  n = (uint32_t)((uint8_t *)__stack - (uint8_t *)p);
  if (n > stack_max) stack_max = n;
  return n;
}

/* Duktape asks before deep C recursion (DUK_USE_NATIVE_STACK_CHECK); it
 * throws a RangeError instead of running into the heap below the stack. */
int tml_fw_stack_low(void) {
  uint8_t *sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  return sp < __heap_end + STACK_MARGIN;
}

/* Faults end the run with a message instead of hanging the emulator. */
static void fault(const char *what) {
  report(what);
  sh_exit(3);
}
void arm_hardfault_isr(void) { fault("the firmware crashed (hard fault)"); }
void arm_memmanage_isr(void) { fault("the firmware crashed (memory fault)"); }
void arm_busfault_isr(void) { fault("the firmware crashed (bus fault)"); }
void arm_usagefault_isr(void) { fault("the firmware crashed (usage fault)"); }

/* ---- what is in flash ---------------------------------------------------- */

extern const uint8_t tml_fw_model[], tml_fw_model_end[];
extern const uint8_t tml_fw_bundle[], tml_fw_bundle_end[];

/* The bundle blob is either Duktape bytecode (a dump starts with 0xBF, which
 * no source text does) or ES5 source of one function expression,
 * "function(){<bundle>\nreturn tinyml;}", as scripts/build-qemu.js wraps it. */
#define DUK_BYTECODE_MARKER 0xBF

static void push_js_function(duk_context *ctx, const uint8_t *p, const uint8_t *end, const char *name) {
  duk_size_t n = (duk_size_t)(end - p);
  if (n > 0 && p[0] == DUK_BYTECODE_MARKER) {
    duk_push_external_buffer(ctx);
    duk_config_buffer(ctx, -1, (void *)(uintptr_t)p, n);
    duk_load_function(ctx);
  } else {
    duk_push_string(ctx, name);
    duk_compile_lstring_filename(ctx, DUK_COMPILE_FUNCTION, (const char *)p, n);
  }
}

static void push_bundle_function(duk_context *ctx) {
  push_js_function(ctx, tml_fw_bundle, tml_fw_bundle_end, "tinyml.device.js");
}

/* bench only: an app's loop, `function(m, n) { while (n-- > 0) m.invoke(); }`,
 * compiled at build time like the bundle (compiling here would need a
 * stack the board does not have). */
extern const uint8_t tml_fw_driver[], tml_fw_driver_end[];

/* ---- command line ------------------------------------------------------- */

#define MAX_ARGS 24 /* app mode passes the app's arguments */
static char cmdline[1024];

/* Splits the command line on spaces and undoes the host's %XX encoding. */
static int parse_cmdline(char **argv) {
  uint32_t a[2];
  int argc = 0;
  char *p, *w;
  a[0] = (uint32_t)(uintptr_t)cmdline;
  a[1] = sizeof cmdline - 1;
  if (semihost(SH_GET_CMDLINE, a) != 0) return 0;
  cmdline[a[1] < sizeof cmdline ? a[1] : sizeof cmdline - 1] = '\0';
  p = cmdline;
  while (*p && argc < MAX_ARGS) {
    while (*p == ' ') p++;
    if (!*p) break;
    argv[argc++] = w = p;
    while (*p && *p != ' ') {
      if (p[0] == '%' && p[1] && p[2]) {
        char hex[3];
        hex[0] = p[1];
        hex[1] = p[2];
        hex[2] = '\0';
        *w++ = (char)strtol(hex, NULL, 16);
        p += 3;
      } else {
        *w++ = *p++;
      }
    }
    if (*p) p++;
    *w = '\0';
  }
  return argc;
}

static int parse_uint(const char *s, uint32_t *out) {
  uint32_t v = 0;
  if (!*s) return 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9' || v > 429496728u) return 0;
    v = v * 10u + (uint32_t)(*s - '0');
  }
  *out = v;
  return 1;
}

/* ---- the run ------------------------------------------------------------ */

typedef struct {
  int bench;
  const char *input, *output;
  uint32_t frames, arena_size, block_bytes, heap_cap;
  const char *file_error;
  const char *phase; /* what was running, for out-of-memory messages */
  char msg[256];
  /* measurements (bench) */
  uint64_t app_invoke_instr, app_kernel_instr;
  uint64_t eval_instr, load_instr, warm_instr, invoke_instr, kernel_warm,
      kernel;
  uint32_t stack_eval, stack_load, stack_run;
  uint32_t live_eval, live_load, live_run;
  uint32_t heap_empty, heap_after_eval, heap_peak_eval, heap_peak_load, heap_peak_run,
      heap_after_load, arena_used;
} fw_run;

/* Bench only: bytes the JS heap holds once garbage is collected (without
 * reference counting, garbage waits for mark-and-sweep). Outside every
 * measured span. */
static uint32_t live_bytes(duk_context *ctx, const fw_run *r) {
  if (!r->bench) return 0;
  duk_gc(ctx, 0);
  return tml_pool_stats_get()->in_use;
}

/* Calls obj_idx[name](nargs args on top); leaves the result on top. */
static void call_method(duk_context *ctx, duk_idx_t obj_idx, const char *name,
                        duk_idx_t nargs) {
  duk_push_string(ctx, name);
  duk_insert(ctx, -nargs - 1);
  duk_call_prop(ctx, obj_idx, nargs);
}

/* Pushes a Uint8Array over bytes that stay where they are (flash). */
static void push_external_u8(duk_context *ctx, const uint8_t *p, uint32_t n) {
  duk_push_external_buffer(ctx);
  duk_config_buffer(ctx, -1, (void *)(uintptr_t)p, n);
  duk_push_buffer_object(ctx, -1, 0, n, DUK_BUFOBJ_UINT8ARRAY);
  duk_remove(ctx, -2);
}

static const char *const DTYPE_NAMES[] = {"FLOAT32", "FLOAT16", "INT32", "UINT8", "INT64",
                                          "STRING", "BOOL", "INT16", "COMPLEX64", "INT8"};

/* "input 0 INT8 [1,49,10,1]" for the view on top of the stack. */
static size_t describe_view(duk_context *ctx, int index, char *buf, size_t cap) {
  size_t n;
  duk_int_t dt;
  duk_size_t k, len;
  duk_get_prop_string(ctx, -1, "dtype");
  dt = duk_get_int(ctx, -1);
  duk_pop(ctx);
  n = (size_t)snprintf(buf, cap, "input %d %s [", index,
                       dt >= 0 && dt < 10 ? DTYPE_NAMES[dt] : "?");
  duk_get_prop_string(ctx, -1, "shape");
  len = duk_get_length(ctx, -1);
  for (k = 0; k < len && n < cap; k++) {
    duk_get_prop_index(ctx, -1, (duk_uarridx_t)k);
    n += (size_t)snprintf(buf + n, cap - n, k ? ",%ld" : "%ld", (long)duk_get_int(ctx, -1));
    duk_pop(ctx);
  }
  duk_pop(ctx);
  if (n < cap) n += (size_t)snprintf(buf + n, cap - n, "]");
  return n < cap ? n : cap - 1;
}

#define MAX_IO 16

static void file_fail(fw_run *r, const char *what, const char *path) {
  snprintf(r->msg, sizeof r->msg, "cannot %s %s", what, path);
  r->file_error = r->msg;
}

/* dump: compiles the source bundle and writes its bytecode to the output file
 * (the build runs this once per bundle, on this very Duktape build). */
static duk_ret_t dump(duk_context *ctx, void *udata) {
  fw_run *r = (fw_run *)udata;
  duk_size_t n = 0;
  const void *p;
  int32_t fd;
  r->phase = "compiling the bundle";
  push_bundle_function(ctx);
  duk_dump_function(ctx);
  p = duk_get_buffer_data(ctx, -1, &n);
  fd = sh_open(r->output, 5);
  if (fd < 0 || sh_write(fd, p, (uint32_t)n) != 0) file_fail(r, "write", r->output);
  if (fd >= 0) sh_close(fd);
  return 0;
}

static duk_ret_t run(duk_context *ctx, void *udata) {
  fw_run *r = (fw_run *)udata;
  uint8_t *in_ptr[MAX_IO], *out_ptr[MAX_IO];
  uint32_t in_len[MAX_IO], out_len[MAX_IO];
  uint32_t n_in, n_out, in_bytes = 0, i, f;
  int32_t fd_in, fd_out = -1, flen;
  duk_idx_t m;
  uint64_t t0;

  /* The bundle: Duktape bytecode loaded from flash, or source compiled from
   * flash (no copy of the text). Either way a function returning `tinyml`. */
  r->phase = "loading the bundle";
  t0 = ticks_now();
  push_bundle_function(ctx);
  duk_call(ctx, 0);
  if (!duk_is_object(ctx, -1))
    return duk_type_error(ctx, "the bundle did not return the tinyml object");
  r->eval_instr = instr_since(t0);
  r->stack_eval = stack_peak();
  paint_stack();
  r->heap_after_eval = tml_pool_stats_get()->in_use;
  r->heap_peak_eval = tml_pool_stats_get()->peak;
  r->live_eval = live_bytes(ctx, r);
  tml_pool_reset_peak();

  /* new tinyml.Interpreter(model[, { arenaSize }]); allocateTensors() */
  r->phase = "loading the model";
  t0 = ticks_now();
  duk_get_prop_string(ctx, -1, "Interpreter");
  push_external_u8(ctx, tml_fw_model, (uint32_t)(tml_fw_model_end - tml_fw_model));
  if (r->arena_size > 0) {
    duk_push_object(ctx);
    duk_push_uint(ctx, r->arena_size);
    duk_put_prop_string(ctx, -2, "arenaSize");
  } else {
    duk_push_undefined(ctx);
  }
  duk_new(ctx, 2);
  m = duk_get_top_index(ctx);
  call_method(ctx, m, "allocateTensors", 0);
  duk_pop(ctx);
  r->load_instr = instr_since(t0);
  r->stack_load = stack_peak();
  r->live_load = live_bytes(ctx, r);
  r->heap_peak_load = tml_pool_stats_get()->peak;

  /* Input and output views: raw pointers onto the arena. */
  call_method(ctx, m, "inputCount", 0);
  n_in = (uint32_t)duk_get_uint(ctx, -1);
  duk_pop(ctx);
  call_method(ctx, m, "outputCount", 0);
  n_out = (uint32_t)duk_get_uint(ctx, -1);
  duk_pop(ctx);
  if (n_in > MAX_IO || n_out > MAX_IO)
    return duk_range_error(ctx, "the firmware handles at most %d inputs and outputs", MAX_IO);
  for (i = 0; i < n_in + n_out; i++) {
    duk_size_t len = 0;
    uint8_t *p;
    duk_push_uint(ctx, i < n_in ? i : i - n_in);
    call_method(ctx, m, i < n_in ? "input" : "output", 1);
    p = (uint8_t *)duk_require_buffer_data(ctx, -1, &len);
    duk_pop(ctx); /* the interpreter caches its views */
    if (i < n_in) {
      in_ptr[i] = p;
      in_len[i] = (uint32_t)len;
      in_bytes += (uint32_t)len;
    } else {
      out_ptr[i - n_in] = p;
      out_len[i - n_in] = (uint32_t)len;
    }
  }
  r->heap_after_load = tml_pool_stats_get()->in_use;
  r->arena_used = 0;
  call_method(ctx, m, "arenaUsedBytes", 0);
  r->arena_used = (uint32_t)duk_get_uint(ctx, -1);
  duk_pop(ctx);

  fd_in = sh_open(r->input, 1);
  if (fd_in < 0) {
    file_fail(r, "open", r->input);
    return 0;
  }
  flen = sh_flen(fd_in);
  if (flen < 0 || (uint64_t)flen != (uint64_t)in_bytes * r->frames) {
    char desc[160];
    size_t n = 0;
    sh_close(fd_in);
    for (i = 0; i < n_in && n < sizeof desc; i++) {
      duk_push_uint(ctx, i);
      call_method(ctx, m, "input", 1);
      if (i > 0 && n + 2 < sizeof desc) {
        desc[n++] = ',';
        desc[n++] = ' ';
      }
      n += describe_view(ctx, (int)i, desc + n, sizeof desc - n);
      duk_pop(ctx);
    }
    desc[n < sizeof desc ? n : sizeof desc - 1] = '\0';
    return duk_generic_error(ctx,
                             "E_BAD_INPUT: input is %ld bytes, expected %lu (%lu frame(s) of "
                             "%lu bytes: %s)",
                             (long)flen, (unsigned long)(in_bytes * r->frames),
                             (unsigned long)r->frames, (unsigned long)in_bytes, desc);
  }

  tml_pool_reset_peak();
  paint_stack();
  r->phase = "running";
  for (f = 0; f < r->frames; f++) {
    int pass;
    /* bench: a warm-up invoke, then the measured one on the same input (read
     * again: the planner may reuse the input's bytes for later tensors). */
    for (pass = r->bench ? 0 : 1; pass < 2; pass++) {
      if (r->bench && sh_seek(fd_in, f * in_bytes) != 0) {
        sh_close(fd_in);
        file_fail(r, "read", r->input);
        return 0;
      }
      for (i = 0; i < n_in; i++) {
        if (sh_read(fd_in, in_ptr[i], in_len[i]) != 0) {
          sh_close(fd_in);
          if (fd_out >= 0) sh_close(fd_out);
          file_fail(r, "read", r->input);
          return 0;
        }
      }
      if (pass == 1 && r->bench) {
        /* State (LSTM, signal ops) starts over, as in a fresh interpreter. */
        call_method(ctx, m, "resetVariables", 0);
        duk_pop(ctx);
      }
      kernel_instr = 0;
      t0 = ticks_now();
      call_method(ctx, m, "invoke", 0);
      duk_pop(ctx);
      if (pass == 0) {
        r->warm_instr = instr_since(t0);
        r->kernel_warm = kernel_instr;
      } else {
        r->invoke_instr = instr_since(t0);
        r->kernel = kernel_instr;
      }
    }
    if (fd_out < 0) {
      fd_out = sh_open(r->output, 5);
      if (fd_out < 0) {
        sh_close(fd_in);
        file_fail(r, "write", r->output);
        return 0;
      }
    }
    for (i = 0; i < n_out; i++) {
      if (sh_write(fd_out, out_ptr[i], out_len[i]) != 0) {
        sh_close(fd_in);
        sh_close(fd_out);
        file_fail(r, "write", r->output);
        return 0;
      }
    }
  }
  if (r->bench) {
    /* What m.invoke() costs inside an app's own script loop (the calls
     * above also pay for entering the script from C): a function calling
     * invoke n times, run with n = 0 and n = 1; the difference, less its
     * kernels, is the script + binding overhead of one invoke. */
    int n;
    uint64_t spent[2];
    push_js_function(ctx, tml_fw_driver, tml_fw_driver_end, "driver.js");
    duk_call(ctx, 0);
    for (n = 0; n < 2; n++) {
      duk_dup_top(ctx);
      duk_dup(ctx, m);
      duk_push_int(ctx, n);
      kernel_instr = 0;
      t0 = ticks_now();
      duk_call(ctx, 2);
      spent[n] = instr_since(t0);
      duk_pop(ctx);
    }
    duk_pop(ctx);
    r->app_invoke_instr = spent[1] - spent[0];
    r->app_kernel_instr = kernel_instr;
  }
  r->heap_peak_run = tml_pool_stats_get()->peak;
  r->stack_run = stack_peak();
  r->live_run = live_bytes(ctx, r);
  sh_close(fd_in);
  if (fd_out < 0) fd_out = sh_open(r->output, 5); /* zero frames: empty file */
  if (fd_out < 0) {
    file_fail(r, "write", r->output);
    return 0;
  }
  sh_close(fd_out);
  return 0;
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

static void on_fatal(void *udata, const char *msg) {
  char line[200];
  const tml_pool_stats *st = tml_pool_stats_get();
  (void)udata;
  snprintf(line, sizeof line, "fatal: %s (JS heap %lu of %lu bytes in use)",
           msg ? msg : "(no message)", (unsigned long)st->in_use, (unsigned long)st->size);
  die(1, line);
}

/* Held back in the pool for the one big buffer of a load (pool.h). */
#define HOLD_BYTES 8192u

static uint8_t *align16(uint8_t *p) {
  return (uint8_t *)(((uintptr_t)p + 15u) & ~(uintptr_t)15u);
}

static void print_bench(const fw_run *r, uint32_t pool_size, uint32_t block) {
  char line[900];
  const tml_pool_stats *st = tml_pool_stats_get();
  snprintf(line, sizeof line,
           "TMLBENCH {\"evalInstructions\":%llu,\"loadInstructions\":%llu,\"nativeLoadInstructions\":%llu,"
           "\"appInvokeInstructions\":%llu,\"appKernelInstructions\":%llu,"
           "\"warmupInstructions\":%llu,\"warmupKernelInstructions\":%llu,"
           "\"invokeInstructions\":%llu,\"kernelInstructions\":%llu,"
           "\"heapLiveEval\":%lu,\"heapLiveLoad\":%lu,\"heapLiveRun\":%lu,"
           "\"heapEmpty\":%lu,\"heapAfterEval\":%lu,\"heapPeakEval\":%lu,\"heapPeakLoad\":%lu,"
           "\"heapAfterLoad\":%lu,\"heapPeakRun\":%lu,\"heapPool\":%lu,\"heapHeld\":%lu,"
           "\"heapFailures\":%lu,"
           "\"arenaUsed\":%lu,\"arenaBlock\":%lu,\"stackPeakEval\":%lu,\"stackPeakLoad\":%lu,"
           "\"stackPeakRun\":%lu,\"stackSize\":%lu,"
           "\"staticBytes\":%lu}\n",
           (unsigned long long)r->eval_instr, (unsigned long long)r->load_instr,
           (unsigned long long)native_load_instr,
           (unsigned long long)r->app_invoke_instr, (unsigned long long)r->app_kernel_instr,
           (unsigned long long)r->warm_instr, (unsigned long long)r->kernel_warm,
           (unsigned long long)r->invoke_instr, (unsigned long long)r->kernel,
           (unsigned long)r->live_eval, (unsigned long)r->live_load, (unsigned long)r->live_run,
           (unsigned long)r->heap_empty, (unsigned long)r->heap_after_eval, (unsigned long)r->heap_peak_eval,
           (unsigned long)r->heap_peak_load, (unsigned long)r->heap_after_load,
           (unsigned long)r->heap_peak_run, (unsigned long)pool_size,
           (unsigned long)tml_pool_held(),
           (unsigned long)st->failures, (unsigned long)r->arena_used, (unsigned long)block,
           (unsigned long)r->stack_eval, (unsigned long)r->stack_load, (unsigned long)r->stack_run,
           (unsigned long)(__stack - __heap_end),
           (unsigned long)(__heap_start - (uint8_t *)0x20000000u));
  put_str(out_fd, line);
}

/* ==== app mode: a user's app (`tinyml build --board qemu-m4`) ==============
 *   fw app <flags> [args...]
 * Runs the app function in tml_fw_bundle (device core + app, bytecode) with
 * the global `board` (docs/board-api.md) over the file table in tml_fw_model
 * (scripts/app-image.js writes it: "TMLF", version, count, arena block bytes,
 * then per file name offset/length and data offset/length, data 16-aligned).
 * flags: 1 = print each invoke's per-op instructions on stderr
 * ("TMLPROFILE <kernel instructions> <ops> <kind>:<instructions>..."),
 * 2 = print heap and stack figures at exit ("TMLAPP {json}" on stderr).
 * Idle time in board.loop passes instantly: millis() is the instruction
 * count at 64 MHz plus the time spent idle.
 */
#define APP_MHZ 64u
#define BOARD_NAME "qemu-m4"
#define APP_EXIT_MARK "__tinyml_exit__"
#define PROF_MAX 256u

static uint32_t app_flags;
static uint64_t app_idle_ms;
static int app_exit_code = -1;
static uint32_t app_loop_period;

/* Per-op instructions of the last invoke (tml_profile_op, TML_PROFILE).
 * Only apps read them (profile(), --profile): the run/bench modes leave
 * prof_on 0, so a bench invoke pays two early returns per op, not the
 * counter reads (about 25 instructions an op). */
static uint32_t prof_n, prof_instr[PROF_MAX];
static int32_t prof_kind[PROF_MAX];
static uint64_t prof_t0, prof_kernel_before;
static int prof_on;

void tml_profile_op(uint32_t index, int32_t kind, int end) {
  if (!prof_on) return;
  if (!end) {
    if (index == 0) prof_n = 0;
    prof_t0 = ticks_now();
    return;
  }
  if (index < PROF_MAX) {
    prof_instr[index] = (uint32_t)instr_since(prof_t0);
    prof_kind[index] = kind;
    prof_n = index + 1;
  }
}

/* Called by __wrap_tml_invoke after each invoke: the profile line (flag 1). */
static void app_after_invoke(void) {
  char piece[40];
  uint32_t i;
  if (!(app_flags & 1u) || err_fd < 0) return;
  snprintf(piece, sizeof piece, "TMLPROFILE %llu %lu",
           (unsigned long long)(kernel_instr - prof_kernel_before), (unsigned long)prof_n);
  put_str(err_fd, piece);
  for (i = 0; i < prof_n; i++) {
    snprintf(piece, sizeof piece, " %ld:%lu", (long)prof_kind[i], (unsigned long)prof_instr[i]);
    put_str(err_fd, piece);
  }
  put_str(err_fd, "\n");
  prof_kernel_before = kernel_instr;
}

static uint32_t app_u32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* The file table: its entry count, or 0 when the blob is not one. */
static uint32_t app_files(void) {
  uint32_t n = (uint32_t)(tml_fw_model_end - tml_fw_model);
  if (n < 16 || memcmp(tml_fw_model, "TMLF", 4) != 0 || app_u32(tml_fw_model + 4) != 1) return 0;
  if (app_u32(tml_fw_model + 8) > (n - 16) / 16) return 0;
  return app_u32(tml_fw_model + 8);
}

static duk_ret_t board_file(duk_context *ctx) {
  const char *name = duk_require_string(ctx, 0);
  uint32_t count = app_files(), size = (uint32_t)(tml_fw_model_end - tml_fw_model), i;
  size_t len = strlen(name);
  for (i = 0; i < count; i++) {
    const uint8_t *e = tml_fw_model + 16 + 16 * i;
    uint32_t no = app_u32(e), nl = app_u32(e + 4), doff = app_u32(e + 8), dl = app_u32(e + 12);
    if (no > size || nl > size - no || doff > size || dl > size - doff) continue;
    if (nl == len && memcmp(tml_fw_model + no, name, len) == 0) {
      push_external_u8(ctx, tml_fw_model + doff, dl); /* over the flash: no copy */
      return 1;
    }
  }
  duk_push_null(ctx);
  return 1;
}

static uint64_t app_millis(void) {
  return ticks_now() * INSTR_PER_TICK / (APP_MHZ * 1000u) + app_idle_ms;
}

static duk_ret_t board_millis(duk_context *ctx) {
  duk_push_number(ctx, (duk_double_t)(app_millis() & 0xFFFFFFFFu));
  return 1;
}

static duk_ret_t board_print(duk_context *ctx) {
  duk_idx_t i, n = duk_get_top(ctx);
  for (i = 0; i < n; i++) {
    if (i > 0) put_str(out_fd, " ");
    put_str(out_fd, duk_safe_to_string(ctx, i));
  }
  put_str(out_fd, "\n");
  return 0;
}

static duk_ret_t board_exit(duk_context *ctx) {
  app_exit_code = duk_get_int_default(ctx, 0, 0);
  return duk_error(ctx, DUK_ERR_ERROR, APP_EXIT_MARK);
}

/* board.loop(fn, periodMs): the function waits in the global stash. */
static duk_ret_t board_loop(duk_context *ctx) {
  duk_require_function(ctx, 0);
  app_loop_period = (uint32_t)duk_require_uint(ctx, 1);
  duk_push_global_stash(ctx);
  duk_dup(ctx, 0);
  duk_put_prop_string(ctx, -2, "loop");
  return 0;
}

/* board.input(name): the host file, read into RAM through semihosting. */
static duk_ret_t board_input(duk_context *ctx) {
  int32_t fd = sh_open(duk_require_string(ctx, 0), 1), len;
  void *p;
  if (fd < 0) {
    duk_push_null(ctx);
    return 1;
  }
  len = sh_flen(fd);
  if (len < 0) {
    sh_close(fd);
    duk_push_null(ctx);
    return 1;
  }
  p = duk_push_fixed_buffer(ctx, (duk_size_t)len);
  if (len > 0 && sh_read(fd, p, (uint32_t)len) != 0) {
    sh_close(fd);
    return duk_generic_error(ctx, "board.input: cannot read %s", duk_get_string(ctx, 0));
  }
  sh_close(fd);
  duk_push_buffer_object(ctx, -1, 0, (duk_size_t)len, DUK_BUFOBJ_UINT8ARRAY);
  return 1;
}

static duk_ret_t board_output(duk_context *ctx) {
  const char *name = duk_require_string(ctx, 0);
  duk_size_t len = 0;
  const void *p = duk_require_buffer_data(ctx, 1, &len);
  int32_t fd = sh_open(name, 5);
  int ok = fd >= 0 && (len == 0 || sh_write(fd, p, (uint32_t)len) == 0);
  if (fd >= 0) sh_close(fd);
  duk_push_boolean(ctx, ok);
  return 1;
}

/* __tinyml_native.profile(): per-op instructions of the last invoke. */
static duk_ret_t native_profile(duk_context *ctx) {
  uint32_t i;
  duk_push_object(ctx);
  duk_push_string(ctx, "instructions");
  duk_put_prop_string(ctx, -2, "unit");
  duk_push_array(ctx);
  for (i = 0; i < prof_n; i++) {
    duk_push_uint(ctx, prof_instr[i]);
    duk_put_prop_index(ctx, -2, i);
  }
  duk_put_prop_string(ctx, -2, "ops");
  duk_push_array(ctx);
  for (i = 0; i < prof_n; i++) {
    duk_push_int(ctx, prof_kind[i]);
    duk_put_prop_index(ctx, -2, i);
  }
  duk_put_prop_string(ctx, -2, "kinds");
  return 1;
}

typedef struct {
  int argc;
  char **argv;
} app_args;

static void app_put_fn(duk_context *ctx, const char *name, duk_c_function fn, duk_idx_t nargs) {
  duk_push_c_function(ctx, fn, nargs);
  duk_put_prop_string(ctx, -2, name);
}

static duk_ret_t app_run(duk_context *ctx, void *udata) {
  app_args *a = (app_args *)udata;
  int i;
  uint64_t due;
  duk_get_global_string(ctx, "__tinyml_native");
  app_put_fn(ctx, "profile", native_profile, 1);
  duk_pop(ctx);
  duk_push_object(ctx);
  duk_push_string(ctx, BOARD_NAME);
  duk_put_prop_string(ctx, -2, "name");
  duk_push_array(ctx);
  for (i = 0; i < a->argc; i++) {
    duk_push_string(ctx, a->argv[i]);
    duk_put_prop_index(ctx, -2, (duk_uarridx_t)i);
  }
  duk_put_prop_string(ctx, -2, "args");
  app_put_fn(ctx, "print", board_print, DUK_VARARGS);
  app_put_fn(ctx, "file", board_file, 1);
  app_put_fn(ctx, "millis", board_millis, 0);
  app_put_fn(ctx, "loop", board_loop, 2);
  app_put_fn(ctx, "exit", board_exit, 1);
  app_put_fn(ctx, "input", board_input, 1);
  app_put_fn(ctx, "output", board_output, 2);
  duk_put_global_string(ctx, "board");

  /* The app's top level (the core's and the app's code, from flash). */
  push_bundle_function(ctx);
  duk_call(ctx, 0);
  duk_pop(ctx);
  /* The scheduler: the loop function every period until exit or a throw. */
  due = app_millis();
  for (;;) {
    uint64_t now;
    duk_push_global_stash(ctx);
    duk_get_prop_string(ctx, -1, "loop");
    if (!duk_is_function(ctx, -1)) break;
    now = app_millis();
    if (now < due) app_idle_ms += due - now; /* sleep: no instructions pass */
    duk_call(ctx, 0);
    duk_pop_2(ctx);
    due += app_loop_period;
    now = app_millis();
    if (due < now) due = now; /* running late: no burst to catch up */
  }
  return 0;
}

static int app_main(int argc, char **argv) {
  app_args a;
  uint8_t *region = align16(__heap_start), *block;
  uint32_t region_bytes, block_bytes, pool_bytes, flags = 0;
  duk_context *ctx;
  int code = 0;
  if (argc < 3 || !parse_uint(argv[2], &flags)) die(2, "usage: fw app <flags> [args...]");
  app_flags = flags;
  prof_on = 1;
  a.argc = argc - 3;
  a.argv = argv + 3;
  region_bytes = (uint32_t)(__heap_end - region) & ~15u;
  block_bytes = app_files() ? (app_u32(tml_fw_model + 12) + 15u) & ~15u : 0;
  if (block_bytes + 4096u > region_bytes) die(1, "E_ARENA_TOO_SMALL: the app's arena block does not fit the board's RAM");
  pool_bytes = region_bytes - block_bytes;
  block = region + pool_bytes;
  tml_pool_init(region, pool_bytes);
  ctx = duk_create_heap(tml_pool_alloc, tml_pool_realloc, tml_pool_free, NULL, on_fatal);
  if (ctx == NULL) die(1, "cannot create the Duktape heap");
  tml_duk_register(ctx, block_bytes ? block : NULL, block_bytes);
  {
    uint32_t empty = tml_pool_stats_get()->in_use;
    tml_pool_reset_peak();
    if (duk_safe_call(ctx, app_run, &a, 0, 1) != DUK_EXEC_SUCCESS) {
      if (app_exit_code >= 0) {
        code = app_exit_code;
      } else {
        /* TinyMLError: "E_CODE: message"; other errors: their string form. */
        if (duk_is_object(ctx, -1) && duk_has_prop_string(ctx, -1, "code"))
          report(error_line(ctx));
        else
          report(duk_safe_to_string(ctx, -1));
        code = 1;
      }
    }
    if (flags & 2u) {
      char line[200];
      const tml_pool_stats *st = tml_pool_stats_get();
      (void)stack_peak();
      duk_gc(ctx, 0);
      snprintf(line, sizeof line,
               "TMLAPP {\"heapEmpty\":%lu,\"heapPeak\":%lu,\"heapLive\":%lu,\"heapPool\":%lu,\"arenaBlock\":%lu,"
               "\"stackPeak\":%lu}\n",
               (unsigned long)empty, (unsigned long)st->peak, (unsigned long)st->in_use,
               (unsigned long)pool_bytes, (unsigned long)block_bytes, (unsigned long)stack_max);
      put_str(err_fd, line);
    }
  }
  (void)stack_peak();
  if (stack_max + STACK_MARGIN / 2 > (uint32_t)(__stack - __heap_end)) {
    report("the stack overflowed its reserve");
    code = 3;
  }
  sh_exit(code);
  return code;
}
/* ==== end of app mode ====================================================== */

int main(void) {
  static fw_run r;
  char *argv[MAX_ARGS];
  int argc, code = 0;
  uint8_t *region = align16(__heap_start), *block;
  uint32_t region_bytes, block_bytes, pool_bytes;
  duk_context *ctx;

  paint_stack();
  ticks_start();
  out_fd = sh_open(":tt", 4);
  err_fd = sh_open(":tt", 8);

  argc = parse_cmdline(argv);
  if (argc >= 2 && strcmp(argv[1], "app") == 0) return app_main(argc, argv);
  if (argc != 8 ||
      (strcmp(argv[1], "run") != 0 && strcmp(argv[1], "bench") != 0 && strcmp(argv[1], "dump") != 0) ||
      !parse_uint(argv[4], &r.frames) || !parse_uint(argv[5], &r.arena_size) ||
      !parse_uint(argv[6], &r.block_bytes) || !parse_uint(argv[7], &r.heap_cap))
    die(2, "usage: fw <run|bench|dump> <input> <output> <frames> <arenaSize|0> <blockBytes> "
           "<heapCap|0>");
  r.bench = strcmp(argv[1], "bench") == 0;
  r.input = argv[2];
  r.output = argv[3];

  /* The arena block sits at the top of the free RAM, the JS pool below it. */
  region_bytes = (uint32_t)(__heap_end - region) & ~15u;
  block_bytes = (r.block_bytes + 15u) & ~15u;
  if (block_bytes + 4096u > region_bytes) {
    char m[120];
    snprintf(m, sizeof m, "E_ARENA_TOO_SMALL: an arena of %lu bytes does not fit the board's %lu free bytes of RAM",
             (unsigned long)block_bytes, (unsigned long)region_bytes);
    die(1, m);
  }
  pool_bytes = region_bytes - block_bytes;
  block = region + pool_bytes;
  /* A cap lets the bench find the smallest pool a model runs in. */
  tml_pool_init(region, r.heap_cap > 0 && r.heap_cap < pool_bytes ? r.heap_cap : pool_bytes);

  ctx = duk_create_heap(tml_pool_alloc, tml_pool_realloc, tml_pool_free, NULL, on_fatal);
  if (ctx == NULL) die(1, "cannot create the Duktape heap");
  tml_duk_register(ctx, block, block_bytes);
  tml_pool_hold(HOLD_BYTES);
  r.heap_empty = tml_pool_stats_get()->in_use;

  if (duk_safe_call(ctx, strcmp(argv[1], "dump") == 0 ? dump : run, &r, 0, 1) !=
      DUK_EXEC_SUCCESS) {
    const tml_pool_stats *st = tml_pool_stats_get();
    /* The pool is named only when it is the cause: an allocation failed and
     * the error is Duktape's out-of-memory one (a failure it recovered from,
     * by collecting garbage, is not worth a word). */
    if (st->failures > 0 && strstr(error_line(ctx), "alloc") != NULL) {
      char m[200];
      uint32_t total = 0, largest = tml_pool_largest_free(&total);
      snprintf(m, sizeof m,
               " (the JS heap pool of %lu bytes ran out while %s: %lu bytes asked, "
               "%lu free in pieces of at most %lu)",
               (unsigned long)st->size, r.phase ? r.phase : "starting",
               (unsigned long)st->last_failed, (unsigned long)total, (unsigned long)largest);
      report2(error_line(ctx), m);
    } else {
      report(error_line(ctx));
    }
    code = 1;
  } else if (r.file_error != NULL) {
    report(r.file_error);
    code = 2;
  } else if (r.bench) {
    print_bench(&r, pool_bytes, block_bytes);
  }
  (void)stack_peak();
  if (stack_max + STACK_MARGIN / 2 > (uint32_t)(__stack - __heap_end)) {
    report("the stack overflowed its reserve");
    code = 3;
  }
  sh_exit(code);
  return code;
}
