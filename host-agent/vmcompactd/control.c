/* vmcompactd's control sockets (control.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <vmcompact/util.h>

#include "control.h"

#define MAX_CLIENTS	16
#define REQUEST_MAX	2048
#define CLIENT_MS	5000

struct listener {
	struct vmcd_fd sock;
	struct vmcd_op accept_op;
	bool http;
	char *path;		/* unix: removed on close */
};

struct client {
	struct vmcd_fd sock;
	bool http;
	unsigned int id;	/* of a deferred request; 0: none */
	int64_t deadline_ms;	/* for the request; 0 once it is in */
	size_t len;
	char req[REQUEST_MAX];
	char *reply;		/* malloc'd, while it is sent */
	struct vmcd_op recv_op;
	struct vmcd_sender sender;
};

static struct vmcd_loop *loop;
static const struct vmcd_control_ops *ops;
static struct listener listeners[2];	/* unix, http */
static struct client *clients[MAX_CLIENTS];
static unsigned int next_id = 1;

static void drop(struct client *c)
{
	vmcd_fd_close(loop, &c->sock);
}

/* Free a dropped client once the loop is done with it. */
static void reap(struct client *c)
{
	if (vmcd_fd_open(&c->sock) || vmcd_fd_busy(&c->sock))
		return;
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (clients[i] == c)
			clients[i] = NULL;
	free(c->reply);
	free(c);
}

static void sent(struct vmcd_sender *s, int res)
{
	struct client *c = container_of(s, struct client, sender);

	(void)res;
	drop(c);
	reap(c);
}

/* Send text (taken over, malloc'd) and close. */
static void send_reply(struct client *c, char *text)
{
	c->reply = text;
	if (!text || !vmcd_fd_open(&c->sock)) {
		drop(c);
		return;
	}
	vmcd_send_all(loop, &c->sender, &c->sock, c->reply, strlen(text));
}

static void send_json(struct client *c, json_object *o)
{
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	char *line = NULL;

	if (text && asprintf(&line, "%s\n", text) < 0)
		line = NULL;
	json_object_put(o);
	send_reply(c, line);
}

static json_object *error_json(const char *msg)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "error", json_object_new_string(msg));
	return o;
}

static void answer_http(struct client *c)
{
	char *body = NULL, *text = NULL;
	int n;

	if (!strncmp(c->req, "GET /metrics ", 13) && (body = ops->metrics()))
		n = asprintf(&text, "HTTP/1.0 200 OK\r\n"
			     "Content-Type: text/plain; version=0.0.4\r\n"
			     "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
	else
		n = asprintf(&text, "HTTP/1.0 404 Not Found\r\n"
			     "Content-Length: 0\r\n\r\n");
	free(body);
	send_reply(c, n < 0 ? NULL : text);
}

static void answer(struct client *c)
{
	char err[256], name[128];
	json_object *o;
	uint64_t mib;
	char *line = c->req, *metrics;

	line[strcspn(line, "\r\n")] = '\0';
	if (!strcmp(line, "status")) {
		send_json(c, ops->status());
	} else if (!strcmp(line, "metrics")) {
		metrics = ops->metrics();
		send_reply(c, metrics);
	} else if (!strncmp(line, "cycle ", 6)) {
		if (ops->cycle(line + 6, err, sizeof(err))) {
			send_json(c, error_json(err));
			return;
		}
		o = json_object_new_object();
		json_object_object_add(o, "ok", json_object_new_boolean(1));
		send_json(c, o);
	} else if (sscanf(line, "reclaim %127s %" SCNu64, name, &mib) == 2) {
		c->id = next_id++;
		if (ops->reclaim(name, mib, c->id, err, sizeof(err)))
			send_json(c, error_json(err));
	} else {
		send_json(c, error_json("unknown request: status, metrics, cycle NAME or reclaim NAME MIB"));
	}
}

/* Whether the request is all in: a line, or HTTP headers. */
static bool complete(const struct client *c)
{
	if (!c->http)
		return memchr(c->req, '\n', c->len);
	return strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n");
}

static void received(struct vmcd_op *op, int res)
{
	struct client *c = container_of(op, struct client, recv_op);

	if (!vmcd_fd_open(&c->sock) || res <= 0) {
		drop(c);
		reap(c);
		return;
	}
	c->len += (size_t)res;
	c->req[c->len] = '\0';
	if (complete(c)) {
		c->deadline_ms = 0;
		if (c->http)
			answer_http(c);
		else
			answer(c);
	} else if (c->len >= REQUEST_MAX - 1 ||
		   !vmcd_recv(loop, &c->recv_op, &c->sock, c->req + c->len,
			      REQUEST_MAX - 1 - c->len)) {
		drop(c);
	}
	reap(c);
}

static void new_client(struct listener *ls, int fd)
{
	struct client *c = NULL;
	int i;

	for (i = 0; i < MAX_CLIENTS && clients[i]; i++)
		;
	if (i < MAX_CLIENTS)
		c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);	/* busy: the client sees the socket close */
		return;
	}
	clients[i] = c;
	vmcd_fd_init(&c->sock, fd);
	c->http = ls->http;
	c->deadline_ms = vmcd_now_ms() + CLIENT_MS;
	c->recv_op.done = received;
	c->sender.done = sent;
	vmcd_recv(loop, &c->recv_op, &c->sock, c->req, REQUEST_MAX - 1);
}

static void accepted(struct vmcd_op *op, int res)
{
	struct listener *ls = container_of(op, struct listener, accept_op);

	if (!vmcd_fd_open(&ls->sock)) {
		if (res >= 0)
			close(res);
		return;
	}
	if (res >= 0)
		new_client(ls, res);
	vmcd_accept(loop, op, &ls->sock);
}

static int start(struct listener *ls, struct vmcd_loop *l,
		 const struct vmcd_control_ops *o, int fd, bool http)
{
	loop = l;
	ops = o;
	vmcd_fd_init(&ls->sock, fd);
	ls->http = http;
	ls->accept_op.done = accepted;
	vmcd_accept(loop, &ls->accept_op, &ls->sock);
	return 0;
}

int vmcd_control_open(struct vmcd_loop *l, const char *path,
		      const struct vmcd_control_ops *o, char *err,
		      size_t err_size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return vmc_failf(err, err_size, "%s: path too long", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return vmc_failf(err, err_size, "socket: %s", strerror(errno));
	unlink(path);
	old = umask(0077);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, MAX_CLIENTS) < 0) {
		vmc_failf(err, err_size, "%s: %s", path, strerror(errno));
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	listeners[0].path = strdup(path);
	return start(&listeners[0], l, o, fd, false);
}

int vmcd_control_open_http(struct vmcd_loop *l, const char *addr,
			   const struct vmcd_control_ops *o, char *err,
			   size_t err_size)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char host[64];
	unsigned int port;
	int fd, one = 1;

	if (sscanf(addr, "%63[^:]:%u", host, &port) != 2 || !port ||
	    port > 65535 || inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return vmc_failf(err, err_size, "%s: want IPV4ADDRESS:PORT", addr);
	sa.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return vmc_failf(err, err_size, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, MAX_CLIENTS) < 0) {
		vmc_failf(err, err_size, "%s: %s", addr, strerror(errno));
		close(fd);
		return -1;
	}
	return start(&listeners[1], l, o, fd, true);
}

void vmcd_control_reply(unsigned int id, json_object *o)
{
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (clients[i] && clients[i]->id == id) {
			send_json(clients[i], o);
			reap(clients[i]);
			return;
		}
	}
	json_object_put(o);
}

void vmcd_control_tick(int64_t now_ms)
{
	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = clients[i];

		if (c && c->deadline_ms && now_ms >= c->deadline_ms) {
			drop(c);
			reap(c);
		}
	}
}

void vmcd_control_close(void)
{
	for (size_t k = 0; k < 2; k++) {
		struct listener *ls = &listeners[k];

		if (!vmcd_fd_open(&ls->sock))
			continue;
		vmcd_fd_close(loop, &ls->sock);
		if (ls->path)
			unlink(ls->path);
		free(ls->path);
		ls->path = NULL;
	}
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (clients[i]) {
			drop(clients[i]);
			reap(clients[i]);
		}
	}
}
