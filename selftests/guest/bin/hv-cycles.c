// SPDX-License-Identifier: GPL-2.0
/*
 * hv-cycles: load and unload one module many times, checking it works in
 * between, for the debug kernel's 1,000-cycle test.  A shell loop spends
 * most of each cycle forking insmod, cat and rmmod; under TCG with KASAN
 * that is several times the cost of the load itself.
 *
 *   hv-cycles -n N -f FILE.ko -m MODULE [-c PATH[=VALUE]]...
 *             [-w PATH=VALUE] [-k K] [-- param=value ...]
 *
 * Each cycle: finit_module(FILE.ko, params); every -c PATH must be readable
 * (and hold VALUE, if given); on every Kth cycle (default every cycle) -w
 * PATH must come to hold VALUE within 30 s; then delete_module(MODULE).
 * Prints one line with the count and the time taken; on the first failure
 * prints which cycle and why, and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHECKS 8

struct check {
	const char *path;
	const char *value;	/* NULL: readable is enough */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 0 if PATH is readable and (with a value) holds it, else -1 with why. */
static int check_file(const struct check *c, char *why, size_t len)
{
	char buf[256];
	ssize_t n;
	int fd;

	fd = open(c->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, len, "%s: %s", c->path, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		snprintf(why, len, "%s: read: %s", c->path, strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (c->value && strcmp(buf, c->value)) {
		snprintf(why, len, "%s is '%s', not '%s'", c->path, buf, c->value);
		return -1;
	}
	return 0;
}

static int wait_file(const struct check *c, char *why, size_t len)
{
	double end = now() + 30;

	while (check_file(c, why, len)) {
		if (now() > end)
			return -1;
		usleep(10000);
	}
	return 0;
}

/* delete_module can find the module still busy for a moment (a sysfs read
 * in flight); retry for up to 10 s before calling it a failure. */
static int unload(const char *name)
{
	double end = now() + 10;

	while (syscall(SYS_delete_module, name, O_NONBLOCK)) {
		if ((errno != EAGAIN && errno != EBUSY) || now() > end)
			return -1;
		usleep(10000);
	}
	return 0;
}

static struct check parse_check(char *arg)
{
	struct check c = { .path = arg };
	char *eq = strchr(arg, '=');

	if (eq) {
		*eq = '\0';
		c.value = eq + 1;
	}
	return c;
}

static void usage(void)
{
	fprintf(stderr, "usage: hv-cycles -n N -f FILE.ko -m MODULE [-c PATH[=VALUE]]... "
		"[-w PATH=VALUE] [-k K] [-- param=value ...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct check checks[MAX_CHECKS], waiter = { 0 };
	const char *file = NULL, *module = NULL;
	long count = -1, every = 1, i;
	int nchecks = 0, opt, fd, j;
	char params[4096] = "", why[512];
	size_t used = 0;
	double t0;

	while ((opt = getopt(argc, argv, "n:f:m:c:w:k:")) != -1) {
		switch (opt) {
		case 'n':
			count = strtol(optarg, NULL, 10);
			break;
		case 'f':
			file = optarg;
			break;
		case 'm':
			module = optarg;
			break;
		case 'c':
			if (nchecks == MAX_CHECKS)
				usage();
			checks[nchecks++] = parse_check(optarg);
			break;
		case 'w':
			waiter = parse_check(optarg);
			if (!waiter.value)
				usage();
			break;
		case 'k':
			every = strtol(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (count < 0 || every < 1 || !file || !module)
		usage();
	for (; optind < argc; optind++) {
		int n = snprintf(params + used, sizeof(params) - used, "%s%s",
				 used ? " " : "", argv[optind]);

		if (n < 0 || (size_t)n >= sizeof(params) - used) {
			fprintf(stderr, "hv-cycles: parameters too long\n");
			return 2;
		}
		used += n;
	}
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "hv-cycles: %s: %s\n", file, strerror(errno));
		return 1;
	}
	t0 = now();
	for (i = 0; i < count; i++) {
		if (syscall(SYS_finit_module, fd, params, 0)) {
			printf("cycle %ld: load: %s\n", i, strerror(errno));
			return 1;
		}
		for (j = 0; j < nchecks; j++) {
			if (check_file(&checks[j], why, sizeof(why))) {
				printf("cycle %ld: loaded but %s\n", i, why);
				return 1;
			}
		}
		if (waiter.path && i % every == 0 && wait_file(&waiter, why, sizeof(why))) {
			printf("cycle %ld: after 30 s %s\n", i, why);
			return 1;
		}
		if (unload(module)) {
			printf("cycle %ld: unload: %s\n", i, strerror(errno));
			return 1;
		}
	}
	printf("%s: %ld load/unload cycles in %.1f s\n", module, count, now() - t0);
	close(fd);
	return 0;
}
