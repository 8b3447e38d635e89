/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Batch files of attach and detach: one pair a line. */
#ifndef __PAIRPATH_CMD_BATCH_H
#define __PAIRPATH_CMD_BATCH_H

#include "cmd/cli.h"

struct batch_line {
	char *fields[3];	/* PAIR [DEV_A DEV_B], inside batch.buf */
	int lineno;
};

struct batch {
	char *buf;
	struct batch_line *lines;
	int n;
};

/*
 * One line of a batch file: "PAIR DEV_A DEV_B" for attach, "PAIR" for
 * detach; '#' starts a comment. Splits line in place into fields; returns
 * the number of fields (0: nothing on the line) or -EINVAL with the reason
 * in err.
 */
int batch_parse_line(char *line, enum cli_cmd cmd, char **fields, char *err, size_t errlen);
/*
 * Read and check a whole batch file before anything is changed. A bad
 * line is reported as "FILE:LINE: reason" and gives -EBADMSG (a usage
 * error); other failures a negative errno.
 */
int batch_read(const char *path, enum cli_cmd cmd, struct batch *b);
void batch_free(struct batch *b);

#endif /* __PAIRPATH_CMD_BATCH_H */
