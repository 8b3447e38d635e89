/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __PAIRPATH_LOG_H
#define __PAIRPATH_LOG_H

enum log_level {
	LOG_WARN = 0,
	LOG_INFO = 1,
	LOG_DEBUG = 2,
};

extern int log_verbosity;
/* Said after "pairpath: " in every message, e.g. "pairs.txt:3: " in a batch. */
extern char log_context[128];

void log_print(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_setup_libbpf(void);

/* Diagnostics go to stderr prefixed with the program name; stdout is data. */
#define pr_warn(...)	log_print(LOG_WARN, __VA_ARGS__)
#define pr_info(...)	log_print(LOG_INFO, __VA_ARGS__)
#define pr_debug(...)	log_print(LOG_DEBUG, __VA_ARGS__)

#endif /* __PAIRPATH_LOG_H */
