// mobilenet_v3.cpp - keras.applications.mobilenet_v3 (in progress).
#include "keras/applications/common.h"
