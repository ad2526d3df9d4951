/* vmcompactd's messages (log.h). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <systemd/sd-journal.h>

#include "log.h"

static int max_level = LOG_INFO;
static bool journal;

static const char *const names[] = {
	[LOG_ERR] = "error", [LOG_WARNING] = "warning",
	[LOG_NOTICE] = "notice", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

/* Whether stderr is the journal's stream (systemd.exec(5), JOURNAL_STREAM). */
static bool stderr_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return env && sscanf(env, "%llu:%llu", &dev, &ino) == 2 &&
	       fstat(2, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

void vmcd_log_init(int level)
{
	max_level = level;
	journal = stderr_is_journal();
}

int vmcd_log_level(const char *name)
{
	for (int i = LOG_ERR; i <= LOG_DEBUG; i++)
		if (names[i] && !strcmp(name, names[i]))
			return i;
	return -1;
}

void vmcd_log(int level, const char *vm, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (journal) {
		sd_journal_send("MESSAGE=%s%s%s", vm ? vm : "", vm ? ": " : "",
				msg, "PRIORITY=%d", level,
				"SYSLOG_IDENTIFIER=vmcompactd",
				"VMCOMPACT_VM=%s", vm ? vm : "", NULL);
		return;
	}
	fprintf(stderr, "vmcompactd: %s%s%s%s%s\n",
		level <= LOG_WARNING ? names[level] : "",
		level <= LOG_WARNING ? ": " : "", vm ? vm : "",
		vm ? ": " : "", msg);
}

const char *vmcd_timestamp(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char sec[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%03ldZ", sec, ts.tv_nsec / 1000000);
	return buf;
}
