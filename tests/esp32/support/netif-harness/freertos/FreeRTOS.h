/* Stand-in for FreeRTOS as qca7000-netif.c uses it: queues of fixed-size items (harness.c), task
   notifications that only count (the harness runs the driver task's steps itself). */
#pragma once
#include "esp-stub.h"
typedef long BaseType_t;
typedef unsigned long UBaseType_t;
typedef uint32_t TickType_t;
typedef struct xs15118_queue *QueueHandle_t;
typedef struct xs15118_task *TaskHandle_t;
#define pdTRUE 1
#define pdFALSE 0
#define pdMS_TO_TICKS(ms) ((TickType_t)(ms))
#define portYIELD_FROM_ISR() ((void)0)
