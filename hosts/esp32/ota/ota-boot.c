/*
 * The ESP-IDF calls the updater (modules/ota) needs and `embedded:update` does not expose:
 * the bootloader's rollback state of the running app and the slot choice apart from writing.
 * Compiled only in an ESP-IDF build (this folder's manifest.json is included by the esp32
 * build, see hosts/esp32/README.md "Updates"); needs CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE=y,
 * without which a new app starts as valid and is never rolled back.
 */
#include "xsmc.h"
#include "xsHost.h"
/* Moddable's esp32 makefile compiles this file outside ESP-IDF's CMake: only $(IDF_PATH)/components
   is on its include path for app_update, so the header is named from there (as the SDK's own
   embedded:update does); a bare "esp_ota_ops.h" is not found. */
#include "app_update/include/esp_ota_ops.h"
#include "esp_system.h"

/* 0 for ota_0, 1 for ota_1 (the running app partition). */
void xs_ota_boot_running_slot(xsMachine *the)
{
	const esp_partition_t *running = esp_ota_get_running_partition();
	xsmcSetInteger(xsResult, running->subtype - ESP_PARTITION_SUBTYPE_APP_OTA_0);
}

/* The running app was just installed and waits for confirmation (ESP_OTA_IMG_PENDING_VERIFY). */
void xs_ota_boot_pending_verify(xsMachine *the)
{
	esp_ota_img_states_t state;
	esp_err_t err = esp_ota_get_state_partition(esp_ota_get_running_partition(), &state);
	xsmcSetBoolean(xsResult, (ESP_OK == err) && (ESP_OTA_IMG_PENDING_VERIFY == state));
}

/* Confirms the running app: the bootloader keeps it. */
void xs_ota_boot_mark_valid(xsMachine *the)
{
	if (ESP_OK != esp_ota_mark_app_valid_cancel_rollback())
		xsUnknownError("mark valid failed");
}

/* Marks the running app invalid and restarts into the previous one; returns only on failure. */
void xs_ota_boot_rollback(xsMachine *the)
{
	esp_ota_mark_app_invalid_rollback_and_reboot();
	xsUnknownError("no app to roll back to");
}

/* The slot written last (the one not running) boots next; ESP-IDF checks its image first. */
void xs_ota_boot_set_boot_to_update(xsMachine *the)
{
	const esp_partition_t *next = esp_ota_get_next_update_partition(NULL);
	if (!next || (ESP_OK != esp_ota_set_boot_partition(next)))
		xsUnknownError("can't change boot partition");
}

void xs_ota_boot_restart(xsMachine *the)
{
	(void)the;
	esp_restart();
}
