/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-ins for the kernel API that kernel/pktstat_core.c uses, for
 * the test build only: one thread plays every CPU, locks count their holders.
 */
#ifndef _PKTSTAT_USER_H
#define _PKTSTAT_USER_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>

typedef uint64_t u64;
typedef uint32_t u32;
typedef struct { int held; } spinlock_t;
#define __percpu
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
/* the test asserts lock balance through ->held */
#define spin_lock(l)		((l)->held++)
#define spin_unlock(l)		((l)->held--)
#define spin_lock_init(l)	((l)->held = 0)
/* the core's buffers always fit their text, so the two return the same */
#define scnprintf		snprintf

u64 pktstat_now(void);				/* the test's clock */
#define pktstat_pc(c, cpu)		(&(c)->pcpu[cpu])
#define pktstat_for_each_cpu(cpu, c)	for ((cpu) = 0; (cpu) < (c)->ncpu; (cpu)++)
#define pktstat_nr_cpus(c)		((c)->ncpu)
#define pktstat_rem(t, period)		((t) % (period))

#endif /* _PKTSTAT_USER_H */
