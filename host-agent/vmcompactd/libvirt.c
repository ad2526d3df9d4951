/* vmcompactd: domains, events, balloons and pids through libvirt (libvirt.h). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "libvirt.h"
#include "options.h"
#include "procs.h"

#include <vmcompact/util.h>

#define CHANNEL "org.vmcompact.0"
/* How often the event thread looks whether it should stop. */
#define EVENT_TICK_MS 500
/* Resets kept between two scans; more count as every domain's. */
#define RESETS_MAX 64

struct vmcd_domain {
	virDomainPtr dom;
	bool stats_on;		/* the balloon reports the guest's memory */
};

static char *uri;
static virConnectPtr conn;
static int notify_fd = -1;
static pthread_t event_thread;
static atomic_bool stopping;
static bool thread_started;

/* The domains whose guest reset since the last scan, by UUID. */
struct resets {
	unsigned char uuid[RESETS_MAX][VIR_UUID_BUFLEN];
	size_t n;
	bool all;	/* more than RESETS_MAX, or a UUID not read */
};
static pthread_mutex_t resets_lock = PTHREAD_MUTEX_INITIALIZER;
static struct resets resets;	/* libvirt's thread adds, the scan takes */

static void lv_error(char *err, size_t size, const char *what)
{
	const virError *e = virGetLastError();

	snprintf(err, size, "libvirt: %s: %s", what,
		 e && e->message ? e->message : "failed");
}

/* libvirt prints its errors on stderr by default: they go in err instead. */
static void quiet(void *data, virErrorPtr e)
{
	(void)data;
	(void)e;
}

/* Something changed: wake the event loop (in libvirt's thread). */
static void notify(void)
{
	uint64_t one = 1;

	if (write(notify_fd, &one, sizeof(one)) < 0) {
		/* The counter is full: a wake-up is pending anyway. */
	}
}

static int domain_event(virConnectPtr c, virDomainPtr d, int event,
			int detail, void *opaque)
{
	(void)c;
	(void)d;
	(void)event;
	(void)detail;
	(void)opaque;
	notify();
	return 0;
}

static void metadata_event(virConnectPtr c, virDomainPtr d, int type,
			   const char *nsuri, void *opaque)
{
	(void)c;
	(void)d;
	(void)type;
	(void)nsuri;
	(void)opaque;
	notify();
}

static void reboot_event(virConnectPtr c, virDomainPtr d, void *opaque)
{
	(void)c;
	(void)opaque;
	pthread_mutex_lock(&resets_lock);
	if (resets.n == RESETS_MAX || virDomainGetUUID(d, resets.uuid[resets.n]) < 0)
		resets.all = true;
	else
		resets.n++;
	pthread_mutex_unlock(&resets_lock);
	notify();
}

static void closed(virConnectPtr c, int reason, void *opaque)
{
	(void)c;
	(void)reason;
	(void)opaque;
	notify();
}

static void tick(int timer, void *opaque)
{
	(void)timer;
	(void)opaque;
}

static void *run_events(void *arg)
{
	(void)arg;
	while (!atomic_load(&stopping))
		virEventRunDefaultImpl();
	return NULL;
}

/* Connect, and have events and the loss of the connection told. */
static int connect_events(char *err, size_t err_size)
{
	conn = virConnectOpen(uri);
	if (!conn) {
		lv_error(err, err_size, uri);
		return -1;
	}
	/* Keepalive: a libvirtd that died is noticed, not waited for. */
	virConnectSetKeepAlive(conn, 2, 3);
	if (virConnectRegisterCloseCallback(conn, closed, NULL, NULL) < 0 ||
	    virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
					     VIR_DOMAIN_EVENT_CALLBACK(domain_event),
					     NULL, NULL) < 0 ||
	    virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
					     VIR_DOMAIN_EVENT_CALLBACK(metadata_event),
					     NULL, NULL) < 0 ||
	    virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_REBOOT,
					     VIR_DOMAIN_EVENT_CALLBACK(reboot_event),
					     NULL, NULL) < 0) {
		lv_error(err, err_size, "registering for events");
		virConnectClose(conn);
		conn = NULL;
		return -1;
	}
	return 0;
}

int vmcd_libvirt_open(const char *u, int fd, char *err, size_t err_size)
{
	virSetErrorFunc(NULL, quiet);
	notify_fd = fd;
	uri = strdup(u);
	if (!uri || virEventRegisterDefaultImpl() < 0 ||
	    virEventAddTimeout(EVENT_TICK_MS, tick, NULL, NULL) < 0) {
		lv_error(err, err_size, "event loop");
		return -1;
	}
	if (connect_events(err, err_size) < 0)
		return -1;
	if (pthread_create(&event_thread, NULL, run_events, NULL)) {
		snprintf(err, err_size, "libvirt: cannot start the event thread");
		return -1;
	}
	thread_started = true;
	return 0;
}

void vmcd_libvirt_close(void)
{
	if (thread_started) {
		atomic_store(&stopping, true);
		pthread_join(event_thread, NULL);
		thread_started = false;
	}
	if (conn)
		virConnectClose(conn);
	conn = NULL;
	free(uri);
	uri = NULL;
}

bool vmcd_libvirt_alive(void)
{
	return conn && virConnectIsAlive(conn) == 1;
}

int vmcd_libvirt_reconnect(char *err, size_t err_size)
{
	if (conn) {
		virConnectUnregisterCloseCallback(conn, closed);
		virConnectClose(conn);
		conn = NULL;
	}
	return connect_events(err, err_size);
}

/* The string an XPath expression finds in xml (malloc'd), or NULL. */
static char *xpath_string(const char *xml, const char *expr)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR |
				      XML_PARSE_NOWARNING);
	xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
	xmlXPathObjectPtr r = ctx ? xmlXPathEvalExpression(BAD_CAST expr, ctx) : NULL;
	char *s = NULL;

	if (r && r->type == XPATH_STRING && r->stringval && r->stringval[0])
		s = strdup((const char *)r->stringval);
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return s;
}

/* The socket of the domain's org.vmcompact.0 channel, or NULL. */
static char *channel_path(const char *xml)
{
	return xpath_string(xml, "string(/domain/devices/channel[@type='unix']"
			    "[target/@type='virtio'][target/@name='" CHANNEL "']/source/@path)");
}

/* Whether d is among the domains r says reset. */
static bool was_reset(const struct resets *r, virDomainPtr d)
{
	unsigned char uuid[VIR_UUID_BUFLEN];

	if (r->all || virDomainGetUUID(d, uuid) < 0)
		return r->all;
	for (size_t i = 0; i < r->n; i++)
		if (!memcmp(r->uuid[i], uuid, sizeof(uuid)))
			return true;
	return false;
}

int vmcd_libvirt_scan(void (*found)(const char *name, const char *agent_path,
				    struct vmcd_domain *d, bool reset,
				    void *ctx),
		      void *ctx, char *err, size_t err_size)
{
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(conn, &doms,
					 VIR_CONNECT_LIST_DOMAINS_ACTIVE);
	struct resets r;

	if (n < 0) {
		lv_error(err, err_size, "listing domains");
		return -1;
	}
	pthread_mutex_lock(&resets_lock);
	r = resets;
	resets.n = 0;
	resets.all = false;
	pthread_mutex_unlock(&resets_lock);
	for (int i = 0; i < n; i++) {
		char *xml = virDomainGetXMLDesc(doms[i], 0);
		char *path = xml ? channel_path(xml) : NULL;
		struct vmcd_domain *d = path ? calloc(1, sizeof(*d)) : NULL;

		if (d) {
			d->dom = doms[i];
			found(virDomainGetName(doms[i]), path, d,
			      was_reset(&r, doms[i]), ctx);
		} else {
			virDomainFree(doms[i]);
		}
		free(path);
		free(xml);
	}
	free(doms);
	return n;
}

int vmcd_domain_policy(struct vmcd_domain *d, struct vmcd_policy *p,
		       char *err, size_t err_size)
{
	char *xml = virDomainGetMetadata(d->dom, VIR_DOMAIN_METADATA_ELEMENT,
					 VMCD_METADATA_NS, VIR_DOMAIN_AFFECT_LIVE);
	xmlDocPtr doc;
	xmlNodePtr root;
	int rc = 0;

	if (!xml)
		return 0;	/* none: the daemon's policy */
	doc = xmlReadMemory(xml, (int)strlen(xml), "metadata.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
			    XML_PARSE_NOWARNING);
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root)
		rc = vmc_failf(err, err_size, "<metadata> policy: not XML");
	for (xmlNodePtr n = root ? root->children : NULL; n && !rc; n = n->next) {
		xmlChar *v;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		v = xmlNodeGetContent(n);
		if (!v || vmcd_policy_option(p, (const char *)n->name,
					     (const char *)v))
			rc = vmc_failf(err, err_size, "<metadata> policy: bad <%s>%s</%s>",
				       (const char *)n->name,
				       v ? (const char *)v : "",
				       (const char *)n->name);
		xmlFree(v);
	}
	xmlFreeDoc(doc);
	free(xml);
	return rc;
}

void vmcd_domain_put(struct vmcd_domain *d)
{
	if (!d)
		return;
	virDomainFree(d->dom);
	free(d);
}

/* What the guest says it has available, in KiB; 0 if it has not said. */
static uint64_t usable_kib(struct vmcd_domain *d)
{
	virDomainMemoryStatStruct st[VIR_DOMAIN_MEMORY_STAT_NR];
	int n;

	if (!d->stats_on)
		d->stats_on = virDomainSetMemoryStatsPeriod(d->dom, 2,
							    VIR_DOMAIN_AFFECT_LIVE) == 0;
	n = virDomainMemoryStats(d->dom, st, VIR_DOMAIN_MEMORY_STAT_NR, 0);
	for (int i = 0; i < n; i++)
		if (st[i].tag == VIR_DOMAIN_MEMORY_STAT_USABLE)
			return st[i].val;
	return 0;
}

int vmcd_domain_balloon(struct vmcd_domain *d, uint64_t *actual,
			uint64_t *max, uint64_t *available, char *err,
			size_t err_size)
{
	virDomainInfo info;

	if (virDomainGetInfo(d->dom, &info) < 0) {
		lv_error(err, err_size, "domain info");
		return -1;
	}
	*actual = (uint64_t)info.memory << 10;
	*max = (uint64_t)info.maxMem << 10;
	*available = usable_kib(d) << 10;
	return 0;
}

int vmcd_domain_set_balloon(struct vmcd_domain *d, uint64_t target,
			    char *err, size_t err_size)
{
	if (virDomainSetMemoryFlags(d->dom, (unsigned long)(target >> 10),
				    VIR_DOMAIN_AFFECT_LIVE) < 0) {
		lv_error(err, err_size, "setting the balloon");
		return -1;
	}
	return 0;
}

int vmcd_domain_machine(struct vmcd_domain *d, char *machine, size_t size,
			uint64_t *ram, char *err, size_t err_size)
{
	char *xml = virDomainGetXMLDesc(d->dom, 0), *type = NULL, *kib = NULL;
	int rc = -1;

	if (!xml) {
		lv_error(err, err_size, "domain XML");
		return -1;
	}
	type = xpath_string(xml, "string(/domain/os/type/@machine)");
	/* <memory> is in KiB in the XML libvirt writes. */
	kib = xpath_string(xml, "string(/domain/memory[@unit='KiB'])");
	if (type && kib && strlen(type) < size) {
		strcpy(machine, type);
		*ram = strtoull(kib, NULL, 10) << 10;
		rc = 0;
	} else {
		snprintf(err, err_size, "the domain XML names no machine type or RAM size");
	}
	free(type);
	free(kib);
	free(xml);
	return rc;
}

pid_t vmcd_domain_pid(struct vmcd_domain *d, char *err, size_t err_size)
{
	char uuid[VIR_UUID_STRING_BUFLEN];
	pid_t pid;

	if (virDomainGetUUIDString(d->dom, uuid) < 0) {
		lv_error(err, err_size, "domain UUID");
		return 0;
	}
	pid = vmcd_pid_by_args("-uuid", uuid);
	if (!pid)
		snprintf(err, err_size, "no one QEMU process with -uuid %s", uuid);
	return pid;
}
