// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/*
 * Who can reach the port is outside our control (README, "The exporter
 * under abuse"): every request gets SERVE_DEADLINE_MS from the start of
 * its connection (or from the end of the request before it on a
 * keep-alive connection) to its end, whatever it sends, and then its
 * socket is shut down. A held connection costs a slot for two seconds
 * at most, and a scraper finds one of SERVE_MAX_CONNECTIONS free unless
 * that many arrive within two seconds.
 */
#define SERVE_MAX_CONNECTIONS	512
#define SERVE_BACKLOG		512
#define SERVE_TIMEOUT_SECS	2	/* idle; MHD counts whole seconds */
#define SERVE_DEADLINE_MS	2000	/* a whole request, first byte to last */
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

/*
 * The open connections and when each started, filled and emptied from
 * MHD's thread by the notify callback, read by the main thread that
 * enforces the deadline. MHD notifies the close before it closes the
 * socket, so under the lock an fd here is still that connection's.
 */
struct conn_table {
	pthread_mutex_t lock;
	int n;
	struct {
		int fd;
		long long started_ms;
	} c[SERVE_MAX_CONNECTIONS];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The table's entry of a connection's socket, or -1; with the lock held. */
static int conn_find(const struct conn_table *ct, int fd)
{
	int i;

	for (i = 0; i < ct->n; i++)
		if (ct->c[i].fd == fd)
			return i;
	return -1;
}

static int conn_fd(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info;

	info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	return info ? info->connect_fd : -1;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode what)
{
	struct conn_table *ct = cls;
	int fd = conn_fd(conn), i;

	(void)socket_ctx;
	if (fd < 0)
		return;
	pthread_mutex_lock(&ct->lock);
	i = conn_find(ct, fd);
	if (what == MHD_CONNECTION_NOTIFY_STARTED && i < 0 && ct->n < SERVE_MAX_CONNECTIONS) {
		ct->c[ct->n].fd = fd;
		ct->c[ct->n++].started_ms = now_ms();
	} else if (what == MHD_CONNECTION_NOTIFY_CLOSED && i >= 0) {
		ct->c[i] = ct->c[--ct->n];
	}
	pthread_mutex_unlock(&ct->lock);
}

/*
 * A keep-alive connection's next request has its own deadline, from the
 * end of the one before (one already cut keeps its far-off mark).
 */
static void on_completed(void *cls, struct MHD_Connection *conn, void **req_ctx,
			 enum MHD_RequestTerminationCode why)
{
	struct conn_table *ct = cls;
	long long now = now_ms();
	int i;

	(void)req_ctx;
	(void)why;
	pthread_mutex_lock(&ct->lock);
	i = conn_find(ct, conn_fd(conn));
	if (i >= 0 && ct->c[i].started_ms <= now)
		ct->c[i].started_ms = now;
	pthread_mutex_unlock(&ct->lock);
}

/*
 * Shut down every connection past its deadline (MHD sees the end of the
 * stream and closes it); returns the ms until the next one is due.
 */
static long long expire_connections(struct conn_table *ct)
{
	long long now = now_ms(), next = SERVE_DEADLINE_MS, left;
	int i;

	pthread_mutex_lock(&ct->lock);
	for (i = 0; i < ct->n; i++) {
		left = ct->c[i].started_ms + SERVE_DEADLINE_MS - now;
		if (left <= 0) {
			shutdown(ct->c[i].fd, SHUT_RDWR);
			/* Once is enough; MHD's close notification removes it. */
			ct->c[i].started_ms = now + 3600 * 1000LL;
			continue;
		}
		if (left < next)
			next = left;
	}
	pthread_mutex_unlock(&ct->lock);
	return next;
}

/*
 * MHD says why it closed each connection: under abuse one line per cut
 * client, so those go to the debug level.
 */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[256];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	pr_debug("serve: %s", line);
}

/* Until SIGINT or SIGTERM, keeping every connection to its deadline. */
static int wait_for_stop(struct conn_table *ct, const sigset_t *stop)
{
	struct timespec ts;
	long long ms;
	int sig;

	for (;;) {
		ms = expire_connections(ct) + 1;
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (ms % 1000) * 1000000;
		sig = sigtimedwait(stop, NULL, &ts);
		if (sig > 0)
			return sig;
	}
}

int serve_listen(const struct sockaddr_storage *addr, socklen_t len, const char *text)
{
	int fd, one = 1, err;

	fd = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)addr, len) || listen(fd, SERVE_BACKLOG)) {
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
	struct conn_table *ct;
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

	ct = calloc(1, sizeof(*ct));
	if (ct)
		pthread_mutex_init(&ct->lock, NULL);
	/* epoll: hundreds of held connections cost the one thread nothing. */
	daemon = !ct ? NULL :
		 MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC,
				  0, NULL, NULL, on_request, &ctx,
				  MHD_OPTION_LISTEN_SOCKET, listen_fd,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned int)SERVE_MAX_CONNECTIONS,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)SERVE_TIMEOUT_SECS,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVE_REQUEST_BYTES,
				  MHD_OPTION_NOTIFY_CONNECTION, on_connection, ct,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, ct,
				  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				  MHD_OPTION_END);
	if (!daemon) {
		free(ct);
		pr_warn("serve: cannot start the HTTP server\n");
		close(listen_fd);
		if (ctx.open)
			store_close(&ctx.st);
		return -EIO;
	}
	pr_info("serving metrics; stop with SIGINT or SIGTERM\n");
	sig = wait_for_stop(ct, &stop);
	pr_info("serve: %s, stopping\n", strsignal(sig));
	/*
	 * Take the listening socket back before the daemon stops: it would
	 * shut it down, for every process that holds it (the agent starts a
	 * new exporter on the same socket).
	 */
	listen_fd = MHD_quiesce_daemon(daemon);
	MHD_stop_daemon(daemon);
	pthread_mutex_destroy(&ct->lock);
	free(ct);
	if (listen_fd >= 0)
		close(listen_fd);
	if (ctx.open)
		store_close(&ctx.st);
	return 0;
}
