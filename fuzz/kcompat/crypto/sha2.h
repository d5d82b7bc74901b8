/* SPDX-License-Identifier: GPL-2.0 */
/* <crypto/sha2.h> for userspace: see ../kcompat.h. */
#include "../kcompat.h"
