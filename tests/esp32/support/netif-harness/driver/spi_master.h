/* Stand-in for ESP-IDF's driver/spi_master.h: the types and calls qca7000-netif.c uses; the
   harness (harness.c) puts a simulated QCA7000 behind spi_device_polling_transmit. */
#pragma once
#include "esp-stub.h"
typedef int spi_host_device_t;
#define SPI3_HOST 2
#define SPI_DMA_CH_AUTO 3
typedef struct xs15118_spi_device *spi_device_handle_t;
typedef struct {
	size_t length; /* bits */
	const void *tx_buffer;
	void *rx_buffer;
} spi_transaction_t;
typedef struct {
	int sclk_io_num, miso_io_num, mosi_io_num, quadwp_io_num, quadhd_io_num, max_transfer_sz;
} spi_bus_config_t;
typedef struct {
	int mode, clock_speed_hz, spics_io_num, queue_size;
} spi_device_interface_config_t;
esp_err_t spi_bus_initialize(spi_host_device_t host, const spi_bus_config_t *bus, int dma);
esp_err_t spi_bus_add_device(spi_host_device_t host, const spi_device_interface_config_t *device, spi_device_handle_t *handle);
esp_err_t spi_bus_remove_device(spi_device_handle_t handle);
esp_err_t spi_bus_free(spi_host_device_t host);
esp_err_t spi_device_polling_transmit(spi_device_handle_t handle, spi_transaction_t *transaction);
