// SPDX-License-Identifier: GPL-2.0
/*
 * hv-bench: measurements for the agent benchmarks in the test guest.
 *
 *   hv-bench raw N SIZE [B]   N frames of SIZE bytes, one write each (or B
 *                             frames per write), through vsock_loopback to a
 *                             reader in a child process: frames per second
 *   hv-bench events N         raise N TestEvents through the agent's debugfs
 *                             file and wait for hostd's ACKs: events per second
 *   hv-bench time N CMD...    run CMD N times: min, p50, p99 in microseconds
 *
 * One "key=value ..." line on stdout; exit 1 on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#define RAISE	"/sys/kernel/debug/hypervive_agent/raise"
#define ACKED	"/sys/kernel/hypervive/agent/counters/events_acked"
#define RAW_PORT 2799

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static long long read_num(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atoll(buf);
}

static int raw(long n, long size, long batch)
{
	struct sockaddr_vm a = {
		.svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY,
		.svm_port = RAW_PORT,
	};
	char *buf = calloc((size_t)batch, (size_t)size);
	uint64_t t0, t1;
	long i;
	int lfd, fd, status;
	pid_t pid;

	lfd = socket(AF_VSOCK, SOCK_STREAM, 0);
	if (!buf || lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(lfd, 1)) {
		perror("hv-bench raw: listen");
		return 1;
	}
	pid = fork();
	if (pid == 0) {		/* the reader */
		static char rbuf[65536];
		long long total = 0;
		ssize_t r;

		fd = accept(lfd, NULL, NULL);
		while (fd >= 0 && (r = read(fd, rbuf, sizeof(rbuf))) > 0)
			total += r;
		_exit(total == (long long)n * size ? 0 : 1);
	}
	close(lfd);
	fd = socket(AF_VSOCK, SOCK_STREAM, 0);
	a.svm_cid = VMADDR_CID_LOCAL;
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("hv-bench raw: connect");
		return 1;
	}
	t0 = now_us();
	for (i = 0; i < n; i += batch) {
		long k = n - i < batch ? n - i : batch;
		ssize_t w = write(fd, buf, (size_t)(k * size));

		if (w != k * size) {
			perror("hv-bench raw: write");
			return 1;
		}
	}
	close(fd);
	waitpid(pid, &status, 0);	/* the reader has everything */
	t1 = now_us();
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "hv-bench raw: the reader lost bytes\n");
		return 1;
	}
	printf("raw frames=%ld size=%ld per_write=%ld seconds=%.3f frames_per_s=%.0f\n",
	       n, size, batch, (t1 - t0) / 1e6, n / ((t1 - t0) / 1e6));
	return 0;
}

static int events(long n)
{
	long long a0 = read_num(ACKED), a;
	char cmd[64];
	uint64_t t0, t1, deadline;
	int fd, len;

	fd = open(RAISE, O_WRONLY);
	if (fd < 0 || a0 < 0) {
		perror("hv-bench events: agent files");
		return 1;
	}
	len = snprintf(cmd, sizeof(cmd), "%ld bench", n);
	t0 = now_us();
	if (write(fd, cmd, (size_t)len) != len) {
		perror("hv-bench events: raise");
		return 1;
	}
	close(fd);
	deadline = t0 + 600 * 1000000ULL;
	do {
		usleep(500);
		a = read_num(ACKED);
	} while (a - a0 < n && now_us() < deadline);
	t1 = now_us();
	if (a - a0 < n) {
		fprintf(stderr, "hv-bench events: only %lld of %ld acknowledged\n",
			a - a0, n);
		return 1;
	}
	printf("events n=%ld seconds=%.3f events_per_s=%.0f\n", n,
	       (t1 - t0) / 1e6, n / ((t1 - t0) / 1e6));
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int timeit(long n, char **argv)
{
	uint64_t *t = calloc((size_t)n, sizeof(*t)), t0;
	int status;
	long i;
	pid_t pid;

	for (i = 0; t && i < n; i++) {
		t0 = now_us();
		pid = fork();
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);

			dup2(null, 1);
			execvp(argv[0], argv);
			_exit(127);
		}
		waitpid(pid, &status, 0);
		t[i] = now_us() - t0;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "hv-bench time: %s failed\n", argv[0]);
			return 1;
		}
	}
	if (!t)
		return 1;
	qsort(t, (size_t)n, sizeof(*t), cmp_u64);
	printf("time runs=%ld min_us=%llu p50_us=%llu p99_us=%llu\n", n,
	       (unsigned long long)t[0], (unsigned long long)t[(n - 1) / 2],
	       (unsigned long long)t[(n - 1) * 99 / 100]);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "raw"))
		return raw(atol(argv[2]), atol(argv[3]),
			   argc == 5 && atol(argv[4]) > 0 ? atol(argv[4]) : 1);
	if (argc == 3 && !strcmp(argv[1], "events"))
		return events(atol(argv[2]));
	if (argc >= 4 && !strcmp(argv[1], "time"))
		return timeit(atol(argv[2]), argv + 3);
	fprintf(stderr, "usage: hv-bench raw N SIZE [PER_WRITE] | events N | time N CMD...\n");
	return 2;
}
