// SPDX-License-Identifier: GPL-2.0
/*
 * Drives the window/close/ring core with a scripted clock, several fake CPUs and
 * several reader positions, then with real threads racing (one per CPU, plus
 * closers and readers) on a shared clock. Each check compares against numbers
 * the test itself produced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include "pktstat_core.h"

static unsigned int passed, failed;
static const char *current;
static const char *label = "";

/*
 * Single-threaded tests: CLOCK_MONOTONIC is clock_ns, CLOCK_REALTIME is that plus
 * real_offset (a test steps the wall clock by changing it); the packet clock adds
 * pkt_offset instead (another clock, running ahead or behind).
 */
static u64 clock_ns;
static int64_t pkt_offset, real_offset;

/*
 * The racing test: one shared clock that every read moves on (so reads are
 * ordered and distinct); each thread records the span of its own reads, and
 * packet threads add their own offset and sometimes stall right after reading
 * the packet clock, before the count, so a closer can emit that window first.
 */
static int racing;
static u64 race_clock;
static __thread u64 read_lo, read_hi, race_offset;
static __thread unsigned int race_rand;

static u64 race_tick(void)
{
	u64 t = __atomic_fetch_add(&race_clock, 1, __ATOMIC_SEQ_CST);

	if (t < read_lo)
		read_lo = t;
	if (t > read_hi)
		read_hi = t;
	return t;
}

static unsigned int race_next(void)
{
	race_rand = race_rand * 1103515245 + 12345;
	return race_rand >> 16;
}

u64 pktstat_mono_now(void)
{
	if (racing)
		return race_tick();
	return clock_ns;
}

s64 pktstat_real_offset(void)
{
	return racing ? 0 : real_offset;
}

u64 pktstat_pkt_now(void)
{
	u64 t;

	if (racing) {
		t = race_tick() + race_offset;
		if (race_next() % 8 == 0)
			sched_yield();
		return t;
	}
	return clock_ns + pkt_offset;
}

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("%sFAIL %s:%d %s: ", label, __FILE__, __LINE__, current); \
		printf(__VA_ARGS__);					\
		printf("\n");						\
		ok = 0;							\
	}								\
} while (0)

#define CHECK_U64(what, want, got) \
	CHECK((want) == (got), "%s: want %" PRIu64 ", got %" PRIu64, what, (u64)(want), (u64)(got))

static struct pktstat_core *core_new(u64 period, u32 capacity, unsigned int ncpu)
{
	struct pktstat_core *c = calloc(1, sizeof(*c));

	c->capacity = capacity;
	c->ring = calloc(capacity, sizeof(*c->ring));
	c->harvest = calloc(ncpu, sizeof(*c->harvest));
	c->taken = calloc(ncpu, sizeof(*c->taken));
	c->pcpu = calloc(ncpu, sizeof(*c->pcpu));
	c->ncpu = ncpu;
	if (!c->ring || !c->harvest || !c->taken || !c->pcpu) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	pkt_offset = 0;
	real_offset = 0;
	pktstat_core_init(c, period);
	return c;
}

static void core_free(struct pktstat_core *c)
{
	pthread_mutex_destroy(&c->lock.mutex);
	free(c->ring);
	free(c->harvest);
	free(c->taken);
	free(c->pcpu);
	free(c);
}

/* A super-packet of @segs frames whose further segments add @seg_hdr header bytes. */
static void pkt_segs(struct pktstat_core *c, unsigned int cpu, u64 t, u32 segs,
		     unsigned int len, u64 seg_hdr)
{
	clock_ns = t;
	pktstat_count(c, &c->pcpu[cpu], segs, len, seg_hdr);
}

static void pkt(struct pktstat_core *c, unsigned int cpu, u64 t, unsigned int len)
{
	pkt_segs(c, cpu, t, 1, len, 0);
}

/* A read's close at monotonic time @t. */
static unsigned int close_at(struct pktstat_core *c, u64 t)
{
	unsigned int pushed;

	clock_ns = t;
	spin_lock(&c->lock);
	pushed = pktstat_close(c, pktstat_clock(c));
	spin_unlock(&c->lock);
	return pushed;
}

/* Pop everything at @p and render it as a reader would see it after its header. */
static char *drain_pos(struct pktstat_core *c, struct pktstat_pos *p, char *buf, size_t size)
{
	struct pktstat_sample s;
	size_t n = 0;

	buf[0] = 0;
	while (pktstat_pop(c, p, &s, 1)) {
		if (size - n < PKTSTAT_SAMPLE_TEXT_MAX)
			break;
		n += pktstat_format(buf + n, size - n, &s);
	}
	return buf;
}

/* The same at the data file's shared position. */
static char *drain_text(struct pktstat_core *c, char *buf, size_t size)
{
	return drain_pos(c, &c->data, buf, size);
}

static void end(int ok, struct pktstat_core *c)
{
	if (c && c->lock.held) {
		printf("%sFAIL %s: a lock left held\n", label, current);
		ok = 0;
	}
	if (c)
		core_free(c);
	if (ok)
		passed++;
	else
		failed++;
	printf("%s%s %s\n", label, ok ? "ok  " : "FAIL", current);
}

static void test_windows_and_totals(void)
{
	struct pktstat_core *c = core_new(100, 16, 1);
	char text[1024];
	int ok = 1;

	current = "windows, cumulative totals, empty windows skipped";
	pkt(c, 0, 1000, 10);
	pkt(c, 0, 1050, 20);
	pkt(c, 0, 1099, 30);
	CHECK_U64("nothing pushed inside the window", 0, close_at(c, 1099));
	pkt(c, 0, 1100, 40);	/* closes 1000 */
	pkt(c, 0, 1350, 50);	/* closes 1100; 1200 had nothing */
	CHECK_U64("close at the exact window end pushes", 1, close_at(c, 1400));
	drain_text(c, text, sizeof(text));
	CHECK(!strcmp(text, "1000 3 60\n1100 4 100\n1300 5 150\n"), "text:\n%s", text);
	CHECK_U64("samples", 3, c->samples);
	CHECK_U64("data's position after drain", 3, c->data.next);
	end(ok, c);
}

static void test_wall_clock_steps(void)
{
	struct pktstat_core *c = core_new(100, 16, 2);
	char text[1024];
	int ok = 1;

	current = "wall clock steps: back, windows go on; forward, they follow it";
	pkt(c, 0, 1050, 1);
	real_offset = -3600000;		/* the wall clock steps back */
	pkt(c, 0, 1080, 2);		/* still window 1000 */
	pkt(c, 0, 1120, 4);		/* window 1100: 1000 closed all the same */
	CHECK_U64("window after the step back", 1100, c->pcpu[0].win_start);
	CHECK_U64("window end at most a period ahead", 1200, c->pcpu[0].pkt_end);
	CHECK_U64("sample of the window before the step", 1, c->samples);
	pkt(c, 1, 1130, 8);
	CHECK_U64("a read closes 1100", 1, close_at(c, 1205));
	real_offset = -1000000;		/* forward, still behind the set's clock */
	pkt(c, 0, 1250, 16);		/* window 1200 */
	real_offset = 500;		/* forward past it: the set's clock follows */
	pkt(c, 0, 1260, 32);		/* inside the mapped end of window 1200 */
	pkt(c, 1, 1270, 64);		/* slow path at 1770: window 1700 */
	CHECK_U64("cpu 1 on the stepped clock", 1700, c->pcpu[1].win_start);
	pkt(c, 0, 1300, 128);		/* 1800 */
	close_at(c, 1400);
	drain_text(c, text, sizeof(text));
	CHECK(!strcmp(text, "1000 2 3\n1100 4 15\n1200 6 63\n1700 7 127\n1800 8 255\n"),
	      "text:\n%s", text);
	end(ok, c);
}

static void test_wall_clock_back_an_hour(void)
{
	struct pktstat_core *c = core_new(1000000, 64, 1);
	u64 t = 1764288000000000000ULL, i;
	char text[2048], want[2048];
	size_t n = 0;
	int ok = 1;

	current = "an hour's step back: a sample for every window, none held back";
	real_offset = 0;
	pkt(c, 0, t + 500000, 100);
	real_offset = -3600000000000LL;
	for (i = 1; i <= 10; i++)
		pkt(c, 0, t + i * 1000000 + 500000, 100);
	close_at(c, t + 12000000);
	for (i = 0; i <= 10; i++)
		n += snprintf(want + n, sizeof(want) - n, "%" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
			      t + i * 1000000, i + 1, 100 * (i + 1));
	drain_text(c, text, sizeof(text));
	CHECK(!strcmp(text, want), "text:\n%s", text);
	end(ok, c);
}

static void test_packet_clock_ahead(void)
{
	struct pktstat_core *c = core_new(100, 16, 1);
	char text[256];
	int ok = 1;

	current = "packet clock ahead: an early slow path keeps the window";
	pkt_offset = 30;
	pkt(c, 0, 150, 1);		/* window 100, ends at packet clock 230 */
	CHECK_U64("mapped end", 230, c->pcpu[0].pkt_end);
	pkt(c, 0, 199, 2);
	pkt_offset = 80;		/* the packet clock gained 50 */
	pkt(c, 0, 160, 4);		/* packet clock 240: slow path, still window 100 */
	CHECK_U64("window kept", 100, c->pcpu[0].win_start);
	CHECK_U64("remapped end", 280, c->pcpu[0].pkt_end);
	CHECK_U64("nothing closed", 0, c->samples);
	pkt(c, 0, 200, 8);		/* packet clock 280: window 200 */
	CHECK_U64("next window", 200, c->pcpu[0].win_start);
	close_at(c, 1000);
	drain_text(c, text, sizeof(text));
	CHECK(!strcmp(text, "100 3 7\n200 4 15\n"), "text:\n%s", text);
	end(ok, c);
}

static void test_packet_clock_behind(void)
{
	struct pktstat_core *c = core_new(100, 16, 2);
	char text[256];
	int ok = 1;

	current = "packet clock behind: counts after the window's close go to the floor window";
	pkt_offset = -50;
	pkt(c, 0, 1200, 1);		/* window 1200, ends at packet clock 1250 */
	close_at(c, 1310);		/* a reader closes 1200 */
	pkt_offset = -80;		/* the packet clock lost 30 */
	pkt(c, 0, 1320, 2);		/* packet clock 1240: still "inside" 1200 */
	pkt(c, 1, 1330, 4);
	close_at(c, 1400);
	drain_text(c, text, sizeof(text));
	CHECK(!strcmp(text, "1200 1 1\n1300 3 7\n"), "text:\n%s", text);
	end(ok, c);
}

static void test_packet_clock_jumps_back(void)
{
	struct pktstat_core *c = core_new(100, 16, 1);
	char text[256];
	int ok = 1;

	current = "packet clock jumping back: the slow path, not the window for as long";
	pkt(c, 0, 1050, 1);		/* window 1000: packet clock 1000..1100 */
	CHECK_U64("mapped start", 1000, c->pcpu[0].pkt_start);
	pkt_offset = -1000;		/* the packet clock jumps back by ten periods */
	pkt(c, 0, 1160, 2);		/* packet clock 160: below the window, slow path */
	CHECK_U64("window by the set's clock", 1100, c->pcpu[0].win_start);
	CHECK_U64("remapped start", 100, c->pcpu[0].pkt_start);
	pkt(c, 0, 1210, 4);		/* 1200 */
	close_at(c, 1300);
	drain_text(c, text, sizeof(text));
	CHECK(!strcmp(text, "1000 1 1\n1100 2 3\n1200 3 7\n"), "text:\n%s", text);
	end(ok, c);
}

static void test_delayed_count(void)
{
	struct pktstat_core *c = core_new(100, 16, 2);
	char text[256];
	int ok = 1;

	current = "a count delayed past its window's close lands in the floor window";
	pkt(c, 0, 1010, 1);
	clock_ns = 1090;		/* cpu 0 reads its clock inside window 1000 ... */
	CHECK(pktstat_pkt_now() < c->pcpu[0].pkt_end, "1090 is inside the window");
	CHECK_U64("a reader closes 1000", 1, close_at(c, 1150));
	pktstat_add(&c->pcpu[0], 1, 2, 0);	/* ... and counts only now */
	pkt(c, 1, 1160, 4);
	CHECK_U64("cpu 0 idle since, closed by a reader", 1, close_at(c, 1200));
	drain_text(c, text, sizeof(text));
	CHECK(!strcmp(text, "1000 1 1\n1100 3 7\n"), "text:\n%s", text);
	end(ok, c);
}

static void test_super_packets(void)
{
	struct pktstat_core *c = core_new(100, 16, 2);
	struct pktstat_totals t;
	char text[256];
	int ok = 1;

	current = "a super-packet counts its segments and their headers, all in one window";
	pkt(c, 0, 1010, 60);
	/* 44 TCP/IPv4 segments of 1448 bytes: 52 header bytes each beyond the first's */
	pkt_segs(c, 0, 1020, 44, 52 + 44 * 1448, 43 * 52);
	pkt_segs(c, 1, 1050, 1, 1500, 0);	/* a GSO skb of one segment is one frame */
	/* past the window's end: the slow path counts it whole in the next window */
	pkt_segs(c, 0, 1100, 3, 28 + 3 * 1000, 2 * 28);
	close_at(c, 1250);
	drain_text(c, text, sizeof(text));
	CHECK(!strcmp(text, "1000 46 67560\n1100 49 70644\n"), "text:\n%s", text);
	pktstat_totals(c, &t);
	CHECK_U64("frames", 49, t.frames);
	CHECK_U64("bytes", 70644, t.bytes);
	CHECK_U64("skbs", 4, t.frames - t.seg_frames);
	CHECK_U64("skb bytes", 60 + 52 + 44 * 1448 + 1500 + 28 + 3 * 1000, t.bytes - t.seg_bytes);
	end(ok, c);
}

static void test_near_2_64(void)
{
	struct pktstat_core *c = core_new(1000, 4, 1);
	char text[512];
	int ok = 1;

	current = "totals near 2^64 print in full and wrap modulo 2^64";
	c->frames = UINT64_MAX - 3;
	c->bytes = UINT64_MAX - 1500 * 3;
	pkt(c, 0, 1000, 1500);
	pkt(c, 0, 1001, 1500);
	pkt(c, 0, 1002, 1500);
	pkt(c, 0, 2000, 1);
	close_at(c, 3000);
	drain_text(c, text, sizeof(text));
	CHECK(!strcmp(text, "1000 18446744073709551615 18446744073709551615\n2000 0 0\n"),
	      "text:\n%s", text);
	end(ok, c);
}

static void test_ring_full_and_lost(void)
{
	struct pktstat_core *c = core_new(10, 2, 1);
	struct pktstat_sample s;
	char text[512];
	u64 t, lost, queued;
	int ok = 1;

	current = "full ring keeps the newest, '# lost K' before data's next sample";
	for (t = 0; t < 5; t++)
		pkt(c, 0, 100 + t * 10, 7);
	close_at(c, 1000);
	pktstat_pos_stats(c, &c->data, &lost, &queued);
	CHECK_U64("queued", 2, queued);
	CHECK_U64("lost", 3, lost);
	CHECK_U64("held", 2, pktstat_held(c));
	CHECK_U64("pop one", 1, pktstat_pop(c, &c->data, &s, 1));
	CHECK_U64("popped ts (oldest held)", 130, s.ts);
	CHECK_U64("popped frames", 4, s.frames);
	CHECK_U64("popped lost_before", 3, s.lost_before);
	pkt(c, 0, 2000, 7);
	pkt(c, 0, 2010, 7);		/* overwrites 140, which data has not taken */
	close_at(c, 3000);
	pktstat_pos_stats(c, &c->data, &lost, &queued);
	CHECK_U64("lost while nobody reads", 4, lost);
	CHECK_U64("queued while nobody reads", 2, queued);
	drain_text(c, text, sizeof(text));
	CHECK(!strcmp(text, "# lost 1\n2000 6 42\n2010 7 49\n"), "text:\n%s", text);
	pktstat_pos_stats(c, &c->data, &lost, &queued);
	CHECK_U64("lost total", 4, lost);
	CHECK_U64("queued after drain", 0, queued);
	CHECK_U64("empty pop", 0, pktstat_pop(c, &c->data, &s, 1));
	CHECK_U64("samples = taken + lost", 7, c->samples);
	end(ok, c);
}

/* Three positions and data in one ring: each sees every sample or counts what it missed. */
static void test_ring_positions(void)
{
	struct pktstat_core *c = core_new(10, 4, 1);
	struct pktstat_pos a, b, late;
	struct pktstat_sample s;
	char text[512];
	u64 t, lost, queued;
	int ok = 1;

	current = "independent positions: history for a new one, lapped ones count their loss";
	pktstat_pos_init(c, &a);
	for (t = 0; t < 3; t++)
		pkt(c, 0, 100 + t * 10, 7);
	close_at(c, 1000);
	pktstat_pos_init(c, &b);	/* opened after the samples: gets them as history */
	CHECK(!strcmp(drain_pos(c, &a, text, sizeof(text)), "100 1 7\n110 2 14\n120 3 21\n"),
	      "a:\n%s", text);
	CHECK(!strcmp(drain_pos(c, &b, text, sizeof(text)), "100 1 7\n110 2 14\n120 3 21\n"),
	      "b:\n%s", text);
	CHECK(!strcmp(drain_text(c, text, sizeof(text)), "100 1 7\n110 2 14\n120 3 21\n"),
	      "data:\n%s", text);
	/* six more windows: the ring of 4 holds 2020..2050, a missed 2000 and 2010 */
	for (t = 0; t < 6; t++)
		pkt(c, 0, 2000 + t * 10, 7);
	close_at(c, 3000);
	CHECK_U64("held", 4, pktstat_held(c));
	pktstat_pos_init(c, &late);
	CHECK_U64("late position at the oldest held", 5, late.next);
	pktstat_pos_stats(c, &a, &lost, &queued);
	CHECK_U64("a lost before its pop", 2, lost);
	CHECK_U64("a queued", 4, queued);
	CHECK_U64("b pops one", 1, pktstat_pop(c, &b, &s, 1));
	CHECK_U64("b's first ts", 2020, s.ts);
	CHECK_U64("b's first lost_before", 2, s.lost_before);
	CHECK_U64("a pop of 0 keeps the loss for later", 0, pktstat_pop(c, &a, &s, 0));
	CHECK(!strcmp(drain_pos(c, &a, text, sizeof(text)),
		      "# lost 2\n2020 6 42\n2030 7 49\n2040 8 56\n2050 9 63\n"), "a:\n%s", text);
	CHECK(!strcmp(drain_pos(c, &late, text, sizeof(text)),
		      "2020 6 42\n2030 7 49\n2040 8 56\n2050 9 63\n"), "late:\n%s", text);
	pktstat_pos_stats(c, &b, &lost, &queued);
	CHECK_U64("b lost", 2, lost);
	CHECK_U64("b queued", 3, queued);
	CHECK(!strcmp(drain_pos(c, &b, text, sizeof(text)), "2030 7 49\n2040 8 56\n2050 9 63\n"),
	      "b:\n%s", text);
	pktstat_pos_stats(c, &c->data, &lost, &queued);
	CHECK_U64("data lost (nobody read it)", 2, lost);
	CHECK_U64("data queued", 4, queued);
	/* a lap of many times the ring: one loss line with the exact count */
	for (t = 0; t < 25; t++)
		pkt(c, 0, 5000 + t * 10, 1);
	close_at(c, 9000);
	CHECK(!strcmp(drain_pos(c, &a, text, sizeof(text)),
		      "# lost 21\n5210 31 85\n5220 32 86\n5230 33 87\n5240 34 88\n"),
	      "a:\n%s", text);
	CHECK_U64("a's losses add up", 23, a.lost);
	end(ok, c);
}

static void test_many_windows_skipped(void)
{
	struct pktstat_core *c = core_new(1000, 8, 1);
	char text[512];
	int ok = 1;

	current = "a jump of 10^12 windows";
	pkt(c, 0, 5500, 1);
	pkt(c, 0, 1000000000005500ULL, 2);
	close_at(c, UINT64_MAX - 5);	/* the end of time: floor stays aligned */
	drain_text(c, text, sizeof(text));
	CHECK(!strcmp(text, "5000 1 1\n1000000000005000 2 3\n"), "text:\n%s", text);
	end(ok, c);
}

/* Put @cpu in window @start with @frames and @bytes not yet taken, as its packets would. */
static void open_window(struct pktstat_core *c, unsigned int cpu, u64 start, u64 frames, u64 bytes)
{
	struct pktstat_pcpu *pc = &c->pcpu[cpu];

	pc->win_start = start;
	pc->win_end = start + c->period;
	pc->frames = c->taken[cpu].frames + frames;
	pc->bytes = c->taken[cpu].bytes + bytes;
}

static void test_cpus_merge_and_sort(void)
{
	struct pktstat_core *c = core_new(100, 8, 4);
	char text[512];
	int ok = 1;

	current = "windows of several CPUs: equal merged, others in order";
	pkt(c, 2, 1010, 1);
	pkt(c, 0, 1020, 2);
	pkt(c, 3, 1030, 4);
	pkt(c, 2, 1090, 8);
	close_at(c, 1100);
	drain_text(c, text, sizeof(text));
	CHECK(!strcmp(text, "1000 4 15\n"), "text:\n%s", text);
	/* harvest order is CPU order: put a later window on a lower CPU */
	open_window(c, 0, 1300, 1, 100);
	open_window(c, 1, 1200, 2, 200);
	open_window(c, 3, 1300, 4, 400);
	close_at(c, 1400);
	drain_text(c, text, sizeof(text));
	CHECK(!strcmp(text, "1200 6 215\n1300 11 715\n"), "text:\n%s", text);
	end(ok, c);
}

static void test_format_bound(void)
{
	struct pktstat_sample s = { UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX };
	char text[PKTSTAT_SAMPLE_TEXT_MAX];
	size_t n;
	int ok = 1;

	current = "longest sample text fits PKTSTAT_SAMPLE_TEXT_MAX";
	n = pktstat_format(text, sizeof(text), &s);
	CHECK_U64("length", strlen("# lost 18446744073709551615\n") +
		  strlen("18446744073709551615 18446744073709551615 18446744073709551615\n"), n);
	CHECK(n < sizeof(text), "%zu does not fit %zu", n, sizeof(text));
	CHECK(!strcmp(text, "# lost 18446744073709551615\n"
		      "18446744073709551615 18446744073709551615 18446744073709551615\n"), "%s", text);
	end(ok, NULL);
}

/* One reader position in the random test and what it has seen. */
struct seen {
	struct pktstat_pos *pos;	/* &own, or data's position in the core */
	struct pktstat_pos own;
	u64 last_ts, last_f, last_b, popped, lost;
	int order_ok, align_ok, mono_ok, lost_ok;
};

/* Take up to @max samples at @r's position, checking each against the one before. */
static void take(struct pktstat_core *c, struct seen *r, unsigned int max)
{
	struct pktstat_sample s[8];
	unsigned int i, n = pktstat_pop(c, r->pos, s, max);

	for (i = 0; i < n; i++) {
		r->order_ok &= s[i].ts > r->last_ts || r->popped == 0;
		r->align_ok &= s[i].ts % 1000 == 0;
		r->mono_ok &= s[i].frames >= r->last_f;
		r->lost_ok &= !s[i].lost_before || i == 0;
		r->lost += s[i].lost_before;
		r->last_ts = s[i].ts;
		r->last_f = s[i].frames;
		r->last_b = s[i].bytes;
		r->popped++;
	}
}

/*
 * Random traffic on 4 CPUs, clock jitter, wall clock steps, closes and pops
 * interleaved at data's position and at three reader positions: one as
 * eager as data, one that reads rarely (lapped many times) and one that
 * starts late.
 */
static void test_random_exact(void)
{
	struct pktstat_core *c = core_new(1000, 64, 4);
	struct seen r[4], *data = &r[0], *eager = &r[1];
	struct seen *slow = &r[2], *late = &r[3];
	u64 t = 1000000, frames = 0, bytes = 0, skbs = 0, late_start = 0, lost, queued;
	struct pktstat_totals tot;
	unsigned int i, k;
	int ok = 1;

	current = "random interleaving, 4 positions, super-packets: exact totals, losses counted";
	for (k = 0; k < 4; k++) {
		r[k] = (struct seen){ .order_ok = 1, .align_ok = 1, .mono_ok = 1, .lost_ok = 1 };
		r[k].pos = k ? &r[k].own : &c->data;
	}
	pktstat_pos_init(c, eager->pos);
	pktstat_pos_init(c, slow->pos);
	srand(12345);
	for (i = 0; i < 200000; i++) {
		unsigned int r32 = rand();

		t += r32 % 97;
		if (r32 % 1000 == 0)		/* the wall clock steps back or forward */
			real_offset += r32 & 1 ? -(int64_t)(r32 % 5000) : (int64_t)(r32 % 3000);
		if (i == 100000) {
			pktstat_pos_init(c, late->pos);
			late_start = late->pos->next;
		}
		switch (r32 % 23) {
		case 0:
			close_at(c, t);
			break;
		case 1:
			take(c, data, 8);
			take(c, eager, 1 + r32 % 8);
			while (eager->pos->next < c->samples)
				take(c, eager, 8);
			if (r32 % 50 == 1)
				take(c, slow, 1 + r32 % 8);
			if (i > 100000)
				take(c, late, 3);
			break;
		default: {
			unsigned int len = 1 + r32 % 1500;
			unsigned int cpu = (r32 >> 8) % 4;
			/* one packet in 8 a super-packet of up to 64 segments */
			u32 segs = r32 % 8 == 2 ? 1 + (r32 >> 12) % 64 : 1;

			/* each CPU's packet clock is off CLOCK_REALTIME by its own amount */
			pkt_offset = (int64_t)cpu * 7919 - 12000;
			pkt_segs(c, cpu, t, segs, len, (segs - 1) * 40);
			frames += segs;
			bytes += len + (segs - 1) * 40;
			skbs++;
		}
		}
	}
	close_at(c, t + 1000000);
	for (k = 0; k < 4; k++) {
		while (r[k].pos->next < c->samples)
			take(c, &r[k], 8);
		pktstat_pos_stats(c, r[k].pos, &lost, &queued);
		CHECK(r[k].order_ok, "position %u: timestamps not strictly increasing", k);
		CHECK(r[k].align_ok, "position %u: timestamp not a multiple of the period", k);
		CHECK(r[k].mono_ok, "position %u: cumulative frames went down", k);
		CHECK(r[k].lost_ok, "position %u: a loss not on the first sample of a pop", k);
		CHECK_U64("final frames", frames, r[k].last_f);
		CHECK_U64("final bytes", bytes, r[k].last_b);
		CHECK_U64("lost lines = position's loss count", r[k].lost, lost);
		CHECK_U64("queued after the final drain", 0, queued);
		CHECK_U64("taken + lost = samples since the start",
			  c->samples - (k == 3 ? late_start : 0), r[k].popped + lost);
	}
	CHECK_U64("closed totals", frames, c->frames);
	pktstat_totals(c, &tot);
	CHECK_U64("running frames", frames, tot.frames);
	CHECK_U64("running bytes", bytes, tot.bytes);
	CHECK_U64("skbs", skbs, tot.frames - tot.seg_frames);
	CHECK(skbs < frames, "no super-packet was sent");
	CHECK_U64("data never lapped", 0, data->lost);
	CHECK_U64("eager never lapped", 0, eager->lost);
	CHECK(slow->lost > 1000, "the slow position lost only %" PRIu64, slow->lost);
	CHECK(late_start > 64, "late position started at %" PRIu64, late_start);
	CHECK(c->samples > 1000, "only %" PRIu64 " samples", c->samples);
	end(ok, c);
}

/*
 * The racing test. Per packet: the first clock read of its count and the clock
 * after it returned. A window's sample must hold every packet that returned
 * before the window ended (a closer reads the clock, then the counters) and only
 * packets that read the clock before it ended (never a later window's).
 */
#define RACE_CPUS	3
#define RACE_READERS	2
#define RACE_PERIOD	64
#define RACE_STATS	4096

struct race_pkt {
	u64 lo, ret, segs, bytes;	/* bytes on the wire: the skb's and its segments' headers */
};

struct race_stat {
	u64 before, after;
	struct pktstat_totals t;
};

struct race {
	struct pktstat_core *c;
	unsigned int npkt;			/* per CPU */
	int cpus_left;
	struct race_pkt *pkts;			/* RACE_CPUS * npkt */
	struct pktstat_sample *got;		/* every popped sample */
	unsigned int ngot, cap;
	struct race_stat stats[RACE_STATS];
	unsigned int nstats;
	int reader_order_bad;
};

struct race_arg {
	struct race *r;
	unsigned int id;
};

static void *race_cpu(void *p)
{
	struct race_arg *a = p;
	struct race *r = a->r;
	struct race_pkt *pk = r->pkts + (size_t)a->id * r->npkt;
	unsigned int i;

	race_offset = a->id * 1000003ULL;
	race_rand = a->id + 1;
	for (i = 0; i < r->npkt; i++) {
		unsigned int len = 1 + race_next() % 1500;

		/* one packet in 4 a super-packet of up to 64 segments, 52 header bytes each */
		pk[i].segs = race_next() % 4 ? 1 : 1 + race_next() % 64;
		pk[i].bytes = len + (pk[i].segs - 1) * 52;
		read_lo = UINT64_MAX;
		pktstat_count(r->c, &r->c->pcpu[a->id], pk[i].segs, len, (pk[i].segs - 1) * 52);
		pk[i].lo = read_lo;
		pk[i].ret = race_tick();
	}
	__atomic_sub_fetch(&r->cpus_left, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static int race_running(struct race *r)
{
	return __atomic_load_n(&r->cpus_left, __ATOMIC_SEQ_CST) > 0;
}

/* Closes and reads the running totals, as a stats read does. */
static void *race_closer(void *p)
{
	struct race *r = ((struct race_arg *)p)->r;
	struct pktstat_core *c = r->c;

	race_rand = 99;
	while (race_running(r)) {
		struct race_stat st;

		st.before = race_tick();
		spin_lock(&c->lock);
		pktstat_close(c, pktstat_clock(c));
		pktstat_totals(c, &st.t);
		spin_unlock(&c->lock);
		st.after = race_tick();
		if (r->nstats < RACE_STATS)
			r->stats[r->nstats++] = st;
		if (race_next() % 4 == 0)
			sched_yield();
	}
	return NULL;
}

/* Closes and pops, as a data read does; the readers share r->got under the set lock. */
static void *race_reader(void *p)
{
	struct race *r = ((struct race_arg *)p)->r;
	struct pktstat_core *c = r->c;
	struct pktstat_sample s[4];
	u64 last = 0;
	unsigned int n, i;
	int more = 1;

	while (more) {
		more = race_running(r);
		spin_lock(&c->lock);
		pktstat_close(c, pktstat_clock(c));
		n = pktstat_pop(c, &c->data, s, 4);
		for (i = 0; i < n && r->ngot < r->cap; i++) {
			if (s[i].ts <= last)
				r->reader_order_bad = 1;
			last = s[i].ts;
			r->got[r->ngot++] = s[i];
		}
		spin_unlock(&c->lock);
		more |= n != 0;
		sched_yield();
	}
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return (x > y) - (x < y);
}

/* Sorted (key, segs, bytes) triples and their running sums, to count packets with key < t. */
struct race_index {
	u64 *key;		/* n triples: key, segs, bytes */
	u64 *frames, *bytes;	/* n + 1 prefix sums */
	size_t n;
};

static void race_index(struct race_index *x, const struct race_pkt *pk, size_t n, int by_ret)
{
	size_t i;

	x->n = n;
	x->key = malloc(3 * n * sizeof(u64));
	x->frames = malloc((n + 1) * sizeof(u64));
	x->bytes = malloc((n + 1) * sizeof(u64));
	if (!x->key || !x->frames || !x->bytes) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	for (i = 0; i < n; i++) {
		x->key[3 * i] = by_ret ? pk[i].ret : pk[i].lo;
		x->key[3 * i + 1] = pk[i].segs;
		x->key[3 * i + 2] = pk[i].bytes;
	}
	qsort(x->key, n, 3 * sizeof(u64), cmp_u64);
	x->frames[0] = x->bytes[0] = 0;
	for (i = 0; i < n; i++) {
		x->frames[i + 1] = x->frames[i] + x->key[3 * i + 1];
		x->bytes[i + 1] = x->bytes[i] + x->key[3 * i + 2];
	}
}

/* How many packets have key < @t: frames, and their bytes in *bytes. */
static u64 race_below(const struct race_index *x, u64 t, u64 *bytes)
{
	size_t lo = 0, hi = x->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (x->key[3 * mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	*bytes = x->bytes[lo];
	return x->frames[lo];
}

static void race_index_free(struct race_index *x)
{
	free(x->key);
	free(x->frames);
	free(x->bytes);
}

static void test_racing_threads(unsigned int npkt)
{
	struct race *r = calloc(1, sizeof(*r));
	struct race_arg args[RACE_CPUS + 1 + RACE_READERS];
	pthread_t th[RACE_CPUS + 1 + RACE_READERS];
	struct race_index by_lo, by_ret;
	u64 frames = 0, bytes = 0, seg_frames = 0, late = 0, f, b, lost, queued;
	struct pktstat_totals tot;
	size_t total = (size_t)RACE_CPUS * npkt;
	unsigned int i, n, bound_bad = 0, stat_bad = 0, order_bad = 0;
	int ok = 1;

	current = "racing threads: CPUs, closers and readers; exact totals and windows";
	if (!r) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	r->c = core_new(RACE_PERIOD, 1 << 16, RACE_CPUS);
	r->npkt = npkt;
	r->cpus_left = RACE_CPUS;
	r->cap = 1 << 20;
	r->pkts = calloc(total, sizeof(*r->pkts));
	r->got = calloc(r->cap, sizeof(*r->got));
	if (!r->pkts || !r->got) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	race_clock = 1000000;
	racing = 1;
	for (i = 0; i < RACE_CPUS + 1 + RACE_READERS; i++) {
		args[i] = (struct race_arg){ r, i };
		if (pthread_create(&th[i], NULL, i < RACE_CPUS ? race_cpu :
				   i == RACE_CPUS ? race_closer : race_reader, &args[i])) {
			fprintf(stderr, "pthread_create failed\n");
			exit(2);
		}
	}
	for (i = 0; i < RACE_CPUS + 1 + RACE_READERS; i++)
		pthread_join(th[i], NULL);
	/* every CPU idle: one last read closes what is left */
	spin_lock(&r->c->lock);
	pktstat_close(r->c, pktstat_clock(r->c) + 2 * RACE_PERIOD);
	while (r->ngot < r->cap && (n = pktstat_pop(r->c, &r->c->data, &r->got[r->ngot], 1)))
		r->ngot++;
	pktstat_totals(r->c, &tot);
	pktstat_pos_stats(r->c, &r->c->data, &lost, &queued);
	spin_unlock(&r->c->lock);
	racing = 0;

	for (i = 0; i < total; i++) {
		frames += r->pkts[i].segs;
		bytes += r->pkts[i].bytes;
		seg_frames += r->pkts[i].segs - 1;
	}
	CHECK(!r->reader_order_bad, "a reader got timestamps out of order");
	CHECK_U64("nothing left open", r->c->frames, tot.frames);
	CHECK_U64("segment frames", seg_frames, tot.seg_frames);
	CHECK_U64("segment bytes", seg_frames * 52, tot.seg_bytes);
	CHECK_U64("closed frames", frames, r->c->frames);
	CHECK_U64("closed bytes", bytes, r->c->bytes);
	CHECK_U64("nothing lost", 0, lost);
	CHECK_U64("every sample popped", r->c->samples, r->ngot);
	/* the readers' pops interleave: order by timestamp, then check the cumulative sequence */
	qsort(r->got, r->ngot, sizeof(*r->got), cmp_u64);
	race_index(&by_lo, r->pkts, total, 0);
	race_index(&by_ret, r->pkts, total, 1);
	for (i = 0; i < r->ngot; i++) {
		const struct pktstat_sample *s = &r->got[i];
		u64 end = s->ts + RACE_PERIOD, fl, bl, fu, bu;

		if (s->ts % RACE_PERIOD || (i && (s->ts <= s[-1].ts || s->frames <= s[-1].frames ||
						   s->bytes <= s[-1].bytes)))
			order_bad++;
		fl = race_below(&by_ret, end, &bl);
		fu = race_below(&by_lo, end, &bu);
		if (s->frames < fl || s->frames > fu || s->bytes < bl || s->bytes > bu) {
			if (!bound_bad++)
				printf("  window %" PRIu64 ": %" PRIu64 " frames %" PRIu64 " bytes, "
				       "want %" PRIu64 "..%" PRIu64 " frames %" PRIu64 "..%" PRIu64 " bytes\n",
				       s->ts, s->frames, s->bytes, fl, fu, bl, bu);
		}
		late += fu - s->frames;
	}
	CHECK(r->ngot > 1000, "only %u samples", r->ngot);
	CHECK(!order_bad, "%u samples out of order or not aligned", order_bad);
	CHECK(!bound_bad, "%u samples hold packets of another window", bound_bad);
	CHECK(r->ngot && r->got[r->ngot - 1].frames == frames && r->got[r->ngot - 1].bytes == bytes,
	      "the last sample does not hold every packet");
	for (i = 0; i < r->nstats; i++) {
		const struct race_stat *st = &r->stats[i];

		if (st->t.frames < race_below(&by_ret, st->before, &b) || st->t.bytes < b ||
		    st->t.frames > race_below(&by_lo, st->after, &f) || st->t.bytes > f)
			stat_bad++;
		/* a super-packet's segment counts arrive with its first frame, never apart */
		if (st->t.frames && (st->t.seg_frames >= st->t.frames || st->t.seg_bytes >= st->t.bytes))
			stat_bad++;
	}
	CHECK(r->nstats > 10, "only %u stats reads", r->nstats);
	CHECK(!stat_bad, "%u of %u stats reads outside what was sent", stat_bad, r->nstats);
	/* the race under test happened: counts that missed the close of their clock's window */
	CHECK(late > 0, "no count ever crossed a close");
	printf("%s  %u samples, %u stats reads, %" PRIu64 " frames, %" PRIu64
	       " counted after their clock's window closed\n", label, r->ngot, r->nstats, frames, late);
	race_index_free(&by_lo);
	race_index_free(&by_ret);
	free(r->pkts);
	free(r->got);
	end(ok, r->c);
	free(r);
}

int main(int argc, char **argv)
{
	static char prefix[32];
	unsigned int npkt = 100000;

	if (argc > 1) {
		snprintf(prefix, sizeof(prefix), "%s: ", argv[1]);
		label = prefix;
	}
	if (argc > 2)
		npkt = strtoul(argv[2], NULL, 10);
	test_windows_and_totals();
	test_wall_clock_steps();
	test_wall_clock_back_an_hour();
	test_packet_clock_ahead();
	test_packet_clock_behind();
	test_packet_clock_jumps_back();
	test_delayed_count();
	test_super_packets();
	test_near_2_64();
	test_ring_full_and_lost();
	test_ring_positions();
	test_many_windows_skipped();
	test_cpus_merge_and_sort();
	test_format_bound();
	test_random_exact();
	test_racing_threads(npkt);
	printf("%s%u passed, %u failed\n", label, passed, failed);
	return failed ? 1 : 0;
}
