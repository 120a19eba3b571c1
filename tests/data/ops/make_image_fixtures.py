#!/usr/bin/env python3
# make_image_fixtures.py - writes image_keras.npz for tests/core/test_image_ops_more.cpp:
# seeded images and what Keras 3 (TensorFlow backend) computes from them with
# keras.ops.image (crops, pads, color spaces, patches, blur, Sobel edges, SSIM). Run by
# hand in a venv with keras and tensorflow-cpu:
#   KERAS_BACKEND=tensorflow /work/venv/bin/python tests/data/ops/make_image_fixtures.py
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras
import numpy as np

I = keras.ops.image
rng = np.random.default_rng(23)
out = {}


def put(name, value):
    out[name] = np.asarray(value)


img = rng.uniform(0, 1, (2, 6, 7, 3)).astype("float32")
img_cf = np.transpose(img, (0, 3, 1, 2)).copy()
put("in_img", img)
put("crop", I.crop_images(img, top_cropping=1, left_cropping=2, target_height=3, target_width=4))
put("crop_br", I.crop_images(img[0], bottom_cropping=2, right_cropping=1, top_cropping=0, left_cropping=3))
put("crop_cf", I.crop_images(img_cf, top_cropping=1, bottom_cropping=1, left_cropping=0, target_width=5,
                             data_format="channels_first"))
put("pad", I.pad_images(img, top_padding=1, left_padding=2, target_height=9, target_width=10))
put("pad_br", I.pad_images(img[0], bottom_padding=2, right_padding=1, top_padding=0, left_padding=3))
put("pad_cf", I.pad_images(img_cf, top_padding=1, bottom_padding=2, left_padding=0, target_width=8,
                           data_format="channels_first"))
put("gray", I.rgb_to_grayscale(img))
put("gray_cf", I.rgb_to_grayscale(img_cf, data_format="channels_first"))
imgi = rng.integers(0, 256, (4, 5, 3)).astype("int32")
put("in_imgi", imgi)
put("gray_int", I.rgb_to_grayscale(imgi))
# colors with ties, grays and black for the hue's branches
special = np.array([[[0, 0, 0], [1, 1, 1], [0.5, 0.5, 0.5], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0],
                     [0.2, 0.8, 0.8], [0.9, 0.1, 0.4]]], "float32")
put("in_special", special)
put("hsv", I.rgb_to_hsv(img))
put("hsv_special", I.rgb_to_hsv(special))
put("hsv_cf", I.rgb_to_hsv(img_cf, data_format="channels_first"))
hsv_in = rng.uniform(0, 1, (2, 4, 5, 3)).astype("float32")
put("in_hsv", hsv_in)
put("rgb", I.hsv_to_rgb(hsv_in))
put("rgb64", I.hsv_to_rgb(hsv_in.astype("float64")))
put("patches", I.extract_patches(img, 2))
put("patches_s1_same", I.extract_patches(img, (3, 2), strides=(1, 2), padding="same"))
put("patches_dil", I.extract_patches(img[0], (2, 2), strides=1, dilation_rate=2))
put("patches_cf", I.extract_patches(img_cf, 3, strides=2, data_format="channels_first"))
vol = rng.uniform(0, 1, (1, 4, 5, 6, 2)).astype("float32")
put("in_vol", vol)
put("patches3d", I.extract_patches_3d(vol, 2))
put("patches3d_same", I.extract_patches_3d(vol[0], (2, 3, 2), strides=(1, 2, 3), padding="same"))
put("blur", I.gaussian_blur(img))
put("blur_53", I.gaussian_blur(img, kernel_size=(5, 3), sigma=(1.5, 0.7)))
put("blur_cf", I.gaussian_blur(img_cf, kernel_size=(3, 3), sigma=(2.0, 2.0), data_format="channels_first"))
put("sobel", I.sobel_edges(img))
put("sobel_cf", I.sobel_edges(img_cf, data_format="channels_first"))
big1 = rng.uniform(0, 1, (2, 16, 14, 3)).astype("float32")
big2 = np.clip(big1 + rng.normal(0, 0.1, big1.shape), 0, 1).astype("float32")
put("in_big1", big1)
put("in_big2", big2)
put("ssim", I.ssim(big1, big2))
put("ssim_same", I.ssim(big1, big1))
put("ssim_opts", I.ssim(big1[0] * 255, big2[0] * 255, max_val=255.0, filter_size=7, filter_sigma=1.0, k1=0.02,
                        k2=0.05))

# map_coordinates: a (5, 6) grid and a (2, 4, 3) volume sampled inside, on and outside
# the edges, at ties (x.5) and negative coordinates, in every fill mode.
grid = rng.uniform(-1, 1, (5, 6)).astype("float32")
coords = rng.uniform(-3, 9, (2, 4, 7)).astype("float32")
coords[:, 0, :3] = [[0.5, 2.5, -0.5], [1.5, 5.0, 6.0]]
put("in_grid", grid)
put("in_coords", coords)
for order in (0, 1):
    for mode in ("constant", "nearest", "wrap", "reflect"):
        put(f"mc_{order}_{mode}", I.map_coordinates(grid, coords, order, fill_mode=mode, fill_value=0.5))
    # "mirror": the TensorFlow backend indexes out of range at the far edge (a crash), so
    # the reference is scipy's mirror as Keras's NumPy backend makes it: the grid padded by
    # numpy's "reflect" (d c b | a b c d | c b a), sampled inside with the TF backend.
    pad = 12
    mirrored = np.pad(grid, pad, mode="reflect")
    put(f"mc_{order}_mirror", I.map_coordinates(mirrored, coords + pad, order, fill_mode="constant"))
volm = rng.uniform(-1, 1, (2, 4, 3)).astype("float64")
c3 = rng.uniform(-1, 4, (3, 5)).astype("float64")
put("in_volm", volm)
put("in_c3", c3)
put("mc_3d", I.map_coordinates(volm, c3, 1, fill_mode="reflect"))
gi = rng.integers(0, 100, (4, 4)).astype("int32")
put("in_gi", gi)
put("mc_int", I.map_coordinates(gi, coords[:, :2], 1, fill_mode="nearest"))
start = np.array([[0, 0], [6, 0], [0, 5], [6, 5]], "float32")
end = np.array([[0.5, 0.2], [5.5, 0.8], [0.3, 4.6], [6.2, 5.1]], "float32")
put("in_start", start)
put("in_end", end)
put("persp", I.perspective_transform(img, start, end))
put("persp_nearest", I.perspective_transform(img[0], start, end, interpolation="nearest", fill_value=0.25))
put("persp_batch", I.perspective_transform(img, np.stack([start, end]), np.stack([end, start])))

# scale_and_translate: up and down, every kernel, antialias on and off, integer images
sat = rng.uniform(0, 1, (1, 5, 6, 2)).astype("float32")
put("in_sat", sat)
for m in ("linear", "cubic", "lanczos3", "lanczos5"):
    put(f"sat_{m}", I.scale_and_translate(sat, (1, 8, 4, 2), np.array([1.6, 0.7], "float32"),
                                          np.array([0.3, -0.5], "float32"), (1, 2), m))
put("sat_noaa", I.scale_and_translate(sat, (1, 3, 3, 2), np.array([0.6, 0.5], "float32"),
                                      np.array([0.0, 0.2], "float32"), (1, 2), "bilinear", antialias=False))
put("sat_out", I.scale_and_translate(sat, (1, 5, 6, 2), np.array([1.0, 1.0], "float32"),
                                     np.array([3.0, -4.5], "float32"), (1, 2), "cubic"))
# (integer images: Keras's TensorFlow backend fails in its final clip, a float/int mix;
# tests/core/test_image_ops_more.cpp checks keras-cpp's rounding and clipping by itself.)

dest = os.path.join(os.path.dirname(os.path.abspath(__file__)), "image_keras.npz")
np.savez_compressed(dest, **out)
print("wrote", dest, len(out), "arrays")
