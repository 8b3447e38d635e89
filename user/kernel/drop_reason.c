// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include "kernel/drop_reason.h"

#define REASON_PREFIX	"SKB_DROP_REASON_"

static struct btf *vmlinux_btf;
static const struct btf_type *reason_enum;

static const struct btf_type *find_reason_enum(void)
{
	__s32 id;

	if (reason_enum || vmlinux_btf)
		return reason_enum;
	vmlinux_btf = btf__load_vmlinux_btf();
	if (!vmlinux_btf)
		return NULL;
	id = btf__find_by_name_kind(vmlinux_btf, "skb_drop_reason", BTF_KIND_ENUM);
	if (id > 0)
		reason_enum = btf__type_by_id(vmlinux_btf, id);
	return reason_enum;
}

bool drop_reasons_known(void)
{
	return find_reason_enum();
}

static const char *short_name(const struct btf_enum *e)
{
	const char *name = btf__name_by_offset(vmlinux_btf, e->name_off);

	if (!strncmp(name, REASON_PREFIX, strlen(REASON_PREFIX)))
		name += strlen(REASON_PREFIX);
	return name;
}

const char *drop_reason_name(__u32 reason, char *buf, size_t len)
{
	const struct btf_type *t = find_reason_enum();
	int i;

	for (i = 0; t && i < btf_vlen(t); i++)
		if ((__u32)btf_enum(t)[i].val == reason) {
			snprintf(buf, len, "%s", short_name(btf_enum(t) + i));
			return buf;
		}
	snprintf(buf, len, "REASON_%u", reason);
	return buf;
}

void drop_reason_each(void (*fn)(__u32 reason, const char *name, void *arg), void *arg)
{
	const struct btf_type *t = find_reason_enum();
	int i;

	for (i = 0; t && i < btf_vlen(t); i++)
		fn(btf_enum(t)[i].val, short_name(btf_enum(t) + i), arg);
}

void drop_reasons_free(void)
{
	btf__free(vmlinux_btf);
	vmlinux_btf = NULL;
	reason_enum = NULL;
}
