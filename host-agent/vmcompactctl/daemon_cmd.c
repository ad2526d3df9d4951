/*
 * vmcompactctl status and cycle: questions to a running vmcompactd on its
 * control socket (host-agent/daemon/control.h), one line each way.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl.h"

#define ANSWER_MAX (1 << 20)

static char answer[ANSWER_MAX];

/* Send line, read the answer line into answer: 0, or -1 after saying why. */
static int ask(const struct ctl_opts *o, const char *line)
{
	struct timeval tv = { .tv_sec = o->timeout_ms / 1000,
			      .tv_usec = o->timeout_ms % 1000 * 1000 };
	char err[512];
	size_t len = 0;
	int fd = vmc_unix_connect(o->control, err, sizeof(err));

	if (fd < 0) {
		fprintf(stderr, "vmcompactctl: %s\n", err);
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    send(fd, line, strlen(line), MSG_NOSIGNAL) < 0)
		goto fail;
	while (len < sizeof(answer) - 1 && !memchr(answer, '\n', len)) {
		ssize_t n = recv(fd, answer + len, sizeof(answer) - 1 - len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	answer[len] = '\0';
	if (!memchr(answer, '\n', len)) {
		fprintf(stderr, "vmcompactctl: %s: no answer from vmcompactd\n",
			o->control);
		return -1;
	}
	return 0;
fail:
	fprintf(stderr, "vmcompactctl: %s: %s\n", o->control,
		errno == EAGAIN ? "vmcompactd did not answer in time" :
		strerror(errno));
	close(fd);
	return -1;
}

/* The answer as JSON, or NULL after saying it is not; errors said too. */
static json_object *parsed(void)
{
	json_object *o = json_tokener_parse(answer), *e;

	if (!o) {
		fprintf(stderr, "vmcompactctl: vmcompactd's answer is not JSON\n");
		return NULL;
	}
	if (json_object_object_get_ex(o, "error", &e)) {
		fprintf(stderr, "vmcompactctl: vmcompactd: %s\n",
			json_object_get_string(e));
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int64_t num(json_object *o, const char *key)
{
	return json_object_get_int64(json_object_object_get(o, key));
}

static void print_vm(json_object *v)
{
	json_object *last = json_object_object_get(v, "last");
	json_object *err = last ? json_object_object_get(last, "error") : NULL;

	printf("%-16s %-14s %6lld %9lld %9lld", json_object_get_string(json_object_object_get(v, "name")),
	       json_object_get_string(json_object_object_get(v, "step")),
	       (long long)num(v, "cycles"), (long long)num(v, "blocks_emptied"),
	       (long long)num(v, "blocks_released_whole"));
	if (last)
		printf("   %lld/%lld emptied", (long long)num(last, "done"),
		       (long long)num(last, "possible"));
	if (err)
		printf(", error: %s", json_object_get_string(err));
	putchar('\n');
}

int ctl_cmd_status(struct vmc_client *c, const struct ctl_opts *o)
{
	json_object *st, *vms;

	(void)c;
	if (ask(o, "status\n") < 0 || !(st = parsed()))
		return 1;
	if (o->json) {
		fputs(answer, stdout);
	} else {
		vms = json_object_object_get(st, "vms");
		printf("%-16s %-14s %6s %9s %9s   %s\n", "vm", "step", "cycles",
		       "emptied", "released", "last cycle");
		for (size_t i = 0; i < json_object_array_length(vms); i++)
			print_vm(json_object_array_get_idx(vms, i));
	}
	json_object_put(st);
	return 0;
}

int ctl_cmd_cycle(struct vmc_client *c, const struct ctl_opts *o)
{
	char line[256];
	json_object *ok;

	(void)c;
	if ((size_t)snprintf(line, sizeof(line), "cycle %s\n", o->vm) >= sizeof(line) ||
	    strchr(o->vm, '\n')) {
		fprintf(stderr, "vmcompactctl: bad VM name\n");
		return 2;
	}
	if (ask(o, line) < 0 || !(ok = parsed()))
		return 1;
	json_object_put(ok);
	printf("vmcompactd starts a cycle of %s\n", o->vm);
	return 0;
}
