/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * pairpath-cni: the CNI plugin's parsing and printing (user/cni/), the
 * contract between the parser part (conf.c, env.c, result.c, version.c,
 * by helper cni-parse) and the commands (main.c, add.c, del.c, ... by
 * helper cni-ops). Pure code: no syscalls beyond malloc, so that the
 * fuzzers link these files alone. CNI spec 1.1.0 and the versions before.
 */
#ifndef __PAIRPATH_CNI_CNI_H
#define __PAIRPATH_CNI_CNI_H

#include <stdbool.h>
#include <stddef.h>
#include <limits.h>

enum cni_cmd { CNI_CMD_ADD, CNI_CMD_DEL, CNI_CMD_CHECK, CNI_CMD_STATUS,
	       CNI_CMD_GC, CNI_CMD_VERSION };

/* The spec's error codes (SPEC.md "Error"). */
enum cni_code {
	CNI_ERR_INCOMPATIBLE	= 1,
	CNI_ERR_UNSUPPORTED	= 2,	/* unsupported field: key and value in msg */
	CNI_ERR_UNKNOWN_CTR	= 3,
	CNI_ERR_ENV		= 4,
	CNI_ERR_IO		= 5,
	CNI_ERR_DECODE		= 6,
	CNI_ERR_CONFIG		= 7,
	CNI_ERR_TRY_AGAIN	= 11,
	CNI_ERR_NOT_READY	= 50,	/* STATUS: plugin not available */
	CNI_ERR_LIMITED		= 51,	/* STATUS: limited connectivity */
};

struct cni_err {
	int code;		/* 0: no error */
	char msg[256];
	char details[512];
};

#define CNI_MAX_ARGS	32
struct cni_env {
	enum cni_cmd cmd;
	char containerid[256];	/* ADD DEL CHECK: required */
	char netns[PATH_MAX];	/* ADD CHECK: required; DEL: optional */
	char ifname[16];	/* ADD DEL CHECK: required, a valid Linux name */
	char path[4096];	/* CNI_PATH: ADD DEL CHECK GC; ':'-separated */
	int nargs;		/* CNI_ARGS as key=value;... */
	struct { char key[64]; char value[256]; } args[CNI_MAX_ARGS];
};

#define CNI_MAX_ATTACH	4096
struct cni_attachment { char containerid[256]; char ifname[16]; };

struct cni_conf {
	char version[16];	/* cniVersion, one of cni_versions[] */
	char name[128];		/* the network's name */
	char type[64];		/* must be "pairpath-cni" */
	char pin_root[PATH_MAX];/* pinRoot, default "/sys/fs/bpf/pairpath" */
	unsigned int mtu;	/* mtu, 0: the kernel's default (1500) */
	bool fib;		/* fib */
	char ipam_type[64];	/* ipam.type, "" if no ipam (an error for ADD) */
	bool has_prev_result;	/* prevResult present: chaining, refused */
	int nvalid;		/* GC: cni.dev/valid-attachments */
	struct cni_attachment *valid;	/* malloc'd, nvalid entries */
	char *raw;		/* the config as read, malloc'd: what IPAM gets on stdin */
	size_t raw_len;
};

/*
 * A result, as IPAM returns it (any version 0.3.0 to 1.1.0) and as the
 * plugin prints it (in conf.version: 0.3.x/0.4.0 carry ips[].version,
 * 1.x do not; interface is an index into interfaces[]).
 */
#define CNI_MAX_IFS	4
#define CNI_MAX_IPS	8
#define CNI_MAX_ROUTES	8
struct cni_result {
	int nifs;
	struct { char name[16]; char mac[18]; char sandbox[PATH_MAX]; int mtu; } ifs[CNI_MAX_IFS];
	int nips;
	struct {
		int family;	/* AF_INET or AF_INET6 */
		char address[64];	/* CIDR, "10.1.0.5/32" */
		char gateway[48];	/* "" if none */
		int interface;	/* index into ifs, -1 if none */
	} ips[CNI_MAX_IPS];
	int nroutes;
	struct { char dst[64]; char gw[48]; } routes[CNI_MAX_ROUTES];
	/* dns passed through as JSON text (malloc'd or NULL) */
	char *dns_json;
};

/* The versions VERSION reports, oldest first, "1.1.0" last. */
extern const char *const cni_versions[];
/* <0, 0, >0 as strverscmp; -2 if either is not x.y.z. */
int cni_version_cmp(const char *a, const char *b);
bool cni_version_supported(const char *v);

/* env: from getenv-like lookup (tests and fuzzers pass their own). */
int cni_env_parse(const char *(*get)(const char *name, void *ctx), void *ctx,
		  struct cni_env *env, struct cni_err *err);
/* conf: stdin bytes for cmd; VERSION needs only cniVersion (may be absent). */
int cni_conf_parse(const char *buf, size_t len, enum cni_cmd cmd,
		   struct cni_conf *conf, struct cni_err *err);
void cni_conf_free(struct cni_conf *conf);

/* Parse an IPAM plugin's stdout (a result or an error JSON). */
int cni_result_parse(const char *json, size_t len, struct cni_result *res,
		     struct cni_err *err);
void cni_result_free(struct cni_result *res);

/* Each returns a malloc'd, NUL-terminated JSON text, or NULL (out of memory). */
char *cni_result_json(const struct cni_result *res, const char *version);
char *cni_error_json(const struct cni_err *err, const char *version);
char *cni_version_json(const char *version);	/* VERSION's answer */

/* printf-style helper to fill err; returns -1 so callers can `return cni_fail(...)`. */
int cni_fail(struct cni_err *err, int code, const char *details, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* __PAIRPATH_CNI_CNI_H */
