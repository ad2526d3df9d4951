/* vmcompactd's control socket (control.h). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"

#define MAX_CLIENTS	8
#define LINE_MAX_LEN	256
#define CLIENT_MS	5000

struct client {
	int fd;
	int64_t deadline_ms;
	size_t len;
	char line[LINE_MAX_LEN];
	char *reply;		/* malloc'd, while it is sent */
	size_t reply_len, reply_off;
	struct vmcd_op recv_op, send_op;
};

static struct vmcd_loop *loop;
static const struct vmcd_control_ops *ops;
static const char *sock_path;
static int listen_fd = -1;
static struct vmcd_op accept_op;
static struct client *clients[MAX_CLIENTS];

static void drop(struct client *c)
{
	if (c->fd >= 0) {
		shutdown(c->fd, SHUT_RDWR);
		close(c->fd);
		c->fd = -1;
	}
}

/* Free a dropped client once its operations are done. */
static void reap(struct client *c)
{
	if (c->fd >= 0 || c->recv_op.busy || c->send_op.busy)
		return;
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (clients[i] == c)
			clients[i] = NULL;
	free(c->reply);
	free(c);
}

static json_object *error_json(const char *msg)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "error", json_object_new_string(msg));
	return o;
}

static json_object *answer(char *line)
{
	char err[256];
	json_object *o;

	line[strcspn(line, "\r\n")] = '\0';
	if (!strcmp(line, "status"))
		return ops->status();
	if (!strncmp(line, "cycle ", 6)) {
		if (ops->cycle(line + 6, err, sizeof(err)))
			return error_json(err);
		o = json_object_new_object();
		json_object_object_add(o, "ok", json_object_new_boolean(1));
		return o;
	}
	return error_json("unknown request: status, or cycle NAME");
}

static void sent(struct vmcd_op *op, int res)
{
	struct client *c = container_of(op, struct client, send_op);

	if (c->fd >= 0 && res > 0) {
		c->reply_off += (size_t)res;
		if (c->reply_off < c->reply_len) {
			vmcd_send(loop, &c->send_op, c->fd, c->reply + c->reply_off,
				  c->reply_len - c->reply_off);
			return;
		}
	}
	drop(c);
	reap(c);
}

static void reply(struct client *c)
{
	json_object *o = answer(c->line);
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);

	c->reply_len = strlen(text) + 1;
	c->reply = malloc(c->reply_len);
	if (c->reply) {
		memcpy(c->reply, text, c->reply_len - 1);
		c->reply[c->reply_len - 1] = '\n';
		c->reply_off = 0;
		vmcd_send(loop, &c->send_op, c->fd, c->reply, c->reply_len);
	} else {
		drop(c);
	}
	json_object_put(o);
}

static void received(struct vmcd_op *op, int res)
{
	struct client *c = container_of(op, struct client, recv_op);

	if (c->fd < 0 || res <= 0) {
		drop(c);
		reap(c);
		return;
	}
	c->len += (size_t)res;
	if (memchr(c->line, '\n', c->len)) {
		c->line[c->len] = '\0';
		reply(c);
	} else if (c->len >= LINE_MAX_LEN - 1) {
		drop(c);
		reap(c);
	} else {
		vmcd_recv(loop, &c->recv_op, c->fd, c->line + c->len,
			  LINE_MAX_LEN - 1 - c->len);
	}
}

static void accepted(struct vmcd_op *op, int res)
{
	struct client *c = NULL;
	int i;

	if (listen_fd < 0 || res == -ECANCELED) {
		if (res >= 0)
			close(res);
		return;
	}
	if (res >= 0) {
		for (i = 0; i < MAX_CLIENTS && clients[i]; i++)
			;
		c = i < MAX_CLIENTS ? calloc(1, sizeof(*c)) : NULL;
		if (!c) {
			close(res);	/* busy: the client sees the socket close */
		} else {
			clients[i] = c;
			c->fd = res;
			c->deadline_ms = vmcd_now_ms() + CLIENT_MS;
			c->recv_op.done = received;
			c->send_op.done = sent;
			vmcd_recv(loop, &c->recv_op, c->fd, c->line, LINE_MAX_LEN - 1);
		}
	}
	vmcd_accept(loop, op, listen_fd);
}

int vmcd_control_open(struct vmcd_loop *l, const char *path,
		      const struct vmcd_control_ops *o, char *err,
		      size_t err_size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, err_size, "%s: path too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0) {
		snprintf(err, err_size, "socket: %s", strerror(errno));
		return -1;
	}
	unlink(path);
	old = umask(0077);
	if (bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(listen_fd, MAX_CLIENTS) < 0) {
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		umask(old);
		close(listen_fd);
		listen_fd = -1;
		return -1;
	}
	umask(old);
	loop = l;
	ops = o;
	sock_path = path;
	accept_op.done = accepted;
	vmcd_accept(loop, &accept_op, listen_fd);
	return 0;
}

void vmcd_control_tick(int64_t now_ms)
{
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (clients[i] && clients[i]->fd >= 0 &&
		    now_ms >= clients[i]->deadline_ms)
			drop(clients[i]);
}

void vmcd_control_close(void)
{
	if (listen_fd < 0)
		return;
	vmcd_cancel(loop, &accept_op);
	close(listen_fd);
	listen_fd = -1;
	unlink(sock_path);
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (clients[i])
			drop(clients[i]);
}
