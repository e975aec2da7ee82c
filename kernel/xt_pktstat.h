/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Match info of the pktstat xtables match, shared by xt_pktstat.ko and libxt_pktstat.so.
 *
 * Fixed-size fields only, so 32-bit iptables on a 64-bit kernel and the nft compat path
 * see one layout. The set pointer is kernel-private: it lies beyond the match's
 * usersize, so it is never copied out to userspace and userspace never sets it.
 */
#ifndef _XT_PKTSTAT_H
#define _XT_PKTSTAT_H

#include <linux/types.h>

#define XT_PKTSTAT_NAME_LEN		16	/* 15 characters and the NUL */
#define XT_PKTSTAT_PERIOD_MIN_NS	1000ULL			/* 1 us */
#define XT_PKTSTAT_PERIOD_MAX_NS	3600000000000ULL	/* 1 h */
#define XT_PKTSTAT_SAMPLES_MIN		1U
#define XT_PKTSTAT_SAMPLES_MAX		1048576U

/* Counter sets appear as /proc/net/xt_pktstat/NAME/ in each network namespace. */
#define XT_PKTSTAT_PROC_NAME		"xt_pktstat"
#define XT_PKTSTAT_PROC_DIR		"/proc/net/" XT_PKTSTAT_PROC_NAME

/*
 * The name rule: 1-15 of [A-Za-z0-9_.-], not starting with '.' (a proc entry's
 * name, never "." or ".."). Written without <ctype.h> so the kernel, the
 * extension and the C++ addon share it as is.
 */
static inline int xt_pktstat_name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/*
 * flags, revision 1 only (revision 0: must be 0). NEW_NAME: iptables chose the name as
 * unused; refuse the rule if the set exists, which only a concurrent iptables that chose
 * the same name can have made. The kernel clears it once the rule is in.
 */
#define XT_PKTSTAT_F_NEW_NAME		0x1U

struct pktstat_set;

struct xt_pktstat_info {
	__aligned_u64 period_ns;		/* window width */
	__u32 samples;				/* FIFO capacity */
	__u32 flags;				/* XT_PKTSTAT_F_* */
	char name[XT_PKTSTAT_NAME_LEN];		/* NUL-terminated set name */

	/* kernel-private, beyond usersize: 8 bytes for the pointer on every ABI */
	union {
		struct pktstat_set *set;
		__aligned_u64 set_slot;
	};
};

#endif /* _XT_PKTSTAT_H */
