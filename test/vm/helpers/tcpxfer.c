// SPDX-License-Identifier: GPL-2.0
/*
 * One TCP bulk transfer, with the sender's own count of what it put on the wire.
 *
 * tcpxfer sink PORT READY: accept one connection on PORT (IPv4 and IPv6), create the
 *   file READY once listening, read to the end, then close.
 * tcpxfer send ADDR PORT BYTES: connect, write BYTES, shut down the sending side and wait
 *   for the peer's close, then print the socket's TCP_INFO counters:
 *   "segs_out N bytes_sent N timestamps 0|1" (segments the socket transmitted, SYN, ACKs,
 *   FIN and retransmissions included, as GSO segments; payload bytes of them; whether its
 *   segments carry the timestamp option).
 * Exits non-zero, naming the problem, on any error.
 */
#include "helpers.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHUNK	65536

static int sink(unsigned long port, const char *ready)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	static char buf[CHUNK];
	int one = 1, zero = 0, fd, c;
	ssize_t n;

	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)))
		die("socket");
	if (bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) || listen(fd, 1))
		die("listen");
	c = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (c < 0)
		die(ready);
	close(c);
	c = accept(fd, NULL, NULL);
	if (c < 0)
		die("accept");
	while ((n = read(c, buf, sizeof(buf))) > 0)
		;
	if (n < 0)
		die("read");
	close(c);
	close(fd);
	return 0;
}

static int send_bytes(const char *addr, unsigned long port, unsigned long bytes)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	static char buf[CHUNK];
	struct tcp_info ti;
	socklen_t len, tlen = sizeof(ti);
	int fd;

	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		len = sizeof(*sin6);
	} else {
		fprintf(stderr, "tcpxfer: bad address '%s'\n", addr);
		return 2;
	}
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len))
		die("connect");
	while (bytes) {
		ssize_t n = write(fd, buf, bytes < CHUNK ? bytes : CHUNK);

		if (n <= 0)
			die("write");
		bytes -= n;
	}
	if (shutdown(fd, SHUT_WR))
		die("shutdown");
	/* the peer's FIN: our last segment, its ACK, goes out before read returns */
	if (read(fd, buf, sizeof(buf)) != 0)
		die("waiting for the peer's close");
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tlen) || tlen < sizeof(ti))
		die("TCP_INFO");
	printf("segs_out %u bytes_sent %llu timestamps %d\n", ti.tcpi_segs_out,
	       (unsigned long long)ti.tcpi_bytes_sent, !!(ti.tcpi_options & TCPI_OPT_TIMESTAMPS));
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "sink"))
		return sink(parse_num("port", argv[2], 65535), argv[3]);
	if (argc == 5 && !strcmp(argv[1], "send"))
		return send_bytes(argv[2], parse_num("port", argv[3], 65535),
				  parse_num("bytes", argv[4], 1UL << 40));
	fprintf(stderr, "usage: tcpxfer sink PORT READY | tcpxfer send ADDR PORT BYTES\n");
	return 2;
}
