/*
 * Where guest RAM lies in the file that backs it.  Guest-physical
 * addresses are not file offsets: x86 machines leave a hole for PCI below
 * 4 GiB and put the rest of RAM above 4 GiB, so a block at guest-physical
 * 4 GiB + x is at file offset below_4g + x.
 *
 * From QEMU itself when vmcompactd has its QMP socket: the flat view of
 * the guest's address space ("info mtree -f"), whose RAM regions name
 * their offset in the RAM block.  For libvirt domains (whose QMP socket
 * is libvirt's) from the machine type and RAM size, split as QEMU 7.2
 * splits them.  Else only for guests small enough that every machine
 * puts all their RAM below the hole (2 GiB).
 */
#ifndef VMCD_LAYOUT_H
#define VMCD_LAYOUT_H

#include <stdint.h>

#define VMCD_LAYOUT_MAX		8
#define VMCD_4G			(4ull << 30)
/* RAM of any size up to this lies below the hole on every x86 machine. */
#define VMCD_LAYOUT_SAFE_RAM	(2ull << 30)

struct vmcd_ram_range {
	uint64_t gpa;		/* guest-physical start */
	uint64_t len;
	uint64_t off;		/* offset in the RAM file */
};

struct vmcd_layout {
	unsigned int nr;	/* 0: unknown */
	struct vmcd_ram_range r[VMCD_LAYOUT_MAX];
};

/* below bytes at guest-physical 0, above bytes at 4 GiB, one file. */
void vmcd_layout_split(struct vmcd_layout *l, uint64_t below, uint64_t above);

/*
 * From the text of "info mtree -f": the RAM regions of the first flat
 * view that belong to the region whose offsets reach size (the RAM
 * file's).  Ranges that map with the same shift are joined across small
 * gaps (the ROMs below 1 MiB sit over RAM).  0, or -1 if none fits.
 */
int vmcd_layout_mtree(struct vmcd_layout *l, const char *text,
		      uint64_t size);

/*
 * The split QEMU 7.2 makes of ram bytes on machine type machine ("pc",
 * "pc-i440fx-7.2", "q35", "pc-q35-7.2"...): 0, or -1 for a machine it
 * does not know.
 */
int vmcd_layout_machine(struct vmcd_layout *l, const char *machine,
			uint64_t ram);

/* The file offset of [gpa, gpa + len): 0, or -1 unless in one range. */
int vmcd_layout_offset(const struct vmcd_layout *l, uint64_t gpa,
		       uint64_t len, uint64_t *off);

/* RAM bytes the layout holds. */
uint64_t vmcd_layout_size(const struct vmcd_layout *l);

#endif /* VMCD_LAYOUT_H */
