// SPDX-License-Identifier: GPL-2.0
/*
 * Window/close/FIFO core of xt_pktstat (the rule side is in xt_pktstat_main.c).
 *
 * Counting: each CPU adds every packet to its own cumulative frames and bytes
 * (struct pktstat_pcpu), inside a seqcount so that a reader sees both halves of
 * a packet or neither: no lock, no atomic read-modify-write. Inside its window
 * a CPU only compares its clock with the window's end; past it, its slow path
 * takes c->lock, closes, and moves the CPU to the floor window.
 *
 * Closing (under c->lock; a read, a poll, stats or a CPU's slow path): the
 * floor F is the first window not yet emitted. What a CPU counted since the
 * last take (cumulative minus taken[cpu]) belongs to A = max(its window, F).
 * A close with floor F' = max(F, window of now) takes, with one seqcount read,
 * the counts of every CPU whose A < F', emits those windows in time order and
 * sets F = F'. The CPU itself is not needed: an idle CPU's window gets closed.
 *
 * Why that is exact: counters only grow and taken[cpu] only moves up to a
 * value read from them, so every packet is taken once. A packet added at time
 * t is taken by the first close that reads its CPU after t; that close's F is
 * at least the floor at t and A >= F, so the packet lands in a window not
 * emitted at t, even when the CPU read its clock in window W and was delayed
 * while a closer emitted W (it then lands in the floor window). Each close
 * emits windows in [F, F'), so timestamps strictly increase. Windows change
 * only under c->lock, right after a close, so untaken counts always share one
 * window.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#endif
#include "pktstat_core.h"

void pktstat_core_init(struct pktstat_core *c, u64 period)
{
	unsigned int cpu;

	spin_lock_init(&c->lock);
	c->period = period;
	c->clock_off = pktstat_real_offset();
	pktstat_for_each_cpu(cpu, c) {
		struct pktstat_pcpu *pc = pktstat_pc(c, cpu);

		seqcount_init(&pc->seq);
		pc->frames = 0;
		pc->bytes = 0;
		pc->pkt_start = 0;
		pc->pkt_end = 0;
		pc->win_start = 0;
		pc->win_end = 0;
		pc->seg_frames = 0;
		pc->seg_bytes = 0;
		c->taken[cpu].frames = 0;
		c->taken[cpu].bytes = 0;
	}
}

/*
 * The set's clock (caller holds c->lock): CLOCK_REALTIME while that only moves
 * forward. A step back does not move it: it runs on at the pace of
 * CLOCK_MONOTONIC, ahead of the wall clock by the step, until a step forward
 * takes that up. So windows never go back (timestamps strictly increase) and
 * never stall (a CPU's window ends at most one period after this clock's now,
 * see pktstat_count_slow()), whatever the wall clock does (SPEC section 2).
 */
u64 pktstat_clock(struct pktstat_core *c)
{
	s64 off = pktstat_real_offset();

	if (off > c->clock_off)
		c->clock_off = off;
	return pktstat_mono_now() + c->clock_off;
}

/* Append a sample; when the ring is full it replaces the oldest. Caller holds c->lock. */
static void pktstat_push(struct pktstat_core *c, u64 ts)
{
	struct pktstat_rec *r = &c->ring[c->head];

	r->ts = ts;
	r->frames = c->frames;
	r->bytes = c->bytes;
	if (++c->head == c->capacity)
		c->head = 0;
	c->samples++;
}

/*
 * One CPU's cumulative counters, all of the same packets; the segment counters
 * only when @segs (a window close needs frames and bytes alone).
 */
static inline void pktstat_read_pcpu(struct pktstat_pcpu *pc,
				     struct pktstat_totals *t, bool segs)
{
	unsigned int seq;

	do {
		seq = read_seqcount_begin(&pc->seq);
		t->frames = READ_ONCE(pc->frames);
		t->bytes = READ_ONCE(pc->bytes);
		if (segs) {
			t->seg_frames = READ_ONCE(pc->seg_frames);
			t->seg_bytes = READ_ONCE(pc->seg_bytes);
		}
	} while (read_seqcount_retry(&pc->seq, seq));
}

/*
 * Close every window that ended at or before @now (see the top of the file):
 * take each CPU's counts whose window lies below the new floor, then add them
 * to the totals and the FIFO in time order, equal windows of several CPUs
 * merged. Returns the number of samples pushed. Caller holds c->lock.
 */
unsigned int pktstat_close(struct pktstat_core *c, u64 now)
{
	u64 floor = now - pktstat_rem(now, c->period);
	unsigned int cpu, n = 0, i, j, pushed = 0;

	if (floor < c->floor)
		floor = c->floor;
	pktstat_for_each_cpu(cpu, c) {
		struct pktstat_pcpu *pc = pktstat_pc(c, cpu);
		struct pktstat_taken *t = &c->taken[cpu];
		u64 win = pc->win_start > c->floor ? pc->win_start : c->floor;
		struct pktstat_totals now_pc;

		if (!pc->win_end || win >= floor)
			continue;
		pktstat_read_pcpu(pc, &now_pc, false);
		if (now_pc.frames == t->frames)
			continue;
		c->harvest[n].ts = win;
		c->harvest[n].frames = now_pc.frames - t->frames;
		c->harvest[n].bytes = now_pc.bytes - t->bytes;
		n++;
		t->frames = now_pc.frames;
		t->bytes = now_pc.bytes;
	}
	c->floor = floor;
	/* insertion sort: n is at most the number of CPUs and usually 1 */
	for (i = 1; i < n; i++) {
		struct pktstat_delta t = c->harvest[i];

		for (j = i; j > 0 && c->harvest[j - 1].ts > t.ts; j--)
			c->harvest[j] = c->harvest[j - 1];
		c->harvest[j] = t;
	}
	for (i = 0; i < n; i++) {
		c->frames += c->harvest[i].frames;
		c->bytes += c->harvest[i].bytes;
		if (i + 1 < n && c->harvest[i + 1].ts == c->harvest[i].ts)
			continue;
		pktstat_push(c, c->harvest[i].ts);
		pushed++;
	}
	return pushed;
}

/*
 * The packet clock said this CPU's window has ended (or none is open): under
 * c->lock, close with the set's clock, move to the floor window if the window
 * really ended, map its end onto the packet clock, and count the packet. The
 * packet clock is read first, so the mapped end is early rather than late: a
 * packet clock that runs ahead only brings the next slow path sooner. The
 * set's clock never goes back and the floor is its window, so the window end
 * is at most one period ahead of now.
 */
bool pktstat_count_slow(struct pktstat_core *c, struct pktstat_pcpu *pc,
			u32 segs, unsigned int len, u64 seg_hdr)
{
	unsigned int pushed;
	u64 pkt, now;

	spin_lock(&c->lock);
	pkt = pktstat_pkt_now();
	now = pktstat_clock(c);
	pushed = pktstat_close(c, now);
	if (now >= pc->win_end) {
		/* the close left the floor at or past now's window */
		pc->win_start = c->floor;
		pc->win_end = c->floor + c->period;
	}
	pc->pkt_end = pkt + (pc->win_end - now);
	pc->pkt_start = pkt > now - pc->win_start ? pkt - (now - pc->win_start) : 0;
	pktstat_add(pc, segs, len, seg_hdr);
	spin_unlock(&c->lock);
	return pushed != 0;
}

/* Number of the oldest sample the ring holds. */
static u64 pktstat_oldest(const struct pktstat_core *c)
{
	return c->samples > c->capacity ? c->samples - c->capacity : 0;
}

/* Samples the ring holds now. Caller holds c->lock. */
u64 pktstat_held(const struct pktstat_core *c)
{
	return c->samples - pktstat_oldest(c);
}

/* A new position: at the oldest sample held. Caller holds c->lock. */
void pktstat_pos_init(const struct pktstat_core *c, struct pktstat_pos *p)
{
	p->next = pktstat_oldest(c);
	p->lost = 0;
}

/*
 * Take up to @max samples at @p, oldest first, and move @p past them. If the
 * ring overwrote samples @p had not taken, the first sample carries their
 * count. Caller holds c->lock.
 */
unsigned int pktstat_pop(struct pktstat_core *c, struct pktstat_pos *p,
			 struct pktstat_sample *out, unsigned int max)
{
	u64 oldest = pktstat_oldest(c), lost = 0;
	unsigned int n = 0;
	u32 back, slot;

	if (!max)
		return 0;
	if (p->next < oldest) {
		lost = oldest - p->next;
		p->lost += lost;
		p->next = oldest;
	}
	if (p->next == c->samples)
		return 0;
	/* samples - next <= capacity: the slot follows from head without a division */
	back = c->samples - p->next;
	slot = c->head >= back ? c->head - back : c->head + c->capacity - back;
	for (; n < max && p->next < c->samples; n++, p->next++) {
		const struct pktstat_rec *r = &c->ring[slot];

		out[n].ts = r->ts;
		out[n].frames = r->frames;
		out[n].bytes = r->bytes;
		out[n].lost_before = n ? 0 : lost;
		if (++slot == c->capacity)
			slot = 0;
	}
	return n;
}

/*
 * What @p missed in all (taken losses and samples overwritten since) and how
 * many held samples it has not taken yet. Caller holds c->lock.
 */
void pktstat_pos_stats(const struct pktstat_core *c, const struct pktstat_pos *p,
		       u64 *lost, u64 *queued)
{
	u64 oldest = pktstat_oldest(c);

	*lost = p->lost + (p->next < oldest ? oldest - p->next : 0);
	*queued = c->samples - (p->next < oldest ? oldest : p->next);
}

/*
 * Everything counted so far, in closed windows and in open ones: the sum of
 * the CPUs' counters (closed windows hold exactly what closes took of them).
 */
void pktstat_totals(struct pktstat_core *c, struct pktstat_totals *t)
{
	unsigned int cpu;

	*t = (struct pktstat_totals){ 0 };
	pktstat_for_each_cpu(cpu, c) {
		struct pktstat_totals pc;

		pktstat_read_pcpu(pktstat_pc(c, cpu), &pc, true);
		t->frames += pc.frames;
		t->bytes += pc.bytes;
		t->seg_frames += pc.seg_frames;
		t->seg_bytes += pc.seg_bytes;
	}
}

/* Text of one sample; @size must be at least PKTSTAT_SAMPLE_TEXT_MAX. */
size_t pktstat_format(char *buf, size_t size, const struct pktstat_sample *s)
{
	size_t n = 0;

	if (s->lost_before)
		n = scnprintf(buf, size, "# lost %llu\n",
			      (unsigned long long)s->lost_before);
	n += scnprintf(buf + n, size - n, "%llu %llu %llu\n",
		       (unsigned long long)s->ts,
		       (unsigned long long)s->frames,
		       (unsigned long long)s->bytes);
	return n;
}
