/* lwIP's OS types on POSIX threads (sys_arch.c). */
#ifndef XS15118_SYS_ARCH_H
#define XS15118_SYS_ARCH_H
struct xs15118_sem;
struct xs15118_mbox;
typedef struct xs15118_sem *sys_sem_t;
typedef struct xs15118_sem *sys_mutex_t;
typedef struct xs15118_mbox *sys_mbox_t;
typedef unsigned long sys_thread_t;
typedef int sys_prot_t;
#define SYS_MBOX_NULL NULL
#define SYS_SEM_NULL NULL
#define sys_sem_valid(s) ((s) != NULL && *(s) != NULL)
#define sys_sem_set_invalid(s) (*(s) = NULL)
#define sys_mutex_valid(m) ((m) != NULL && *(m) != NULL)
#define sys_mutex_set_invalid(m) (*(m) = NULL)
#define sys_mbox_valid(m) ((m) != NULL && *(m) != NULL)
#define sys_mbox_set_invalid(m) (*(m) = NULL)
#endif
