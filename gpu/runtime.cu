// runtime.cu - (being written)
