/* vacatectl census: VACATE_IOC_CENSUS on the device, and its report. */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vacatectl.h"

static int ask_device(struct vctl_census_source *src, struct vacate_census *q)
{
	const int *fd = src->ctx;

	if (ioctl(*fd, VACATE_IOC_CENSUS, q) < 0) {
		vctl_device_error(src->err, src->err_size, src->name,
				  "VACATE_IOC_CENSUS", VACATE_IOC_CENSUS, errno);
		return -1;
	}
	return 0;
}

int vctl_cmd_census(const struct vctl_args *a)
{
	char err[VCTL_ERR_LEN];
	int fd = open(a->device, O_RDONLY | O_CLOEXEC);
	struct vctl_census_source src = {
		.ask = ask_device,
		.name = a->device,
		.ctx = &fd,
		.err = err,
		.err_size = sizeof(err),
	};
	struct vctl_census c;
	int rc = 0;

	if (fd < 0)
		return vctl_fail_device(a->device, "open", VACATE_IOC_CENSUS,
					errno);
	if (vctl_census_read(&src, &c)) {
		fprintf(stderr, "vacatectl: %s\n", err);
		rc = VCTL_EXIT_FAILED;
	} else if (a->json && vctl_print_census_json(stdout, &c, a->top) < 0) {
		fprintf(stderr, "vacatectl: cannot build the JSON (out of memory?)\n");
		rc = VCTL_EXIT_FAILED;
	} else if (!a->json) {
		vctl_print_census(stdout, &c, a->top);
	}
	/* Only if caches kept coming between the calls. */
	if (!rc && c.nr < c.found)
		fprintf(stderr, "vacatectl: the kernel found %u caches, of which it gave %zu\n",
			c.found, c.nr);
	close(fd);
	vctl_census_free(&c);
	return rc;
}
