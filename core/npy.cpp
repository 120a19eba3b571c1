// npy.cpp - (being written)
