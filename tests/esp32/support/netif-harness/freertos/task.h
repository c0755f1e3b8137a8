#pragma once
#include "freertos/FreeRTOS.h"
BaseType_t xTaskCreate(void (*code)(void *), const char *name, uint32_t stack, void *context, UBaseType_t priority, TaskHandle_t *task);
void vTaskDelete(TaskHandle_t task);
void vTaskDelay(TickType_t ticks);
BaseType_t xTaskNotifyGive(TaskHandle_t task);
uint32_t ulTaskNotifyTake(BaseType_t clear, TickType_t wait);
void vTaskNotifyGiveFromISR(TaskHandle_t task, BaseType_t *woken);
TickType_t xTaskGetTickCount(void);
