/* What the ESP-IDF stand-ins share. */
#pragma once
#include <stddef.h>
#include <stdint.h>
typedef int esp_err_t;
#define ESP_OK 0
#define IRAM_ATTR
