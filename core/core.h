// core.h - the engine's public API in one include.
#pragma once
#include "core/autodiff.h"
#include "core/control_flow.h"
#include "core/cpu_features.h"
#include "core/debugging.h"
#include "core/device.h"
#include "core/dtype.h"
#include "core/export.h"
#include "core/function.h"
#include "core/image_ops.h"
#include "core/image_ops_more.h"  // more of keras.ops.image
#include "core/ops.h"
#include "core/shape.h"
#include "core/string_ops.h"
#include "core/tensor.h"
