import os; FT = os.environ.get('FT_DIR', '.') + '/'; DATA = os.environ.get('SHARED_DATA', '../shared/data') + '/'  # working folder (models, caches) and the shared data
# Frozen encoder + LR baseline on the Banking77 80/20 split (seed 13). Usage: baseline.py [banking|clinc]
import sys, time, numpy as np
from common import *
ds = sys.argv[1] if len(sys.argv) > 1 else 'banking'
Xtr, Xdv, ytr, ydv = banking_split() if ds == 'banking' else clinc_split()
print(ds, len(Xtr), len(Xdv), len(set(ytr)))
for name, path in [('fp32', FT + 'fp32/bge-small-en-v1.5.onnx'), ('int8-shipped', FT + 'q/bge-small-en-v1.5-q.onnx')]:
    t = time.time(); Etr = embed_onnx(path, Xtr); Edv = embed_onnx(path, Xdv); te = time.time() - t
    np.save(FT + f'emb_{ds}_{name}_tr.npy', Etr); np.save(FT + f'emb_{ds}_{name}_dv.npy', Edv)
    t = time.time(); r = lr_eval(Etr, ytr, Edv, ydv); print(name, 'embed %.0fs' % te, 'LR acc', r, 'lr %.0fs' % (time.time() - t), flush=True)
