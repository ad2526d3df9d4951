/*
 * vmcompactd's messages, with a level (syslog's): to the journal when
 * stderr is the journal (systemd sets JOURNAL_STREAM), with the VM as a
 * field VMCOMPACT_VM; else one line "vmcompactd: [VM: ]message" on
 * stderr.  Messages above the level set (--log-level) are dropped.
 */
#ifndef VMCD_LOG_H
#define VMCD_LOG_H

#include <stddef.h>
#include <syslog.h>

/* Log messages up to level (LOG_ERR ... LOG_DEBUG). */
void vmcd_log_init(int level);

/* "error", "warning", "notice", "info", "debug": a level, or -1. */
int vmcd_log_level(const char *name);

/* vm: the VM it is about, or NULL. */
__attribute__((format(printf, 3, 4)))
void vmcd_log(int level, const char *vm, const char *fmt, ...);

/* Now in UTC, ISO 8601 with milliseconds, in buf. */
const char *vmcd_timestamp(char *buf, size_t size);

#endif /* VMCD_LOG_H */
