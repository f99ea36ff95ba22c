// SPDX-License-Identifier: GPL-2.0
/*
 * Operator control socket (AF_UNIX, one command line per connection, the
 * reply ends when the daemon closes) and the "ctl" client that uses it.
 *
 *   list | stats | query GUEST | thaw GUEST CHECKPOINT |
 *   freeze GUEST TIMEOUT_MS CHECKPOINT
 *
 * The first reply line starts with "ok" or "error".
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hostd.h"

#define CTL_LINE_MAX	512
#define CTL_IDLE_MS	10000

struct ctl_client {
	struct ep_item ep;
	uint64_t id;
	char in[CTL_LINE_MAX];
	size_t in_len;
	char *out;
	size_t out_len, out_cap, out_off;
	bool waiting;		/* a guest request is outstanding */
	bool done;		/* close once the output is flushed */
	bool dead;
	uint64_t deadline_ms;
	struct ctl_client *next;
};

static struct ep_item ctl_listen_ep = { EP_CTL_LISTEN, -1 };
static struct ctl_client *clients;
static unsigned int nclients;
static uint64_t next_ctl_id = 1;
static char ctl_path[108];

int control_listen(const char *path)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &ctl_listen_ep };
	struct net_addr a = { .kind = NET_UNIX };
	int fd;

	if (strlen(path) >= sizeof(a.path))
		return -ENAMETOOLONG;
	strcpy(a.path, path);
	fd = net_listen(&a, 16);
	if (fd < 0)
		return fd;
	ctl_listen_ep.fd = fd;
	snprintf(ctl_path, sizeof(ctl_path), "%s", path);
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	return 0;
}

static void out_append(struct ctl_client *cl, const char *s, size_t n)
{
	if (cl->out_len + n + 1 > cl->out_cap) {
		size_t cap = cl->out_cap ? cl->out_cap : 1024;
		char *t;

		while (cap < cl->out_len + n + 1)
			cap *= 2;
		t = realloc(cl->out, cap);
		if (!t)
			return;
		cl->out = t;
		cl->out_cap = cap;
	}
	memcpy(cl->out + cl->out_len, s, n);
	cl->out_len += n;
}

static void out_printf(struct ctl_client *cl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void out_printf(struct ctl_client *cl, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		out_append(cl, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void client_free(struct ctl_client *cl)
{
	struct ctl_client **pp = &clients;

	while (*pp != cl)
		pp = &(*pp)->next;
	*pp = cl->next;
	epoll_ctl(epfd, EPOLL_CTL_DEL, cl->ep.fd, NULL);
	close(cl->ep.fd);
	free(cl->out);
	free(cl);
	nclients--;
}

static void client_flush(struct ctl_client *cl)
{
	struct epoll_event ev = { .data.ptr = &cl->ep };
	ssize_t w;

	while (cl->out_off < cl->out_len) {
		w = send(cl->ep.fd, cl->out + cl->out_off, cl->out_len - cl->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			cl->dead = true;
			return;
		}
		cl->out_off += (size_t)w;
	}
	if (cl->done && cl->out_off == cl->out_len) {
		cl->dead = true;
		return;
	}
	ev.events = cl->out_off < cl->out_len ? EPOLLOUT :
		    (cl->done || cl->waiting) ? 0 : EPOLLIN;
	epoll_ctl(epfd, EPOLL_CTL_MOD, cl->ep.fd, &ev);
}

void control_accept(int lfd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct ctl_client *cl;
	int fd;

	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (nclients >= HOSTD_MAX_CTL) {
		static const char busy[] = "error: too many control clients\n";

		if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			log_debug("control refusal not delivered");
		close(fd);
		return;
	}
	cl = calloc(1, sizeof(*cl));
	if (!cl) {
		close(fd);
		return;
	}
	cl->ep.kind = EP_CTL;
	cl->ep.fd = fd;
	cl->id = next_ctl_id++;
	cl->deadline_ms = now_ms() + CTL_IDLE_MS;
	ev.data.ptr = &cl->ep;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev)) {
		close(fd);
		free(cl);
		return;
	}
	cl->next = clients;
	clients = cl;
	nclients++;
}

static void cmd_list(struct ctl_client *cl)
{
	uint64_t now = now_ms();
	struct guest *g;

	out_printf(cl, "ok guests=%u connections=%u\n", guests_count(), nconns);
	for (g = guests_first(); g; g = g->next) {
		out_printf(cl,
			   "guest hostname=%s cid=%u boot_id=%s conn=%s%.0llu state=%s version=%u agent=\"%s\" release=%s heartbeat_ms=%u last_heartbeat_ms_ago=%lld last_event_seq=%llu events=%llu duplicates=%llu connects=%llu caps=0x%x\n",
			   g->hostname[0] ? g->hostname : "-", g->cid, g->boot_id,
			   g->conn ? "#" : "-",
			   g->conn ? (unsigned long long)g->conn->id : 0ULL,
			   g->conn ? (g->silent ? "silent" : "connected") :
			   (g->silent ? "silent-disconnected" : "disconnected"),
			   g->version, g->sw_version, g->release, g->heartbeat_ms,
			   g->last_hb_ms ? (long long)(now - g->last_hb_ms) : -1LL,
			   (unsigned long long)g->last_event_seq,
			   (unsigned long long)g->events,
			   (unsigned long long)g->duplicates,
			   (unsigned long long)g->connects, g->caps);
	}
}

static void cmd_stats(struct ctl_client *cl)
{
	const struct hostd_stats *s = &stats;

	out_printf(cl, "ok stats\n");
	out_printf(cl,
		   "connections=%u guests=%u accepted=%llu refused=%llu closed=%llu frames_in=%llu frames_out=%llu bad_frames=%llu bad_ebadmsg=%llu bad_eproto=%llu bad_emsgsize=%llu bad_other=%llu\n",
		   nconns, guests_count(), (unsigned long long)s->accepted,
		   (unsigned long long)s->refused, (unsigned long long)s->closed,
		   (unsigned long long)s->frames_in, (unsigned long long)s->frames_out,
		   (unsigned long long)s->bad_frames,
		   (unsigned long long)s->bad_by_errno[0],
		   (unsigned long long)s->bad_by_errno[1],
		   (unsigned long long)s->bad_by_errno[2],
		   (unsigned long long)s->bad_by_errno[3]);
	out_printf(cl,
		   "events=%llu duplicates=%llu gaps=%llu heartbeats=%llu version_refused=%llu hello_timeouts=%llu rate_paused=%llu slow_peers=%llu requests=%llu replies=%llu request_timeouts=%llu late_replies=%llu silent=%llu returned=%llu replaced=%llu\n",
		   (unsigned long long)s->events, (unsigned long long)s->duplicates,
		   (unsigned long long)s->gaps, (unsigned long long)s->heartbeats,
		   (unsigned long long)s->version_refused,
		   (unsigned long long)s->hello_timeouts,
		   (unsigned long long)s->rate_paused, (unsigned long long)s->slow_peers,
		   (unsigned long long)s->requests, (unsigned long long)s->replies,
		   (unsigned long long)s->request_timeouts,
		   (unsigned long long)s->late_replies, (unsigned long long)s->silent,
		   (unsigned long long)s->returned, (unsigned long long)s->replaced);
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return (errno || *end) ? -EINVAL : 0;
}

static void cmd_request(struct ctl_client *cl, int argc, char **argv)
{
	struct hypervive_proto_freeze fr = { 0 };
	struct hypervive_proto_thaw th = { 0 };
	const void *msg = NULL;
	const char *err;
	struct guest *g;
	uint16_t type;
	uint64_t a = 0, b = 0, seq;
	int ret;

	if (!strcmp(argv[0], "freeze") && argc == 4 && !parse_u64(argv[2], &a) &&
	    !parse_u64(argv[3], &b)) {
		type = HYPERVIVE_PROTO_T_FREEZE;
		if (a > HYPERVIVE_PROTO_FREEZE_MS_MAX || !b) {
			out_printf(cl, "error: timeout must be 0..%u ms and checkpoint non-zero\n",
				   HYPERVIVE_PROTO_FREEZE_MS_MAX);
			return;
		}
		fr.timeout_ms = (uint32_t)a;
		fr.checkpoint_id = b;
		msg = &fr;
	} else if (!strcmp(argv[0], "thaw") && argc == 3 && !parse_u64(argv[2], &a)) {
		type = HYPERVIVE_PROTO_T_THAW;
		th.checkpoint_id = a;
		msg = &th;
	} else if (!strcmp(argv[0], "query") && argc == 2) {
		type = HYPERVIVE_PROTO_T_QUERY;
	} else {
		out_printf(cl, "error: usage: freeze GUEST TIMEOUT_MS CHECKPOINT | thaw GUEST CHECKPOINT | query GUEST\n");
		return;
	}
	g = guest_resolve(argv[1], &err);
	if (!g) {
		out_printf(cl, "error: %s: %s\n", argv[1], err);
		return;
	}
	ret = conn_request(g->conn, type, msg, cl->id, &seq);
	if (ret) {
		out_printf(cl, "error: %s %s: %s\n", argv[0], g->hostname, strerror(-ret));
		return;
	}
	log_debug("%s request %llu sent to %s", argv[0], (unsigned long long)seq,
		  g->hostname);
	cl->waiting = true;
}

static void execute(struct ctl_client *cl, char *line)
{
	char *argv[8], *save = NULL, *tok;
	int argc = 0;

	for (tok = strtok_r(line, " \t", &save); tok && argc < 8;
	     tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	if (!argc)
		out_printf(cl, "error: empty command\n");
	else if (!strcmp(argv[0], "list") && argc == 1)
		cmd_list(cl);
	else if (!strcmp(argv[0], "stats") && argc == 1)
		cmd_stats(cl);
	else if (!strcmp(argv[0], "freeze") || !strcmp(argv[0], "thaw") ||
		 !strcmp(argv[0], "query"))
		cmd_request(cl, argc, argv);
	else
		out_printf(cl, "error: unknown command '%s'\n", argv[0]);
	if (!cl->waiting)
		cl->done = true;
	client_flush(cl);
}

void control_event(struct ep_item *ep, uint32_t events)
{
	struct ctl_client *cl = (struct ctl_client *)ep;
	char *nl;
	ssize_t n;

	if (ep->kind == EP_CTL_LISTEN) {
		control_accept(ep->fd);
		return;
	}
	if (cl->dead)
		return;
	if (events & EPOLLERR) {
		cl->dead = true;
		return;
	}
	if (events & EPOLLOUT)
		client_flush(cl);
	if ((events & EPOLLHUP) && !(events & EPOLLIN)) {
		cl->dead = true;
		return;
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)) || cl->waiting || cl->done)
		return;
	n = recv(cl->ep.fd, cl->in + cl->in_len, sizeof(cl->in) - 1 - cl->in_len, 0);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			cl->dead = true;
		return;
	}
	cl->in_len += (size_t)n;
	cl->in[cl->in_len] = '\0';
	nl = strchr(cl->in, '\n');
	if (!nl) {
		if (cl->in_len == sizeof(cl->in) - 1) {
			out_printf(cl, "error: line too long\n");
			cl->done = true;
			client_flush(cl);
		}
		return;
	}
	*nl = '\0';
	execute(cl, cl->in);
}

void control_reply(uint64_t ctl_id, const char *text)
{
	struct ctl_client *cl;

	for (cl = clients; cl; cl = cl->next) {
		if (cl->id != ctl_id || cl->dead)
			continue;
		out_append(cl, text, strlen(text));
		if (text[0] && text[strlen(text) - 1] != '\n')
			out_append(cl, "\n", 1);
		cl->waiting = false;
		cl->done = true;
		client_flush(cl);
		return;
	}
}

void control_reap(void)
{
	struct ctl_client *cl, *next;

	for (cl = clients; cl; cl = next) {
		next = cl->next;
		if (cl->dead)
			client_free(cl);
	}
}

void control_tick(uint64_t now)
{
	struct ctl_client *cl;

	for (cl = clients; cl; cl = cl->next)
		if (!cl->waiting && !cl->done && now > cl->deadline_ms)
			cl->dead = true;
	control_reap();
}

void control_close_all(void)
{
	while (clients)
		client_free(clients);
	if (ctl_listen_ep.fd >= 0) {
		close(ctl_listen_ep.fd);
		unlink(ctl_path);
	}
}

/* ---- client side: hypervive-hostd ctl ... ---------------------------- */

static void ctl_usage(FILE *f)
{
	fprintf(f,
		"usage: hypervive-hostd [--control PATH] ctl COMMAND\n"
		"  ctl list\n"
		"  ctl stats\n"
		"  ctl freeze GUEST [--timeout-ms N] [--checkpoint ID]\n"
		"  ctl thaw GUEST [--checkpoint ID]\n"
		"  ctl query GUEST\n"
		"GUEST is a vsock CID, a hostname, a boot ID or #CONNECTION.\n");
}

int ctl_main(int argc, char **argv, const char *path)
{
	static const struct option opts[] = {
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "checkpoint", required_argument, NULL, 'c' },
		{ "control", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	uint64_t timeout = 0, ckpt = 0;
	char line[CTL_LINE_MAX], buf[4096];
	const char *cmd;
	bool ok = false, first = true;
	ssize_t n;
	int opt, fd;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "t:c:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 't':
			if (parse_u64(optarg, &timeout) || timeout > HYPERVIVE_PROTO_FREEZE_MS_MAX) {
				fprintf(stderr, "ctl: bad --timeout-ms\n");
				return 2;
			}
			break;
		case 'c':
			if (parse_u64(optarg, &ckpt)) {
				fprintf(stderr, "ctl: bad --checkpoint\n");
				return 2;
			}
			break;
		case 's':
			path = optarg;
			break;
		case 'h':
			ctl_usage(stdout);
			return 0;
		default:
			ctl_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		ctl_usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	if ((!strcmp(cmd, "list") || !strcmp(cmd, "stats")) && argc - optind == 1) {
		snprintf(line, sizeof(line), "%s\n", cmd);
	} else if (!strcmp(cmd, "query") && argc - optind == 2) {
		snprintf(line, sizeof(line), "query %s\n", argv[optind + 1]);
	} else if (!strcmp(cmd, "thaw") && argc - optind == 2) {
		snprintf(line, sizeof(line), "thaw %s %llu\n", argv[optind + 1],
			 (unsigned long long)ckpt);
	} else if (!strcmp(cmd, "freeze") && argc - optind == 2) {
		if (!ckpt)
			ckpt = now_realtime_ns() / 1000000;	/* ms since the epoch */
		snprintf(line, sizeof(line), "freeze %s %llu %llu\n", argv[optind + 1],
			 (unsigned long long)timeout, (unsigned long long)ckpt);
	} else {
		ctl_usage(stderr);
		return 2;
	}
	if (strlen(path) >= sizeof(un.sun_path) || strpbrk(argv[optind + (argc - optind > 1)], " \t\n")) {
		fprintf(stderr, "ctl: bad control path or guest name\n");
		return 2;
	}
	strcpy(un.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&un, sizeof(un))) {
		fprintf(stderr, "ctl: cannot connect to %s: %s\n", path, strerror(errno));
		return 3;
	}
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		fprintf(stderr, "ctl: write: %s\n", strerror(errno));
		close(fd);
		return 3;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (first) {
			ok = n >= 2 && !strncmp(buf, "ok", 2);
			first = false;
		}
		fwrite(buf, 1, (size_t)n, stdout);
	}
	close(fd);
	if (first)
		fprintf(stderr, "ctl: no reply from %s\n", path);
	return ok ? 0 : 1;
}
