/* SPDX-License-Identifier: GPL-2.0 */
/* <uapi/linux/execmark.h>: the project's own, as scripts/fetch-kernel.sh links it. */
#include "../../../../xattr/execmark.h"
