// SPDX-License-Identifier: GPL-2.0
/* Socket addresses: parse, listen, connect, describe peers. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include "net.h"

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!*s)
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || v > 0xffffffffUL)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int net_parse(const char *spec, struct net_addr *a, uint32_t default_port)
{
	const char *colon;

	memset(a, 0, sizeof(*a));
	if (!strncmp(spec, "unix:", 5)) {
		a->kind = NET_UNIX;
		if (!spec[5] || strlen(spec + 5) >= sizeof(a->path))
			return -EINVAL;
		strcpy(a->path, spec + 5);
		return 0;
	}
	if (!strncmp(spec, "tcp:", 4)) {
		struct in_addr ia;

		a->kind = NET_TCP;
		colon = strrchr(spec + 4, ':');
		if (!colon || (size_t)(colon - spec - 4) >= sizeof(a->host))
			return -EINVAL;
		memcpy(a->host, spec + 4, colon - spec - 4);
		if (inet_pton(AF_INET, a->host, &ia) != 1)
			return -EINVAL;
		if (parse_u32(colon + 1, &a->port) || a->port > 65535)
			return -EINVAL;
		return 0;
	}
	if (!strcmp(spec, "vsock") || !strncmp(spec, "vsock:", 6)) {
		a->kind = NET_VSOCK;
		a->cid = VMADDR_CID_ANY;
		a->port = default_port;
		if (!spec[5])
			return 0;
		colon = strchr(spec + 6, ':');
		if (colon) {
			char cid[16];

			if ((size_t)(colon - spec - 6) >= sizeof(cid))
				return -EINVAL;
			memcpy(cid, spec + 6, colon - spec - 6);
			cid[colon - spec - 6] = '\0';
			if (parse_u32(cid, &a->cid))
				return -EINVAL;
			return parse_u32(colon + 1, &a->port);
		}
		return parse_u32(spec + 6, &a->port);
	}
	return -EINVAL;
}

void net_format(const struct net_addr *a, char *buf, size_t len)
{
	switch (a->kind) {
	case NET_UNIX:
		snprintf(buf, len, "unix:%s", a->path);
		break;
	case NET_TCP:
		snprintf(buf, len, "tcp:%s:%u", a->host, a->port);
		break;
	case NET_VSOCK:
		if (a->cid == VMADDR_CID_ANY)
			snprintf(buf, len, "vsock:%u", a->port);
		else
			snprintf(buf, len, "vsock:%u:%u", a->cid, a->port);
		break;
	default:
		snprintf(buf, len, "?");
	}
}

static int make_sockaddr(const struct net_addr *a, struct sockaddr_storage *ss,
			 socklen_t *sl, int *family)
{
	memset(ss, 0, sizeof(*ss));
	switch (a->kind) {
	case NET_UNIX: {
		struct sockaddr_un *un = (struct sockaddr_un *)ss;

		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, a->path);
		*sl = sizeof(*un);
		*family = AF_UNIX;
		return 0;
	}
	case NET_TCP: {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)a->port);
		inet_pton(AF_INET, a->host, &in->sin_addr);
		*sl = sizeof(*in);
		*family = AF_INET;
		return 0;
	}
	case NET_VSOCK: {
		struct sockaddr_vm *vm = (struct sockaddr_vm *)ss;

		vm->svm_family = AF_VSOCK;
		vm->svm_cid = a->cid;
		vm->svm_port = a->port;
		*sl = sizeof(*vm);
		*family = AF_VSOCK;
		return 0;
	}
	}
	return -EINVAL;
}

int net_listen(const struct net_addr *a, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, family, one = 1;

	if (make_sockaddr(a, &ss, &sl, &family))
		return -EINVAL;
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (a->kind == NET_TCP)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->kind == NET_UNIX) {
		struct stat stb;

		/* remove a stale socket, never another kind of file, and never
		 * the socket of a daemon that still answers */
		if (!lstat(a->path, &stb) && S_ISSOCK(stb.st_mode)) {
			int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

			if (probe >= 0 && !connect(probe, (struct sockaddr *)&ss, sl)) {
				close(probe);
				close(fd);
				return -EADDRINUSE;
			}
			if (probe >= 0)
				close(probe);
			unlink(a->path);
		}
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, backlog)) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (a->kind == NET_UNIX)
		chmod(a->path, 0600);
	return fd;
}

int net_connect(const struct net_addr *a)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, family;

	if (make_sockaddr(a, &ss, &sl, &family))
		return -EINVAL;
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ss, sl)) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (a->kind == NET_TCP) {
		int one = 1;

		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	return fd;
}

int net_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

void net_peer(int fd, enum net_kind kind, char *buf, size_t len, uint32_t *cid)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	*cid = 0;
	snprintf(buf, len, "%s", kind == NET_UNIX ? "unix" : "?");
	if (kind == NET_UNIX || getpeername(fd, (struct sockaddr *)&ss, &sl))
		return;
	if (ss.ss_family == AF_VSOCK) {
		struct sockaddr_vm *vm = (struct sockaddr_vm *)&ss;

		*cid = vm->svm_cid;
		snprintf(buf, len, "vsock:%u:%u", vm->svm_cid, vm->svm_port);
	} else if (ss.ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		char ip[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "tcp:%s:%u", ip, ntohs(in->sin_port));
	}
}

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t now_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}
