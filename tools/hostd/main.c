// SPDX-License-Identifier: GPL-2.0
/*
 * hypervive-hostd: host peer of hypervive_agent.ko.  Options, the epoll
 * loop, listeners and signals; "ctl" runs the operator client instead.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hostd.h"

#define DEFAULT_CONTROL	"/run/hypervive-hostd.sock"

struct listener {
	struct ep_item ep;
	struct net_addr addr;
};

struct hostd_cfg cfg = {
	.port = HYPERVIVE_PROTO_VSOCK_PORT,
	.control_path = DEFAULT_CONTROL,
	.max_conns = 2048,
	.max_guests = 8192,
	.rate = 200,
	.hello_timeout_ms = 5000,
	.request_timeout_ms = 30000,
	.silent_periods = HYPERVIVE_PROTO_SILENT_PERIODS,
};
struct hostd_stats stats;
int epfd = -1;

static struct listener listeners[HOSTD_MAX_LISTEN];
static struct ep_item sig_ep;

static void usage(FILE *f)
{
	fprintf(f,
"NAME\n"
"    hypervive-hostd - host peer of the HyperVive guest agent\n"
"\n"
"SYNOPSIS\n"
"    hypervive-hostd [OPTIONS]\n"
"    hypervive-hostd [--control PATH] ctl list|stats\n"
"    hypervive-hostd [--control PATH] ctl freeze GUEST [--timeout-ms N] [--checkpoint ID]\n"
"    hypervive-hostd [--control PATH] ctl thaw GUEST [--checkpoint ID]\n"
"    hypervive-hostd [--control PATH] ctl query GUEST\n"
"\n"
"DESCRIPTION\n"
"    Accepts connections from hypervive_agent.ko in guests (AF_VSOCK, port\n"
"    2761 = 0xAC9), speaks the protocol of docs/PROTOCOL.md, acknowledges\n"
"    and logs guest events (one line each, with its event ID), drops\n"
"    duplicate events per guest boot ID, reports guests whose heartbeats\n"
"    stop for %u periods and when they come back, and relays an operator's\n"
"    freeze, thaw and query requests from the control socket.\n"
"\n"
"OPTIONS\n"
"    -l, --listen SPEC        vsock[:PORT] (default), unix:PATH or\n"
"                             tcp:ADDR:PORT (tests); up to %d times\n"
"    -p, --port N             vsock port (default %u)\n"
"    -c, --control PATH       control socket (default %s)\n"
"    -j, --json               JSON lines instead of text lines\n"
"    -s, --syslog             log to syslog (daemon facility), not stdout\n"
"    -d, --debug              verbose: heartbeats, duplicates, requests\n"
"        --max-conns N        guest connections at once (default 2048)\n"
"        --max-guests N       guest records kept (default 8192)\n"
"        --rate N             frames per second read per connection (200)\n"
"        --hello-timeout-ms N close a connection without HELLO (5000)\n"
"        --request-timeout-ms N  give up on a guest's reply (30000)\n"
"        --silent-periods N   missed heartbeat periods before \"silent\" (3)\n"
"    -h, --help               this text\n"
"\n"
"CONTROL COMMANDS\n"
"    GUEST is a vsock CID, a hostname, a boot ID or #CONNECTION (see list).\n"
"    freeze asks the agent to freeze its filesystems for checkpoint ID\n"
"    (default: milliseconds since the epoch); the agent thaws on thaw, on\n"
"    its timeout (--timeout-ms, 0 = the agent's freeze_timeout_ms), or when\n"
"    the connection drops.  Replies: a first line \"ok ...\" or \"error ...\",\n"
"    then one \"fs ...\" line per filesystem.\n"
"\n"
"OUTPUT\n"
"    TIME LEVEL EVENT_ID NAME key=value...  (text), or one JSON object per\n"
"    line with the keys time, level, event_id, name, guest, cid, boot_id,\n"
"    peer, seq, checkpoint_id, value, guest_time, fs, text (--json).\n"
"    Event IDs 4100-4299 come from guests, 4300-4399 from hostd, 9100 is\n"
"    debug.  See docs/PROTOCOL.md.\n"
"\n"
"EXIT STATUS\n"
"    0 on SIGTERM/SIGINT, 1 on a startup error, 2 on a usage error.\n"
"    ctl: 0 if the reply starts with \"ok\", 1 otherwise, 2 usage, 3 no daemon.\n",
		cfg.silent_periods, HOSTD_MAX_LISTEN, HYPERVIVE_PROTO_VSOCK_PORT,
		DEFAULT_CONTROL);
}

int ep_mod(struct ep_item *ep, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = ep };

	return epoll_ctl(epfd, EPOLL_CTL_MOD, ep->fd, &ev);
}

static int parse_uint(const char *s, unsigned int lo, unsigned int hi,
		      unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || !*s || v < lo || v > hi)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

static void accept_guests(struct listener *l)
{
	int i, fd;

	for (i = 0; i < 64; i++) {
		fd = accept4(l->ep.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		stats.accepted++;
		if (nconns >= cfg.max_conns) {
			stats.refused++;
			log_host_limited(HYPERVIVE_PROTO_EV_CONN_REFUSED, NULL, NULL,
					 nconns, "connection refused: %u connections open",
					 nconns);
			conn_refuse(fd, HYPERVIVE_PROTO_ERR_BUSY, "too many connections");
			continue;
		}
		if (!conn_new(fd, l->addr.kind)) {
			stats.refused++;
			close(fd);
		}
	}
}

static int parse_args(int argc, char **argv)
{
	enum { O_MAXC = 256, O_MAXG, O_RATE, O_HELLO, O_REQ, O_SILENT };
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "port", required_argument, NULL, 'p' },
		{ "control", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "syslog", no_argument, NULL, 's' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "max-conns", required_argument, NULL, O_MAXC },
		{ "max-guests", required_argument, NULL, O_MAXG },
		{ "rate", required_argument, NULL, O_RATE },
		{ "hello-timeout-ms", required_argument, NULL, O_HELLO },
		{ "request-timeout-ms", required_argument, NULL, O_REQ },
		{ "silent-periods", required_argument, NULL, O_SILENT },
		{ NULL, 0, NULL, 0 },
	};
	const char *specs[HOSTD_MAX_LISTEN];
	int nspecs = 0, opt, i, bad = 0;

	while ((opt = getopt_long(argc, argv, "+l:p:c:jsdh", opts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			if (nspecs == HOSTD_MAX_LISTEN)
				bad = 1;
			else
				specs[nspecs++] = optarg;
			break;
		case 'p':
			bad |= parse_uint(optarg, 1, 0xfffffffeU, &cfg.port);
			break;
		case 'c':
			cfg.control_path = optarg;
			break;
		case 'j':
			cfg.json = true;
			break;
		case 's':
			cfg.use_syslog = true;
			break;
		case 'd':
			cfg.debug = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case O_MAXC:
			bad |= parse_uint(optarg, 1, 1000000, &cfg.max_conns);
			break;
		case O_MAXG:
			bad |= parse_uint(optarg, 1, 10000000, &cfg.max_guests);
			break;
		case O_RATE:
			bad |= parse_uint(optarg, 1, 1000000, &cfg.rate);
			break;
		case O_HELLO:
			bad |= parse_uint(optarg, 10, 3600000, &cfg.hello_timeout_ms);
			break;
		case O_REQ:
			bad |= parse_uint(optarg, 10, 7200000, &cfg.request_timeout_ms);
			break;
		case O_SILENT:
			bad |= parse_uint(optarg, 1, 1000, &cfg.silent_periods);
			break;
		default:
			bad = 1;
		}
	}
	if (!nspecs)
		specs[nspecs++] = "vsock";
	for (i = 0; i < nspecs && !bad; i++) {
		if (net_parse(specs[i], &cfg.listen[i], cfg.port)) {
			fprintf(stderr, "hypervive-hostd: bad --listen '%s'\n", specs[i]);
			bad = 1;
		}
	}
	cfg.nlisten = nspecs;
	if (bad)
		return -1;
	if (cfg.max_guests < cfg.max_conns)
		cfg.max_guests = cfg.max_conns;
	return 0;
}

static int setup(int *sigfd)
{
	struct epoll_event ev;
	sigset_t set;
	char name[160];
	int i, fd, ret;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	*sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (epfd < 0 || *sigfd < 0) {
		perror("hypervive-hostd: epoll/signalfd");
		return -1;
	}
	sig_ep.kind = EP_SIGNAL;
	sig_ep.fd = *sigfd;
	ev.events = EPOLLIN;
	ev.data.ptr = &sig_ep;
	epoll_ctl(epfd, EPOLL_CTL_ADD, *sigfd, &ev);
	guests_init(cfg.max_guests);
	for (i = 0; i < cfg.nlisten; i++) {
		net_format(&cfg.listen[i], name, sizeof(name));
		fd = net_listen(&cfg.listen[i], 1024);
		if (fd < 0) {
			fprintf(stderr, "hypervive-hostd: cannot listen on %s: %s\n",
				name, strerror(-fd));
			return -1;
		}
		listeners[i].ep.kind = EP_LISTEN;
		listeners[i].ep.fd = fd;
		listeners[i].addr = cfg.listen[i];
		ev.events = EPOLLIN;
		ev.data.ptr = &listeners[i].ep;
		epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
	}
	ret = control_listen(cfg.control_path);
	if (ret) {
		fprintf(stderr, "hypervive-hostd: cannot open control socket %s: %s\n",
			cfg.control_path, strerror(-ret));
		return -1;
	}
	return 0;
}

static void teardown(void)
{
	int i;

	conn_bye_all(HYPERVIVE_PROTO_BYE_SHUTDOWN);
	conn_reap();
	control_close_all();
	for (i = 0; i < cfg.nlisten; i++) {
		if (listeners[i].ep.fd <= 0)
			continue;
		close(listeners[i].ep.fd);
		if (listeners[i].addr.kind == NET_UNIX)
			unlink(listeners[i].addr.path);
	}
}

static void run(void)
{
	struct epoll_event evs[256];
	uint64_t next_tick = now_ms() + HOSTD_TICK_MS, now;
	bool stop = false;
	int i, n;

	while (!stop) {
		n = epoll_wait(epfd, evs, 256, HOSTD_TICK_MS);
		for (i = 0; i < n; i++) {
			struct ep_item *ep = evs[i].data.ptr;
			uint32_t e = evs[i].events;

			switch (ep->kind) {
			case EP_LISTEN:
				accept_guests((struct listener *)ep);
				break;
			case EP_GUEST: {
				struct conn *c = (struct conn *)ep;

				if (e & EPOLLOUT)
					conn_writable(c);
				if (e & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
					if (c->paused)
						conn_hangup_paused(c);
					else
						conn_readable(c);
				}
				break;
			}
			case EP_CTL_LISTEN:
			case EP_CTL:
				control_event(ep, e);
				break;
			case EP_SIGNAL: {
				struct signalfd_siginfo si;

				if (read(ep->fd, &si, sizeof(si)) == sizeof(si)) {
					log_host(HYPERVIVE_PROTO_EV_HOST_STOPPED, NULL, NULL,
						 si.ssi_signo, "stopping on signal %u",
						 si.ssi_signo);
					stop = true;
				}
				break;
			}
			}
		}
		conn_reap();
		control_reap();
		now = now_ms();
		if (now >= next_tick) {
			conn_tick(now);
			guests_tick(now);
			control_tick(now);
			conn_reap();
			next_tick = now + HOSTD_TICK_MS;
		}
	}
}

int main(int argc, char **argv)
{
	char desc[512] = "";
	int i, sigfd;
	size_t n;

	if (argc > 1 && !strcmp(argv[1], "ctl"))
		return ctl_main(argc - 1, argv + 1, cfg.control_path);
	if (parse_args(argc, argv)) {
		usage(stderr);
		return 2;
	}
	if (optind < argc) {
		if (!strcmp(argv[optind], "ctl"))
			return ctl_main(argc - optind, argv + optind, cfg.control_path);
		fprintf(stderr, "hypervive-hostd: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	log_init();
	raise_nofile();
	if (setup(&sigfd)) {
		teardown();	/* remove the unix sockets already bound */
		return 1;
	}
	for (i = 0; i < cfg.nlisten; i++) {
		n = strlen(desc);
		net_format(&cfg.listen[i], desc + n, sizeof(desc) - n);
		n = strlen(desc);
		snprintf(desc + n, sizeof(desc) - n, " ");
	}
	log_host(HYPERVIVE_PROTO_EV_HOST_STARTED, NULL, NULL, 0,
		 "hypervive-hostd %s protocol %u..%u listening on %scontrol %s max_conns=%u",
		 HOSTD_VERSION, HYPERVIVE_PROTO_VERSION_MIN, HYPERVIVE_PROTO_VERSION_MAX,
		 desc, cfg.control_path, cfg.max_conns);
	run();
	teardown();
	close(sigfd);
	close(epfd);
	return 0;
}
