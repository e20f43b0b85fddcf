import json, os
def load(p):
    d = {}
    if os.path.exists(p):
        for l in open(p):
            r = json.loads(l); d[(r['input'], r['label'])] = r
    return d
B = load('/tmp/s8c/before/results.jsonl'); A = load('/tmp/s8c/after/results.jsonl')
A.update(load('/tmp/s8c/after-final/results.jsonl'))
def short(r):
    if r is None: return "–"
    if r['rc'] != 0:
        se = r['stderr']
        if 'invalid media' in se:
            m = se[se.find('invalid media') + 15:].splitlines()[0]
            m = m.replace("the file is truncated: its video data stops at 1.02 s of the 6.01 s its index declares", "truncated (1.02 of 6.01 s)")
            return "invalid media: " + m
        if 'Invalid odd size' in se: return "ffmpeg failed: Invalid odd size"
        return "error: " + (se.splitlines()[-1].strip()[:50] if se else '')
    s = r.get('summary'); o = r.get('output')
    if r['label'] == 'analyze':
        return f"{s['duration_s']:.2f} s {s['width']}×{s['height']} {s['frame_rate']:.2f} fps {s['shots']} shot{'s' if s['shots']!=1 else ''}"
    if r['label'] == 'extract':
        return f"{s['aspect_ratio']} {s['frame_rate']} fps"
    if o and o.get('exists'):
        v = o.get('video', {}); fps = (v.get('fps') or '').replace('/1', '')
        ok = 'plays' if o['decode_ok'] else 'DECODE ERRORS'
        return f"{o['format_duration']:.2f} s {v.get('w')}×{v.get('h')} {fps} fps, Δ{abs(o.get('av_end_diff') or 0)*1000:.0f} ms, {ok}"
    return "no output"
labels = ['analyze', 'extract', 'apply-src', 'apply-tpl']
names = sorted({k[0] for k in B} | {k[0] for k in A})
print("| input | `analyze` | `extract` | `apply --style` (as source) | `apply --template` (as template) |")
print("|---|---|---|---|---|")
maxs = 0
for n in names:
    cells = []
    for l in labels:
        b, a = short(B.get((n, l))), short(A.get((n, l)))
        for r in (B.get((n, l)), A.get((n, l))):
            if r: maxs = max(maxs, r['secs'])
        cells.append(a if a == b else f"**{a}** (before: {b})")
    print(f"| `{n}` | " + " | ".join(cells) + " |")
import sys; print(f"\nslowest run: {maxs} s", file=sys.stderr)
