/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Window, close and FIFO logic of xt_pktstat. It compiles in the kernel and,
 * with test/core/pktstat_user.h standing in for the kernel API, in userspace,
 * so test/core/ can drive every edge case under sanitizers with a fake clock
 * and race real threads as CPUs.
 */
#ifndef _PKTSTAT_CORE_H
#define _PKTSTAT_CORE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/seqlock.h>
#include <linux/percpu.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/sched/clock.h>
#include <linux/math64.h>

/*
 * Window starts, closes and every timestamp use the set's clock (pktstat_clock():
 * CLOCK_MONOTONIC plus the largest CLOCK_REALTIME - CLOCK_MONOTONIC seen). Packets
 * inside their window only compare the packet clock with their CPU's window
 * mapped onto it (pktstat_count_slow()), on that same CPU, so the packet clock
 * needs no agreement between CPUs: sched_clock(), the cheapest nanosecond clock
 * measured per rule (TCG guest with the TSC, quiet host: 122 ns against 142 for
 * local_clock(), which adds that agreement and on an unstable TSC a cmpxchg, and
 * 276 for ktime_get_real_ns(); with HPET 129 against 856; bench/vm-rulecost.sh
 * --clock on a loaded host: no difference beyond its noise). A packet clock
 * that drifts or jumps forward moves a CPU's window by that much until its
 * next slow path or close, never a count into an emitted window; one that
 * jumps back fails the fast path's lower bound. Where the architecture has no
 * sched_clock() of its own, the kernel's default (and local_clock(), the same
 * there) counts jiffies: a CPU then sees its window end up to a jiffy late, and
 * a window shorter than a jiffy takes the CPU's packets until the next tick
 * (totals stay exact).
 */
#define pktstat_mono_now()		ktime_get_ns()
#define pktstat_real_offset()		ktime_to_ns(ktime_mono_to_real(0))
#define pktstat_pkt_now()		sched_clock()
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

/*
 * One CPU's counting state. Only its CPU writes it: the counters (with seq
 * around them) on the packet path, the rest in its slow path under the set lock.
 * Closers read it, the window fields under the set lock. What the fast path
 * touches comes first; the segment counters change only for super-packets.
 */
struct pktstat_pcpu {
	seqcount_t seq;			/* odd while the counters change */
	u64 frames, bytes;		/* all it counted since the set was made, as on the wire */
	u64 pkt_start, pkt_end;		/* the window on the packet clock: the fast path's bounds */
	u64 win_start, win_end;		/* window this CPU counts in; win_end 0: none yet */
	u64 seg_frames, seg_bytes;	/* of those, what segments after an skb's first added */
};

/* Running totals of a set: on the wire, and what segmentation added to them. */
struct pktstat_totals {
	u64 frames, bytes;
	u64 seg_frames, seg_bytes;
};

/* What closers took of one CPU's frames and bytes into closed windows (under the set lock). */
struct pktstat_taken {
	u64 frames, bytes;
};

/* A ring record: window start and the cumulative totals at its end. */
struct pktstat_rec {
	u64 ts;
	u64 frames;
	u64 bytes;
};

/* What a close took of one CPU: a window's start, and the frames and bytes counted in it. */
struct pktstat_delta {
	u64 ts;
	u64 frames;
	u64 bytes;
};

/* A sample as a reader takes it: a record and the samples it missed just before it. */
struct pktstat_sample {
	u64 ts;
	u64 frames;
	u64 bytes;
	u64 lost_before;
};

/*
 * A reader's place in the ring: the number of the next sample it takes
 * (samples are numbered from 0 as they are pushed). Positions cost the push
 * nothing: a position the ring lapped learns of it when it next pops.
 */
struct pktstat_pos {
	u64 next;
	u64 lost;			/* samples overwritten before this position took them */
};

struct pktstat_core {
	/* ring, positions, totals, floor, harvest, taken, window switches, clock_off */
	spinlock_t lock;
	u64 period;
	s64 clock_off;			/* the set's clock minus CLOCK_MONOTONIC */
	u64 floor;			/* start of the first window not yet closed */
	u64 frames, bytes;		/* cumulative totals of closed windows */
	u64 samples;			/* pushed so far: the next sample's number */
	struct pktstat_pos data;	/* the data file's position, shared by its readers */
	u32 capacity, head;		/* ring size; head: the next sample's slot */
	struct pktstat_rec *ring;	/* the most recent @capacity samples */
	struct pktstat_delta *harvest;	/* a close's take, one per possible CPU */
	struct pktstat_taken *taken;	/* one per possible CPU */
	struct pktstat_pcpu __percpu *pcpu;
#ifndef __KERNEL__
	unsigned int ncpu;
#endif
};

/* Longest "# lost K\n" plus "TS FRAMES BYTES\n" with 20-digit numbers. */
#define PKTSTAT_SAMPLE_TEXT_MAX	(sizeof("# lost ") + 20 + 1 + 3 * 20 + 3)
#define PKTSTAT_HEADER		"# timestamp frames bytes\n"

void pktstat_core_init(struct pktstat_core *c, u64 period);
u64 pktstat_clock(struct pktstat_core *c);
bool pktstat_count_slow(struct pktstat_core *c, struct pktstat_pcpu *pc,
			u32 segs, unsigned int len, u64 seg_hdr);
unsigned int pktstat_close(struct pktstat_core *c, u64 now);
void pktstat_pos_init(const struct pktstat_core *c, struct pktstat_pos *p);
unsigned int pktstat_pop(struct pktstat_core *c, struct pktstat_pos *p,
			 struct pktstat_sample *out, unsigned int max);
void pktstat_pos_stats(const struct pktstat_core *c, const struct pktstat_pos *p,
		       u64 *lost, u64 *queued);
u64 pktstat_held(const struct pktstat_core *c);
void pktstat_totals(struct pktstat_core *c, struct pktstat_totals *t);
size_t pktstat_format(char *buf, size_t size, const struct pktstat_sample *s);

/*
 * Add a packet of @len bytes that is @segs frames on the wire (1, or a
 * super-packet's segment count) whose segments after the first carry @seg_hdr
 * header bytes in all.
 */
static inline void pktstat_add(struct pktstat_pcpu *pc, u32 segs, unsigned int len,
			       u64 seg_hdr)
{
	raw_write_seqcount_begin(&pc->seq);
	WRITE_ONCE(pc->frames, pc->frames + segs);
	WRITE_ONCE(pc->bytes, pc->bytes + len + seg_hdr);
	if (unlikely(segs > 1)) {
		WRITE_ONCE(pc->seg_frames, pc->seg_frames + segs - 1);
		WRITE_ONCE(pc->seg_bytes, pc->seg_bytes + seg_hdr);
	}
	raw_write_seqcount_end(&pc->seq);
}

/*
 * Count one packet (see pktstat_add()) on this CPU's @pc; the caller keeps BHs
 * off. Inside the open window a single frame (@segs the constant 1) costs a
 * clock read, two compares and four stores to this CPU's own cache line. The
 * lower bound sends a packet clock that jumped back (an unstable TSC) to the
 * slow path rather than keeping the CPU in its window for as long as the jump.
 * Returns true when windows were closed and samples pushed, so the caller can
 * wake pollers.
 */
static inline bool pktstat_count(struct pktstat_core *c, struct pktstat_pcpu *pc,
				 u32 segs, unsigned int len, u64 seg_hdr)
{
	u64 t = pktstat_pkt_now();

	if (likely(t < pc->pkt_end && t >= pc->pkt_start)) {
		pktstat_add(pc, segs, len, seg_hdr);
		return false;
	}
	return pktstat_count_slow(c, pc, segs, len, seg_hdr);
}

#endif /* _PKTSTAT_CORE_H */
