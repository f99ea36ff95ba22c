/* SPDX-License-Identifier: GPL-2.0 */
/* Socket addresses of hypervive-hostd and hostd-loadgen. */
#ifndef HOSTD_NET_H
#define HOSTD_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum net_kind { NET_VSOCK = 1, NET_UNIX, NET_TCP };

struct net_addr {
	enum net_kind kind;
	uint32_t cid;		/* vsock: peer CID to connect to */
	uint32_t port;		/* vsock or tcp port */
	char host[64];		/* tcp: IPv4 literal */
	char path[108];		/* unix: socket path */
};

/* "vsock[:PORT]", "vsock:CID:PORT", "unix:PATH", "tcp:ADDR:PORT" */
int net_parse(const char *spec, struct net_addr *a, uint32_t default_port);
void net_format(const struct net_addr *a, char *buf, size_t len);
/* Non-blocking, close-on-exec listener; returns fd or -errno. */
int net_listen(const struct net_addr *a, int backlog);
/* Blocking connect; returns fd or -errno. */
int net_connect(const struct net_addr *a);
int net_set_nonblock(int fd);
/* Describe the peer of an accepted socket; sets *cid for vsock, else 0. */
void net_peer(int fd, enum net_kind kind, char *buf, size_t len, uint32_t *cid);
uint64_t now_ms(void);
uint64_t now_realtime_ns(void);
/* Raise the soft limit of open files to the hard limit. */
void raise_nofile(void);

#endif /* HOSTD_NET_H */
