/*
 * Private to the cycle of a VM (vm.h): the steps that vm.c (the agent's
 * part), balloon.c (the balloon's) and check.c (the host check's) hand
 * each other.
 */
#ifndef VMCD_CYCLE_H
#define VMCD_CYCLE_H

#include "vm.h"

/* vm.c: end the cycle, log it, schedule the next. */
void vmcd_cycle_end(struct vmcd_vm *vm);

/* Set the cycle's error (the first sticks); nothing else. */
__attribute__((format(printf, 2, 3)))
void vmcd_cycle_note(struct vmcd_vm *vm, const char *fmt, ...);

/* The cycle goes on with HELLO (after the balloon's look at the guest). */
void vmcd_cycle_hello(struct vmcd_vm *vm);

/* Give the guest back what its agent holds, then end the cycle. */
void vmcd_cycle_release(struct vmcd_vm *vm);

/* Bytes in a guest block (after HELLO). */
uint64_t vmcd_block_bytes(const struct vmcd_vm *vm);

/*
 * balloon.c.  stats: the cycle's first step for balloon VMs (deflates
 * and ends the cycle if the guest is short of memory, else HELLO);
 * inflate: after HOLD, by the blocks held.
 */
void vmcd_balloon_stats(struct vmcd_vm *vm);
void vmcd_balloon_inflate(struct vmcd_vm *vm);
void vmcd_balloon_answer(struct vmcd_vm *vm, int res, json_object *ret);
void vmcd_balloon_tick(struct vmcd_vm *vm, int64_t now_ms);

/*
 * check.c.  layout: learn the RAM layout if need be, then vacate;
 * start before the blocks are emptied, finish after they are returned.
 */
void vmcd_check_layout(struct vmcd_vm *vm);
void vmcd_check_answer(struct vmcd_vm *vm, int res, json_object *ret);
void vmcd_check_start(struct vmcd_vm *vm);
void vmcd_check_finish(struct vmcd_vm *vm);

/* vm.c: VACATE of the cheapest blocks (after the layout). */
void vmcd_cycle_vacate(struct vmcd_vm *vm);

#endif /* VMCD_CYCLE_H */
