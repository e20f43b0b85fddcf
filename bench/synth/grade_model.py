"""The documented colour-grade forward model, written from its specification in
crates/types/src/grade.rs (module docs): temperature/tint white balance in linear light,
contrast about 0.5, highlight/shadow tone curve, saturation about BT.709 luma, clamped to 0..1.

Used to render known slider values as a 3D LUT (.cube) that ffmpeg's lut3d applies, so the
benchmark can check that measuring a clip graded with sliders s gives back s. It is an independent
implementation of the written definition (the benchmark must not call the code it measures).
"""
import numpy as np

TEMP_STOPS = 0.35  # stops of red/blue gain at temperature = 100
TINT_STOPS = 0.35  # stops of green gain at tint = 100
LUMA = np.array([0.2126, 0.7152, 0.0722])  # BT.709
LUT_SIZE = 33  # points per axis of the .cube


def srgb_to_linear(v):
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(v):
    v = np.maximum(v, 0.0)
    return np.where(v <= 0.0031308, v * 12.92, 1.055 * v ** (1 / 2.4) - 0.055)


def apply(rgb, g):
    """rgb: (..., 3) encoded values 0..1; g: dict of the six sliders (missing = 0)."""
    s = {k: float(g.get(k, 0.0)) for k in
         ("temperature", "tint", "saturation", "contrast", "highlights", "shadows")}
    gains = np.array([2 ** (TEMP_STOPS * s["temperature"] / 100),
                      2 ** (-TINT_STOPS * s["tint"] / 100),
                      2 ** (-TEMP_STOPS * s["temperature"] / 100)])
    p = linear_to_srgb(np.minimum(srgb_to_linear(rgb) * gains, 1.0))
    p = np.clip(0.5 + (p - 0.5) * 2 ** (s["contrast"] / 100), 0, 1)
    h, sh = s["highlights"] / 100, s["shadows"] / 100
    p = np.clip(p + 0.25 * h * 4 * p * p * (1 - p) + 0.25 * sh * 4 * p * (1 - p) ** 2, 0, 1)
    y = (p * LUMA).sum(axis=-1, keepdims=True)
    return np.clip(y + (p - y) * (1 + s["saturation"] / 100), 0, 1)


def write_cube(path, g, size=LUT_SIZE):
    """A .cube LUT of the grade (red varies fastest, as the format requires)."""
    axis = np.linspace(0.0, 1.0, size)
    b, gr, r = np.meshgrid(axis, axis, axis, indexing="ij")
    out = apply(np.stack([r, gr, b], axis=-1).reshape(-1, 3), g)
    lines = [f"LUT_3D_SIZE {size}"] + [f"{x:.6f} {y:.6f} {z:.6f}" for x, y, z in out]
    path.write_text("\n".join(lines) + "\n")
