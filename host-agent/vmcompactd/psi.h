/*
 * Host memory pressure: a PSI trigger (psi(7)) on /proc/pressure/memory
 * or a cgroup's memory.pressure, polled on the event loop.  When the
 * host stalls on memory beyond the trigger, fired() is called (at most
 * once per trigger window).
 */
#ifndef VMCD_PSI_H
#define VMCD_PSI_H

#include <stddef.h>

#include "loop.h"

/*
 * Write trigger ("some 150000 2000000": 150 ms of stall in any 2 s) to
 * file and watch it: 0, or -1 with the reason in err.  Without
 * CAP_SYS_RESOURCE the kernel takes only windows of whole 2 s.
 */
int vmcd_psi_open(struct vmcd_loop *l, const char *file, const char *trigger,
		  void (*fired)(void), char *err, size_t err_size);
void vmcd_psi_close(void);

#endif /* VMCD_PSI_H */
