// SPDX-License-Identifier: GPL-2.0
/*
 * Window/close/FIFO core of xt_pktstat; see the design note in xt_pktstat_main.c.
 * Locking: core->lock, then at most one pcpu->lock at a time. Callers disable BHs.
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
	pktstat_for_each_cpu(cpu, c) {
		struct pktstat_pcpu *pc = pktstat_pc(c, cpu);

		spin_lock_init(&pc->lock);
		pc->win_start = 0;
		pc->win_end = 0;
		pc->frames = 0;
		pc->bytes = 0;
	}
}

static void pktstat_push(struct pktstat_core *c, u64 ts)
{
	struct pktstat_sample *s;

	if (c->queued == c->capacity) {
		c->lost++;
		c->pending_lost++;
		return;
	}
	s = &c->fifo[(c->head + c->queued) % c->capacity];
	s->ts = ts;
	s->frames = c->frames;
	s->bytes = c->bytes;
	s->lost_before = c->pending_lost;
	c->pending_lost = 0;
	c->queued++;
	c->samples++;
}

/*
 * Close every window that ended at or before @now: harvest it from each CPU,
 * then add the windows to the totals and the FIFO in time order, equal windows
 * of several CPUs merged. The floor rises to @now's window under each pcpu
 * lock, so no packet can later be counted in a window already emitted.
 * Returns the number of samples pushed. Caller holds c->lock.
 */
unsigned int pktstat_close(struct pktstat_core *c, u64 now)
{
	u64 win = now - pktstat_rem(now, c->period);
	unsigned int cpu, n = 0, i, j, pushed = 0;

	if (win > c->floor)
		c->floor = win;
	pktstat_for_each_cpu(cpu, c) {
		struct pktstat_pcpu *pc = pktstat_pc(c, cpu);

		spin_lock(&pc->lock);
		if (pc->win_end && pc->win_end <= now) {
			c->harvest[n].ts = pc->win_start;
			c->harvest[n].frames = pc->frames;
			c->harvest[n].bytes = pc->bytes;
			n++;
			pc->win_end = 0;
			pc->frames = 0;
			pc->bytes = 0;
		}
		spin_unlock(&pc->lock);
	}
	/* insertion sort: n is at most the number of CPUs and usually 1 */
	for (i = 1; i < n; i++) {
		struct pktstat_sample t = c->harvest[i];

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
 * Count one packet of @len bytes on this CPU's @pc. The fast path stays in the
 * open window: one compare, no division, only this CPU's lock. A clock that
 * stepped back keeps counting in the open window. Returns true when windows
 * were closed and samples pushed, so the caller can wake pollers.
 */
bool pktstat_count(struct pktstat_core *c, struct pktstat_pcpu *pc, unsigned int len)
{
	unsigned int pushed = 0;
	u64 now;

	spin_lock(&pc->lock);
	if (likely(pktstat_now() < pc->win_end)) {
		pc->frames++;
		pc->bytes += len;
		spin_unlock(&pc->lock);
		return false;
	}
	spin_unlock(&pc->lock);

	spin_lock(&c->lock);
	for (;;) {
		pushed += pktstat_close(c, pktstat_now());
		spin_lock(&pc->lock);
		now = pktstat_now();
		/* empty, or still inside its window: count here */
		if (!pc->win_end || now < pc->win_end)
			break;
		/* the window ended between the close and now: close again */
		spin_unlock(&pc->lock);
	}
	if (!pc->win_end) {
		u64 win = now - pktstat_rem(now, c->period);

		if (win < c->floor)
			win = c->floor;
		pc->win_start = win;
		pc->win_end = win + c->period;
	}
	pc->frames++;
	pc->bytes += len;
	spin_unlock(&pc->lock);
	spin_unlock(&c->lock);
	return pushed != 0;
}

/* Take up to @max samples out of the FIFO, oldest first. Caller holds c->lock. */
unsigned int pktstat_pop(struct pktstat_core *c, struct pktstat_sample *out, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && c->queued) {
		out[n++] = c->fifo[c->head];
		c->head = (c->head + 1) % c->capacity;
		c->queued--;
	}
	return n;
}

/* Frames and bytes counted in windows still open. Caller holds c->lock. */
void pktstat_open_totals(struct pktstat_core *c, u64 *frames, u64 *bytes)
{
	unsigned int cpu;

	*frames = 0;
	*bytes = 0;
	pktstat_for_each_cpu(cpu, c) {
		struct pktstat_pcpu *pc = pktstat_pc(c, cpu);

		spin_lock(&pc->lock);
		*frames += pc->frames;
		*bytes += pc->bytes;
		spin_unlock(&pc->lock);
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
