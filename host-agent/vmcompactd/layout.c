/* Guest-physical addresses to offsets in the RAM file (layout.h). */
#include <string.h>

#include "layout.h"

void vmcd_layout_split(struct vmcd_layout *l, uint64_t below, uint64_t above)
{
	*l = (struct vmcd_layout){ 0 };
	if (below)
		l->r[l->nr++] = (struct vmcd_ram_range){ 0, below, 0 };
	if (above)
		l->r[l->nr++] = (struct vmcd_ram_range){ VMCD_4G, above, below };
}

/*
 * QEMU 7.2, hw/i386/pc_piix.c and pc_q35.c, with max-ram-below-4g left
 * at its default (libvirt does not set it): pc keeps RAM below 3.5 GiB
 * whole, else puts 3 GiB below (gigabyte alignment, every machine
 * version since 1.7); q35 keeps RAM below 2.75 GiB whole, else puts
 * 2 GiB below.
 */
int vmcd_layout_machine(struct vmcd_layout *l, const char *machine,
			uint64_t ram)
{
	uint64_t whole, below;

	if (!strcmp(machine, "q35") || !strncmp(machine, "pc-q35-", 7)) {
		whole = 0xb0000000;
		below = 0x80000000;
	} else if (!strcmp(machine, "pc") || !strncmp(machine, "pc-i440fx-", 10)) {
		whole = 0xe0000000;
		below = 0xc0000000;
	} else {
		*l = (struct vmcd_layout){ 0 };
		return -1;
	}
	if (ram < whole)
		below = ram;
	vmcd_layout_split(l, below, ram - below);
	return 0;
}

int vmcd_layout_offset(const struct vmcd_layout *l, uint64_t gpa,
		       uint64_t len, uint64_t *off)
{
	for (unsigned int i = 0; i < l->nr; i++) {
		const struct vmcd_ram_range *r = &l->r[i];

		if (gpa >= r->gpa && gpa - r->gpa <= r->len &&
		    len <= r->len - (gpa - r->gpa)) {
			*off = r->off + (gpa - r->gpa);
			return 0;
		}
	}
	return -1;
}

uint64_t vmcd_layout_size(const struct vmcd_layout *l)
{
	uint64_t size = 0;

	for (unsigned int i = 0; i < l->nr; i++)
		size += l->r[i].len;
	return size;
}
