/*
 * A connected unix stream socket: the guest agent's chardev, QMP, or
 * vmcompactd's control socket.  Shared by vmcompactctl and vmcompactd.
 */
#ifndef VMC_UNIX_CONNECT_H
#define VMC_UNIX_CONNECT_H

#include <stddef.h>

/*
 * Connect to the socket at path: its fd (close-on-exec), or -1 with
 * "PATH: why" (or "socket: why") in err.
 */
int vmc_unix_connect(const char *path, char *err, size_t err_size);

#endif /* VMC_UNIX_CONNECT_H */
