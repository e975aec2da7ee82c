// SPDX-License-Identifier: GPL-2.0
/*
 * tapsend TAP COUNT PAYLOAD MSS: write COUNT TCP/IPv4 super-packets into the tap device TAP
 * (created and kept if missing), as a virtual machine's virtio-net does: each is one frame
 * with a virtio_net_hdr asking for TCP segmentation at MSS, PAYLOAD bytes after a 20-byte
 * TCP header, from 10.97.0.2:40000 to 10.97.0.1:5603 and TAP's own MAC address. The kernel
 * takes it as an untrusted (SKB_GSO_DODGY) super-packet of ceil(PAYLOAD / MSS) segments.
 * With COUNT 0 it only creates TAP. Exits non-zero, naming the problem, on any error.
 */
#include "helpers.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <net/ethernet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static uint16_t ip_checksum(const void *p, size_t len)
{
	const uint16_t *w = p;
	uint32_t sum = 0;

	for (; len > 1; len -= 2)
		sum += *w++;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

int main(int argc, char **argv)
{
	static unsigned char frame[sizeof(struct virtio_net_hdr) + ETH_HLEN + 65535];
	struct virtio_net_hdr *vh = (struct virtio_net_hdr *)frame;
	struct ether_header *eth = (struct ether_header *)(vh + 1);
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	struct tcphdr *th = (struct tcphdr *)(ip + 1);
	unsigned long count, payload, mss, i;
	struct ifreq ifr = { 0 };
	uint32_t pseudo;
	size_t len;
	int fd, s;

	if (argc != 5) {
		fprintf(stderr, "usage: tapsend TAP COUNT PAYLOAD MSS\n");
		return 2;
	}
	count = parse_num("count", argv[2], 1UL << 32);
	payload = parse_num("payload", argv[3], 65535 - 40);
	mss = parse_num("mss", argv[4], 65535);
	if (!mss || strlen(argv[1]) >= IFNAMSIZ) {
		fprintf(stderr, "tapsend: bad mss or device name\n");
		return 2;
	}
	strcpy(ifr.ifr_name, argv[1]);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	fd = open("/dev/net/tun", O_RDWR);
	if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) || ioctl(fd, TUNSETPERSIST, 1))
		die("creating the tap device");
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || ioctl(s, SIOCGIFHWADDR, &ifr))
		die("reading the tap's address");
	close(s);

	memcpy(eth->ether_dhost, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	memcpy(eth->ether_shost, "\x02\x00\x00\x00\x00\x97", ETH_ALEN);
	eth->ether_type = htons(ETHERTYPE_IP);
	*ip = (struct iphdr){ .version = 4, .ihl = 5, .ttl = 64, .protocol = IPPROTO_TCP,
			      .tot_len = htons(40 + payload),
			      .saddr = htonl(0x0a610002), .daddr = htonl(0x0a610001) };
	ip->check = ip_checksum(ip, sizeof(*ip));
	*th = (struct tcphdr){ .source = htons(40000), .dest = htons(5603), .seq = htonl(1),
			       .doff = 5, .ack = 1, .window = htons(65535) };
	/* checksum offload: the pseudo-header sum, completed by whoever segments */
	pseudo = (ip->saddr >> 16) + (ip->saddr & 0xffff) + (ip->daddr >> 16) +
		 (ip->daddr & 0xffff) + htons(IPPROTO_TCP) + htons(20 + payload);
	while (pseudo >> 16)
		pseudo = (pseudo & 0xffff) + (pseudo >> 16);
	th->check = pseudo;
	*vh = (struct virtio_net_hdr){
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = payload > mss ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_NONE,
		.hdr_len = ETH_HLEN + 40, .gso_size = payload > mss ? mss : 0,
		.csum_start = ETH_HLEN + 20, .csum_offset = offsetof(struct tcphdr, check),
	};
	len = sizeof(*vh) + ETH_HLEN + 40 + payload;
	for (i = 0; i < count; i++) {
		ssize_t n = write(fd, frame, len);

		if (n != (ssize_t)len) {
			fprintf(stderr, "tapsend: frame %lu of %lu: %s\n", i + 1, count,
				n < 0 ? strerror(errno) : "short write");
			return 1;
		}
	}
	close(fd);
	return 0;
}
