import os; FT = os.environ.get('FT_DIR', '.') + '/'; DATA = os.environ.get('SHARED_DATA', '../shared/data') + '/'  # working folder (models, caches) and the shared data
# Fine-tune bge-small (CLS, L2-normalised, x20 scale) + linear head with cross-entropy on the train part of the split.
# Usage: train_ce.py DATASET EPOCHS OUTDIR
import sys, time, random, numpy as np, torch, torch.nn as nn, torch.nn.functional as F, json
from transformers import BertConfig, BertModel
from common import *
ds, EPOCHS, OUT = sys.argv[1], int(sys.argv[2]), sys.argv[3]
LR_ENC, LR_HEAD, BS, SCALE = 3e-5, 2e-3, 32, 20.0
torch.manual_seed(13); random.seed(13); np.random.seed(13); torch.set_num_threads(2)
os.makedirs(OUT, exist_ok=True)
Xtr, Xdv, ytr, ydv = banking_split() if ds == 'banking' else clinc_split()
labels = sorted(set(ytr)); li = {l: i for i, l in enumerate(labels)}
Ytr = np.array([li[l] for l in ytr]); Ydv = np.array([li[l] for l in ydv])
cfg = BertConfig(vocab_size=30522, hidden_size=384, num_hidden_layers=12, num_attention_heads=12, intermediate_size=1536, layer_norm_eps=1e-12)
enc = BertModel(cfg, add_pooling_layer=False); enc.load_state_dict(torch.load(FT + 'bge_small_torch.pt'))
head = nn.Linear(384, len(labels))
tok = tokenizer()
steps = EPOCHS * ((len(Xtr) + BS - 1) // BS); warm = int(0.1 * steps)
opt = torch.optim.AdamW([{'params': enc.parameters(), 'lr': LR_ENC}, {'params': head.parameters(), 'lr': LR_HEAD}], weight_decay=0.01)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / (steps - warm))))
def fwd(texts):
    e = tok.encode_batch(texts)
    ids = torch.tensor([x.ids for x in e]); am = torch.tensor([x.attention_mask for x in e])
    cls = enc(input_ids=ids, attention_mask=am, token_type_ids=torch.zeros_like(ids)).last_hidden_state[:, 0]
    return head(SCALE * F.normalize(cls, dim=-1))
def head_acc():
    enc.eval(); c = 0
    with torch.no_grad():
        for i in range(0, len(Xdv), 64): c += (fwd(Xdv[i:i+64]).argmax(-1).numpy() == Ydv[i:i+64]).sum()
    enc.train(); return c / len(Xdv)
step = 0; log = []
for ep in range(EPOCHS):
    enc.train(); perm = np.random.permutation(len(Xtr)); t0 = time.time(); tl = 0
    for b in range(0, len(perm), BS):
        idx = perm[b:b+BS]
        loss = F.cross_entropy(fwd([Xtr[i] for i in idx]), torch.tensor(Ytr[idx]))
        opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(enc.parameters(), 1.0); opt.step(); sched.step(); step += 1
        tl += loss.item()
        if step % 25 == 0: print(f'ep{ep} step {step}/{steps} loss {tl/25:.3f} {time.time()-t0:.0f}s', flush=True); tl = 0
    ept = time.time() - t0
    torch.save(enc.state_dict(), f'{OUT}/enc_ep{ep+1}.pt'); torch.save(head.state_dict(), f'{OUT}/head_ep{ep+1}.pt')
    ha = head_acc(); log.append({'epoch': ep + 1, 'epoch_sec': ept, 'head_dev_acc': float(ha)})
    print('EPOCH', log[-1], flush=True)
t = time.time(); Etr = embed_torch(enc, Xtr); Edv = embed_torch(enc, Xdv)
np.save(f'{OUT}/emb_tr.npy', Etr); np.save(f'{OUT}/emb_dv.npy', Edv)
r = lr_eval(Etr, ytr, Edv, ydv); print('FINAL tuned-fp32 frozen+LR acc', r, 'embed %.0fs' % (time.time() - t), flush=True)
json.dump({'epochs': log, 'lr_acc_fp32': r}, open(f'{OUT}/result.json', 'w'), indent=1)
