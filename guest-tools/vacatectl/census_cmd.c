/* vacatectl census: VACATE_IOC_CENSUS on the device, and its report. */
#include "vacatectl.h"

static int ask_device(struct vmc_census_source *src, struct vacate_census *q)
{
	struct vmc_error e;

	if (vmc_dev_census(src->ctx, q, &e))
		return vmc_failf(src->err, src->err_size, "%s", e.msg);
	return 0;
}

int vctl_cmd_census(const struct vctl_args *a)
{
	char err[VMC_ERR_LEN];
	struct vmc_dev dev;
	struct vmc_census_source src = {
		.ask = ask_device,
		.name = a->device,
		.ctx = &dev,
		.err = err,
		.err_size = sizeof(err),
	};
	struct vmc_census c;
	struct vmc_error e;
	int rc = 0;

	if (vmc_dev_open(&dev, a->device, VACATE_IOC_CENSUS, &e))
		return vctl_fail(&e);
	if (vmc_census_read(&src, &c)) {
		fprintf(stderr, "vacatectl: %s\n", err);
		rc = VCTL_EXIT_FAILED;
	} else if (a->json && vmc_print_census_json(stdout, &c, a->top) < 0) {
		fprintf(stderr, "vacatectl: cannot build the JSON (out of memory?)\n");
		rc = VCTL_EXIT_FAILED;
	} else if (!a->json) {
		vmc_print_census(stdout, &c, a->top);
	}
	/* Only if caches kept coming between the calls. */
	if (!rc && c.nr < c.found)
		fprintf(stderr, "vacatectl: the kernel found %u caches, of which it gave %zu\n",
			c.found, c.nr);
	vmc_dev_close(&dev);
	vmc_census_free(&c);
	return rc;
}
