/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-ins for the kernel API that kernel/pktstat_core.c uses, for
 * the test build only: threads play the CPUs, locks count their holders.
 */
#ifndef _PKTSTAT_USER_H
#define _PKTSTAT_USER_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <pthread.h>
#include <sched.h>

typedef uint64_t u64;
typedef int64_t s64;
typedef uint32_t u32;
#define __percpu
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
/* the core's buffers always fit their text, so the two return the same */
#define scnprintf		snprintf

/* the test asserts lock balance through ->held */
typedef struct { pthread_mutex_t mutex; int held; } spinlock_t;
static inline void spin_lock_init(spinlock_t *l)
{
	pthread_mutex_init(&l->mutex, NULL);
	l->held = 0;
}

static inline void spin_lock(spinlock_t *l)
{
	pthread_mutex_lock(&l->mutex);
	l->held++;
}

static inline void spin_unlock(spinlock_t *l)
{
	l->held--;
	pthread_mutex_unlock(&l->mutex);
}

u64 pktstat_mono_now(void);			/* the test's CLOCK_MONOTONIC */
s64 pktstat_real_offset(void);			/* its CLOCK_REALTIME - CLOCK_MONOTONIC */
u64 pktstat_pkt_now(void);			/* the test's packet clock */
#define pktstat_pc(c, cpu)		(&(c)->pcpu[cpu])
#define pktstat_for_each_cpu(cpu, c)	for ((cpu) = 0; (cpu) < (c)->ncpu; (cpu)++)
#define pktstat_nr_cpus(c)		((c)->ncpu)
#define pktstat_rem(t, period)		((t) % (period))

/*
 * The kernel's seqcount with C11 atomics and no fences (ThreadSanitizer does not
 * model fences): the writer's data stores are releases after the odd count, so a
 * reader that sees any of them also sees the count odd or moved on, and retries.
 */
typedef struct { unsigned int sequence; } seqcount_t;
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
static inline void seqcount_init(seqcount_t *s)
{
	s->sequence = 0;
}

static inline void raw_write_seqcount_begin(seqcount_t *s)
{
	__atomic_store_n(&s->sequence, s->sequence + 1, __ATOMIC_RELAXED);
}

static inline void raw_write_seqcount_end(seqcount_t *s)
{
	__atomic_store_n(&s->sequence, s->sequence + 1, __ATOMIC_RELEASE);
}

static inline unsigned int read_seqcount_begin(const seqcount_t *s)
{
	unsigned int seq;

	/* a thread, unlike a CPU with BHs off, can be descheduled mid-write */
	while ((seq = __atomic_load_n(&s->sequence, __ATOMIC_ACQUIRE)) & 1)
		sched_yield();
	return seq;
}

static inline int read_seqcount_retry(const seqcount_t *s, unsigned int seq)
{
	return __atomic_load_n(&s->sequence, __ATOMIC_RELAXED) != seq;
}

#endif /* _PKTSTAT_USER_H */
