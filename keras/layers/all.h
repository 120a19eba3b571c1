// all.h - every built-in layer.
#pragma once
#include <functional>
#include <map>
#include <string>

#include "keras/layers/dense.h"
#include "keras/layers/merge.h"
// core layers:
#include "keras/layers/activation.h"
#include "keras/layers/activation_layers.h"
#include "keras/layers/activity_regularization.h"
#include "keras/layers/dropout.h"
#include "keras/layers/embedding.h"
#include "keras/layers/flatten.h"
#include "keras/layers/gaussian_noise.h"
#include "keras/layers/noise_dropout.h"
#include "keras/layers/lambda.h"
#include "keras/layers/masking.h"
#include "keras/layers/rescaling.h"
#include "keras/layers/permute.h"
#include "keras/layers/repeat_vector.h"
#include "keras/layers/reshape.h"
// normalization layers:
#include "keras/layers/batch_normalization.h"
#include "keras/layers/layer_normalization.h"
#include "keras/layers/normalization.h"
#include "keras/layers/group_normalization.h"
#include "keras/layers/rms_normalization.h"
#include "keras/layers/spectral_normalization.h"
#include "keras/layers/unit_normalization.h"
// text and categorical preprocessing layers:
#include "keras/layers/category_encoding.h"
#include "keras/layers/discretization.h"
#include "keras/layers/hashing.h"
#include "keras/layers/integer_lookup.h"
#include "keras/layers/string_lookup.h"
#include "keras/layers/text_vectorization.h"
// convolution and pooling layers:
#include "keras/layers/conv.h"
#include "keras/layers/conv_transpose.h"
#include "keras/layers/depthwise_conv.h"
#include "keras/layers/separable_conv.h"
#include "keras/layers/adaptive_pooling.h"
#include "keras/layers/global_pooling.h"
#include "keras/layers/pooling.h"
// spatial, resizing and augmentation layers:
#include "keras/layers/cropping.h"
#include "keras/layers/random_affine.h"
#include "keras/layers/color_adjust_layers.h"
#include "keras/layers/color_layers.h"
#include "keras/layers/random_contrast.h"
#include "keras/layers/tone_layers.h"
#include "keras/layers/image_filter_layers.h"
#include "keras/layers/clahe.h"
#include "keras/layers/color_jitter.h"
#include "keras/layers/cut_mix.h"
#include "keras/layers/hashed_crossing.h"
#include "keras/layers/random_perspective.h"
#include "keras/layers/random_elastic_transform.h"
#include "keras/layers/augment_policies.h"
#include "keras/layers/mel_spectrogram.h"
#include "keras/layers/stft_spectrogram.h"
#include "keras/layers/mix_up.h"
#include "keras/layers/pipeline.h"
#include "keras/layers/reversible_embedding.h"
#include "keras/layers/aliases.h"
#include "keras/layers/random_crop.h"
#include "keras/layers/random_flip.h"
#include "keras/layers/resizing.h"
#include "keras/layers/spatial_dropout.h"
#include "keras/layers/up_sampling.h"
#include "keras/layers/zero_padding.h"
// attention layers:
#include "keras/layers/additive_attention.h"
#include "keras/layers/attention.h"
#include "keras/layers/einsum_dense.h"
#include "keras/layers/identity.h"
#include "keras/layers/group_query_attention.h"
#include "keras/layers/multi_head_attention.h"
// recurrent layers:
#include "keras/layers/bidirectional.h"
#include "keras/layers/gru.h"
#include "keras/layers/conv_lstm.h"
#include "keras/layers/lstm.h"
#include "keras/layers/stacked_rnn_cells.h"
#include "keras/layers/rnn.h"
#include "keras/layers/simple_rnn.h"
#include "keras/layers/time_distributed.h"

namespace keras::layers {
/// Registers the from_config of every built-in layer (called once by the registry).
void register_builtin_layers(std::map<std::string, std::function<LayerPtr(const Config&)>>& f);
}  // namespace keras::layers
