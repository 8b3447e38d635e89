// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pairpath agent: the node's daemon. The process keeps its privileges
 * and follows the devices of the attached pairs (control/reconcile.h);
 * the exporter runs in a child that holds the maps read-only and drops
 * every privilege. The child cannot ask tcx links or the container ends
 * (both need privileges), so what it reports as broken is what this
 * process marked broken in the pair records, within moments of the event.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include "cmd/cmd.h"
#include "control/reconcile.h"
#include "kernel/linkwatch.h"
#include "lib/log.h"
#include "observe/serve.h"
#include "state/store.h"

#define AGENT_TICK_MS		1000	/* look for pinned state made, or reset */
#define AGENT_RESYNC_SECS	60	/* a full pass even without events */

struct agent {
	const struct cli *cli;
	int listen_fd;
	int signal_fd;
	struct linkwatch lw;
	struct store st;
	bool open;
	pid_t exporter;
	bool exporter_has_state;	/* it was given maps */
	bool exporter_has_routed;	/* and routed mode's */
	struct reconcile_set set;
	time_t last_full;
};

static void on_event(const struct link_event *ev, void *arg)
{
	reconcile_add(arg, ev);
}

/* The exporter, a child that has the maps read-only and no privilege. */
static int start_exporter(struct agent *ag)
{
	struct store ro, *open = NULL;
	pid_t pid;
	int err;

	err = store_open(&ro, ag->cli->pin_root, STORE_RDONLY);
	if (!err)
		open = &ro;
	else if (err != -ENOENT)
		return err;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		if (open)
			store_close(open);
		pr_warn("agent: cannot start the exporter: %s\n", strerror(-err));
		return err;
	}
	if (!pid) {
		/* Of this process's descriptors the exporter keeps none but its own. */
		if (ag->open)
			store_close(&ag->st);
		linkwatch_close(&ag->lw);
		close(ag->signal_fd);
		_exit(serve_run(ag->listen_fd, NULL, ag->cli->user, open) ? 1 : 0);
	}
	ag->exporter_has_routed = open && ro.rt_open;
	if (open)
		store_close(open);
	ag->exporter = pid;
	ag->exporter_has_state = open != NULL;
	pr_info("agent: exporter started (pid %d)%s\n", pid,
		open ? "" : ", with nothing pinned yet");
	return 0;
}

static void stop_exporter(struct agent *ag)
{
	if (ag->exporter <= 0)
		return;
	kill(ag->exporter, SIGTERM);
	waitpid(ag->exporter, NULL, 0);
	ag->exporter = 0;
}

/*
 * State that appeared, or that a reset replaced: open it, look at every
 * pair, and give the exporter its maps (only a new child can have them).
 */
static int refresh_state(struct agent *ag)
{
	int err;

	if (ag->open && !store_retired(&ag->st)) {
		/* The first endpoint made routed mode's maps: the exporter needs them. */
		if (!ag->exporter_has_routed && !store_routed(&ag->st, false)) {
			pr_info("agent: routed mode's state appeared: restarting the exporter\n");
			stop_exporter(ag);
			return start_exporter(ag);
		}
		return 0;
	}
	if (ag->open) {
		store_close(&ag->st);
		ag->open = false;
		pr_info("agent: the pinned state was reset\n");
	}
	err = store_open(&ag->st, ag->cli->pin_root, 0);
	if (err == -ENOENT && ag->exporter && ag->exporter_has_state) {
		/* The exporter's maps are gone with the reset: show nothing. */
		stop_exporter(ag);
		return start_exporter(ag);
	}
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	ag->open = true;
	ag->set.all = true;
	pr_info("agent: following the pairs pinned in %s\n", ag->st.dir);
	stop_exporter(ag);
	return start_exporter(ag);
}

static void pass(struct agent *ag)
{
	int followed, broken, err;
	bool all = ag->set.all;

	if (!ag->open)
		return;
	if (all)
		ag->last_full = time(NULL);
	err = reconcile(&ag->st, &ag->set, &followed, &broken);
	if (err == -ESTALE)
		return;		/* reset meanwhile: refresh_state() takes the new state */
	if (err)
		pr_warn("agent: %s pass: %s\n", all ? "full" : "event", strerror(-err));
	if (followed || broken)
		pr_info("agent: %d pairs followed, %d broken\n", followed, broken);
}

static int make_signalfd(void)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		return -errno;
	return signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* A signal: 1 to stop, 0 to go on (an exporter that died is started again). */
static int on_signal(struct agent *ag)
{
	struct signalfd_siginfo si;
	int status;

	while (read(ag->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo != SIGCHLD) {
			pr_info("agent: %s, stopping\n", strsignal(si.ssi_signo));
			return 1;
		}
		if (ag->exporter > 0 && waitpid(ag->exporter, &status, WNOHANG) == ag->exporter) {
			pr_warn("agent: the exporter (pid %d) ended (status %d): starting it again\n",
				ag->exporter, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
			ag->exporter = 0;
			/* A child that fails at once must not spin: once a tick at most. */
			usleep(AGENT_TICK_MS * 1000);
			start_exporter(ag);
		}
	}
	return 0;
}

int cmd_agent(const struct cli *cli)
{
	struct agent ag = { .cli = cli, .listen_fd = -1, .signal_fd = -1, .lw = { .fd = -1 } };
	struct pollfd fds[2];
	int err;

	if (log_verbosity < LOG_INFO)
		log_verbosity = LOG_INFO;
	ag.listen_fd = serve_listen(&cli->listen_addr, cli->listen_len, cli->listen);
	if (ag.listen_fd < 0)
		return ag.listen_fd;
	err = cmd_enter_netns(cli);
	if (!err) {
		err = linkwatch_open(&ag.lw);
		if (err)
			pr_warn("agent: cannot listen to link events: %s\n", strerror(-err));
	}
	if (err) {
		close(ag.listen_fd);
		return err;
	}
	ag.signal_fd = make_signalfd();
	if (ag.signal_fd < 0) {
		err = ag.signal_fd;
		goto out;
	}
	/* Every pair at start: events from before it are not heard. */
	ag.set.all = true;
	err = refresh_state(&ag);
	if (!err && !ag.exporter)
		err = start_exporter(&ag);
	if (err)
		goto out;
	pr_info("agent: running; stop with SIGINT or SIGTERM\n");
	for (;;) {
		if (ag.set.all || ag.set.n)
			pass(&ag);
		fds[0] = (struct pollfd){ .fd = ag.lw.fd, .events = POLLIN };
		fds[1] = (struct pollfd){ .fd = ag.signal_fd, .events = POLLIN };
		if (poll(fds, 2, AGENT_TICK_MS) < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
		if ((fds[1].revents & POLLIN) && on_signal(&ag))
			break;
		if (fds[0].revents & POLLIN) {
			err = linkwatch_read(&ag.lw, on_event, &ag.set);
			if (err == -ENOBUFS) {
				pr_warn("agent: link events were lost: looking at every pair\n");
				ag.set.all = true;
			} else if (err) {
				pr_warn("agent: reading link events: %s\n", strerror(-err));
				break;
			}
			err = 0;
		}
		if (time(NULL) - ag.last_full >= AGENT_RESYNC_SECS)
			ag.set.all = true;
		err = refresh_state(&ag);
		if (err)
			pr_warn("agent: cannot open the pinned state: %s\n", strerror(-err));
		err = 0;
	}
out:
	stop_exporter(&ag);
	if (ag.open)
		store_close(&ag.st);
	if (ag.signal_fd >= 0)
		close(ag.signal_fd);
	linkwatch_close(&ag.lw);
	close(ag.listen_fd);
	return err;
}
