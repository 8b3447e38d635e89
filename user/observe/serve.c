// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <microhttpd.h>
#include "kernel/drop_reason.h"
#include "kernel/privs.h"
#include "lib/log.h"
#include "observe/metrics_text.h"
#include "observe/route.h"
#include "observe/serve.h"
#include "observe/snapshot.h"
#include "state/store.h"

#define SERVE_MAX_CONNECTIONS	64
#define SERVE_TIMEOUT_SECS	10
#define SERVE_REQUEST_BYTES	(16 * 1024)	/* headers and all */

static const char index_page[] =
	"<!DOCTYPE html>\n<html><head><title>pairpath exporter</title></head>\n"
	"<body><h1>pairpath exporter</h1>\n"
	"<p><a href=\"/metrics\">Metrics</a></p></body></html>\n";

struct serve_ctx {
	const char *root;
	struct store st;
	bool open;
	bool deep;		/* kept root: judge devices by identity too */
	bool warned;
};

int serve_listen(const struct sockaddr_storage *addr, socklen_t len, const char *text)
{
	int fd, one = 1, err;

	fd = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)addr, len) || listen(fd, 64)) {
		err = -errno;
		pr_warn("listen address '%s': %s\n", text, strerror(-err));
		close(fd);
		return err;
	}
	return fd;
}

/*
 * After a reset the held maps are retired: open the new ones, which only
 * an exporter that kept root can; one that dropped its privileges says
 * so with a 503 until it is restarted. Nothing is ever created here.
 */
static const char *refresh_store(struct serve_ctx *ctx)
{
	/* The agent's exporter: the agent gives a new one the new maps. */
	if (!ctx->root)
		return NULL;
	if (ctx->open && !store_retired(&ctx->st))
		return NULL;
	if (ctx->open) {
		store_close(&ctx->st);
		ctx->open = false;
	}
	switch (store_open(&ctx->st, ctx->root, STORE_RDONLY)) {
	case 0:
		ctx->open = true;
		return NULL;
	case -ENOENT:
		return NULL;	/* nothing pinned since the reset: no pairs */
	default:
		if (!ctx->warned)
			pr_warn("serve: the pinned state was reset and cannot be reopened "
				"without privileges: restart pairpath serve\n");
		ctx->warned = true;
		return "the pinned state was reset: restart pairpath serve\n";
	}
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status,
			     const char *type, void *body, size_t len, bool owned)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, body,
		owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		if (owned)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *conn, unsigned int status,
				  const char *text)
{
	return reply(conn, status, "text/plain; charset=utf-8", (void *)text,
		     strlen(text), false);
}

static enum MHD_Result serve_metrics(struct serve_ctx *ctx, struct MHD_Connection *conn)
{
	struct snapshot snap;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	int err;

	const char *stale = refresh_store(ctx);

	if (stale)
		return reply_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, stale);
	out = open_memstream(&buf, &len);
	if (!out)
		return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	err = snapshot_take(ctx->open ? &ctx->st : NULL, ctx->deep, &snap);
	if (!err) {
		err = metrics_write(out, &snap);
		snapshot_free(&snap);
	}
	fclose(out);
	if (err) {
		free(buf);
		return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "cannot read the pinned maps\n");
	}
	return reply(conn, MHD_HTTP_OK, PP_METRICS_CONTENT_TYPE, buf, len, true);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **req_cls)
{
	static int first_call;
	enum route route = route_request(method, url);

	(void)version;
	(void)upload_data;
	/* A request body is never wanted: discard what comes with a GET. */
	if (!*req_cls) {
		*req_cls = &first_call;
		if (route != ROUTE_BAD_METHOD)
			return MHD_YES;
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
	}
	if (*upload_data_size) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	switch (route) {
	case ROUTE_METRICS:
		return serve_metrics(cls, conn);
	case ROUTE_INDEX:
		return reply(conn, MHD_HTTP_OK, "text/html; charset=utf-8",
			     (void *)index_page, sizeof(index_page) - 1, false);
	default:
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
	}
}

int serve_run(int listen_fd, const char *root, const char *user, struct store *st)
{
	struct serve_ctx ctx = { .root = root, .open = st != NULL };
	bool will_drop = strcmp(user, "root");
	struct MHD_Daemon *daemon;
	char name[64];
	sigset_t stop;
	int sig, err;

	if (st)
		ctx.st = *st;
	ctx.deep = !will_drop;
	/* Read the kernel's drop reason names while /sys is still ours to read. */
	drop_reason_name(0, name, sizeof(name));
	if (will_drop) {
		err = privs_drop(user);
		if (err) {
			if (ctx.open)
				store_close(&ctx.st);
			close(listen_fd);
			return err;
		}
	}

	/* The daemon's thread inherits the mask: signals come to sigwait. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);

	daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
				  MHD_USE_ERROR_LOG | MHD_USE_ITC,
				  0, NULL, NULL, on_request, &ctx,
				  MHD_OPTION_LISTEN_SOCKET, listen_fd,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned int)SERVE_MAX_CONNECTIONS,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)SERVE_TIMEOUT_SECS,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVE_REQUEST_BYTES,
				  MHD_OPTION_END);
	if (!daemon) {
		pr_warn("serve: cannot start the HTTP server\n");
		close(listen_fd);
		if (ctx.open)
			store_close(&ctx.st);
		return -EIO;
	}
	pr_info("serving metrics; stop with SIGINT or SIGTERM\n");
	sigwait(&stop, &sig);
	pr_info("serve: %s, stopping\n", strsignal(sig));
	/*
	 * Take the listening socket back before the daemon stops: it would
	 * shut it down, for every process that holds it (the agent starts a
	 * new exporter on the same socket).
	 */
	listen_fd = MHD_quiesce_daemon(daemon);
	MHD_stop_daemon(daemon);
	if (listen_fd >= 0)
		close(listen_fd);
	if (ctx.open)
		store_close(&ctx.st);
	return 0;
}
