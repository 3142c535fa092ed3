/*
 * axle.h — everything public in axle. Each module also has its own header
 * under axle/ for programs that want only part of it.
 */
#ifndef AXLE_H
#define AXLE_H

#include "axle/base.h"
#include "axle/bytes.h"
#include "axle/hpack.h"
#include "axle/http1.h"
#include "axle/json.h"
#include "axle/net.h"
#include "axle/runtime.h"

#endif /* AXLE_H */
