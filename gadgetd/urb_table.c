// SPDX-License-Identifier: GPL-2.0-or-later
/* urb_table.c - see urb_table.h. */
#include <string.h>

#include "gadgetd/urb_table.h"

#define SLOT(i) ((i) & (URB_SLOTS - 1))

struct urb_slot *urb_find(struct urb_table *t, uint32_t seqnum)
{
	unsigned i, k;

	for (i = 0; i < URB_SLOTS; i++) {
		k = SLOT(seqnum + i);
		if (t->slot[k].kind == U_FREE)
			return NULL;
		if (t->slot[k].seqnum == seqnum)
			return &t->slot[k];
	}
	return NULL;
}

struct urb_slot *urb_new(struct urb_table *t, uint32_t seqnum, enum urb_kind kind)
{
	unsigned i, k;

	for (i = 0; i < URB_SLOTS; i++) {
		k = SLOT(seqnum + i);
		if (t->slot[k].kind == U_FREE) {
			memset(&t->slot[k], 0, sizeof(t->slot[k]));
			t->slot[k].kind = kind;
			t->slot[k].seqnum = seqnum;
			return &t->slot[k];
		}
	}
	return NULL;
}

/* Deleting from a linear-probing table: re-insert the cluster that follows. */
void urb_free(struct urb_table *t, struct urb_slot *u)
{
	unsigned k = (unsigned)(u - t->slot), j, i;
	struct urb_slot tmp;

	u->kind = U_FREE;
	for (j = SLOT(k + 1); t->slot[j].kind != U_FREE; j = SLOT(j + 1)) {
		tmp = t->slot[j];
		t->slot[j].kind = U_FREE;
		for (i = SLOT(tmp.seqnum); t->slot[i].kind != U_FREE; i = SLOT(i + 1))
			;
		t->slot[i] = tmp; /* transfers keep only the seqnum, so moving is safe */
	}
}
