// cache.h - where Keras keeps what it downloads: $KERAS_HOME, else ~/.keras. keras-cpp
// downloads nothing; its dataset loaders (and keras::applications' weights) read the files
// Keras in Python left there, or files put there by hand.
#pragma once
#include <string>

namespace keras::datasets {

/// Keras's folder: $KERAS_HOME, else $HOME/.keras (/tmp/.keras without a HOME), as Keras.
std::string keras_home();

/// Keras's dataset cache, keras_home() + "/datasets" (/tmp/.keras/datasets when
/// keras_home() is not a writable folder, as Keras's get_file): where keras.datasets'
/// load_data() leaves imdb.npz, reuters.npz, mnist.npz, cifar-10-batches-py-target/, ...
std::string cache_dir();

}  // namespace keras::datasets
