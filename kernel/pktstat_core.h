/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Window, close and FIFO logic of xt_pktstat. It compiles in the kernel and,
 * with test/core/pktstat_user.h standing in for the kernel API, in userspace,
 * so test/core/ can drive every edge case under sanitizers with a fake clock
 * and any number of "CPUs".
 */
#ifndef _PKTSTAT_CORE_H
#define _PKTSTAT_CORE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/percpu.h>
#include <linux/ktime.h>
#include <linux/math64.h>

#define pktstat_now()			ktime_get_real_ns()
#define pktstat_pc(c, cpu)		per_cpu_ptr((c)->pcpu, cpu)
#define pktstat_for_each_cpu(cpu, c)	for_each_possible_cpu(cpu)
#define pktstat_nr_cpus(c)		nr_cpu_ids
static inline u64 pktstat_rem(u64 t, u64 period)
{
	u64 rem;

	div64_u64_rem(t, period, &rem);
	return rem;
}
#else
/* userspace test build (test/core/): stand-ins for the kernel API */
#include "pktstat_user.h"
#endif

/* One CPU's open window. win_end == 0 means no window is open. */
struct pktstat_pcpu {
	spinlock_t lock;		/* this CPU's window; taken after core->lock */
	u64 win_start;
	u64 win_end;
	u64 frames;
	u64 bytes;
};

/* A FIFO record: window start, cumulative totals at its end, samples dropped just before it. */
struct pktstat_sample {
	u64 ts;
	u64 frames;
	u64 bytes;
	u64 lost_before;
};

struct pktstat_core {
	spinlock_t lock;		/* FIFO, totals, floor, harvest; outside any pcpu lock */
	u64 period;
	u64 floor;			/* start of the first window not yet closed */
	u64 frames, bytes;		/* cumulative totals of closed windows */
	u64 samples, lost, pending_lost;
	u32 capacity, head, queued;
	struct pktstat_sample *fifo;	/* capacity records */
	struct pktstat_sample *harvest;	/* one record per possible CPU */
	struct pktstat_pcpu __percpu *pcpu;
#ifndef __KERNEL__
	unsigned int ncpu;
#endif
};

/* Longest "# lost K\n" plus "TS FRAMES BYTES\n" with 20-digit numbers. */
#define PKTSTAT_SAMPLE_TEXT_MAX	(sizeof("# lost ") + 20 + 1 + 3 * 20 + 3)
#define PKTSTAT_HEADER		"# timestamp frames bytes\n"

void pktstat_core_init(struct pktstat_core *c, u64 period);
bool pktstat_count(struct pktstat_core *c, struct pktstat_pcpu *pc, unsigned int len);
unsigned int pktstat_close(struct pktstat_core *c, u64 now);
unsigned int pktstat_pop(struct pktstat_core *c, struct pktstat_sample *out, unsigned int max);
void pktstat_open_totals(struct pktstat_core *c, u64 *frames, u64 *bytes);
size_t pktstat_format(char *buf, size_t size, const struct pktstat_sample *s);

#endif /* _PKTSTAT_CORE_H */
