// keras.h - one include for users: `#include <keras/keras.h>`.
// The engine lives in namespace keras::core; keras re-exports what users need.
#pragma once
#include "core/audio_io.h"    // tf.audio: decode_wav, encode_wav
#include "core/batch_norm.h"  // fused batch normalization (FusedBatchNormV3)
#include "core/conv_variants.h"
#include "core/core.h"
#include "core/device_scope.h"
#include "core/gpu_memory.h"
#include "core/host_memory.h"  // the host allocator's figures (peak bytes)
#include "core/image_io.h"     // tf.io: read_file, write_file, image codecs
#include "core/npy.h"
#include "core/queue.h"
#include "core/ragged.h"
#include "core/random_ops.h"  // keras.random beyond uniform / normal / truncated_normal
#include "core/raw_codec.h"   // tf.io.decode_raw
#include "core/rnn.h"         // fused recurrent sequences (CudnnRNN)
#include "core/sets.h"
#include "core/sparse.h"
#include "core/stateless_scope.h"  // keras.StatelessScope
#include "core/tensor_array.h"
#include "keras/activations.h"
#include "keras/applications/applications.h"  // keras.applications: ResNet50, MobileNetV2, ...
#include "keras/backend.h"                    // keras.backend: clear_session, get_uid, standardize_dtype
#include "keras/callbacks.h"
#include "keras/callbacks/backup_and_restore.h"
#include "keras/callbacks/model_checkpoint.h"
#include "keras/callbacks/remote_monitor.h"
#include "keras/callbacks/swap_ema_weights.h"
#include "keras/callbacks/tensorboard.h"
#include "keras/config.h"
#include "keras/constraints.h"
#include "keras/data/csv.h"
#include "keras/data/dataset.h"
#include "keras/data/example.h"  // tf.train.Example, parse_example
#include "keras/data/ragged_batch.h"
#include "keras/data/text_line_dataset.h"
#include "keras/data/tfrecord.h"  // TFRecordDataset, TFRecordWriter, FixedLengthRecordDataset
#include "keras/datasets/cache.h"  // keras.datasets: Keras's cache folder
#include "keras/datasets/cifar.h"
#include "keras/datasets/fashion_mnist.h"
#include "keras/datasets/housing.h"  // boston_housing, california_housing
#include "keras/datasets/imdb.h"
#include "keras/datasets/mnist.h"
#include "keras/datasets/reuters.h"
#include "keras/initializers.h"
#include "keras/initializers/stft.h"
#include "keras/layers/all.h"
#include "keras/layers/registry.h"
#include "keras/losses.h"
#include "keras/metrics.h"
#include "keras/mixed_precision.h"
#include "keras/models/cloning.h"  // keras.models.clone_model
#include "keras/models/model.h"
#include "keras/name_scope.h"  // keras.name_scope, layer and variable paths
#include "keras/optimizers.h"
#include "keras/optimizers/loss_scale_optimizer.h"
#include "keras/quantizers.h"       // keras.quantizers: abs_max_quantize
#include "keras/quantizers_awq.h"   // keras.quantizers.AWQConfig, model.quantize("awq")
#include "keras/quantizers_gptq.h"  // keras.quantizers.GPTQConfig, model.quantize("gptq")
#include "keras/regularizers.h"
#include "keras/remat.h"  // keras.remat, keras.RematScope
#include "keras/saving/export.h"
#include "keras/saving/export_archive.h"
#include "keras/saving/feature_space_file.h"
#include "keras/saving/file_editor.h"  // keras.saving.KerasFileEditor
#include "keras/saving/object_registration.h"
#include "keras/saving/saving.h"
#include "keras/settings.h"        // keras.config: image_data_format
#include "keras/summary.h"         // tf.summary: scalars, histograms, images ... to TensorBoard event files
#include "keras/symbolic_ops.h"    // keras.ops and operators on KerasTensors (functional nodes)
#include "keras/symbolic_scope.h"  // keras.SymbolicScope
#include "keras/utils/bounding_boxes.h"
#include "keras/utils/dataset_utils.h"
#include "keras/utils/directory_datasets.h"
#include "keras/utils/feature_space.h"
#include "keras/utils/file_utils.h"  // get_file, hash_file, extract_archive
#include "keras/utils/image_utils.h"
#include "keras/utils/numerical.h"
#include "keras/utils/plot.h"
#include "keras/utils/progbar.h"
#include "keras/utils/py_dataset.h"
#include "keras/visualization.h"  // keras.visualization

namespace keras {
using core::custom_gradient;
using core::Function;
using core::FunctionOptions;
using core::function;
using core::InitScope;
using core::GradientTape;
using core::StatelessScope;
using core::in_stateless_scope;
using core::stop_gradient;
using core::UnconnectedGradients;
using core::Variable;
using core::Device;
using core::DeviceScope;
using core::current_device;
using core::default_device;
using core::set_default_device;
using core::with_device;
using core::DType;
using core::Shape;
using core::Tensor;
using core::constant;
using core::dtype_name;
using core::from_buffer;
using core::get_num_threads;
using core::set_num_threads;
/// NumPy files (core/npy.h), as keras users reach them.
using core::load_npy;
using core::load_npz;
using core::save_npy;
using core::save_npz;
namespace ops = core::ops;
/// keras.random: randint, shuffle, categorical, dropout, gamma, beta, binomial
/// (core/random_ops.h); uniform and normal are ops::random_uniform / random_normal.
namespace random = core::ops::random;
/// Sparse tensors (tf.sparse) and set operations (tf.sets): core/sparse.h, core/sets.h.
using core::SparseTensor;
namespace sparse = core::sparse;
namespace sets = core::sets;
/// tf.strings (core/string_ops.h): ops on string tensors.
namespace strings = core::strings;
/// tf.io (core/image_io.h): files and image codecs; tf.audio (core/audio_io.h): WAV files.
namespace io = core::io;
namespace audio = core::audio;
namespace utils {
/// keras.utils.set_random_seed: seeds the global generator (core::ops::set_random_seed).
using core::ops::set_random_seed;
}  // namespace utils
using core::ConversionError;
/// Ragged tensors (tf.RaggedTensor, tf.ragged), TensorArray, queues (tf.queue) and the
/// TensorFlow status errors they raise.
using core::RaggedTensor;
namespace ragged = core::ragged;
using core::TensorArray;
using core::TensorArrayOptions;
namespace queue {
using core::FIFOQueue;
using core::PaddingFIFOQueue;
using core::PriorityQueue;
using core::QueueBase;
using core::RandomShuffleQueue;
}  // namespace queue
namespace errors {
using core::CancelledError;
using core::DeadlineExceededError;
using core::OutOfRangeError;
}  // namespace errors

/// tf.debugging.enable_check_numerics / tf.config.experimental.enable_op_determinism /
/// enable_tensor_float_32_execution (TensorFlow's names; keras::config mirrors tf.config).
namespace debugging {
using core::check_numerics_enabled;
using core::disable_check_numerics;
using core::enable_check_numerics;
using core::NumericsError;
}  // namespace debugging
namespace config {
using core::cpu_features;  ///< the vector instruction set of the CPU kernels
using core::CpuFeatures;
using core::DeterminismError;
using core::disable_op_determinism;
using core::enable_op_determinism;
using core::op_determinism_enabled;
using core::enable_tensor_float_32_execution;
using core::tensor_float_32_execution_enabled;
}  // namespace config
}  // namespace keras
