#include "keras/layers/all.h"

#include "keras/applications/application_layers.h"

namespace keras::layers {
void register_builtin_layers(std::map<std::string, std::function<LayerPtr(const Config&)>>& f) {
  f["Dense"] = DenseLayer::from_config;
  using K = MergeLayer::Kind;
  f["Add"] = MergeLayer::from_config<K::add>;
  f["Subtract"] = MergeLayer::from_config<K::subtract>;
  f["Multiply"] = MergeLayer::from_config<K::multiply>;
  f["Average"] = MergeLayer::from_config<K::average>;
  f["Maximum"] = MergeLayer::from_config<K::maximum>;
  f["Minimum"] = MergeLayer::from_config<K::minimum>;
  f["Concatenate"] = ConcatenateLayer::from_config;
  f["Dot"] = DotLayer::from_config;
  // core layers:
  f["Activation"] = ActivationLayer::from_config;
  f["ActivityRegularization"] = ActivityRegularizationLayer::from_config;
  f["AlphaDropout"] = AlphaDropoutLayer::from_config;
  f["Dropout"] = DropoutLayer::from_config;
  f["ELU"] = ELULayer::from_config;
  f["Embedding"] = EmbeddingLayer::from_config;
  f["ReversibleEmbedding"] = ReversibleEmbeddingLayer::from_config;
  f["Pipeline"] = PipelineLayer::from_config;
  f["Flatten"] = FlattenLayer::from_config;
  f["GaussianDropout"] = GaussianDropoutLayer::from_config;
  f["GaussianNoise"] = GaussianNoiseLayer::from_config;
  f["Lambda"] = LambdaLayer::from_config;
  f["Operation"] = OperationLayer::from_config;  // keras.ops calls on symbolic tensors
  f["LayerScale"] = applications::detail::LayerScaleLayer::from_config;  // keras.applications.convnext
  f["CustomScaleLayer"] = applications::detail::CustomScaleLayer::from_config;  // inception_resnet_v2
  f["Masking"] = MaskingLayer::from_config;
  f["Rescaling"] = RescalingLayer::from_config;
  f["LeakyReLU"] = LeakyReLULayer::from_config;
  f["Permute"] = PermuteLayer::from_config;
  f["PReLU"] = PReLULayer::from_config;
  f["ReLU"] = ReLULayer::from_config;
  f["RepeatVector"] = RepeatVectorLayer::from_config;
  f["Reshape"] = ReshapeLayer::from_config;
  f["Softmax"] = SoftmaxLayer::from_config;
  // normalization layers:
  f["BatchNormalization"] = BatchNormalizationLayer::from_config;
  f["LayerNormalization"] = LayerNormalizationLayer::from_config;
  f["Normalization"] = NormalizationLayer::from_config;
  f["GroupNormalization"] = GroupNormalizationLayer::from_config;
  f["RMSNormalization"] = RMSNormalizationLayer::from_config;
  f["SpectralNormalization"] = SpectralNormalizationLayer::from_config;
  f["UnitNormalization"] = UnitNormalizationLayer::from_config;
  // text and categorical preprocessing layers:
  f["CategoryEncoding"] = CategoryEncodingLayer::from_config;
  f["Discretization"] = DiscretizationLayer::from_config;
  f["Hashing"] = HashingLayer::from_config;
  f["IntegerLookup"] = IntegerLookupLayer::from_config;
  f["StringLookup"] = StringLookupLayer::from_config;
  f["TextVectorization"] = TextVectorizationLayer::from_config;
  // convolution and pooling layers:
  f["Conv1D"] = ConvLayer::from_config<1>;
  f["Conv2D"] = ConvLayer::from_config<2>;
  f["Conv3D"] = ConvLayer::from_config<3>;
  f["Conv1DTranspose"] = ConvTransposeLayer::from_config<1>;
  f["Conv2DTranspose"] = ConvTransposeLayer::from_config<2>;
  f["Conv3DTranspose"] = ConvTransposeLayer::from_config<3>;
  f["DepthwiseConv1D"] = DepthwiseConvLayer::from_config<1>;
  f["DepthwiseConv2D"] = DepthwiseConvLayer::from_config<2>;
  f["SeparableConv1D"] = SeparableConvLayer::from_config<1>;
  f["SeparableConv2D"] = SeparableConvLayer::from_config<2>;
  using P = PoolingLayer::Kind;
  f["MaxPooling1D"] = PoolingLayer::from_config<P::max, 1>;
  f["MaxPooling2D"] = PoolingLayer::from_config<P::max, 2>;
  f["MaxPooling3D"] = PoolingLayer::from_config<P::max, 3>;
  f["AveragePooling1D"] = PoolingLayer::from_config<P::average, 1>;
  f["AveragePooling2D"] = PoolingLayer::from_config<P::average, 2>;
  f["AveragePooling3D"] = PoolingLayer::from_config<P::average, 3>;
  f["GlobalMaxPooling1D"] = GlobalPoolingLayer::from_config<P::max, 1>;
  f["GlobalMaxPooling2D"] = GlobalPoolingLayer::from_config<P::max, 2>;
  f["GlobalMaxPooling3D"] = GlobalPoolingLayer::from_config<P::max, 3>;
  f["AdaptiveAveragePooling1D"] = AdaptivePoolingLayer::from_config<1, false>;
  f["AdaptiveAveragePooling2D"] = AdaptivePoolingLayer::from_config<2, false>;
  f["AdaptiveAveragePooling3D"] = AdaptivePoolingLayer::from_config<3, false>;
  f["AdaptiveMaxPooling1D"] = AdaptivePoolingLayer::from_config<1, true>;
  f["AdaptiveMaxPooling2D"] = AdaptivePoolingLayer::from_config<2, true>;
  f["AdaptiveMaxPooling3D"] = AdaptivePoolingLayer::from_config<3, true>;
  f["GlobalAveragePooling1D"] = GlobalPoolingLayer::from_config<P::average, 1>;
  f["GlobalAveragePooling2D"] = GlobalPoolingLayer::from_config<P::average, 2>;
  f["GlobalAveragePooling3D"] = GlobalPoolingLayer::from_config<P::average, 3>;
  // spatial, resizing and augmentation layers:
  f["Cropping1D"] = CroppingLayer::from_config<1>;
  f["Cropping2D"] = CroppingLayer::from_config<2>;
  f["Cropping3D"] = CroppingLayer::from_config<3>;
  f["CenterCrop"] = CenterCropLayer::from_config;
  f["Resizing"] = ResizingLayer::from_config;
  f["RandomContrast"] = RandomContrastLayer::from_config;
  f["RandomBrightness"] = RandomBrightnessLayer::from_config;
  f["RandomInvert"] = RandomInvertLayer::from_config;
  f["RandomGrayscale"] = RandomGrayscaleLayer::from_config;
  f["Solarization"] = SolarizationLayer::from_config;
  f["RandomPosterization"] = RandomPosterizationLayer::from_config;
  f["AutoContrast"] = AutoContrastLayer::from_config;
  f["Equalization"] = EqualizationLayer::from_config;
  f["ContrastLimitedAdaptiveHistogramEqualization"] = ContrastLimitedAdaptiveHistogramEqualizationLayer::from_config;
  f["RandomGaussianBlur"] = RandomGaussianBlurLayer::from_config;
  f["RandomErasing"] = RandomErasingLayer::from_config;
  f["RandomColorJitter"] = RandomColorJitterLayer::from_config;
  f["MixUp"] = MixUpLayer::from_config;
  f["CutMix"] = CutMixLayer::from_config;
  f["HashedCrossing"] = HashedCrossingLayer::from_config;
  f["RandomPerspective"] = RandomPerspectiveLayer::from_config;
  f["RandomElasticTransform"] = RandomElasticTransformLayer::from_config;
  f["RandAugment"] = RandAugmentLayer::from_config;
  f["AugMix"] = AugMixLayer::from_config;
  f["MelSpectrogram"] = MelSpectrogramLayer::from_config;
  f["STFTSpectrogram"] = STFTSpectrogramLayer::from_config;
  using C = ColorAdjustLayer::Kind;
  f["RandomSaturation"] = ColorAdjustLayer::from_config<C::saturation>;
  f["RandomHue"] = ColorAdjustLayer::from_config<C::hue>;
  f["RandomColorDegeneration"] = ColorAdjustLayer::from_config<C::degeneration>;
  f["RandomSharpness"] = ColorAdjustLayer::from_config<C::sharpness>;
  f["RandomCrop"] = RandomCropLayer::from_config;
  f["RandomFlip"] = RandomFlipLayer::from_config;
  f["MaxNumBoundingBoxes"] = MaxNumBoundingBoxesLayer::from_config;
  f["RandomRotation"] = RandomRotationLayer::from_config;
  f["RandomTranslation"] = RandomTranslationLayer::from_config;
  f["RandomZoom"] = RandomZoomLayer::from_config;
  f["RandomShear"] = RandomShearLayer::from_config;
  f["SpatialDropout1D"] = SpatialDropoutLayer::from_config<1>;
  f["SpatialDropout2D"] = SpatialDropoutLayer::from_config<2>;
  f["SpatialDropout3D"] = SpatialDropoutLayer::from_config<3>;
  f["UpSampling1D"] = UpSamplingLayer::from_config<1>;
  f["UpSampling2D"] = UpSamplingLayer::from_config<2>;
  f["UpSampling3D"] = UpSamplingLayer::from_config<3>;
  f["ZeroPadding1D"] = ZeroPaddingLayer::from_config<1>;
  f["ZeroPadding2D"] = ZeroPaddingLayer::from_config<2>;
  f["ZeroPadding3D"] = ZeroPaddingLayer::from_config<3>;
  // attention layers:
  f["AdditiveAttention"] = AdditiveAttentionLayer::from_config;
  f["Attention"] = AttentionLayer::from_config;
  f["EinsumDense"] = EinsumDenseLayer::from_config;
  f["Identity"] = IdentityLayer::from_config;
  f["ArchiveLayer"] = ArchiveEndpointLayer::from_config;
  f["MultiHeadAttention"] = MultiHeadAttentionLayer::from_config;
  f["GroupQueryAttention"] = GroupQueryAttentionLayer::from_config;
  // recurrent layers:
  f["RNN"] = RNNLayer::from_config;
  f["SimpleRNNCell"] = SimpleRNNCellLayer::from_config;
  f["SimpleRNN"] = simple_rnn_from_config;
  f["LSTMCell"] = LSTMCellLayer::from_config;
  f["LSTM"] = lstm_from_config;
  f["StackedRNNCells"] = StackedRNNCellsLayer::from_config;
  f["ConvLSTM1D"] = ConvLSTMLayer::from_config<1>;
  f["ConvLSTM2D"] = ConvLSTMLayer::from_config<2>;
  f["ConvLSTM3D"] = ConvLSTMLayer::from_config<3>;
  f["GRUCell"] = GRUCellLayer::from_config;
  f["GRU"] = gru_from_config;
  f["Bidirectional"] = BidirectionalLayer::from_config;
  f["TimeDistributed"] = TimeDistributedLayer::from_config;
}
}  // namespace keras::layers
