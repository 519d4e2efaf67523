/* SPDX-License-Identifier: MIT */
/*
 * Everything in include/pi at once, for drivers: types, the MM System Table,
 * every MM protocol, and the gEfi...Guid variables (defined once in
 * core/pi-guids.c, which native drivers get from the mmemu_pi_guids library).
 */
#ifndef PI_MM_GUIDS_H
#define PI_MM_GUIDS_H

#include "base.h"
#include "services.h"
#include "mm-system-table.h"
#include "mm-cpu-io.h"
#include "mm-cpu.h"
#include "mm-sw-dispatch.h"
#include "mm-sx-dispatch.h"
#include "mm-periodic-timer-dispatch.h"
#include "mm-power-button-dispatch.h"
#include "mm-standby-button-dispatch.h"
#include "mm-gpi-dispatch.h"
#include "mm-io-trap-dispatch.h"
#include "mm-communication.h"
#include "mm-ready-to-lock.h"
#include "mm-access.h"
#include "mm-control.h"
#include "mm-base.h"
#include "smm-base-hob.h"
#include "loaded-image.h"
#include "hob.h"
#include "pcd.h"
#include "uefi-system-table.h"

#endif /* PI_MM_GUIDS_H */
