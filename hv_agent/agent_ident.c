// SPDX-License-Identifier: GPL-2.0
/*
 * Who we are in HELLO: hostname, kernel release, boot ID, agent version.
 *
 * The boot ID is the host's key for a guest across reconnects (and across a
 * reload of this module), so it must be the kernel's own
 * /proc/sys/kernel/random/boot_id, which nothing exports to modules; we read
 * that file once at load.  Without procfs we make one up and say so: the
 * host then sees a new guest after each reload.
 */
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/uuid.h>
#include <linux/utsname.h>
#include "agent.h"

static char boot_id[HYPERVIVE_PROTO_BOOT_ID_LEN + 1];

/*
 * Make @s a valid wire string of at most @max bytes: invalid UTF-8 and
 * control characters become '?', and a cut never splits a character.
 */
void agent_str_clean(char *s, size_t max)
{
	size_t i = 0, n, len = strnlen(s, max + 1);

	while (i < len) {
		u8 c = s[i];

		n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (i + n > len ||
		    !hypervive_proto_str_valid((const u8 *)s + i, n)) {
			s[i++] = '?';
			continue;
		}
		if (i + n > max)
			break;
		i += n;
	}
	s[min(i, max)] = '\0';
}

void agent_ident_fill(struct hypervive_proto_hello *h)
{
	struct new_utsname *u = utsname();

	strscpy(h->hostname, u->nodename, sizeof(h->hostname));
	agent_str_clean(h->hostname, HYPERVIVE_PROTO_HOSTNAME_MAX);
	strscpy(h->release, u->release, sizeof(h->release));
	agent_str_clean(h->release, HYPERVIVE_PROTO_RELEASE_MAX);
	memcpy(h->boot_id, boot_id, sizeof(h->boot_id));
	snprintf(h->sw_version, sizeof(h->sw_version), "hypervive_agent %s",
		 HYPERVIVE_VERSION);
}

static int read_boot_id(void)
{
	char buf[HYPERVIVE_PROTO_BOOT_ID_LEN + 2] = "";
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	f = filp_open("/proc/sys/kernel/random/boot_id", O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_read(f, buf, sizeof(buf) - 1, &pos);
	filp_close(f, NULL);
	if (n < HYPERVIVE_PROTO_BOOT_ID_LEN)
		return n < 0 ? n : -EIO;
	if (!hypervive_proto_boot_id_valid((const u8 *)buf,
					   HYPERVIVE_PROTO_BOOT_ID_LEN))
		return -EINVAL;
	memcpy(boot_id, buf, HYPERVIVE_PROTO_BOOT_ID_LEN);
	boot_id[HYPERVIVE_PROTO_BOOT_ID_LEN] = '\0';
	return 0;
}

int agent_ident_init(void)
{
	u8 uuid[UUID_SIZE];
	int ret;

	ret = read_boot_id();
	if (!ret)
		return 0;
	generate_random_uuid(uuid);
	snprintf(boot_id, sizeof(boot_id), "%pUb", uuid);
	pr_warn("cannot read /proc/sys/kernel/random/boot_id (%d); using %s, so the host sees a new guest after each reload\n",
		ret, boot_id);
	return 0;
}
