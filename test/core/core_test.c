// SPDX-License-Identifier: GPL-2.0
/*
 * Drives the window/close/FIFO core with a scripted clock and several fake CPUs.
 * Each check compares against numbers the test itself produced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include "pktstat_core.h"

static unsigned int passed, failed;
static const char *current;

/* The clock: scripted values first (to force races between reads), then clock_ns. */
static u64 clock_ns;
static u64 script[8];
static unsigned int script_n, script_i;

u64 pktstat_now(void)
{
	if (script_i < script_n)
		return script[script_i++];
	return clock_ns;
}

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("FAIL %s:%d %s: ", __FILE__, __LINE__, current);	\
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
	c->fifo = calloc(capacity, sizeof(*c->fifo));
	c->harvest = calloc(ncpu, sizeof(*c->harvest));
	c->pcpu = calloc(ncpu, sizeof(*c->pcpu));
	c->ncpu = ncpu;
	if (!c->fifo || !c->harvest || !c->pcpu) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	pktstat_core_init(c, period);
	script_n = script_i = 0;
	return c;
}

/* Every lock released: the core's lock pairs are balanced. */
static int locks_balanced(struct pktstat_core *c)
{
	unsigned int cpu;

	if (c->lock.held)
		return 0;
	for (cpu = 0; cpu < c->ncpu; cpu++)
		if (c->pcpu[cpu].lock.held)
			return 0;
	return 1;
}

static void core_free(struct pktstat_core *c)
{
	free(c->fifo);
	free(c->harvest);
	free(c->pcpu);
	free(c);
}

static void pkt(struct pktstat_core *c, unsigned int cpu, u64 t, unsigned int len)
{
	clock_ns = t;
	pktstat_count(c, &c->pcpu[cpu], len);
}

static unsigned int close_at(struct pktstat_core *c, u64 t)
{
	clock_ns = t;
	return pktstat_close(c, t);
}

/* Pop everything and render it as the data file would after its header. */
static char *drain_text(struct pktstat_core *c, char *buf, size_t size)
{
	struct pktstat_sample s;
	size_t n = 0;

	buf[0] = 0;
	while (pktstat_pop(c, &s, 1)) {
		if (size - n < PKTSTAT_SAMPLE_TEXT_MAX)
			break;
		n += pktstat_format(buf + n, size - n, &s);
	}
	return buf;
}

static void end(int ok, struct pktstat_core *c)
{
	if (c && !locks_balanced(c)) {
		printf("FAIL %s: a lock left held\n", current);
		ok = 0;
	}
	if (c)
		core_free(c);
	if (ok)
		passed++;
	else
		failed++;
	printf("%s %s\n", ok ? "ok  " : "FAIL", current);
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
	CHECK_U64("queued after drain", 0, c->queued);
	end(ok, c);
}

static void test_clock_back(void)
{
	struct pktstat_core *c = core_new(100, 16, 2);
	char text[1024];
	int ok = 1;

	current = "clock stepping back counts in the current window";
	pkt(c, 0, 1050, 1);
	pkt(c, 0, 500, 2);		/* back: still window 1000 */
	CHECK_U64("no close while the clock is behind", 0, close_at(c, 600));
	close_at(c, 1150);		/* window 1000 closed, floor 1100 */
	pkt(c, 1, 700, 4);		/* back again on another CPU: floor window 1100 */
	pkt(c, 0, 710, 8);
	CHECK_U64("cpu1 window is the floor", 1100, c->pcpu[1].win_start);
	close_at(c, 1250);
	pkt(c, 0, 900, 16);		/* floor is now 1200 */
	close_at(c, 5000);
	drain_text(c, text, sizeof(text));
	CHECK(!strcmp(text, "1000 2 3\n1100 4 15\n1200 5 31\n"), "text:\n%s", text);
	end(ok, c);
}

static void test_window_ends_during_slow_path(void)
{
	struct pktstat_core *c = core_new(100, 16, 1);
	char text[256];
	int ok = 1;

	current = "window ending between the close and the count closes again";
	pkt(c, 0, 150, 1);		/* window 100 */
	/* fast check 250, close sees 150 (clock back), recheck 260: ended, loop */
	script[0] = 250;
	script[1] = 150;
	script[2] = 260;
	script[3] = 270;
	script[4] = 280;
	script_n = 5;
	script_i = 0;
	pktstat_count(c, &c->pcpu[0], 2);
	CHECK_U64("script used up", 5, script_i);
	CHECK_U64("new window", 200, c->pcpu[0].win_start);
	CHECK_U64("new window frames", 1, c->pcpu[0].frames);
	close_at(c, 1000);
	drain_text(c, text, sizeof(text));
	CHECK(!strcmp(text, "100 1 1\n200 2 3\n"), "text:\n%s", text);
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

static void test_fifo_full_and_lost(void)
{
	struct pktstat_core *c = core_new(10, 2, 1);
	struct pktstat_sample s;
	char text[512];
	u64 t;
	int ok = 1;

	current = "full FIFO drops, '# lost K' before the next sample in";
	for (t = 0; t < 5; t++)
		pkt(c, 0, 100 + t * 10, 7);
	close_at(c, 1000);
	CHECK_U64("queued", 2, c->queued);
	CHECK_U64("lost", 3, c->lost);
	CHECK_U64("pop one", 1, pktstat_pop(c, &s, 1));
	CHECK_U64("popped ts", 100, s.ts);
	CHECK_U64("popped lost_before", 0, s.lost_before);
	pkt(c, 0, 2000, 7);
	pkt(c, 0, 2010, 7);		/* FIFO full again: one more lost */
	close_at(c, 3000);
	drain_text(c, text, sizeof(text));
	CHECK(!strcmp(text, "110 2 14\n# lost 3\n2000 6 42\n"), "text:\n%s", text);
	CHECK_U64("lost total", 4, c->lost);
	CHECK_U64("pending lost", 1, c->pending_lost);
	pkt(c, 0, 4000, 7);
	close_at(c, 5000);
	drain_text(c, text, sizeof(text));
	CHECK(!strcmp(text, "# lost 1\n4000 8 56\n"), "text:\n%s", text);
	CHECK_U64("empty pop", 0, pktstat_pop(c, &s, 1));
	CHECK_U64("samples + lost = windows", 8, c->samples + c->lost);
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
	c->pcpu[0] = (struct pktstat_pcpu){ .win_start = 1300, .win_end = 1400, .frames = 1, .bytes = 100 };
	c->pcpu[1] = (struct pktstat_pcpu){ .win_start = 1200, .win_end = 1300, .frames = 2, .bytes = 200 };
	c->pcpu[3] = (struct pktstat_pcpu){ .win_start = 1300, .win_end = 1400, .frames = 4, .bytes = 400 };
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

/* Random traffic on 4 CPUs, clock jitter and steps back, closes and pops interleaved. */
static void test_random_exact(void)
{
	struct pktstat_core *c = core_new(1000, 64, 4);
	struct pktstat_sample s;
	u64 t = 1000000, frames = 0, bytes = 0, last_ts = 0, last_f = 0, popped = 0;
	unsigned int i;
	int ok = 1, order_ok = 1, align_ok = 1, mono_ok = 1;

	current = "random interleaving: exact totals, increasing aligned timestamps";
	srand(12345);
	for (i = 0; i < 200000; i++) {
		unsigned int r = rand();

		if (r % 1000 == 0)
			t -= r % 5000;			/* step back */
		else
			t += r % 97;
		switch (r % 23) {
		case 0:
			close_at(c, t);
			break;
		case 1:
			while (pktstat_pop(c, &s, 1)) {
				popped++;
				order_ok &= s.ts > last_ts || last_ts == 0;
				align_ok &= s.ts % 1000 == 0;
				mono_ok &= s.frames >= last_f;
				last_ts = s.ts;
				last_f = s.frames;
			}
			break;
		default: {
			unsigned int len = 1 + r % 1500;

			pkt(c, (r >> 8) % 4, t, len);
			frames++;
			bytes += len;
		}
		}
	}
	close_at(c, t + 1000000);
	while (pktstat_pop(c, &s, 1)) {
		popped++;
		order_ok &= s.ts > last_ts;
		last_ts = s.ts;
		last_f = s.frames;
		CHECK_U64("final frames", frames, s.frames);
		CHECK_U64("final bytes", bytes, s.bytes);
	}
	CHECK(order_ok, "timestamps not strictly increasing");
	CHECK(align_ok, "timestamp not a multiple of the period");
	CHECK(mono_ok, "cumulative frames went down");
	CHECK_U64("closed totals", frames, c->frames);
	CHECK_U64("popped = samples", c->samples, popped);
	CHECK(c->samples > 1000, "only %" PRIu64 " samples", c->samples);
	end(ok, c);
}

int main(void)
{
	test_windows_and_totals();
	test_clock_back();
	test_window_ends_during_slow_path();
	test_near_2_64();
	test_fifo_full_and_lost();
	test_many_windows_skipped();
	test_cpus_merge_and_sort();
	test_format_bound();
	test_random_exact();
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
