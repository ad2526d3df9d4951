/* Saying what went wrong: into a buffer for the caller, or on stderr. */
#include <stdarg.h>
#include <string.h>

#include "vacatectl.h"

int vctl_failf(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return -1;
}

void vctl_device_error(char *buf, size_t size, const char *device,
		       const char *what, unsigned long cmd, int err)
{
	const char *meaning = vctl_errno_meaning(cmd, err);
	char name[32];

	snprintf(buf, size, "%s: %s: %s (%s)%s%s", device, what,
		 strerror(err), vctl_error_name(-err, name, sizeof(name)),
		 meaning ? ": " : "", meaning ? meaning : "");
}

int vctl_fail_device(const char *device, const char *what, unsigned long cmd,
		     int err)
{
	char msg[VCTL_ERR_LEN];

	vctl_device_error(msg, sizeof(msg), device, what, cmd, err);
	fprintf(stderr, "vacatectl: %s\n", msg);
	return VCTL_EXIT_FAILED;
}
