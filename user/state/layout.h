/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The pinned maps' types, checked against this build's BTF. */
#ifndef __PAIRPATH_STATE_LAYOUT_H
#define __PAIRPATH_STATE_LAYOUT_H

#include <stddef.h>
#include <linux/types.h>

struct btf;

struct layout_pin {
	const char *name;	/* the map's name in the BPF object */
	int fd;
};

/*
 * Compare type `have_id` of `have` with type `want_id` of `want`: member
 * names, offsets and sizes, into structs, unions and arrays. 0 when they
 * agree; 1 with the first difference written to why; -errno if a type
 * cannot be read.
 */
int layout_compare(const struct btf *have, __u32 have_id, const struct btf *want,
		   __u32 want_id, char *why, size_t len);
/*
 * Every pin (fd >= 0) against the map of the same name in the built-in
 * datapath object, and the tracer's pins against the tracer object; on
 * a difference one line naming the map and the field, and -EPROTO.
 */
int layout_check(const struct layout_pin *pins, size_t n,
		 const struct layout_pin *tracer_pins, size_t tracer_n);

/* The routed mode's pins against the built-in routed object, the same way. */
int layout_check_routed(const struct layout_pin *pins, size_t n);

#endif /* __PAIRPATH_STATE_LAYOUT_H */
