import json
def load(p):
    d = {}
    for l in open(p):
        if l.startswith('{'):
            r = json.loads(l); d[r['input']] = r
    return d
B = load('/tmp/s8c/api-before.out'); A = load('/tmp/s8c/api-after.out')
def cell(r):
    if r is None: return "–"
    if r['upload'] != 200:
        e = r['upload_error'] or {}
        return f"upload {r['upload']} `{e.get('code')}` ({e.get('detail','')[:110]})"
    out = []
    for role in ('as_source', 'as_template'):
        j = r.get(role) or {}
        if j.get('status') == 'completed':
            o = j.get('output') or {}
            out.append(f"{j['status']} {float(o.get('duration') or 0):.2f} s{'' if o.get('decode_ok') else ' DECODE ERRORS'}")
        else:
            e = j.get('error') or {}
            out.append(f"{j.get('status')} `{e.get('code')}` {e.get('stage')}")
    return f"upload 200 ({r['metadata']['duration_seconds']} s); source: {out[0]}; template: {out[1]}"
print("Job API (`api.py`; before `fb35990`, after `2af1ea0`):\n")
print("| input | before | after |")
print("|---|---|---|")
for n in A:
    b, a = cell(B.get(n)), cell(A.get(n))
    print(f"| `{n}` | {b} | {a if a != b else '='} |")
tail = [l.strip() for l in open('/tmp/s8c/api-after.out') if l.startswith(('staging', 'uploads', 'base intact', 'server exit'))]
tailb = [l.strip() for l in open('/tmp/s8c/api-before.out') if l.startswith(('staging', 'uploads', 'base intact', 'server exit'))]
print(f"\nAt the end, before: {'; '.join(tailb)}. After: {'; '.join(tail)} (`SIGTERM`, clean exit).")
