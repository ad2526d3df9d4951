/* vmcompactctl: what its command files share. */
#ifndef VMC_CTL_H
#define VMC_CTL_H

#include <stdio.h>

#include "fetch.h"

/* raw.c: the bytes send-raw writes, in command-line order. */
struct raw_bytes {
	size_t len;
	uint8_t data[2 * VMC_FRAME_MAX];
};

/* Append bytes given as hex, or a frame "TYPE:SEQ[:HEX[:VERSION]]". */
int raw_add_hex(struct raw_bytes *raw, const char *hex);
int raw_add_frame(struct raw_bytes *raw, const char *spec);

/*
 * Send raw and print what comes back, one line per frame or rejected
 * input, until expect frames came or (expect 0) the guest fell silent for
 * the client's timeout.  Returns 0, or -1 with c->err set.
 */
int raw_exchange(struct vmc_client *c, const struct raw_bytes *raw,
		 unsigned int expect);

#endif /* VMC_CTL_H */
