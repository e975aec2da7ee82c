// SPDX-License-Identifier: GPL-2.0
/*
 * xdppass IFNAME: attach an XDP program that passes every packet to IFNAME, print
 * "attached", and keep it attached until killed. A veth receives through NAPI, and so
 * merges frames by GRO, only with an XDP program on it before Linux 5.13 (5.13 gave it NAPI
 * for GRO alone): this gives every release's veth the same receive path.
 */
#include "helpers.h"
#include <linux/bpf.h>
#include <net/if.h>
#include <sys/syscall.h>
#include <unistd.h>

static int bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

int main(int argc, char **argv)
{
	/* r0 = XDP_PASS; exit */
	struct bpf_insn pass[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr = { 0 };
	unsigned int ifindex;
	int prog;

	if (argc != 2) {
		fprintf(stderr, "usage: xdppass IFNAME\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex)
		die(argv[1]);
	attr.prog_type = BPF_PROG_TYPE_XDP;
	attr.insns = (unsigned long)pass;
	attr.insn_cnt = sizeof(pass) / sizeof(pass[0]);
	attr.license = (unsigned long)"GPL";
	prog = bpf(BPF_PROG_LOAD, &attr);
	if (prog < 0)
		die("loading the XDP program");
	/* a link, not a netlink attach: it leaves with this process, whatever ends it */
	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = prog;
	attr.link_create.target_ifindex = ifindex;
	attr.link_create.attach_type = BPF_XDP;
	if (bpf(BPF_LINK_CREATE, &attr) < 0)
		die("attaching the XDP program");
	printf("attached\n");
	fflush(stdout);
	for (;;)
		pause();
}
