/*
 * jerry_port_esp32.c - the few platform functions JerryScript 3.0's core
 * calls, for ESP-IDF. Scripts come from the flash image, never from a file
 * system, so module and source loading answer "not available".
 */
#include <stdio.h>
#include <sys/time.h>

#include "esp_system.h"
#include "jerryscript-port.h"

void jerry_port_init(void) {}

void jerry_port_fatal(jerry_fatal_code_t code) {
  printf("tinyml: JerryScript fatal error %d, restarting\n", (int)code);
  fflush(stdout);
  esp_restart(); /* does not return */
}

void jerry_port_log(const char *message_p) {
  fputs(message_p, stdout);
}

double jerry_port_current_time(void) {
  struct timeval tv;
  if (gettimeofday(&tv, NULL) != 0) return 0.0;
  return (double)tv.tv_sec * 1000.0 + (double)tv.tv_usec / 1000.0;
}

/* The board keeps UTC. */
int32_t jerry_port_local_tza(double unix_ms) {
  (void)unix_ms;
  return 0;
}

jerry_char_t *jerry_port_path_normalize(const jerry_char_t *path_p, jerry_size_t path_size) {
  (void)path_p;
  (void)path_size;
  return NULL;
}

void jerry_port_path_free(jerry_char_t *path_p) { (void)path_p; }

jerry_size_t jerry_port_path_base(const jerry_char_t *path_p) {
  (void)path_p;
  return 0;
}

jerry_char_t *jerry_port_source_read(const char *file_name_p, jerry_size_t *out_size_p) {
  (void)file_name_p;
  *out_size_p = 0;
  return NULL;
}

void jerry_port_source_free(jerry_char_t *buffer_p) { (void)buffer_p; }
