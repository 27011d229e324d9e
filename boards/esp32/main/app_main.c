/*
 * app_main.c - the ESP32 entry: map the tinyml partition (app + models,
 * written with mkimage.js) and run its app on JerryScript with the tinyml
 * module (tinyml_board.c). Arenas come from a static block outside the
 * JerryScript heap, sized by CONFIG_TINYML_ARENA_BYTES.
 */
#include <stdio.h>

#include "esp_err.h"
#include "esp_partition.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "sdkconfig.h"

#include "tinyml_board.h"

static uint8_t s_arena_block[CONFIG_TINYML_ARENA_BYTES] __attribute__((aligned(16)));

static void board_log(const char *line) {
  printf("%s\n", line);
  fflush(stdout);
}

static void board_sleep(uint32_t ms) {
  TickType_t ticks = pdMS_TO_TICKS(ms);
  vTaskDelay(ticks > 0 ? ticks : 1);
}

static uint32_t board_millis(void) {
  return (uint32_t)(esp_timer_get_time() / 1000);
}

void app_main(void) {
  const esp_partition_t *part;
  const void *image = NULL;
  esp_partition_mmap_handle_t handle;
  tml_board_config config;
  esp_err_t err;

  part = esp_partition_find_first(ESP_PARTITION_TYPE_DATA, ESP_PARTITION_SUBTYPE_ANY,
                                  CONFIG_TINYML_PARTITION_LABEL);
  if (part == NULL) {
    board_log("tinyml: no data partition labelled " CONFIG_TINYML_PARTITION_LABEL
              " (see boards/esp32/project/partitions.csv)");
    return;
  }
  /* Mapped, not copied: models stay in flash and a snapshot runs in place. */
  err = esp_partition_mmap(part, 0, part->size, ESP_PARTITION_MMAP_DATA, &image, &handle);
  if (err != ESP_OK) {
    board_log("tinyml: cannot map the tinyml partition");
    return;
  }
  config.name = "esp32";
  config.image = (const uint8_t *)image;
  config.image_size = part->size;
  config.arena_block = s_arena_block;
  config.arena_bytes = (uint32_t)sizeof s_arena_block;
  config.millis = board_millis;
  config.log = board_log;
  config.sleep_ms = board_sleep;
  (void)tml_board_run(&config);
  esp_partition_munmap(handle);
}
