// metrics.h - Keras 3's streaming metrics (keras.metrics): one include for all of them.
//
//   keras::metrics::Precision precision;
//   for (auto& [x, y] : batches) precision.update_state(y, model(x));
//   float p = precision.result().item<float>();   // over all batches together
//   precision.reset_state();
#pragma once
#include "keras/metrics/accuracy_metrics.h"
#include "keras/metrics/confusion_metrics.h"
#include "keras/metrics/correlation_metrics.h"
#include "keras/metrics/f_score_metrics.h"
#include "keras/metrics/iou_metrics.h"
#include "keras/metrics/loss_function_metrics.h"
#include "keras/metrics/metric.h"
#include "keras/metrics/probabilistic_metrics.h"
#include "keras/metrics/reduction_metrics.h"
#include "keras/metrics/registry.h"
#include "keras/metrics/regression_metrics.h"
#include "keras/metrics/sensitivity_metrics.h"
