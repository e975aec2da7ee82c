// SPDX-License-Identifier: GPL-2.0
/*
 * pktread FILE MODE ...: ways of reading /proc/net/xt_pktstat/NAME/{data,stream} the tests need.
 *   read BUFSIZE               open, read() BUFSIZE bytes at a time until EOF, print it
 *   drain STOPFILE INTERVAL_MS keep one fd; lseek 0 and read to EOF every INTERVAL_MS until
 *                              STOPFILE exists, then once more; prints "rounds N"
 *   pread STOPFILE INTERVAL_MS the same with pread() from offset 0 on, never moving the offset
 *   follow STOPFILE INTERVAL_MS the same with plain read() to EOF, never seeking (each
 *                              round continues where the last one stopped)
 *   poll TIMEOUT_MS            read to EOF, print "polling", then poll() for POLLIN:
 *                              prints "readable" (exit 0) or "timeout" (exit 1)
 *   hold WAITFILE              read to EOF, print "opened", wait for WAITFILE, then read
 *                              from offset 0 and report "end: eof" or "end: error ..."
 *                              (exit 0), or "end: never" after 1000 reads (exit 1)
 *   epoll WAITFILE             register the file with an epoll fd, print "registered",
 *                              wait for WAITFILE, print the events epoll reports then
 *                              ("events 0x..."), close both and print "closed"
 *   once BUFSIZE               one read() of BUFSIZE bytes (the buffer touched first, so
 *                              the read takes no page fault); prints "read N bytes in M ms,
 *                              preempted K times" (involuntary switches during the read)
 * Data read goes to stdout as read; status lines go to stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 16];

static void fail(const char *what)
{
	fprintf(stderr, "pktread: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void out(size_t n)
{
	if (fwrite(buf, 1, n, stdout) != n)
		fail("write");
}

/* read() until EOF from the current offset, in chunks of at most bufsize */
static void read_to_eof(int fd, size_t bufsize)
{
	ssize_t n;

	while ((n = read(fd, buf, bufsize)) > 0)
		out(n);
	if (n < 0)
		fail("read");
}

/* pread() from offset 0 until EOF; the file offset never moves */
static void pread_to_eof(int fd)
{
	off_t off = 0;
	ssize_t n;

	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		out(n);
		off += n;
	}
	if (n < 0)
		fail("pread");
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Waits until @path exists. */
static void wait_file(const char *path)
{
	while (access(path, F_OK))
		sleep_ms(10);
}

static long num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < 0) {
		fprintf(stderr, "pktread: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[2] : "";
	int fd;

	if (argc != 4 && !(argc == 5 && (!strcmp(mode, "pread") || !strcmp(mode, "drain") ||
					  !strcmp(mode, "follow")))) {
		fprintf(stderr, "usage: pktread FILE read BUFSIZE | drain|pread|follow STOPFILE INTERVAL_MS | "
			"poll TIMEOUT_MS | hold WAITFILE | epoll WAITFILE | once BUFSIZE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		fail(argv[1]);

	if (!strcmp(mode, "read")) {
		long bs = num(argv[3]);

		if (bs < 1 || bs > (long)sizeof(buf)) {
			fprintf(stderr, "pktread: BUFSIZE 1..%zu\n", sizeof(buf));
			return 2;
		}
		read_to_eof(fd, bs);
	} else if (!strcmp(mode, "drain") || !strcmp(mode, "pread") || !strcmp(mode, "follow")) {
		long interval = num(argv[4]), rounds = 0;
		int last = 0;

		while (!last) {
			last = access(argv[3], F_OK) == 0;
			if (mode[0] == 'p')
				pread_to_eof(fd);
			else if (mode[0] == 'f')
				read_to_eof(fd, sizeof(buf));
			else if (lseek(fd, 0, SEEK_SET) < 0)
				fail("lseek");
			else
				read_to_eof(fd, sizeof(buf));
			fflush(stdout);
			rounds++;
			if (!last)
				sleep_ms(interval);
		}
		fprintf(stderr, "rounds %ld\n", rounds);
	} else if (!strcmp(mode, "poll")) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int r;

		read_to_eof(fd, sizeof(buf));
		fprintf(stderr, "polling\n");
		r = poll(&pfd, 1, num(argv[3]));
		if (r < 0)
			fail("poll");
		fprintf(stderr, r ? "readable\n" : "timeout\n");
		return r ? 0 : 1;
	} else if (!strcmp(mode, "hold")) {
		ssize_t n = 0;
		int i;

		read_to_eof(fd, sizeof(buf));
		fprintf(stderr, "opened\n");
		wait_file(argv[3]);
		if (lseek(fd, 0, SEEK_SET) < 0) {
			fprintf(stderr, "end: error %s\n", strerror(errno));
			return 0;
		}
		for (i = 0; i < 1000; i++) {
			n = read(fd, buf, sizeof(buf));
			if (n <= 0)
				break;
			out(n);
		}
		if (n < 0)
			fprintf(stderr, "end: error %s\n", strerror(errno));
		else if (n == 0)
			fprintf(stderr, "end: eof\n");
		else {
			fprintf(stderr, "end: never\n");
			return 1;
		}
	} else if (!strcmp(mode, "epoll")) {
		struct epoll_event ev = { .events = EPOLLIN };
		int ep = epoll_create1(0), r;

		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
			fail("epoll");
		fprintf(stderr, "registered\n");
		wait_file(argv[3]);
		r = epoll_wait(ep, &ev, 1, 0);
		if (r < 0)
			fail("epoll_wait");
		fprintf(stderr, "events 0x%x\n", r ? ev.events : 0);
		if (close(fd) || close(ep))
			fail("close");
		fprintf(stderr, "closed\n");
	} else if (!strcmp(mode, "once")) {
		long size = num(argv[3]);
		struct rusage before, after;
		struct timespec t0, t1;
		char *big = malloc(size);
		ssize_t n;

		if (!big)
			fail("malloc");
		memset(big, 0, size);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		getrusage(RUSAGE_SELF, &before);
		n = read(fd, big, size);
		getrusage(RUSAGE_SELF, &after);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (n < 0)
			fail("read");
		if (fwrite(big, 1, n, stdout) != (size_t)n)
			fail("write");
		fprintf(stderr, "read %zd bytes in %ld ms, preempted %ld times\n", n,
			(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000,
			after.ru_nivcsw - before.ru_nivcsw);
	} else {
		fprintf(stderr, "pktread: unknown mode '%s'\n", mode);
		return 2;
	}
	return 0;
}
