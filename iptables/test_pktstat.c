// SPDX-License-Identifier: GPL-2.0
/*
 * Test driver for libxt_pktstat.so without a kernel.
 *
 * Loads the built extension through libxtables exactly as iptables does
 * (XTABLES_LIBDIR, dlopen, registration), feeds option lists through
 * libxtables' own option dispatch and final check, and asserts the stored
 * match info, the exact refusal messages and the print/save strings.
 *
 * Usage: test_pktstat [-6] [--rev0] [--auto NAME...]
 *   -6           load the extension as ip6tables does (NFPROTO_IPV6)
 *   --rev0       as with a kernel that knows only revision 0 of the match
 *   --auto N...  only parse one unnamed rule per N and expect names N in order
 *                ("!MESSAGE": expect that refusal instead), flagged as chosen
 *                names with revision 1
 * Prints "ok - ..." / "not ok - ..." per assertion; exit status 1 on failure.
 */
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xtables.h>
#include "xt_pktstat.h"

static sigjmp_buf refusal_jmp;
static char refusal[512];
static unsigned int npass, nfail;

static void __attribute__((noreturn, format(printf, 2, 3)))
capture_exit_err(enum xtables_exittype status, const char *msg, ...)
{
	va_list ap;

	(void)status;
	va_start(ap, msg);
	vsnprintf(refusal, sizeof(refusal), msg, ap);
	va_end(ap);
	siglongjmp(refusal_jmp, 1);
}

static int max_rev = 255;

static int accept_rev(const char *name, uint8_t rev, int opt)
{
	(void)name; (void)opt;
	return rev <= max_rev;
}

static struct option no_opts[] = { { .name = NULL } };

static struct xtables_globals test_globals = {
	.program_name	 = "test_pktstat",
	.program_version = "0",
	.orig_opts	 = no_opts,
	.opts		 = no_opts,
	.exit_err	 = capture_exit_err,
	.compat_rev	 = accept_rev,
};

static struct xtables_match *mt;

static void check(int cond, const char *fmt, ...)
{
	char line[1024];
	const char *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One result per line: escape newlines that come from messages or arguments. */
	printf(cond ? "ok - " : "not ok - ");
	for (p = line; *p != '\0'; p++)
		if (*p == '\n')
			printf("\\n");
		else
			putchar(*p);
	printf("\n");
	if (cond)
		npass++;
	else
		nfail++;
}

/* One rule's worth of parsing: NULL-terminated "--opt", "value" pairs, "!" before an option inverts it. */
struct outcome {
	int refused;
	char msg[512];
	struct xt_pktstat_info info;
	char print[256], save[256];
};

static void capture(void (*fn)(void), char *buf, size_t size)
{
	FILE *saved = stdout, *mem;
	char *text = NULL;
	size_t len = 0;

	mem = open_memstream(&text, &len);
	if (mem == NULL) {
		perror("open_memstream");
		exit(2);
	}
	stdout = mem;
	fn();
	fclose(mem);
	stdout = saved;
	snprintf(buf, size, "%s", text);
	free(text);
}

static void do_print(void)
{
	mt->print(NULL, mt->m, 0);
}

static void do_save(void)
{
	mt->save(NULL, mt->m);
}

/* What iptables' getopt loop does for each of the extension's options. */
static void parse_options(const char *const *args)
{
	const struct xt_option_entry *e;
	int invert;

	for (; *args != NULL; args += 2) {
		invert = strcmp(*args, "!") == 0;
		args += invert;
		for (e = mt->x6_options; e->name != NULL; e++)
			if (strncmp(*args, "--", 2) == 0 && strcmp(*args + 2, e->name) == 0)
				break;
		if (e->name == NULL) {
			fprintf(stderr, "test bug: unknown option %s\n", *args);
			exit(2);
		}
		optarg = (char *)args[1];
		xtables_option_mpcall(e->id + mt->option_offset, NULL, invert, mt, NULL);
	}
}

static void parse_rule(const char *const *args, struct outcome *o)
{
	size_t msize = XT_ALIGN(sizeof(struct xt_entry_match)) + mt->size;

	memset(o, 0, sizeof(*o));
	free(mt->m);
	/* iptables hands extensions zeroed match data. */
	mt->m = xtables_calloc(1, msize);
	mt->m->u.match_size = msize;
	strcpy(mt->m->u.user.name, mt->name);
	mt->mflags = 0;

	if (sigsetjmp(refusal_jmp, 1)) {
		o->refused = 1;
		snprintf(o->msg, sizeof(o->msg), "%s", refusal);
		return;
	}
	parse_options(args);
	xtables_option_mfcall(mt);
	memcpy(&o->info, mt->m->data, sizeof(o->info));
	capture(do_print, o->print, sizeof(o->print));
	capture(do_save, o->save, sizeof(o->save));
}

/* Splits a save string into argv form and parses it again, as iptables-restore would. */
static void reparse_saved(const char *saved, struct outcome *o)
{
	char copy[256], *tok, *sp;
	const char *args[16];
	size_t n = 0;

	snprintf(copy, sizeof(copy), "%s", saved);
	for (tok = strtok_r(copy, " ", &sp); tok != NULL && n < 15; tok = strtok_r(NULL, " ", &sp))
		args[n++] = tok;
	args[n] = NULL;
	parse_rule(args, o);
}

static int same_rule(const struct outcome *a, const struct outcome *b)
{
	return memcmp(&a->info, &b->info, mt->userspacesize) == 0;
}

static void expect_rule(const char *const *args, uint64_t period_ns, uint32_t samples,
			const char *name, const char *print, const char *save)
{
	struct outcome o, again;
	char what[256] = "";
	const char *const *a;
	size_t i, len = strlen(name);
	int padded = 1;

	for (a = args; *a != NULL; a++)
		snprintf(what + strlen(what), sizeof(what) - strlen(what), " %s", *a);

	parse_rule(args, &o);
	check(!o.refused, "accepted:%s%s%s", what, o.refused ? " -- refused: " : "", o.msg);
	if (o.refused)
		return;
	check(o.info.period_ns == period_ns, "%s: period_ns %" PRIu64 " (want %" PRIu64 ")",
	      what, (uint64_t)o.info.period_ns, period_ns);
	check(o.info.samples == samples, "%s: samples %u (want %u)", what, o.info.samples, samples);
	for (i = len; i < sizeof(o.info.name); i++)
		padded &= o.info.name[i] == '\0';
	check(strncmp(o.info.name, name, sizeof(o.info.name)) == 0 && padded,
	      "%s: name \"%.16s\", NUL-padded (want \"%s\")", what, o.info.name, name);
	check(o.info.flags == 0, "%s: flags 0", what);
	check(strcmp(o.print, print) == 0, "%s: print \"%s\" (want \"%s\")", what, o.print, print);
	check(strcmp(o.save, save) == 0, "%s: save \"%s\" (want \"%s\")", what, o.save, save);

	reparse_saved(o.save, &again);
	check(!again.refused && same_rule(&o, &again) && strcmp(again.save, o.save) == 0,
	      "%s: restore of \"%s\" gives the same rule%s%s", what, o.save,
	      again.refused ? " -- refused: " : "", again.msg);
}

static void expect_refusal(const char *const *args, const char *msg)
{
	struct outcome o;
	char what[256] = "";
	const char *const *a, *nl;

	for (a = args; *a != NULL; a++)
		snprintf(what + strlen(what), sizeof(what) - strlen(what), " %s", *a);
	parse_rule(args, &o);
	check(o.refused && strcmp(o.msg, msg) == 0, "refused:%s -> \"%s\"%s%s", what, msg,
	      o.refused ? "" : " -- but accepted, save:", o.refused ? "" : o.save);
	if (o.refused && strcmp(o.msg, msg) != 0)
		printf("#   got \"%s\"\n", o.msg);
	nl = strchr(o.msg, '\n');
	check(o.refused && (nl == NULL || nl[1] == '\0'), "refused:%s: message is one line", what);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_registration(void)
{
	check(mt->family == NFPROTO_UNSPEC, "registered for NFPROTO_UNSPEC (got %u)", mt->family);
	check(mt->revision == 1, "revision 1 (got %u)", mt->revision);
	check(mt->size == XT_ALIGN(sizeof(struct xt_pktstat_info)), "size %zu == XT_ALIGN(info) %zu",
	      mt->size, (size_t)XT_ALIGN(sizeof(struct xt_pktstat_info)));
	check(mt->userspacesize == offsetof(struct xt_pktstat_info, set),
	      "userspacesize %zu == offsetof(set) %zu", mt->userspacesize,
	      offsetof(struct xt_pktstat_info, set));
	check(mt->x6_parse != NULL && mt->x6_fcheck != NULL && mt->x6_options != NULL,
	      "uses the x6 option API");
}

static void test_accepted(void)
{
	expect_rule(ARGS("--period", "100", "--samples", "20", "--name", "a"),
		    100000000ULL, 20, "a",
		    " pktstat period 100ms samples 20 name a",
		    " --period 100ms --samples 20 --name a");
	expect_rule(ARGS("--name", "web.v4-in_1", "--samples", "1", "--period", "250us"),
		    250000ULL, 1, "web.v4-in_1",
		    " pktstat period 250us samples 1 name web.v4-in_1",
		    " --period 250us --samples 1 --name web.v4-in_1");
	expect_rule(ARGS("--period", "1500ns", "--samples", "1048576", "--name", "abcdefghijklmno"),
		    1500ULL, 1048576, "abcdefghijklmno",
		    " pktstat period 1500ns samples 1048576 name abcdefghijklmno",
		    " --period 1500ns --samples 1048576 --name abcdefghijklmno");
	expect_rule(ARGS("--period", "1000ms", "--samples", "7", "--name", "-x"),
		    1000000000ULL, 7, "-x",
		    " pktstat period 1s samples 7 name -x",
		    " --period 1s --samples 7 --name -x");
	expect_rule(ARGS("--period", "1000ns", "--samples", "00020", "--name", "lo"),
		    1000ULL, 20, "lo",
		    " pktstat period 1us samples 20 name lo",
		    " --period 1us --samples 20 --name lo");
	expect_rule(ARGS("--period", "3600000", "--samples", "3", "--name", "hi"),
		    3600000000000ULL, 3, "hi",
		    " pktstat period 3600s samples 3 name hi",
		    " --period 3600s --samples 3 --name hi");
	expect_rule(ARGS("--period", "0100", "--samples", "2", "--name", "Z9"),
		    100000000ULL, 2, "Z9",
		    " pktstat period 100ms samples 2 name Z9",
		    " --period 100ms --samples 2 --name Z9");
	expect_rule(ARGS("--period", "1000000001ns", "--samples", "2", "--name", "odd"),
		    1000000001ULL, 2, "odd",
		    " pktstat period 1000000001ns samples 2 name odd",
		    " --period 1000000001ns --samples 2 --name odd");
	expect_rule(ARGS("--period", "2500ms", "--samples", "2", "--name", "0"),
		    2500000000ULL, 2, "0",
		    " pktstat period 2500ms samples 2 name 0",
		    " --period 2500ms --samples 2 --name 0");
	expect_rule(ARGS("--period", "3600s", "--samples", "2", "--name", "n"),
		    3600000000000ULL, 2, "n",
		    " pktstat period 3600s samples 2 name n",
		    " --period 3600s --samples 2 --name n");
}

static void test_refused(void)
{
	expect_refusal(ARGS("--samples", "20", "--name", "a"),
		       "pktstat: --period is required (window width, 1us..1h, e.g. --period 100ms)");
	expect_refusal(ARGS("--period", "100", "--name", "a"),
		       "pktstat: --samples is required (FIFO capacity, 1..1048576)");
	expect_refusal(ARGS("--period", "0", "--samples", "20"),
		       "pktstat: --period \"0\": must not be zero (range 1us..1h)");
	expect_refusal(ARGS("--period", "0ns", "--samples", "20"),
		       "pktstat: --period \"0ns\": must not be zero (range 1us..1h)");
	expect_refusal(ARGS("--period", "999ns", "--samples", "20"),
		       "pktstat: --period \"999ns\": out of range 1us..1h");
	expect_refusal(ARGS("--period", "3600001", "--samples", "20"),
		       "pktstat: --period \"3600001\": out of range 1us..1h");
	expect_refusal(ARGS("--period", "3601s", "--samples", "20"),
		       "pktstat: --period \"3601s\": out of range 1us..1h");
	expect_refusal(ARGS("--period", "3600000000001ns", "--samples", "20"),
		       "pktstat: --period \"3600000000001ns\": out of range 1us..1h");
	expect_refusal(ARGS("--period", "18446744073709551615s", "--samples", "20"),
		       "pktstat: --period \"18446744073709551615s\": out of range 1us..1h");
	expect_refusal(ARGS("--period", "99999999999999999999999", "--samples", "20"),
		       "pktstat: --period \"99999999999999999999999\": out of range 1us..1h");
	expect_refusal(ARGS("--period", "10m", "--samples", "20"),
		       "pktstat: --period \"10m\": unknown unit \"m\" (use ns, us, ms or s)");
	expect_refusal(ARGS("--period", "1h", "--samples", "20"),
		       "pktstat: --period \"1h\": unknown unit \"h\" (use ns, us, ms or s)");
	expect_refusal(ARGS("--period", "5MS", "--samples", "20"),
		       "pktstat: --period \"5MS\": unknown unit \"MS\" (use ns, us, ms or s)");
	expect_refusal(ARGS("--period", "10 ms", "--samples", "20"),
		       "pktstat: --period \"10 ms\": unknown unit \" ms\" (use ns, us, ms or s)");
	expect_refusal(ARGS("--period", "1.5s", "--samples", "20"),
		       "pktstat: --period \"1.5s\": unknown unit \".5s\" (use ns, us, ms or s)");
	expect_refusal(ARGS("--period", "1\n0", "--samples", "20"),
		       "pktstat: --period: bad character 0x0a at position 2");
	expect_refusal(ARGS("--period", "100", "--samples", "\t5"),
		       "pktstat: --samples: bad character 0x09 at position 1");
	expect_refusal(ARGS("--period", "abc", "--samples", "20"),
		       "pktstat: --period \"abc\": not a number (examples: 100, 250us, 1s)");
	expect_refusal(ARGS("--period", "", "--samples", "20"),
		       "pktstat: --period \"\": not a number (examples: 100, 250us, 1s)");
	expect_refusal(ARGS("--period", "-5", "--samples", "20"),
		       "pktstat: --period \"-5\": not a number (examples: 100, 250us, 1s)");
	expect_refusal(ARGS("--period", " 5", "--samples", "20"),
		       "pktstat: --period \" 5\": not a number (examples: 100, 250us, 1s)");
	expect_refusal(ARGS("--period", "100", "--samples", "0"),
		       "pktstat: --samples \"0\": must not be zero (range 1..1048576)");
	expect_refusal(ARGS("--period", "100", "--samples", "1048577"),
		       "pktstat: --samples \"1048577\": out of range 1..1048576");
	expect_refusal(ARGS("--period", "100", "--samples", "99999999999999999999999"),
		       "pktstat: --samples \"99999999999999999999999\": out of range 1..1048576");
	expect_refusal(ARGS("--period", "100", "--samples", "12x"),
		       "pktstat: --samples \"12x\": not a number (range 1..1048576)");
	expect_refusal(ARGS("--period", "100", "--samples", "-1"),
		       "pktstat: --samples \"-1\": not a number (range 1..1048576)");
	expect_refusal(ARGS("--period", "100", "--samples", ""),
		       "pktstat: --samples \"\": not a number (range 1..1048576)");
	expect_refusal(ARGS("--period", "100", "--samples", "2", "--name", ""),
		       "pktstat: --name: must not be empty");
	expect_refusal(ARGS("--period", "100", "--samples", "2", "--name", ".hidden"),
		       "pktstat: --name \".hidden\": must not start with '.'");
	expect_refusal(ARGS("--period", "100", "--samples", "2", "--name", "a b"),
		       "pktstat: --name \"a b\": bad character ' ' (allowed: A-Z a-z 0-9 _ . -)");
	expect_refusal(ARGS("--period", "100", "--samples", "2", "--name", "../x"),
		       "pktstat: --name \"../x\": bad character '/' (allowed: A-Z a-z 0-9 _ . -)");
	expect_refusal(ARGS("--period", "100", "--samples", "2", "--name", "caf\xc3\xa9"),
		       "pktstat: --name: bad character 0xc3 at position 4");
	expect_refusal(ARGS("--period", "100", "--samples", "2", "--name", "a\nb"),
		       "pktstat: --name: bad character 0x0a at position 2");
	expect_refusal(ARGS("--period", "100", "--samples", "2", "--name", "abcdefghijklmnop"),
		       "pktstat: --name \"abcdefghijklmnop\": too long (16 characters, at most 15)");
	/* libxtables' own refusals, reached through the extension's option table. */
	expect_refusal(ARGS("--period", "1", "--period", "2", "--samples", "2"),
		       "pktstat: option \"--period\" can only be used once.\n");
	expect_refusal(ARGS("!", "--period", "1", "--samples", "2"),
		       "pktstat: option \"--period\" cannot be inverted.\n");
}

/* parse(save(x)) == x over the whole range, including periods that only ns can spell. */
static void test_roundtrip_property(void)
{
	static const uint64_t scale[] = { 1, 1000, 1000000, 1000000000 };
	uint64_t seed = 0x9e3779b97f4a7c15ULL, period;
	unsigned int i, bad = 0, tried = 0;
	struct outcome o, again;
	char arg[32], samples[16];
	int saved_stderr = dup(STDERR_FILENO), devnull = open("/dev/null", O_WRONLY);

	/* One name, other periods each time: the notes about earlier rules are not checked here. */
	check(saved_stderr >= 0 && devnull >= 0 && dup2(devnull, STDERR_FILENO) >= 0,
	      "stderr set aside for the round trip");
	for (i = 0; i < 20000; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		period = (seed >> 11) % (XT_PKTSTAT_PERIOD_MAX_NS / scale[i % 4]) + 1;
		period *= scale[i % 4];
		if (period < XT_PKTSTAT_PERIOD_MIN_NS)
			continue;
		tried++;
		snprintf(arg, sizeof(arg), "%" PRIu64 "ns", period);
		snprintf(samples, sizeof(samples), "%" PRIu64, (seed >> 7) % XT_PKTSTAT_SAMPLES_MAX + 1);
		parse_rule(ARGS("--period", arg, "--samples", samples, "--name", "rt"), &o);
		reparse_saved(o.save, &again);
		if (o.refused || o.info.period_ns != period || again.refused ||
		    !same_rule(&o, &again) || strcmp(o.save, again.save) != 0) {
			if (bad++ < 3)
				printf("#   period %" PRIu64 "ns: save \"%s\" %s\n", period, o.save,
				       o.refused ? o.msg : again.msg);
		}
	}
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	close(devnull);
	check(bad == 0 && tried > 15000, "save/restore round trip of %u random periods: %u differ",
	      tried, bad);
}

/* One unnamed rule per expected name; "!MESSAGE" expects that refusal instead. */
static void test_auto(int argc, char **argv)
{
	struct outcome o;
	char want[64];
	int i;

	for (i = 0; i < argc; i++) {
		parse_rule(ARGS("--period", "100", "--samples", "20"), &o);
		if (argv[i][0] == '!') {
			check(o.refused && strcmp(o.msg, argv[i] + 1) == 0,
			      "unnamed rule %d refused with \"%s\" (got \"%s\")", i + 1,
			      argv[i] + 1, o.refused ? o.msg : o.save);
			continue;
		}
		check(!o.refused && strcmp(o.info.name, argv[i]) == 0,
		      "unnamed rule %d gets name \"%s\" (got \"%.16s\"%s%s)", i + 1, argv[i],
		      o.info.name, o.refused ? ", refused: " : "", o.msg);
		snprintf(want, sizeof(want), " --period 100ms --samples 20 --name %s", argv[i]);
		check(strcmp(o.save, want) == 0, "unnamed rule %d saves \"%s\" (want \"%s\")",
		      i + 1, o.save, want);
		check(o.info.flags == (mt->revision ? XT_PKTSTAT_F_NEW_NAME : 0),
		      "unnamed rule %d: revision %u, flags 0x%x", i + 1, mt->revision, o.info.flags);
	}
}

/* The extension as iptables loads it, into mt; exits when it cannot be loaded. */
static void load_match(int ipv6)
{
	/* Only the extension under test: it must register by itself from the .so. */
	if (getenv("XTABLES_LIBDIR") == NULL)
		setenv("XTABLES_LIBDIR", ".", 1);
	if (xtables_init_all(&test_globals, ipv6 ? NFPROTO_IPV6 : NFPROTO_IPV4) < 0) {
		fprintf(stderr, "test_pktstat: xtables_init_all failed\n");
		exit(2);
	}
	if (sigsetjmp(refusal_jmp, 1)) {
		fprintf(stderr, "test_pktstat: cannot load libxt_pktstat.so: %s\n", refusal);
		exit(2);
	}
	mt = xtables_find_match("pktstat", XTF_LOAD_MUST_SUCCEED, NULL);
}

int main(int argc, char **argv)
{
	const int ipv6 = argc > 1 && strcmp(argv[1], "-6") == 0;
	const int rev0 = argc > 1 + ipv6 && strcmp(argv[1 + ipv6], "--rev0") == 0;
	const int argi = 1 + ipv6 + rev0;

	if (rev0)
		max_rev = 0;
	load_match(ipv6);

	if (argi < argc && strcmp(argv[argi], "--auto") == 0) {
		test_auto(argc - argi - 1, argv + argi + 1);
	} else {
		test_registration();
		test_accepted();
		test_refused();
		test_roundtrip_property();
	}
	fflush(stdout);
	return nfail == 0 ? 0 : 1;
}
