/*
 * vmcompactctl status, cycle, reclaim and metrics: questions to a running
 * vmcompactd on its control socket (host-agent/vmcompactd/control.h): one
 * line out, its answer back (one JSON line, or the metrics' text until
 * the daemon closes).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-c/json.h>

#include <vmcompact/json.h>

#include "ctl.h"

#define ANSWER_MAX (1 << 20)

static char answer[ANSWER_MAX];

/*
 * Send line, read the answer into answer (up to a newline if one_line,
 * else until the daemon closes), waiting at most timeout_ms for each
 * read: 0, or -1 after saying why.
 */
static int ask(const struct ctl_opts *o, const char *line, bool one_line,
	       int timeout_ms)
{
	struct timeval tv = { .tv_sec = timeout_ms / 1000,
			      .tv_usec = timeout_ms % 1000 * 1000 };
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
	while (len < sizeof(answer) - 1 &&
	       !(one_line && memchr(answer, '\n', len))) {
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
	if (!len || (one_line && !memchr(answer, '\n', len))) {
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

/* The answer as JSON, or NULL after saying it is not, or an error. */
static json_object *parsed(void)
{
	json_object *o = json_tokener_parse(answer), *e;

	if (!o) {
		fprintf(stderr, "vmcompactctl: vmcompactd's answer is not JSON\n");
		return NULL;
	}
	if (json_object_object_get_ex(o, "error", &e) &&
	    !json_object_is_type(e, json_type_null) &&
	    !json_object_object_get_ex(o, "vm", NULL)) {
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

static const char *str(json_object *o, const char *key)
{
	return json_object_get_string(json_object_object_get(o, key));
}

static void print_vm(json_object *v)
{
	json_object *last = json_object_object_get(v, "last");
	json_object *err = last ? json_object_object_get(last, "error") : NULL;

	printf("%-16s %-14s %6lld %9lld %9lld", str(v, "name"), str(v, "step"),
	       (long long)num(v, "cycles"), (long long)num(v, "blocks_emptied"),
	       (long long)num(v, "blocks_released_whole"));
	if (last)
		printf("   %lld/%lld emptied", (long long)num(last, "done"),
		       (long long)num(last, "possible"));
	if (err)
		printf(", error: %s", json_object_get_string(err));
	putchar('\n');
}

/* --json: the answer as it came, one line. */
static int print_json(json_object *o)
{
	return vmc_json_print(stdout, o) < 0 ? CTL_EXIT_GUEST : 0;
}

int ctl_cmd_status(struct vmc_client *c, const struct ctl_opts *o)
{
	json_object *st, *vms;

	(void)c;
	if (ask(o, "status\n", true, o->timeout_ms) < 0 || !(st = parsed()))
		return CTL_EXIT_GUEST;
	if (o->json)
		return print_json(st);
	vms = json_object_object_get(st, "vms");
	printf("%-16s %-14s %6s %9s %9s   %s\n", "vm", "step", "cycles",
	       "emptied", "released", "last cycle");
	for (size_t i = 0; i < json_object_array_length(vms); i++)
		print_vm(json_object_array_get_idx(vms, i));
	json_object_put(st);
	return 0;
}

/* "VERB NAME[ MORE]\n" for a VM name: 0, or -1 if it cannot be sent. */
static int vm_line(char *line, size_t size, const char *verb, const char *vm,
		   const char *more)
{
	if ((size_t)snprintf(line, size, "%s %s%s\n", verb, vm, more) >= size ||
	    strpbrk(vm, " \n")) {
		fprintf(stderr, "vmcompactctl: bad VM name '%s'\n", vm);
		return -1;
	}
	return 0;
}

int ctl_cmd_cycle(struct vmc_client *c, const struct ctl_opts *o)
{
	char line[256];
	json_object *ok;

	(void)c;
	if (vm_line(line, sizeof(line), "cycle", o->vm, ""))
		return CTL_EXIT_USAGE;
	if (ask(o, line, true, o->timeout_ms) < 0 || !(ok = parsed()))
		return CTL_EXIT_GUEST;
	if (o->json)
		return print_json(ok);
	json_object_put(ok);
	printf("vmcompactd starts a cycle of %s\n", o->vm);
	return 0;
}

int ctl_cmd_reclaim(struct vmc_client *c, const struct ctl_opts *o)
{
	char line[256], mib[32];
	json_object *r, *err;
	int rc;

	(void)c;
	snprintf(mib, sizeof(mib), " %" PRIu64, o->mib);
	if (vm_line(line, sizeof(line), "reclaim", o->vm, mib))
		return CTL_EXIT_USAGE;
	if (ask(o, line, true, o->vacate_timeout_ms) < 0 || !(r = parsed()))
		return CTL_EXIT_GUEST;
	err = json_object_object_get(r, "error");
	rc = err ? CTL_EXIT_GUEST : 0;
	if (o->json) {
		print_json(r);
		return rc;
	}
	printf("%s: asked %" PRIu64 " MiB, %lld blocks emptied, %lld MiB returned to the host",
	       o->vm, o->mib, (long long)num(r, "done"),
	       (long long)num(r, "returned_mib"));
	if (json_object_get_boolean(json_object_object_get(r, "host_checked")))
		printf(" (%lld blocks released whole on the host)",
		       (long long)num(r, "released_whole"));
	putchar('\n');
	if (err)
		fprintf(stderr, "vmcompactctl: %s\n", json_object_get_string(err));
	json_object_put(r);
	return rc;
}

/* The metrics' samples as JSON: [{"name":..., "vm":..., "value":...}]. */
static int metrics_json(void)
{
	json_object *list = json_object_new_array();
	char *save = NULL;

	for (char *l = strtok_r(answer, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		char name[128], vm[128];
		double value;
		json_object *s;

		if (l[0] == '#')
			continue;
		s = json_object_new_object();
		if (sscanf(l, "%127[^{]{vm=\"%127[^\"]\"} %lf", name, vm, &value) == 3)
			json_object_object_add(s, "vm", json_object_new_string(vm));
		else if (sscanf(l, "%127s %lf", name, &value) != 2) {
			json_object_put(s);
			continue;
		}
		json_object_object_add(s, "name", json_object_new_string(name));
		json_object_object_add(s, "value", json_object_new_double(value));
		json_object_array_add(list, s);
	}
	return print_json(list);
}

int ctl_cmd_metrics(struct vmc_client *c, const struct ctl_opts *o)
{
	(void)c;
	if (ask(o, "metrics\n", false, o->timeout_ms) < 0)
		return CTL_EXIT_GUEST;
	if (o->json)
		return metrics_json();
	fputs(answer, stdout);
	return 0;
}
