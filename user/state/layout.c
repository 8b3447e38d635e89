// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A pinned map is read through this build's structs. Sizes alone let a
 * reordered struct through (PP_MAP_LAYOUT was once not bumped when
 * pp_port was), so the BTF the kernel keeps with each map is compared
 * with the BTF of the object built into this pairpath.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "lib/log.h"
#include "state/layout.h"
#include "kdrop.skel.h"
#include "pairpath.skel.h"
#include "routed.skel.h"

/* Typedefs and qualifiers do not change what the bytes mean. */
static const struct btf_type *resolve(const struct btf *btf, __u32 *id)
{
	int r = btf__resolve_type(btf, *id);

	if (r < 0)
		return NULL;
	*id = r;
	return btf__type_by_id(btf, r);
}

static const char *kind_name(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_INT:	return "an integer";
	case BTF_KIND_ENUM:	return "an enum";
	case BTF_KIND_ENUM64:	return "an enum";
	case BTF_KIND_STRUCT:	return "a struct";
	case BTF_KIND_UNION:	return "a union";
	case BTF_KIND_ARRAY:	return "an array";
	case BTF_KIND_PTR:	return "a pointer";
	default:		return "another type";
	}
}

static int differ(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return 1;
}

static int compare_at(const struct btf *hb, __u32 hid, const struct btf *wb, __u32 wid,
		      const char *path, char *why, size_t len);

static int compare_members(const struct btf *hb, const struct btf_type *h,
			   const struct btf *wb, const struct btf_type *w,
			   const char *path, char *why, size_t len)
{
	const struct btf_member *hm = btf_members(h), *wm = btf_members(w);
	int i, ret, hn = btf_vlen(h), wn = btf_vlen(w);
	const char *hname, *wname;
	char sub[256];

	for (i = 0; i < wn; i++) {
		wname = btf__name_by_offset(wb, wm[i].name_off);
		snprintf(sub, sizeof(sub), "%s.%s", path, wname && *wname ? wname : "(anonymous)");
		if (i >= hn)
			return differ(why, len, "field '%s' is missing there", sub);
		hname = btf__name_by_offset(hb, hm[i].name_off);
		if (!hname || !wname || strcmp(hname, wname))
			return differ(why, len, "field '%s' is '%s' there", sub,
				      hname && *hname ? hname : "(anonymous)");
		if (btf_member_bit_offset(h, i) != btf_member_bit_offset(w, i) ||
		    btf_member_bitfield_size(h, i) != btf_member_bitfield_size(w, i))
			return differ(why, len, "field '%s' is at bit %u there, %u here", sub,
				      btf_member_bit_offset(h, i), btf_member_bit_offset(w, i));
		ret = compare_at(hb, hm[i].type, wb, wm[i].type, sub, why, len);
		if (ret)
			return ret;
	}
	if (hn > wn) {
		hname = btf__name_by_offset(hb, hm[wn].name_off);
		return differ(why, len, "field '%s.%s' there is not in this pairpath", path,
			      hname && *hname ? hname : "(anonymous)");
	}
	return 0;
}

static int compare_at(const struct btf *hb, __u32 hid, const struct btf *wb, __u32 wid,
		      const char *path, char *why, size_t len)
{
	const struct btf_type *h = resolve(hb, &hid), *w = resolve(wb, &wid);
	const struct btf_array *ha, *wa;
	long long hsize, wsize;
	char sub[256];

	if (!h || !w)
		return -EINVAL;
	hsize = btf__resolve_size(hb, hid);
	wsize = btf__resolve_size(wb, wid);
	if (btf_kind(h) != btf_kind(w) || hsize != wsize)
		return differ(why, len, "'%s' is %s of %lld bytes there, %s of %lld here",
			      path, kind_name(h), hsize, kind_name(w), wsize);
	switch (btf_kind(w)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return compare_members(hb, h, wb, w, path, why, len);
	case BTF_KIND_ARRAY:
		ha = btf_array(h);
		wa = btf_array(w);
		if (ha->nelems != wa->nelems)
			return differ(why, len, "'%s' has %u elements there, %u here", path,
				      ha->nelems, wa->nelems);
		snprintf(sub, sizeof(sub), "%s[]", path);
		return compare_at(hb, ha->type, wb, wa->type, sub, why, len);
	default:
		/* Integers, enums: kind and size decide how they are read. */
		return 0;
	}
}

int layout_compare(const struct btf *have, __u32 have_id, const struct btf *want,
		   __u32 want_id, char *why, size_t len)
{
	const struct btf_type *t = btf__type_by_id(want, want_id);
	const char *name = t ? btf__name_by_offset(want, t->name_off) : NULL;

	return compare_at(have, have_id, want, want_id, name && *name ? name : "value",
			  why, len);
}

/*
 * The map's BTF as the kernel keeps it. libbpf's own
 * btf__load_from_kernel_by_id() reads it into memory that valgrind
 * cannot see the kernel fill (its bpf(2) wrapper does not follow
 * info.btf), so every later read of the types is reported; read into
 * zeroed memory here instead.
 */
static struct btf *kernel_btf(__u32 id)
{
	struct bpf_btf_info info = {};
	__u32 len = sizeof(info), size;
	struct btf *btf = NULL;
	void *data = NULL;
	int fd, err = 0;

	fd = bpf_btf_get_fd_by_id(id);
	if (fd < 0)
		return NULL;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	size = info.btf_size;
	if (!err && !(data = calloc(1, size ? size : 1)))
		err = -ENOMEM;
	if (!err) {
		memset(&info, 0, sizeof(info));
		info.btf = (__u64)(unsigned long)data;
		info.btf_size = size;
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			err = -errno;
	}
	if (!err && !(btf = btf__new(data, size)))
		err = -errno;
	free(data);
	close(fd);
	errno = -err;
	return btf;
}

static int check_pin(const struct bpf_object *obj, const struct layout_pin *pin)
{
	const struct bpf_map *map = bpf_object__find_map_by_name(obj, pin->name);
	const struct btf *want = bpf_object__btf(obj);
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);
	struct btf *have;
	char why[512];
	int ret;

	if (!map || !want)
		return -ENOENT;
	if (bpf_obj_get_info_by_fd(pin->fd, &info, &info_len))
		return -errno;
	/* The kernel keeps no BTF for some map types (a devmap): sizes only. */
	if (!info.btf_id || !bpf_map__btf_value_type_id(map))
		return 0;
	have = kernel_btf(info.btf_id);
	if (!have)
		return -errno;
	ret = layout_compare(have, info.btf_key_type_id, want, bpf_map__btf_key_type_id(map),
			     why, sizeof(why));
	if (!ret)
		ret = layout_compare(have, info.btf_value_type_id, want,
				     bpf_map__btf_value_type_id(map), why, sizeof(why));
	btf__free(have);
	if (ret > 0) {
		pr_warn("pinned map '%s' has another layout: %s: run 'pairpath reset'\n",
			pin->name, why);
		return -EPROTO;
	}
	if (ret < 0)
		pr_warn("pinned map '%s': cannot read its BTF: %s\n", pin->name, strerror(-ret));
	return ret;
}

static int check_pins(const struct bpf_object *obj, const struct layout_pin *pins, size_t n)
{
	size_t i;
	int err = 0;

	for (i = 0; !err && i < n; i++)
		if (pins[i].fd >= 0)
			err = check_pin(obj, &pins[i]);
	return err;
}

/* Open only: the BTF and the maps' type ids are there before load. */
int layout_check(const struct layout_pin *pins, size_t n,
		 const struct layout_pin *tracer_pins, size_t tracer_n)
{
	struct pairpath *skel;
	struct kdrop *tracer;
	int err;

	skel = pairpath__open();
	if (!skel) {
		err = -errno;
		pr_warn("cannot open the built-in BPF object: %s\n", strerror(-err));
		return err;
	}
	err = check_pins(skel->obj, pins, n);
	pairpath__destroy(skel);
	if (err || !tracer_n)
		return err;
	tracer = kdrop__open();
	if (!tracer) {
		err = -errno;
		pr_warn("cannot open the built-in tracer object: %s\n", strerror(-err));
		return err;
	}
	err = check_pins(tracer->obj, tracer_pins, tracer_n);
	kdrop__destroy(tracer);
	return err;
}

/*
 * The routed maps against the routed object: type and sizes first (a
 * devmap has no BTF to compare), then every member.
 */
int layout_check_routed(const struct layout_pin *pins, size_t n)
{
	struct bpf_map_info info = {};
	const struct bpf_map *map;
	__u32 len = sizeof(info);
	struct routed *skel;
	int err = 0;
	size_t i;

	skel = routed__open();
	if (!skel) {
		err = -errno;
		pr_warn("cannot open the built-in routed object: %s\n", strerror(-err));
		return err;
	}
	for (i = 0; !err && i < n; i++) {
		map = bpf_object__find_map_by_name(skel->obj, pins[i].name);
		if (!map || pins[i].fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(pins[i].fd, &info, &len)) {
			err = -errno;
			break;
		}
		if (info.type != bpf_map__type(map) || info.key_size != bpf_map__key_size(map) ||
		    info.value_size != bpf_map__value_size(map) ||
		    info.max_entries != bpf_map__max_entries(map)) {
			pr_warn("pinned map '%s' has another layout (key %u, value %u bytes, "
				"%u entries; this pairpath expects %u, %u, %u): run 'pairpath reset'\n",
				pins[i].name, info.key_size, info.value_size, info.max_entries,
				bpf_map__key_size(map), bpf_map__value_size(map),
				bpf_map__max_entries(map));
			err = -EPROTO;
			break;
		}
		err = check_pin(skel->obj, &pins[i]);
	}
	routed__destroy(skel);
	return err;
}
