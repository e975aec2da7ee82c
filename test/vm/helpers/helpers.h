/* SPDX-License-Identifier: GPL-2.0 */
/* What the traffic helpers share: a numeric argument checked, and an error that ends them. */
#ifndef VM_HELPERS_H
#define VM_HELPERS_H
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ends the program with "PROG: WHAT: <errno's text>". */
static inline void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what, strerror(errno));
	exit(1);
}

/* The decimal argument S named WHAT, 0..MAX; anything else ends the program with status 2. */
static inline unsigned long parse_num(const char *what, const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max) {
		fprintf(stderr, "%s: bad %s '%s' (0..%lu)\n", program_invocation_short_name, what, s, max);
		exit(2);
	}
	return v;
}
#endif
