// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/batch.h"
#include "cmd/values.h"
#include "lib/log.h"

#define BATCH_MAX_BYTES	(16 << 20)

#define fail(...) return value_error(err, errlen, __VA_ARGS__)

int batch_parse_line(char *line, enum cli_cmd cmd, char **fields, char *err, size_t errlen)
{
	int want = cmd == CMD_ATTACH ? 3 : 1, n = 0, ret;
	char *p = line, *hash = strchr(line, '#');

	if (hash)
		*hash = '\0';
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p)
			break;
		if (n == want)
			fail("expects %s, and nothing more", want == 3 ? "PAIR DEV_A DEV_B" : "PAIR");
		fields[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			p++;
		if (*p)
			*p++ = '\0';
	}
	if (!n)
		return 0;
	if (n != want)
		fail("expects %s", want == 3 ? "PAIR DEV_A DEV_B" : "PAIR");
	ret = value_check_pair_name(fields[0], err, errlen);
	if (!ret && want == 3) {
		ret = value_check_ifname(fields[1], err, errlen);
		if (!ret)
			ret = value_check_ifname(fields[2], err, errlen);
		if (!ret && !strcmp(fields[1], fields[2]))
			fail("DEV_A and DEV_B are the same device '%s'", fields[1]);
	}
	return ret ? ret : n;
}

static char *slurp(FILE *f, const char *path)
{
	size_t len = 0, cap = 0, got;
	char *buf = NULL, *grown;

	for (;;) {
		if (cap - len < 4096 + 1) {
			cap = cap ? cap * 2 : 65536;
			grown = realloc(buf, cap);
			if (!grown) {
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = grown;
		}
		got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (len > BATCH_MAX_BYTES) {
			pr_warn("batch file '%s' is larger than %d MiB\n", path, BATCH_MAX_BYTES >> 20);
			free(buf);
			errno = EFBIG;
			return NULL;
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len)) {
		pr_warn("batch file '%s' is not text: it holds a NUL byte\n", path);
		free(buf);
		errno = EBADMSG;
		return NULL;
	}
	return buf;
}

/* The field of line a that line b has already, if any. */
static const char *repeated(const struct batch_line *a, const struct batch_line *b,
			    enum cli_cmd cmd)
{
	int x, y, fields = cmd == CMD_ATTACH ? 3 : 1;

	if (!strcmp(a->fields[0], b->fields[0]))
		return a->fields[0];
	for (x = 1; x < fields; x++)
		for (y = 1; y < fields; y++)
			if (!strcmp(a->fields[x], b->fields[y]))
				return a->fields[x];
	return NULL;
}

int batch_read(const char *path, enum cli_cmd cmd, struct batch *b)
{
	char err[256], *line, *next;
	struct batch_line *grown;
	int lineno = 0, cap = 0, n, i;
	FILE *f;

	memset(b, 0, sizeof(*b));
	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		n = -errno;
		pr_warn("batch file '%s': %s\n", path, strerror(-n));
		return n;
	}
	b->buf = slurp(f, path);
	n = b->buf ? 0 : -errno;
	if (f != stdin)
		fclose(f);
	if (n)
		return n;

	for (line = b->buf; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (b->n == cap) {
			cap = cap ? cap * 2 : 64;
			grown = realloc(b->lines, cap * sizeof(*grown));
			if (!grown) {
				batch_free(b);
				return -ENOMEM;
			}
			b->lines = grown;
		}
		n = batch_parse_line(line, cmd, b->lines[b->n].fields, err, sizeof(err));
		if (n < 0) {
			pr_warn("%s:%d: %s\n", path, lineno, err);
			batch_free(b);
			return -EBADMSG;
		}
		if (n)
			b->lines[b->n++].lineno = lineno;
	}
	/* A name or device twice in one batch would fail half-way through it. */
	for (n = 0; n < b->n; n++)
		for (i = 0; i < n; i++) {
			const char *what = repeated(&b->lines[n], &b->lines[i], cmd);

			if (!what)
				continue;
			pr_warn("%s:%d: %s '%s' is on line %d already\n", path, b->lines[n].lineno,
				what == b->lines[n].fields[0] ? "pair" : "device", what,
				b->lines[i].lineno);
			batch_free(b);
			return -EBADMSG;
		}
	return 0;
}

void batch_free(struct batch *b)
{
	free(b->lines);
	free(b->buf);
	memset(b, 0, sizeof(*b));
}
