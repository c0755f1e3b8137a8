/*
 * lwIP's operating-system layer on POSIX threads, written for this test from lwIP's sys.h
 * contract: counting semaphores (mutexes are semaphores of one), fixed-size mailboxes, threads,
 * a millisecond clock and one lock for SYS_LIGHTWEIGHT_PROT.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "lwip/err.h"
#include "lwip/sys.h"

struct xs15118_sem {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	unsigned count;
};

#define MBOX_SLOTS 128

struct xs15118_mbox {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	void *slots[MBOX_SLOTS];
	unsigned head, count, size;
};

static pthread_mutex_t protection = PTHREAD_MUTEX_INITIALIZER;

void sys_init(void)
{
}

u32_t sys_now(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (u32_t)(now.tv_sec * 1000 + now.tv_nsec / 1000000);
}

sys_prot_t sys_arch_protect(void)
{
	pthread_mutex_lock(&protection);
	return 0;
}

void sys_arch_unprotect(sys_prot_t level)
{
	(void)level;
	pthread_mutex_unlock(&protection);
}

/* An absolute deadline `ms` from now for pthread_cond_timedwait (0: none). */
static void deadline(u32_t ms, struct timespec *at)
{
	clock_gettime(CLOCK_REALTIME, at);
	at->tv_sec += ms / 1000;
	at->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (at->tv_nsec >= 1000000000L) {
		at->tv_sec++;
		at->tv_nsec -= 1000000000L;
	}
}

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
	struct xs15118_sem *s = calloc(1, sizeof(*s));
	if (!s)
		return ERR_MEM;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->changed, NULL);
	s->count = count;
	*sem = s;
	return ERR_OK;
}

void sys_sem_free(sys_sem_t *sem)
{
	struct xs15118_sem *s = *sem;
	pthread_cond_destroy(&s->changed);
	pthread_mutex_destroy(&s->lock);
	free(s);
	*sem = NULL;
}

void sys_sem_signal(sys_sem_t *sem)
{
	struct xs15118_sem *s = *sem;
	pthread_mutex_lock(&s->lock);
	s->count++;
	pthread_cond_signal(&s->changed);
	pthread_mutex_unlock(&s->lock);
}

u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout)
{
	struct xs15118_sem *s = *sem;
	u32_t start = sys_now();
	struct timespec at;
	deadline(timeout, &at);
	pthread_mutex_lock(&s->lock);
	while (s->count == 0) {
		if (timeout == 0)
			pthread_cond_wait(&s->changed, &s->lock);
		else if (pthread_cond_timedwait(&s->changed, &s->lock, &at) == ETIMEDOUT) {
			pthread_mutex_unlock(&s->lock);
			return SYS_ARCH_TIMEOUT;
		}
	}
	s->count--;
	pthread_mutex_unlock(&s->lock);
	return sys_now() - start;
}

err_t sys_mutex_new(sys_mutex_t *mutex)
{
	return sys_sem_new(mutex, 1);
}

void sys_mutex_lock(sys_mutex_t *mutex)
{
	sys_arch_sem_wait(mutex, 0);
}

void sys_mutex_unlock(sys_mutex_t *mutex)
{
	sys_sem_signal(mutex);
}

void sys_mutex_free(sys_mutex_t *mutex)
{
	sys_sem_free(mutex);
}

err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
	struct xs15118_mbox *m = calloc(1, sizeof(*m));
	if (!m)
		return ERR_MEM;
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->changed, NULL);
	m->size = size > 0 && size < MBOX_SLOTS ? (unsigned)size : MBOX_SLOTS;
	*mbox = m;
	return ERR_OK;
}

void sys_mbox_free(sys_mbox_t *mbox)
{
	struct xs15118_mbox *m = *mbox;
	pthread_cond_destroy(&m->changed);
	pthread_mutex_destroy(&m->lock);
	free(m);
	*mbox = NULL;
}

static err_t post(struct xs15118_mbox *m, void *message, int wait)
{
	pthread_mutex_lock(&m->lock);
	while (m->count == m->size) {
		if (!wait) {
			pthread_mutex_unlock(&m->lock);
			return ERR_MEM;
		}
		pthread_cond_wait(&m->changed, &m->lock);
	}
	m->slots[(m->head + m->count) % MBOX_SLOTS] = message;
	m->count++;
	pthread_cond_broadcast(&m->changed);
	pthread_mutex_unlock(&m->lock);
	return ERR_OK;
}

void sys_mbox_post(sys_mbox_t *mbox, void *message)
{
	post(*mbox, message, 1);
}

err_t sys_mbox_trypost(sys_mbox_t *mbox, void *message)
{
	return post(*mbox, message, 0);
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *message)
{
	return post(*mbox, message, 0);
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **message, u32_t timeout)
{
	struct xs15118_mbox *m = *mbox;
	u32_t start = sys_now();
	struct timespec at;
	deadline(timeout, &at);
	pthread_mutex_lock(&m->lock);
	while (m->count == 0) {
		if (timeout == 0)
			pthread_cond_wait(&m->changed, &m->lock);
		else if (pthread_cond_timedwait(&m->changed, &m->lock, &at) == ETIMEDOUT) {
			pthread_mutex_unlock(&m->lock);
			return SYS_ARCH_TIMEOUT;
		}
	}
	if (message)
		*message = m->slots[m->head];
	m->head = (m->head + 1) % MBOX_SLOTS;
	m->count--;
	pthread_cond_broadcast(&m->changed);
	pthread_mutex_unlock(&m->lock);
	return sys_now() - start;
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **message)
{
	struct xs15118_mbox *m = *mbox;
	pthread_mutex_lock(&m->lock);
	if (m->count == 0) {
		pthread_mutex_unlock(&m->lock);
		return SYS_MBOX_EMPTY;
	}
	if (message)
		*message = m->slots[m->head];
	m->head = (m->head + 1) % MBOX_SLOTS;
	m->count--;
	pthread_cond_broadcast(&m->changed);
	pthread_mutex_unlock(&m->lock);
	return 0;
}

struct start {
	lwip_thread_fn function;
	void *argument;
};

static void *run(void *argument)
{
	struct start s = *(struct start *)argument;
	free(argument);
	s.function(s.argument);
	return NULL;
}

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn function, void *argument, int stacksize, int priority)
{
	pthread_t thread;
	struct start *s = malloc(sizeof(*s));
	(void)name;
	(void)stacksize;
	(void)priority;
	s->function = function;
	s->argument = argument;
	pthread_create(&thread, NULL, run, s);
	pthread_detach(thread);
	return (sys_thread_t)thread;
}
