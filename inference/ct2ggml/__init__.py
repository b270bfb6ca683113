"""Convert a CTranslate2 Whisper model directory into a whisper.cpp ggml model file.

`python -m inference.ct2ggml SRC_DIR DST_FILE`, or `convert(src_dir, dst_file)`. Modules:
`ct2_reader` (CTranslate2 model.bin), `tokens` (byte-level BPE vocabulary), `mel` (filterbank),
`tensors` (CT2 variable -> whisper.cpp tensor mapping and checks), `ggml_writer` (the output
container), `convert` (the pipeline and CLI).
"""

from inference.ct2ggml.convert import ConversionReport, convert, main
from inference.ct2ggml.ct2_reader import Ct2Model, read_ct2_model
from inference.ct2ggml.errors import ConversionError
from inference.ct2ggml.mel import mel_filters
from inference.ct2ggml.tensors import WhisperHParams, expected_tensor_count, infer_hparams
from inference.ct2ggml.tokens import read_vocabulary, vocabulary_bytes

__all__ = [
    "ConversionError",
    "ConversionReport",
    "Ct2Model",
    "WhisperHParams",
    "convert",
    "expected_tensor_count",
    "infer_hparams",
    "main",
    "mel_filters",
    "read_ct2_model",
    "read_vocabulary",
    "vocabulary_bytes",
]
