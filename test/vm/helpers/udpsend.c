// SPDX-License-Identifier: GPL-2.0
/*
 * udpsend ADDR PORT COUNT SIZE [SEGMENT]: send exactly COUNT UDP datagrams with SIZE bytes of
 * payload to ADDR (IPv4 or IPv6) port PORT. With SEGMENT, each send is one UDP GSO
 * super-packet (UDP_SEGMENT) that leaves as ceil(SIZE / SEGMENT) datagrams. An unconnected
 * socket, so ICMP errors from a closed port never fail a later send. Exits non-zero, naming
 * the problem, if any send is short.
 */
#include "helpers.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	unsigned long port, count, size, segment = 0, i;
	socklen_t len;
	char *buf;
	int fd;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: udpsend ADDR PORT COUNT SIZE [SEGMENT]\n");
		return 2;
	}
	port = parse_num("port", argv[2], 65535);
	count = parse_num("count", argv[3], 1UL << 40);
	size = parse_num("size", argv[4], 65000);
	if (argc == 6)
		segment = parse_num("segment", argv[5], 65000);
	if (inet_pton(AF_INET, argv[1], &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, argv[1], &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		len = sizeof(*sin6);
	} else {
		fprintf(stderr, "udpsend: bad address '%s'\n", argv[1]);
		return 2;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	buf = calloc(1, size ? size : 1);
	if (fd < 0 || !buf) {
		perror("udpsend: socket");
		return 1;
	}
	if (segment) {
		int seg = segment;

		if (setsockopt(fd, SOL_UDP, UDP_SEGMENT, &seg, sizeof(seg))) {
			perror("udpsend: UDP_SEGMENT");
			return 1;
		}
	}
	for (i = 0; i < count; i++) {
		ssize_t n = sendto(fd, buf, size, 0, (struct sockaddr *)&ss, len);

		if (n != (ssize_t)size) {
			fprintf(stderr, "udpsend: datagram %lu of %lu: %s\n", i + 1, count,
				n < 0 ? strerror(errno) : "short send");
			return 1;
		}
	}
	free(buf);
	close(fd);
	return 0;
}
