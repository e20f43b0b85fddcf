"""Silero VAD probabilities by onnxruntime, compared with the Rust (rten) port.

Usage: vad_probs_ort.py MODEL.onnx AUDIO.f32 RUST_PROBS.txt
AUDIO.f32 is raw 16 kHz mono f32le (ffmpeg -ac 1 -ar 16000 -f f32le); RUST_PROBS.txt is
the output of `cargo run --release -p stylecut-analysis --example vad_probs -- AUDIO.f32`.
The protocol is silero's own `OnnxWrapper` (silero_vad/utils_vad.py, 6.2.3): 512-sample
chunks, each preceded by the previous 64 samples (zeros at first), the LSTM state carried,
the last partial chunk zero-padded, one thread. Prints chunk count and max/mean |diff|.
"""
import sys

import numpy as np
import onnxruntime


def probs(model, x):
    opts = onnxruntime.SessionOptions()
    opts.inter_op_num_threads = 1
    opts.intra_op_num_threads = 1
    s = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"], sess_options=opts)
    state = np.zeros((2, 1, 128), dtype=np.float32)
    ctx = np.zeros((1, 64), dtype=np.float32)
    sr = np.array(16000, dtype=np.int64)
    out = []
    for i in range(0, len(x), 512):
        c = x[i:i + 512]
        if len(c) < 512:
            c = np.pad(c, (0, 512 - len(c)))
        inp = np.concatenate([ctx, c[None, :]], axis=1).astype(np.float32)
        p, state = s.run(None, {"input": inp, "state": state, "sr": sr})
        ctx = inp[:, -64:]
        out.append(float(p[0, 0]))
    return np.array(out)


def main():
    model, audio, rust = sys.argv[1:4]
    x = np.fromfile(audio, dtype="<f4")
    ref = probs(model, x)
    got = np.loadtxt(rust, ndmin=1)
    if len(got) != len(ref):
        sys.exit(f"chunk counts differ: rust {len(got)} onnxruntime {len(ref)}")
    d = np.abs(got - ref)
    i = int(np.argmax(d))
    print(f"{audio}: {len(ref)} chunks, max |diff| {d.max():.2e} (chunk {i}: rust {got[i]:.6f} "
          f"ort {ref[i]:.6f}), mean |diff| {d.mean():.2e}, "
          f"decisions at 0.5 differ in {int(((got >= 0.5) != (ref >= 0.5)).sum())} chunks")
    if len(sys.argv) > 4:
        np.savetxt(sys.argv[4], ref, fmt="%.8f")


if __name__ == "__main__":
    main()
