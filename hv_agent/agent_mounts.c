// SPDX-License-Identifier: GPL-2.0
/*
 * Which filesystems a FREEZE concerns: every mounted superblock of the types
 * in freeze_fs, found with get_fs_type() and iterate_supers_type(), each
 * pinned by an active reference until the caller is done with it.
 *
 * Order matters: a filesystem on a loop device whose file lives on another
 * filesystem must freeze before that one, or its sync would write into a
 * frozen filesystem and hang.  The kernel exports no walk of the mount
 * table, so the mount order and the mount points come from
 * /proc/self/mountinfo (the init mount namespace: kernel threads share
 * PID 1's root) where it can be read; superblocks it does not list keep the
 * order iterate_supers_type() gives (newest first within a type) and are
 * named by their device (sb->s_id).
 */
#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include "agent.h"

/* ---- freeze_fs: a list of filesystem type names ----------------------- */

static DEFINE_SPINLOCK(freeze_fs_lock);
static char freeze_fs[AGENT_FREEZE_FS_MAX] = "ext4,xfs";

void agent_freeze_fs_get(char *buf, size_t len)
{
	spin_lock(&freeze_fs_lock);
	strscpy(buf, freeze_fs, len);
	spin_unlock(&freeze_fs_lock);
}

/*
 * "ext4,xfs": names of filesystem types, [a-z0-9_] (and '.' for subtypes),
 * at most 16 bytes each (the wire limit), at most 16 of them; empty means
 * freeze nothing.  A trailing newline from `echo` is accepted.
 */
static int freeze_fs_set(const char *s, const struct kernel_param *kp)
{
	char tmp[AGENT_FREEZE_FS_MAX];
	size_t len = strcspn(s, "\n");
	unsigned int names = 0, cur = 0;
	size_t i;

	if (len >= sizeof(tmp))
		goto bad;
	for (i = 0; i <= len; i++) {
		char c = i < len ? s[i] : ',';

		if (c == ',') {
			if (!cur && i < len)
				goto bad;	/* empty name inside the list */
			if (cur)
				names++;
			cur = 0;
			continue;
		}
		if (!(islower(c) || isdigit(c) || c == '_' || c == '.') ||
		    ++cur > HYPERVIVE_PROTO_FSTYPE_MAX)
			goto bad;
	}
	if (names > AGENT_FREEZE_TYPES_MAX)
		goto bad;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	spin_lock(&freeze_fs_lock);
	strscpy(freeze_fs, tmp, sizeof(freeze_fs));
	spin_unlock(&freeze_fs_lock);
	return 0;
bad:
	pr_err("freeze_fs=%.*s: want a comma-separated list of up to %u filesystem types such as ext4,xfs\n",
	       (int)min_t(size_t, len, 64), s, AGENT_FREEZE_TYPES_MAX);
	return -EINVAL;
}

static int freeze_fs_get(char *buf, const struct kernel_param *kp)
{
	char tmp[AGENT_FREEZE_FS_MAX];

	agent_freeze_fs_get(tmp, sizeof(tmp));
	return sysfs_emit(buf, "%s\n", tmp);
}

static const struct kernel_param_ops freeze_fs_ops = {
	.set = freeze_fs_set,
	.get = freeze_fs_get,
};

module_param_cb(freeze_fs, &freeze_fs_ops, NULL, 0644);
MODULE_PARM_DESC(freeze_fs, "filesystem types a FREEZE freezes when mounted read-write on a block device, comma-separated (default ext4,xfs); writable, used from the next request");

#define MOUNTINFO_MAX	SZ_1M		/* read no more of it than this */
#define MOUNTS_MAX	64		/* matching mounts remembered */

struct mnt_entry {
	dev_t dev;
	int order;			/* line number in mountinfo */
	char mount[HYPERVIVE_PROTO_MOUNT_MAX + 1];
	char fstype[HYPERVIVE_PROTO_FSTYPE_MAX + 1];
};

struct collect {
	struct agent_target *t;
	unsigned int max, n, over;
	const struct mnt_entry *mnt;
	unsigned int nmnt;
};

static bool type_listed(const char *types, const char *name)
{
	size_t len = strlen(name);
	const char *p = types;

	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == len && !strncmp(p, name, len))
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) |
				      (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

/* Split @line into fields at spaces; returns how many (at most @max). */
static unsigned int split(char *line, char **f, unsigned int max)
{
	unsigned int n = 0;

	while (*line && n < max) {
		while (*line == ' ')
			*line++ = '\0';
		if (!*line)
			break;
		f[n++] = line;
		line = strchrnul(line, ' ');
	}
	return n;
}

/*
 * One mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS...] -
 * FSTYPE SOURCE SUPEROPTS".  Keeps it when its type is listed and its
 * device is new (the first mount of a superblock is where it was mounted).
 */
static void parse_line(char *line, int order, const char *types,
		       struct mnt_entry *m, unsigned int *n)
{
	char *f[32];
	unsigned int nf, sep, i, maj, min;
	dev_t dev;

	nf = split(line, f, ARRAY_SIZE(f));
	if (nf < 9 || sscanf(f[2], "%u:%u", &maj, &min) != 2)
		return;
	for (sep = 6; sep < nf && strcmp(f[sep], "-"); sep++)
		;
	if (sep + 1 >= nf || !type_listed(types, f[sep + 1]))
		return;
	dev = MKDEV(maj, min);
	for (i = 0; i < *n; i++)
		if (m[i].dev == dev)
			return;
	if (*n >= MOUNTS_MAX)
		return;
	m = &m[(*n)++];
	m->dev = dev;
	m->order = order;
	unescape(f[4]);
	strscpy(m->mount, f[4], sizeof(m->mount));
	agent_str_clean(m->mount, HYPERVIVE_PROTO_MOUNT_MAX);
	if (!m->mount[0])
		strscpy(m->mount, "?", sizeof(m->mount));
	strscpy(m->fstype, f[sep + 1], sizeof(m->fstype));
}

/* The mounts of the listed types; -errno if mountinfo cannot be read. */
static int read_mounts(const char *types, struct mnt_entry *m, unsigned int *n)
{
	struct file *f;
	loff_t pos = 0;
	size_t len = 0, cap = PAGE_SIZE * 4;
	char *buf, *line, *next;
	int order = 0, ret = 0;
	ssize_t r;

	*n = 0;
	f = filp_open("/proc/self/mountinfo", O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	buf = kvmalloc(cap, GFP_NOIO);
	while (buf) {
		r = kernel_read(f, buf + len, cap - len - 1, &pos);
		if (r <= 0) {
			ret = r;
			break;
		}
		len += r;
		if (len + 1 >= cap) {
			char *bigger;

			if (cap >= MOUNTINFO_MAX)
				break;	/* parse what we have */
			bigger = kvmalloc(cap * 2, GFP_NOIO);
			if (bigger)
				memcpy(bigger, buf, len);
			kvfree(buf);
			buf = bigger;
			cap *= 2;
		}
	}
	filp_close(f, NULL);
	if (!buf)
		return -ENOMEM;
	buf[len] = '\0';
	for (line = buf; ret >= 0 && *line; line = next) {
		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		parse_line(line, order++, types, m, n);
	}
	kvfree(buf);
	return ret < 0 ? ret : 0;
}

static void collect_one(struct super_block *sb, void *arg)
{
	struct collect *c = arg;
	struct agent_target *t;
	unsigned int i;

	for (i = 0; i < c->n; i++)
		if (c->t[i].sb == sb)
			return;		/* its type is listed twice */
	if (c->n >= c->max) {
		c->over++;
		return;
	}
	/* Called with s_umount held and the superblock born: pin it. */
	if (!atomic_inc_not_zero(&sb->s_active))
		return;
	t = &c->t[c->n++];
	memset(t, 0, sizeof(*t));
	t->sb = sb;
	t->order = -1;
	t->rec.dev = (MAJOR(sb->s_dev) << 20) | MINOR(sb->s_dev);
	strscpy(t->rec.fstype, sb->s_type->name, sizeof(t->rec.fstype));
	agent_str_clean(t->rec.fstype, HYPERVIVE_PROTO_FSTYPE_MAX);
	for (i = 0; i < c->nmnt; i++) {
		if (c->mnt[i].dev == sb->s_dev) {
			t->order = c->mnt[i].order;
			strscpy(t->rec.mount, c->mnt[i].mount,
				sizeof(t->rec.mount));
			return;
		}
	}
	/* Not in our mount namespace's table: name it by its device. */
	strscpy(t->rec.mount, sb->s_id, sizeof(t->rec.mount));
	agent_str_clean(t->rec.mount, HYPERVIVE_PROTO_MOUNT_MAX);
	if (!t->rec.mount[0])
		strscpy(t->rec.mount, "?", sizeof(t->rec.mount));
}

static void collect_type(const char *name, struct collect *c)
{
	struct file_system_type *type = get_fs_type(name);

	if (!type)
		return;
	iterate_supers_type(type, collect_one, c);
	module_put(type->owner);	/* what put_filesystem() does */
}

/* Latest mounted first; unknown order after, in the order found. */
static int cmp_target(const void *a, const void *b)
{
	const struct agent_target *x = a, *y = b;

	if (x->order < 0 || y->order < 0)
		return (x->order < 0) - (y->order < 0);
	return y->order - x->order;
}

int agent_targets_collect(struct agent_target *t, unsigned int max,
			  unsigned int *n)
{
	char types[AGENT_FREEZE_FS_MAX], name[HYPERVIVE_PROTO_FSTYPE_MAX + 1];
	struct collect c = { .t = t, .max = max };
	struct mnt_entry *mnt;
	const char *p;
	unsigned int i, j;
	int ret;

	*n = 0;
	agent_freeze_fs_get(types, sizeof(types));
	if (!types[0])
		return 0;
	mnt = kcalloc(MOUNTS_MAX, sizeof(*mnt), GFP_NOIO);
	if (!mnt)
		return -ENOMEM;
	ret = read_mounts(types, mnt, &c.nmnt);
	c.mnt = mnt;
	if (ret) {
		agent_dbg("no mount order: cannot read /proc/self/mountinfo (%d)\n",
			  ret);
		c.nmnt = 0;
	}
	for (p = types; *p; p += *p == ',') {
		size_t len = strcspn(p, ",");

		strscpy(name, p, min(len + 1, sizeof(name)));
		p += len;
		/*
		 * With a mount table, only types that are mounted: it spares
		 * get_fs_type() loading a filesystem module for nothing.
		 */
		if (!ret) {
			for (j = 0; j < c.nmnt; j++)
				if (!strcmp(mnt[j].fstype, name))
					break;
			if (j == c.nmnt)
				continue;
		}
		collect_type(name, &c);
	}
	kfree(mnt);
	agent_dbg("freeze_fs %s: %u mounts listed, %u superblocks\n", types,
		  c.nmnt, c.n);
	/* A stable sort keeps the found order among unknowns. */
	for (i = 1; i < c.n; i++)
		for (j = i; j > 0 && cmp_target(&t[j - 1], &t[j]) > 0; j--)
			swap(t[j - 1], t[j]);
	if (c.over)
		pr_warn_ratelimited("%u more filesystems than the %u handled; they are left alone\n",
				    c.over, max);
	*n = c.n;
	return 0;
}

void agent_target_put(struct agent_target *t)
{
	if (t->sb) {
		deactivate_super(t->sb);
		t->sb = NULL;
	}
}
