/* Guest-physical addresses to offsets in the RAM file (layout.h). */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
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

/* Ranges whose shifts agree and that lie this close are one. */
#define JOIN_GAP	(2ull << 20)

/* Add a range, joined to the last if it continues it: false if full. */
static bool add(struct vmcd_layout *l, uint64_t gpa, uint64_t len,
		uint64_t off)
{
	struct vmcd_ram_range *last = l->nr ? &l->r[l->nr - 1] : NULL;

	if (last && gpa - off == last->gpa - last->off && gpa >= last->gpa &&
	    gpa - (last->gpa + last->len) <= JOIN_GAP) {
		last->len = gpa + len - last->gpa;
		return true;
	}
	if (l->nr == VMCD_LAYOUT_MAX)
		return false;
	l->r[l->nr++] = (struct vmcd_ram_range){ gpa, len, off };
	return true;
}

/*
 * One line of a flat view, "  START-END (prio N, ram): NAME[ @OFFSET]...":
 * true with its fields if it is RAM.
 */
static bool mtree_line(const char *text, uint64_t *gpa, uint64_t *len,
		       char *name, uint64_t *off)
{
	size_t eol = strcspn(text, "\n");
	uint64_t start, end;
	char line[256];
	const char *at;
	int n = 0;

	if (eol >= sizeof(line))
		return false;
	memcpy(line, text, eol);
	line[eol] = '\0';
	if (sscanf(line, " %" SCNx64 "-%" SCNx64 " (prio %*d, ram): %63s%n",
		   &start, &end, name, &n) != 3 || end < start)
		return false;
	at = strstr(line + n, " @");
	*off = 0;
	if (at && sscanf(at, " @%" SCNx64, off) != 1)
		return false;
	*gpa = start;
	*len = end - start + 1;
	return true;
}

/* The next line after p, or NULL at the end of p's flat view. */
static const char *next_line(const char *p)
{
	p = strchr(p, '\n');
	if (!p || !*++p || !strncmp(p, "FlatView", 8))
		return NULL;
	return p;
}

/* The flat view of the address space "memory" (the guest's), or NULL. */
static const char *memory_view(const char *text)
{
	const char *as = strstr(text, " AS \"memory\"");
	const char *view = NULL;

	for (const char *p = strstr(text, "FlatView"); p && p < as;
	     p = strstr(p + 1, "FlatView"))
		view = p;
	return as ? view : NULL;
}

int vmcd_layout_mtree(struct vmcd_layout *l, const char *text, uint64_t size)
{
	const char *view = memory_view(text);
	char name[64], want[64] = "";
	uint64_t gpa, len, off;

	*l = (struct vmcd_layout){ 0 };
	/* Which region is the RAM file: the one whose offsets reach size. */
	for (const char *p = view; p; p = next_line(p))
		if (mtree_line(p, &gpa, &len, name, &off) && off + len == size)
			strcpy(want, name);
	if (!want[0])
		return -1;
	for (const char *p = view; p; p = next_line(p)) {
		if (mtree_line(p, &gpa, &len, name, &off) && !strcmp(name, want) &&
		    !add(l, gpa, len, off)) {
			l->nr = 0;
			return -1;
		}
	}
	return l->nr ? 0 : -1;
}
