/* vmcompactd: domains, balloons and pids through libvirt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "libvirt.h"
#include "procs.h"

#define CHANNEL "org.vmcompact.0"

struct vmcd_domain {
	virDomainPtr dom;
};

static virConnectPtr conn;

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

int vmcd_libvirt_open(const char *uri, char *err, size_t err_size)
{
	virSetErrorFunc(NULL, quiet);
	conn = virConnectOpen(uri);
	if (!conn) {
		lv_error(err, err_size, uri);
		return -1;
	}
	return 0;
}

void vmcd_libvirt_close(void)
{
	if (conn)
		virConnectClose(conn);
	conn = NULL;
}

/* The socket of the domain's org.vmcompact.0 channel, or NULL. */
static char *channel_path(const char *xml)
{
	static const char expr[] =
		"string(/domain/devices/channel[@type='unix']"
		"[target/@type='virtio'][target/@name='" CHANNEL "']/source/@path)";
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR |
				      XML_PARSE_NOWARNING);
	xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
	xmlXPathObjectPtr r = ctx ? xmlXPathEvalExpression(BAD_CAST expr, ctx) : NULL;
	char *path = NULL;

	if (r && r->type == XPATH_STRING && r->stringval && r->stringval[0])
		path = strdup((const char *)r->stringval);
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return path;
}

int vmcd_libvirt_scan(void (*found)(const char *name, const char *agent_path,
				    struct vmcd_domain *d, void *ctx),
		      void *ctx, char *err, size_t err_size)
{
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(conn, &doms,
					 VIR_CONNECT_LIST_DOMAINS_ACTIVE);

	if (n < 0) {
		lv_error(err, err_size, "listing domains");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char *xml = virDomainGetXMLDesc(doms[i], 0);
		char *path = xml ? channel_path(xml) : NULL;
		struct vmcd_domain *d = path ? malloc(sizeof(*d)) : NULL;

		if (d) {
			d->dom = doms[i];
			found(virDomainGetName(doms[i]), path, d, ctx);
		} else {
			virDomainFree(doms[i]);
		}
		free(path);
		free(xml);
	}
	free(doms);
	return n;
}

int vmcd_domain_active(struct vmcd_domain *d)
{
	return virDomainIsActive(d->dom) == 1;
}

void vmcd_domain_put(struct vmcd_domain *d)
{
	if (!d)
		return;
	virDomainFree(d->dom);
	free(d);
}

int vmcd_domain_balloon(struct vmcd_domain *d, uint64_t *actual, char *err,
			size_t err_size)
{
	virDomainInfo info;

	if (virDomainGetInfo(d->dom, &info) < 0) {
		lv_error(err, err_size, "domain info");
		return -1;
	}
	*actual = (uint64_t)info.memory << 10;
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
