// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "kernel/mapdump.h"
#include "lib/testhook.h"

#ifndef ENOTSUPP
#define ENOTSUPP	524	/* the kernel's own, seen by user space */
#endif

#define DUMP_FIRST_CAP	64

static int grow(struct map_dump *d, int *cap, int want)
{
	void *keys, *values;
	int c = *cap ? *cap : DUMP_FIRST_CAP;

	while (c < want)
		c *= 2;
	if (c == *cap)
		return 0;
	keys = realloc(d->keys, (size_t)c * d->key_size);
	if (keys)
		d->keys = keys;
	values = realloc(d->values, (size_t)c * d->value_size);
	if (values)
		d->values = values;
	if (!keys || !values)
		return -ENOMEM;
	/*
	 * The kernel fills what a batch returns; valgrind, which does not
	 * know BPF_MAP_LOOKUP_BATCH, cannot tell, so nothing is left unset.
	 */
	memset((char *)d->keys + (size_t)*cap * d->key_size, 0, (size_t)(c - *cap) * d->key_size);
	memset((char *)d->values + (size_t)*cap * d->value_size, 0,
	       (size_t)(c - *cap) * d->value_size);
	*cap = c;
	return 0;
}

static __u32 max_entries(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.max_entries;
}

/*
 * A hash's batch token is a bucket index and a batch copies whole
 * buckets under their lock, so an entry is read at most once; -ENOSPC
 * means one bucket holds more than the room left. -EINVAL (or ENOTSUPP)
 * on the first call: no batch ops for this map or kernel.
 */
static int dump_batch(int fd, struct map_dump *d, int *cap)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u64 in = 0, out = 0;
	bool first = true;
	__u32 count;
	int err;

	err = grow(d, cap, max_entries(fd) + 1);
	while (!err) {
		if (testhook_no_batch())
			return -EOPNOTSUPP;
		count = *cap - d->n;
		err = bpf_map_lookup_batch(fd, first ? NULL : &in, &out,
					   (char *)d->keys + (size_t)d->n * d->key_size,
					   (char *)d->values + (size_t)d->n * d->value_size,
					   &count, &opts) ? -errno : 0;
		if (err == -ENOENT || !err)
			d->n += count;
		if (err == -ENOENT)
			return 0;
		if (!err) {
			first = false;
			in = out;
			if (d->n == *cap)
				err = grow(d, cap, *cap * 2);
			continue;
		}
		if (err == -ENOSPC) {
			err = grow(d, cap, *cap * 2);
			continue;
		}
		if (first && (err == -EINVAL || err == -ENOTSUPP || err == -EOPNOTSUPP))
			return -EOPNOTSUPP;
	}
	return err;
}

/*
 * get_next_key of a key deleted meanwhile starts over from the first
 * key: keys come again, and under endless churn the walk might never
 * end. Read a bounded number of steps; dedupe() keeps each key once.
 */
static int dump_walk(int fd, struct map_dump *d, int *cap)
{
	long steps = 4L * (max_entries(fd) + 1);
	void *prev = NULL;
	char *key;
	int err;

	d->n = 0;
	while (steps--) {
		err = grow(d, cap, d->n + 1);
		if (err)
			return err;
		key = (char *)d->keys + (size_t)d->n * d->key_size;
		if (bpf_map_get_next_key(fd, prev, key)) {
			err = errno == ENOENT ? 0 : -errno;
			testhook_walk_step(fd, NULL, -1);
			return err;
		}
		prev = key;
		if (bpf_map_lookup_elem(fd, key, (char *)d->values + (size_t)d->n * d->value_size))
			continue;	/* deleted between the two calls */
		testhook_walk_step(fd, key, d->n);
		d->n++;
	}
	testhook_walk_step(fd, NULL, -1);
	return 0;
}

static int cmp_index(const void *a, const void *b, void *arg)
{
	const struct map_dump *d = arg;
	int i = *(const int *)a, j = *(const int *)b;
	int c = memcmp((char *)d->keys + (size_t)i * d->key_size,
		       (char *)d->keys + (size_t)j * d->key_size, d->key_size);

	return c ? c : i - j;
}

/* Sort by key; of a key read twice keep the later read. */
static int dedupe(struct map_dump *d)
{
	void *keys, *values;
	int *idx, i, n = 0;

	if (d->n < 1)
		return 0;
	idx = malloc(sizeof(*idx) * d->n);
	keys = malloc((size_t)d->n * d->key_size);
	values = malloc((size_t)d->n * d->value_size);
	if (!idx || !keys || !values) {
		free(idx);
		free(keys);
		free(values);
		return -ENOMEM;
	}
	for (i = 0; i < d->n; i++)
		idx[i] = i;
	qsort_r(idx, d->n, sizeof(*idx), cmp_index, d);
	for (i = 0; i < d->n; i++) {
		const char *k = (char *)d->keys + (size_t)idx[i] * d->key_size;

		if (i + 1 < d->n &&
		    !memcmp(k, (char *)d->keys + (size_t)idx[i + 1] * d->key_size, d->key_size))
			continue;
		memcpy((char *)keys + (size_t)n * d->key_size, k, d->key_size);
		memcpy((char *)values + (size_t)n * d->value_size,
		       (char *)d->values + (size_t)idx[i] * d->value_size, d->value_size);
		n++;
	}
	free(idx);
	free(d->keys);
	free(d->values);
	d->keys = keys;
	d->values = values;
	d->n = n;
	return 0;
}

int map_dump(int fd, __u32 key_size, __u32 value_size, struct map_dump *d)
{
	int cap = 0, err;

	memset(d, 0, sizeof(*d));
	d->key_size = key_size;
	d->value_size = value_size;
	err = dump_batch(fd, d, &cap);
	if (err == -EOPNOTSUPP)
		err = dump_walk(fd, d, &cap);
	if (!err)
		err = dedupe(d);
	return err;
}

void map_dump_free(struct map_dump *d)
{
	free(d->keys);
	free(d->values);
	memset(d, 0, sizeof(*d));
}
