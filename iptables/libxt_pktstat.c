// SPDX-License-Identifier: GPL-2.0
/*
 * libxt_pktstat: iptables/ip6tables side of the pktstat match.
 *
 * Parses --period/--samples/--name into struct xt_pktstat_info, chooses a
 * name when none is given, and prints the rule back in a form that
 * iptables-restore parses to the very same bytes.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xtables.h>
#include "xt_pktstat.h"

enum {
	O_PERIOD = 0,
	O_SAMPLES,
	O_NAME,
};

/* Units from the largest down: the first that divides a period exactly is how it is printed. */
static const struct {
	const char *suffix;
	uint64_t ns;
} pktstat_units[] = {
	{ "s",  1000000000ULL },
	{ "ms", 1000000ULL },
	{ "us", 1000ULL },
	{ "ns", 1ULL },
};

static void pktstat_help(void)
{
	printf(
"pktstat match options:\n"
"  --period P     width of one time window (required): an integer with an\n"
"                 optional unit ns, us, ms or s; a bare integer is ms.\n"
"                 Range 1us .. 1h (3600s). Examples: 100, 250us, 1s\n"
"  --samples N    capacity of the rule's FIFO in samples (required),\n"
"                 1 .. %u\n"
"  --name NAME    counter set name, 1-15 characters of [A-Za-z0-9_.-],\n"
"                 not starting with '.'; default: the lowest unused\n"
"                 integer. Data in " XT_PKTSTAT_PROC_DIR "/NAME/data\n",
	       XT_PKTSTAT_SAMPLES_MAX);
}

/*
 * All three options are strings parsed here rather than by libxtables, so
 * each refusal can say exactly what is wrong (zero, range, unit, character).
 */
static const struct xt_option_entry pktstat_opts[] = {
	{ .name = "period",  .id = O_PERIOD,  .type = XTTYPE_STRING },
	{ .name = "samples", .id = O_SAMPLES, .type = XTTYPE_STRING },
	{ .name = "name",    .id = O_NAME,    .type = XTTYPE_STRING },
	XTOPT_TABLEEND,
};

/* Parses a leading run of decimal digits; false when there is none. Values past UINT64_MAX saturate. */
static bool pktstat_parse_digits(const char *s, uint64_t *val, const char **end)
{
	uint64_t v = 0;

	if (!isdigit((unsigned char)*s))
		return false;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned int d = *s - '0';

		if (v > (UINT64_MAX - d) / 10)
			v = UINT64_MAX;	/* saturate: reported as out of range */
		else
			v = v * 10 + d;
	}
	*val = v;
	*end = s;
	return true;
}

/* Messages quote the argument: a control or non-ASCII byte in it would garble the one-line refusal. */
static void pktstat_check_printable(const char *opt, const char *arg)
{
	const char *p;

	for (p = arg; *p != '\0'; p++)
		if (*p < ' ' || *p > '~')
			xtables_error(PARAMETER_PROBLEM,
				      "pktstat: --%s: bad character 0x%02x at position %zu",
				      opt, (unsigned char)*p, (size_t)(p - arg) + 1);
}

static void pktstat_parse_period(const char *arg, struct xt_pktstat_info *info)
{
	const char *unit;
	uint64_t v, mul = 0;
	unsigned int i;

	if (!pktstat_parse_digits(arg, &v, &unit))
		xtables_error(PARAMETER_PROBLEM,
			      "pktstat: --period \"%s\": not a number (examples: 100, 250us, 1s)",
			      arg);
	if (*unit == '\0') {
		mul = 1000000ULL;	/* bare integer: milliseconds, as in the 2011 README */
	} else {
		for (i = 0; i < sizeof(pktstat_units) / sizeof(pktstat_units[0]); i++)
			if (strcmp(unit, pktstat_units[i].suffix) == 0)
				mul = pktstat_units[i].ns;
		if (mul == 0)
			xtables_error(PARAMETER_PROBLEM,
				      "pktstat: --period \"%s\": unknown unit \"%s\" (use ns, us, ms or s)",
				      arg, unit);
	}
	if (v == 0)
		xtables_error(PARAMETER_PROBLEM,
			      "pktstat: --period \"%s\": must not be zero (range 1us..1h)", arg);
	if (v > XT_PKTSTAT_PERIOD_MAX_NS / mul || v * mul < XT_PKTSTAT_PERIOD_MIN_NS)
		xtables_error(PARAMETER_PROBLEM,
			      "pktstat: --period \"%s\": out of range 1us..1h", arg);
	info->period_ns = v * mul;
}

static void pktstat_parse_samples(const char *arg, struct xt_pktstat_info *info)
{
	const char *end;
	uint64_t v;

	if (!pktstat_parse_digits(arg, &v, &end) || *end != '\0')
		xtables_error(PARAMETER_PROBLEM,
			      "pktstat: --samples \"%s\": not a number (range 1..%u)",
			      arg, XT_PKTSTAT_SAMPLES_MAX);
	if (v == 0)
		xtables_error(PARAMETER_PROBLEM,
			      "pktstat: --samples \"%s\": must not be zero (range 1..%u)",
			      arg, XT_PKTSTAT_SAMPLES_MAX);
	if (v > XT_PKTSTAT_SAMPLES_MAX)
		xtables_error(PARAMETER_PROBLEM,
			      "pktstat: --samples \"%s\": out of range 1..%u",
			      arg, XT_PKTSTAT_SAMPLES_MAX);
	info->samples = v;
}

static void pktstat_parse_name(const char *arg, struct xt_pktstat_info *info)
{
	size_t len = strlen(arg);
	const char *p;

	if (len == 0)
		xtables_error(PARAMETER_PROBLEM, "pktstat: --name: must not be empty");
	for (p = arg; *p != '\0'; p++)
		if (!xt_pktstat_name_char_ok(*p))
			xtables_error(PARAMETER_PROBLEM,
				      "pktstat: --name \"%s\": bad character '%c' (allowed: A-Z a-z 0-9 _ . -)",
				      arg, *p);
	if (len > XT_PKTSTAT_NAME_LEN - 1)
		xtables_error(PARAMETER_PROBLEM,
			      "pktstat: --name \"%s\": too long (%zu characters, at most %u)",
			      arg, len, XT_PKTSTAT_NAME_LEN - 1);
	if (arg[0] == '.')
		xtables_error(PARAMETER_PROBLEM,
			      "pktstat: --name \"%s\": must not start with '.'", arg);
	memset(info->name, 0, sizeof(info->name));
	memcpy(info->name, arg, len);
}

static void pktstat_parse(struct xt_option_call *cb)
{
	struct xt_pktstat_info *info = cb->data;

	/* Refuses "!", repeated options and a missing argument. */
	xtables_option_parse(cb);
	pktstat_check_printable(cb->entry->name, cb->arg);
	switch (cb->entry->id) {
	case O_PERIOD:
		pktstat_parse_period(cb->arg, info);
		break;
	case O_SAMPLES:
		pktstat_parse_samples(cb->arg, info);
		break;
	case O_NAME:
		pktstat_parse_name(cb->arg, info);
		break;
	}
}

/* The number a directory name stands for, or -1 unless it is a plain decimal ("0", "17", not "017"). */
static long pktstat_name_number(const char *s)
{
	const char *end;
	uint64_t v;

	if (!pktstat_parse_digits(s, &v, &end) || *end != '\0')
		return -1;
	if ((s[0] == '0' && s[1] != '\0') || v > INT32_MAX)
		return -1;
	return (long)v;
}

/*
 * The sets of the rules this process already checked: iptables-restore checks
 * every rule of a file before the kernel sees any, so /proc alone would hand
 * out "0" twice, and would not show two rules of one file that disagree.
 */
struct pktstat_seen {
	char name[XT_PKTSTAT_NAME_LEN + 1];
	uint64_t period_ns;
	uint32_t samples;
};
static struct pktstat_seen *pktstat_seen;
static size_t pktstat_nseen;

static const struct pktstat_seen *pktstat_seen_set(const char *name)
{
	size_t i;

	for (i = 0; i < pktstat_nseen; i++)
		if (strncmp(pktstat_seen[i].name, name, XT_PKTSTAT_NAME_LEN) == 0)
			return &pktstat_seen[i];
	return NULL;
}

static void pktstat_remember(const struct xt_pktstat_info *info)
{
	struct pktstat_seen *grown;

	if (pktstat_seen_set(info->name) != NULL)
		return;
	grown = realloc(pktstat_seen, (pktstat_nseen + 1) * sizeof(*grown));
	if (grown == NULL)
		xtables_error(RESOURCE_PROBLEM, "pktstat: out of memory");
	pktstat_seen = grown;
	memset(&grown[pktstat_nseen], 0, sizeof(*grown));
	memcpy(grown[pktstat_nseen].name, info->name, XT_PKTSTAT_NAME_LEN);
	grown[pktstat_nseen].period_ns = info->period_ns;
	grown[pktstat_nseen].samples = info->samples;
	pktstat_nseen++;
}

/* Lowest non-negative integer that is neither a counter set of this netns nor an earlier rule's. */
static void pktstat_choose_name(struct xt_pktstat_info *info)
{
	size_t nused = 0, cap = pktstat_nseen + 16;
	long *used, *grown, n;
	struct dirent *de;
	size_t i;
	DIR *dir;

	used = malloc(cap * sizeof(*used));
	if (used == NULL)
		xtables_error(RESOURCE_PROBLEM, "pktstat: out of memory choosing a name");
	for (i = 0; i < pktstat_nseen; i++) {
		n = pktstat_name_number(pktstat_seen[i].name);
		if (n >= 0)
			used[nused++] = n;
	}

	dir = opendir(XT_PKTSTAT_PROC_DIR);
	if (dir == NULL && errno != ENOENT)
		xtables_error(OTHER_PROBLEM,
			      "pktstat: cannot read %s to choose a name (%s); give one with --name",
			      XT_PKTSTAT_PROC_DIR, strerror(errno));
	while (dir != NULL && (de = readdir(dir)) != NULL) {
		n = pktstat_name_number(de->d_name);
		if (n < 0)
			continue;
		if (nused == cap) {
			cap *= 2;
			grown = realloc(used, cap * sizeof(*used));
			if (grown == NULL)
				xtables_error(RESOURCE_PROBLEM,
					      "pktstat: out of memory choosing a name");
			used = grown;
		}
		used[nused++] = n;
	}
	if (dir != NULL)
		closedir(dir);

	/* With nused names taken, one of 0..nused is free: the smallest such is the answer. */
	for (n = 0; ; n++) {
		for (i = 0; i < nused && used[i] != n; i++)
			;
		if (i == nused)
			break;
	}
	free(used);

	memset(info->name, 0, sizeof(info->name));
	/* n <= nused, far below 10^15: the digits always fit */
	snprintf(info->name, sizeof(info->name), "%u", (unsigned int)n);
}

/* The largest unit that represents the period exactly, so parse(print(x)) == x. */
static const char *pktstat_period_text(char *buf, size_t size, uint64_t ns)
{
	unsigned int i;

	for (i = 0; i < sizeof(pktstat_units) / sizeof(pktstat_units[0]); i++)
		if (ns % pktstat_units[i].ns == 0)
			break;
	snprintf(buf, size, "%" PRIu64 "%s", ns / pktstat_units[i].ns, pktstat_units[i].suffix);
	return buf;
}

/* Longest period text: 20 digits, a unit, the NUL. */
#define PKTSTAT_PERIOD_TEXT_MAX 24

/*
 * The set NAME as its config file describes it (period and capacity); false
 * when the set does not exist (or the file says neither).
 */
static bool pktstat_set_config(const char *name, struct pktstat_seen *set)
{
	char path[sizeof(XT_PKTSTAT_PROC_DIR) + XT_PKTSTAT_NAME_LEN + sizeof("/config")];
	char line[128];
	unsigned int found = 0;
	uint32_t capacity = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%.*s/config", XT_PKTSTAT_PROC_DIR,
		 XT_PKTSTAT_NAME_LEN, name);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "period_ns: %" SCNu64, &set->period_ns) == 1)
			found |= 1;
		else if (sscanf(line, "capacity: %" SCNu32, &capacity) == 1)
			found |= 2;
	}
	fclose(f);
	memset(set->name, 0, sizeof(set->name));
	memcpy(set->name, name, XT_PKTSTAT_NAME_LEN);
	set->samples = capacity;
	return found == 3;
}

/*
 * Where @info disagrees with @set, one line per option. The kernel refuses a
 * rule that disagrees with its set but says why only in its log: for the
 * kernel's set (@earlier false) the first line is the refusal. Two rules of
 * this process (one iptables-restore file) that disagree on a set the kernel
 * does not hold yet make the kernel refuse the commit without a word: each
 * line is a note, not a refusal, as an earlier COMMIT of the file may have
 * deleted the other rule, and then the kernel accepts this one.
 */
static void pktstat_conflicts(const struct pktstat_seen *set, const struct xt_pktstat_info *info,
			      bool earlier)
{
	const char *where = earlier ? " in an earlier rule" : "";
	char has[PKTSTAT_PERIOD_TEXT_MAX], says[PKTSTAT_PERIOD_TEXT_MAX];
	char line[2][160];
	unsigned int n = 0, i;

	if (set->period_ns != info->period_ns)
		snprintf(line[n++], sizeof(line[0]),
			 "pktstat: set \"%s\" has --period %s%s, this rule says %s", set->name,
			 pktstat_period_text(has, sizeof(has), set->period_ns), where,
			 pktstat_period_text(says, sizeof(says), info->period_ns));
	if (set->samples != info->samples)
		snprintf(line[n++], sizeof(line[0]),
			 "pktstat: set \"%s\" has --samples %u%s, this rule says %u",
			 set->name, set->samples, where, info->samples);
	if (n && !earlier)
		xtables_error(PARAMETER_PROBLEM, "%s", line[0]);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s: %s\n", xt_params->program_name, line[i]);
}

/*
 * @new_name: the kernel knows revision 1, so a chosen name carries
 * XT_PKTSTAT_F_NEW_NAME: two iptables run at once may choose the same one (each
 * reads /proc before either commits), and the kernel then refuses the second.
 */
static void pktstat_check(struct xt_fcheck_call *cb, bool new_name)
{
	struct xt_pktstat_info *info = cb->data;
	const struct pktstat_seen *seen;
	struct pktstat_seen set;

	if (!(cb->xflags & (1 << O_PERIOD)))
		xtables_error(PARAMETER_PROBLEM,
			      "pktstat: --period is required (window width, 1us..1h, e.g. --period 100ms)");
	if (!(cb->xflags & (1 << O_SAMPLES)))
		xtables_error(PARAMETER_PROBLEM,
			      "pktstat: --samples is required (FIFO capacity, 1..%u)",
			      XT_PKTSTAT_SAMPLES_MAX);
	if (!(cb->xflags & (1 << O_NAME))) {
		pktstat_choose_name(info);
		if (new_name)
			info->flags |= XT_PKTSTAT_F_NEW_NAME;
	} else if (pktstat_set_config(info->name, &set)) {
		pktstat_conflicts(&set, info, false);
	} else if ((seen = pktstat_seen_set(info->name)) != NULL) {
		pktstat_conflicts(seen, info, true);
	}
	pktstat_remember(info);
}

static void pktstat_check_v0(struct xt_fcheck_call *cb)
{
	pktstat_check(cb, false);
}

static void pktstat_check_v1(struct xt_fcheck_call *cb)
{
	pktstat_check(cb, true);
}

/* The rule's options: "pktstat period P samples N name X" for -L, "--period P ..." for -S. */
static void pktstat_print_info(const struct xt_entry_match *match, const char *lead,
			       const char *dashes)
{
	const struct xt_pktstat_info *info = (const void *)match->data;
	char period[PKTSTAT_PERIOD_TEXT_MAX];

	printf("%s%speriod %s %ssamples %u %sname %.*s", lead, dashes,
	       pktstat_period_text(period, sizeof(period), info->period_ns), dashes,
	       info->samples, dashes, XT_PKTSTAT_NAME_LEN, info->name);
}

static void pktstat_print(const void *ip __attribute__((unused)),
			  const struct xt_entry_match *match,
			  int numeric __attribute__((unused)))
{
	pktstat_print_info(match, " pktstat ", "");
}

static void pktstat_save(const void *ip __attribute__((unused)),
			 const struct xt_entry_match *match)
{
	pktstat_print_info(match, " ", "--");
}

/* iptables uses the highest revision the kernel knows: 1 flags a chosen name (pktstat_check()). */
static struct xtables_match pktstat_match[] = {
	{
		.name		= "pktstat",
		.version	= XTABLES_VERSION,
		.revision	= 0,
		.family		= NFPROTO_UNSPEC,
		.size		= XT_ALIGN(sizeof(struct xt_pktstat_info)),
		.userspacesize	= offsetof(struct xt_pktstat_info, set),
		.help		= pktstat_help,
		.x6_parse	= pktstat_parse,
		.x6_fcheck	= pktstat_check_v0,
		.x6_options	= pktstat_opts,
		.print		= pktstat_print,
		.save		= pktstat_save,
	},
	{
		.name		= "pktstat",
		.version	= XTABLES_VERSION,
		.revision	= 1,
		.family		= NFPROTO_UNSPEC,
		.size		= XT_ALIGN(sizeof(struct xt_pktstat_info)),
		.userspacesize	= offsetof(struct xt_pktstat_info, set),
		.help		= pktstat_help,
		.x6_parse	= pktstat_parse,
		.x6_fcheck	= pktstat_check_v1,
		.x6_options	= pktstat_opts,
		.print		= pktstat_print,
		.save		= pktstat_save,
	},
};

/* Out-of-tree extensions register from a constructor: xtables.h's _init macro is iptables-internal. */
static void __attribute__((constructor)) pktstat_mt_ldr(void)
{
	xtables_register_matches(pktstat_match, sizeof(pktstat_match) / sizeof(pktstat_match[0]));
}
