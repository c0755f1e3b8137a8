/* Stand-in for ESP-IDF's driver/gpio.h (see spi_master.h). */
#pragma once
#include "esp-stub.h"
typedef int gpio_num_t;
#define GPIO_MODE_INPUT 1
#define GPIO_INTR_POSEDGE 1
typedef struct {
	uint64_t pin_bit_mask;
	int mode, intr_type;
} gpio_config_t;
int gpio_get_level(gpio_num_t pin);
esp_err_t gpio_config(const gpio_config_t *config);
esp_err_t gpio_install_isr_service(int flags);
esp_err_t gpio_isr_handler_add(gpio_num_t pin, void (*handler)(void *), void *context);
esp_err_t gpio_isr_handler_remove(gpio_num_t pin);
