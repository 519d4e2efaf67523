/* SPDX-License-Identifier: MIT */
/* mmemu's public API: everything tools and embedders may use. */
#ifndef MMEMU_H
#define MMEMU_H

#include "error.h"
#include "log.h"
#include "machine.h"
#include "memory.h"
#include "driver.h"
#include "run.h"
#include "cpu.h"
#include "bench.h"
#include "stop.h"
#include "io.h"
#include "events.h"
#include "observe.h"
#include "scenario.h"
#include "image.h"
#include "fv.h"
#include "dxe.h"
#include "debug.h"
#include "record.h"
#include "flash.h"
#include "pci.h"
#include "snapshot.h"
#include "fuzz.h"

#endif /* MMEMU_H */
